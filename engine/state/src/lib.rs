//! State: Terraform's v4 JSON format, the local backend (lock, atomic writes, backup) and the apply journal.
//!
//! - [`State`] (`model`): the state in memory, keyed by address in Terraform's order.
//! - `codec`: [`State::from_json`] / [`State::to_json`], byte-for-byte Terraform's layout.
//! - [`LocalBackend`]: `terraform.tfstate` with its lock, atomic writes and `.backup`.
//! - [`Journal`]: the apply journal, so that persisting a change costs O(change) and a killed
//!   run is recovered on the next command.

mod addr;
mod backend;
mod codec;
mod journal;
mod model;

pub use addr::{format_instance_addr, format_module, parse_instance_addr, parse_module};
pub use backend::{DEFAULT_STATE_PATH, LocalBackend, Lock, LockInfo};
pub use journal::{Action, Entry, Journal, RecoveryReport, Replay, Ticket, Uncertain};
pub use model::{FORMAT_VERSION, InstanceState, OutputState, ResourceState, State};

use std::path::{Path, PathBuf};

/// What can go wrong reading, writing, locking or recovering a state. Each message names the
/// file, says what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}not valid JSON ({message}); fix the file, or restore the previous state from its \
         .backup file",
        at(path)
    )]
    Syntax {
        path: Option<PathBuf>,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}not a valid Terraform state: {message}", at(path))]
    Invalid {
        path: Option<PathBuf>,
        message: String,
    },
    #[error(
        "{}state format version {version} was written by Terraform 0.11 or older, and only \
         version 4 is read: upgrade it by running `terraform apply -refresh-only` (or \
         `terraform refresh`) once with Terraform 0.12 or later, then retry",
        at(path)
    )]
    FormatTooOld { path: Option<PathBuf>, version: u64 },
    #[error(
        "{}state format version {version} is newer than version 4, the only one this terrane \
         reads: it was written by a newer tool; use a terrane that supports it",
        at(path)
    )]
    FormatTooNew { path: Option<PathBuf>, version: u64 },
    #[error("{}", locked_message(path, info))]
    Locked { path: PathBuf, info: Box<LockInfo> },
    #[error(
        "{}: lock ID {given:?} does not match the lock held by {} (lock ID {:?}); check the ID \
         and retry",
        path.display(),
        held.who,
        held.id
    )]
    LockIdMismatch {
        path: PathBuf,
        given: String,
        held: Box<LockInfo>,
    },
    #[error("{}: the state is not locked, so there is nothing to unlock", path.display())]
    NotLocked { path: PathBuf },
    #[error(
        "{}: an unfinished apply journal is already there: recover it (any state command does) \
         before starting another apply",
        path.display()
    )]
    JournalExists { path: PathBuf },
    #[error(
        "{}: this apply journal continues state lineage {journal_lineage:?} serial \
         {journal_serial}, but the state file has lineage {state_lineage:?} serial \
         {state_serial}: the state was replaced since; restore the state the journal belongs \
         to, or move the journal aside (its changes are then lost) and retry",
        path.display()
    )]
    JournalMismatch {
        path: PathBuf,
        journal_lineage: String,
        journal_serial: u64,
        state_lineage: String,
        state_serial: u64,
    },
    #[error("{}: the apply journal is damaged: {message}", path.display())]
    JournalCorrupt { path: PathBuf, message: String },
    #[error(
        "{}: an earlier write to the apply journal failed ({message}), so later changes cannot \
         be recorded; stop the apply and let the next command recover the journal",
        path.display()
    )]
    JournalFailed { path: PathBuf, message: String },
    #[error("cannot move {0}: the state has nothing at that address")]
    MoveSourceMissing(String),
    #[error("cannot move to {0}: the state already has an object there; remove or move it first")]
    MoveTargetExists(String),
}

fn at(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => format!("{}: ", p.display()),
        None => String::new(),
    }
}

fn locked_message(path: &Path, info: &LockInfo) -> String {
    if info.id.is_empty() {
        return format!(
            "{}: the state is locked, but the lock file {} cannot be read (it may be being \
             written); retry, and if no other run is going on, delete that file",
            path.display(),
            info.path
        );
    }
    format!(
        "{}: the state is locked by {} for operation {:?} since {} (lock ID {}, {}); wait for \
         that run to finish, or if it is gone, run `terrane force-unlock {}`",
        path.display(),
        if info.who.is_empty() {
            "an unknown user"
        } else {
            &info.who
        },
        info.operation,
        info.created,
        info.id,
        info.version,
        info.id
    )
}

impl StateError {
    /// The same error, naming `path` as the file it is about (for errors found in content).
    pub(crate) fn with_path(self, file: &Path) -> StateError {
        let p = Some(file.to_path_buf());
        match self {
            StateError::Syntax {
                line,
                column,
                message,
                ..
            } => StateError::Syntax {
                path: p,
                line,
                column,
                message,
            },
            StateError::Invalid { message, .. } => StateError::Invalid { path: p, message },
            StateError::FormatTooOld { version, .. } => {
                StateError::FormatTooOld { path: p, version }
            }
            StateError::FormatTooNew { version, .. } => {
                StateError::FormatTooNew { path: p, version }
            }
            other => other,
        }
    }

    pub(crate) fn io(path: &Path, action: &'static str, source: std::io::Error) -> StateError {
        StateError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}
