//! The apply journal, `<state>.journal`: each completed change is appended as one line and
//! made durable with group commit (one fsync covers every line appended before it started),
//! so persisting a change costs O(change), not O(state). At the end of an apply the state file
//! is written once and the journal deleted; a run killed midway is recovered by
//! [`Journal::recover`] on the next command.
//!
//! Line format: `<crc32 of the JSON, 8 hex digits> <compact JSON>\n`. The first line is a
//! header naming the lineage and serial of the state the entries apply to. A line whose
//! checksum does not match, or the unterminated tail of a killed write, is skipped.

use crate::addr::{format_instance_addr, parse_instance_addr};
use crate::backend::{LocalBackend, parent_dir, sync_dir};
use crate::codec::{InstanceDoc, OutputDoc, decode_instance, decode_output};
use crate::{InstanceState, OutputState, State, StateError};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use terrane_types::ResourceInstanceAddr;

const JOURNAL_FORMAT: u64 = 1;

/// What a provider call is about to do to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    Read,
    Import,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::Read => "read",
            Action::Import => "import",
        }
    }

    fn parse(s: &str) -> Option<Action> {
        [
            Action::Create,
            Action::Update,
            Action::Replace,
            Action::Delete,
            Action::Read,
            Action::Import,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// One journal entry.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "entries are built one at a time and moved into the journal; boxing would only add an allocation"
)]
pub enum Entry {
    /// A provider call that may create an object is about to go out. Append it with
    /// [`Journal::append_durable`] immediately before each such call; the next `Done` for the
    /// same address (current object) resolves it.
    Intent {
        addr: ResourceInstanceAddr,
        action: Action,
    },
    /// A change completed: the object at `addr` (the current one, or the deposed one with key
    /// `deposed`) is now `instance`, or gone when None.
    Done {
        addr: ResourceInstanceAddr,
        deposed: Option<String>,
        provider: String,
        instance: Option<InstanceState>,
    },
    /// The current object of `addr` became deposed under `key` (`create_before_destroy`).
    Depose {
        addr: ResourceInstanceAddr,
        key: String,
    },
    /// An instance moved (`moved` block).
    Moved {
        from: ResourceInstanceAddr,
        to: ResourceInstanceAddr,
    },
    /// A root output was set, or removed when None.
    Output {
        name: String,
        output: Option<OutputState>,
    },
}

impl Entry {
    /// Applies the entry to a state, as recovery does.
    pub fn apply(self, state: &mut State) -> Result<(), StateError> {
        match self {
            Entry::Intent { .. } => {}
            Entry::Done {
                addr,
                deposed,
                provider,
                instance,
            } => match (deposed, instance) {
                (None, Some(inst)) => {
                    state.set(&addr, &provider, inst);
                }
                (None, None) => {
                    state.remove(&addr);
                }
                (Some(key), Some(inst)) => {
                    state.set_deposed(&addr, &key, &provider, inst);
                }
                (Some(key), None) => {
                    state.remove_deposed(&addr, &key);
                }
            },
            Entry::Depose { addr, key } => {
                state.depose(&addr, &key);
            }
            Entry::Moved { from, to } => state.move_instance(&from, &to)?,
            Entry::Output { name, output } => match output {
                Some(o) => {
                    state.set_output(name, o);
                }
                None => {
                    state.remove_output(&name);
                }
            },
        }
        Ok(())
    }
}

/// Marks an appended entry; [`Journal::wait`] returns once it is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ticket(u64);

/// An open journal. Shared by apply workers (`&Journal` is `Sync`).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    lineage: String,
    base_serial: u64,
    file: File,
    inner: Mutex<Inner>,
    durable: Condvar,
}

#[derive(Debug, Default)]
struct Inner {
    appended: u64,
    durable: u64,
    syncing: bool,
    failed: Option<String>,
    fsyncs: u64,
}

/// What a journal holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    /// Empty when the header was lost (a run killed as it created the journal); there are no
    /// entries then.
    pub lineage: String,
    pub base_serial: u64,
    pub entries: Vec<Entry>,
    /// Damaged lines skipped: the torn tail of a killed write.
    pub skipped_lines: usize,
}

/// What [`Journal::recover`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct RecoveryReport {
    pub journal: PathBuf,
    /// Entries folded into the state.
    pub applied: usize,
    /// Provider calls that went out (or were about to) with no recorded outcome: for a
    /// create, an object may exist that the state does not know; the engine must tell the
    /// user to check it (and import it if it exists).
    pub uncertain: Vec<Uncertain>,
    pub skipped_lines: usize,
    /// The state file already held the journal's changes (killed after writing it).
    pub already_folded: bool,
    /// The serial of the state file afterwards.
    pub serial: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    pub addr: ResourceInstanceAddr,
    pub action: Action,
}

impl Journal {
    /// Creates the journal for changes to the state of `lineage` at `base_serial`. Refuses if
    /// one is there: it must be recovered first.
    pub fn open(
        path: impl Into<PathBuf>,
        base_serial: u64,
        lineage: &str,
    ) -> Result<Journal, StateError> {
        let path = path.into();
        let mut file = match OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(StateError::JournalExists { path });
            }
            Err(e) => return Err(StateError::io(&path, "create the apply journal", e)),
        };
        let header = Header {
            lineage,
            base_serial,
        };
        let written = encode_line(&header)
            .and_then(|line| file.write_all(&line))
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            let _ = fs::remove_file(&path);
            return Err(StateError::io(&path, "write the apply journal", e));
        }
        sync_dir(&parent_dir(&path))?;
        Ok(Journal {
            path,
            lineage: lineage.to_owned(),
            base_serial,
            file,
            inner: Mutex::new(Inner::default()),
            durable: Condvar::new(),
        })
    }

    /// The journal of a backend's state, for changes to `state`.
    pub fn for_backend(backend: &LocalBackend, state: &State) -> Result<Journal, StateError> {
        Journal::open(backend.journal_path(), state.serial, &state.lineage)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn failed(&self, message: &str) -> StateError {
        StateError::JournalFailed {
            path: self.path.clone(),
            message: message.to_owned(),
        }
    }

    /// Appends an entry (not yet durable: see [`Journal::wait`]).
    pub fn append(&self, entry: &Entry) -> Result<Ticket, StateError> {
        let line = encode_line(&EntryDoc(entry))
            .map_err(|e| StateError::io(&self.path, "encode a journal entry", e))?;
        let mut inner = self.inner();
        if let Some(m) = &inner.failed {
            return Err(self.failed(m));
        }
        if let Err(e) = (&self.file).write_all(&line) {
            inner.failed = Some(e.to_string());
            return Err(StateError::io(&self.path, "append to the apply journal", e));
        }
        inner.appended += 1;
        Ok(Ticket(inner.appended))
    }

    /// Returns once the entry of `ticket` is durable. One caller at a time runs the fsync;
    /// it covers every entry appended before it started, and those waiting on them return
    /// together.
    pub fn wait(&self, ticket: Ticket) -> Result<(), StateError> {
        let mut inner = self.inner();
        // A ticket of another journal must not wait for entries this one will never have.
        let wanted = ticket.0.min(inner.appended);
        loop {
            if inner.durable >= wanted {
                return Ok(());
            }
            if let Some(m) = &inner.failed {
                return Err(self.failed(m));
            }
            if inner.syncing {
                inner = self.durable.wait(inner).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            inner.syncing = true;
            let target = inner.appended;
            drop(inner);
            let synced = self.file.sync_data();
            inner = self.inner();
            inner.syncing = false;
            inner.fsyncs += 1;
            match synced {
                Ok(()) => inner.durable = inner.durable.max(target),
                Err(e) => inner.failed = Some(format!("fsync failed: {e}")),
            }
            self.durable.notify_all();
        }
    }

    /// Makes every entry appended so far durable.
    pub fn commit(&self) -> Result<(), StateError> {
        let ticket = Ticket(self.inner().appended);
        self.wait(ticket)
    }

    /// Appends an entry and returns once it is durable.
    pub fn append_durable(&self, entry: &Entry) -> Result<(), StateError> {
        let ticket = self.append(entry)?;
        self.wait(ticket)
    }

    /// The fsyncs made for entries so far (for tests of group commit).
    pub fn fsync_count(&self) -> u64 {
        self.inner().fsyncs
    }

    /// Ends the apply: writes `state` (which must hold every change appended) with serial
    /// at least base + 1, then deletes the journal.
    pub fn finish(self, backend: &LocalBackend, state: &mut State) -> Result<(), StateError> {
        if state.lineage != self.lineage {
            return Err(StateError::JournalMismatch {
                path: self.path.clone(),
                journal_lineage: self.lineage.clone(),
                journal_serial: self.base_serial,
                state_lineage: state.lineage.clone(),
                state_serial: state.serial,
            });
        }
        self.commit()?;
        state.serial = state.serial.max(self.base_serial + 1);
        backend.write(state)?;
        remove_journal(&self.path)
    }

    /// Reads a journal: None if there is none.
    pub fn replay(path: &Path) -> Result<Option<Replay>, StateError> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StateError::io(path, "read the apply journal", e)),
        };
        let corrupt = |message: String| StateError::JournalCorrupt {
            path: path.to_path_buf(),
            message,
        };
        let mut replay = Replay {
            lineage: String::new(),
            base_serial: 0,
            entries: Vec::new(),
            skipped_lines: 0,
        };
        let mut pieces: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        // What follows the last newline is a line whose write did not complete.
        if pieces.pop().is_some_and(|tail| !tail.is_empty()) {
            replay.skipped_lines += 1;
        }
        let mut header_seen = false;
        for (n, line) in pieces.into_iter().enumerate() {
            let Some(v) = decode_line(line) else {
                replay.skipped_lines += 1;
                continue;
            };
            if n == 0 {
                let (lineage, serial) = decode_header(v).map_err(corrupt)?;
                replay.lineage = lineage;
                replay.base_serial = serial;
                header_seen = true;
                continue;
            }
            let entry = decode_entry(v).map_err(|m| corrupt(format!("line {}: {m}", n + 1)))?;
            replay.entries.push(entry);
        }
        if !header_seen && !replay.entries.is_empty() {
            return Err(corrupt(
                "its first line (the state lineage and serial it applies to) is damaged; \
                 move it aside and check the resources it names"
                    .to_owned(),
            ));
        }
        Ok(Some(replay))
    }

    /// Folds a journal left by a killed run into the state file and deletes it. Call it with
    /// the state locked, before reading the state. Costs O(entries) plus one state write.
    ///
    /// Intents with no outcome are reported, not written into the state: the object they
    /// may have created has no known ID, and a placeholder would make the next plan call the
    /// provider to refresh or destroy an object it cannot name.
    pub fn recover(backend: &LocalBackend) -> Result<Option<RecoveryReport>, StateError> {
        let path = backend.journal_path();
        let Some(replay) = Journal::replay(&path)? else {
            return Ok(None);
        };
        let mut report = RecoveryReport {
            journal: path.clone(),
            applied: 0,
            uncertain: Vec::new(),
            skipped_lines: replay.skipped_lines,
            already_folded: false,
            serial: 0,
        };
        let current = backend.read()?;
        if replay.entries.is_empty() {
            report.serial = current.map_or(0, |s| s.serial);
            remove_journal(&path)?;
            return Ok(Some(report));
        }
        let mismatch = |state_lineage: &str, state_serial| StateError::JournalMismatch {
            path: path.clone(),
            journal_lineage: replay.lineage.clone(),
            journal_serial: replay.base_serial,
            state_lineage: state_lineage.to_owned(),
            state_serial,
        };
        let mut state = match current {
            Some(s) if s.lineage != replay.lineage => return Err(mismatch(&s.lineage, s.serial)),
            Some(s) if s.serial > replay.base_serial => {
                report.already_folded = true;
                report.serial = s.serial;
                remove_journal(&path)?;
                return Ok(Some(report));
            }
            Some(s) if s.serial < replay.base_serial => return Err(mismatch(&s.lineage, s.serial)),
            Some(s) => s,
            None if replay.base_serial > 0 => return Err(mismatch("", 0)),
            None => State::new(replay.lineage.clone()),
        };
        let mut pending: HashMap<ResourceInstanceAddr, (usize, Action)> = HashMap::new();
        for (i, entry) in replay.entries.into_iter().enumerate() {
            match &entry {
                Entry::Intent { addr, action } => {
                    pending.insert(addr.clone(), (i, *action));
                }
                Entry::Done {
                    addr,
                    deposed: None,
                    ..
                } => {
                    pending.remove(addr);
                }
                _ => {}
            }
            if !matches!(entry, Entry::Intent { .. }) {
                report.applied += 1;
            }
            entry.apply(&mut state)?;
        }
        let mut uncertain: Vec<_> = pending.into_iter().collect();
        uncertain.sort_by_key(|(_, (i, _))| *i);
        report.uncertain = uncertain
            .into_iter()
            .map(|(addr, (_, action))| Uncertain { addr, action })
            .collect();
        state.serial = replay.base_serial + 1;
        backend.write(&state)?;
        report.serial = state.serial;
        remove_journal(&path)?;
        Ok(Some(report))
    }
}

fn remove_journal(path: &Path) -> Result<(), StateError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(&parent_dir(path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StateError::io(path, "remove the apply journal", e)),
    }
}

/// CRC-32 (IEEE), the checksum of each line.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut c = !0u32;
    for &b in data {
        c = TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

fn encode_line(value: &impl Serialize) -> io::Result<Vec<u8>> {
    let json = serde_json::to_vec(value).map_err(io::Error::other)?;
    let mut line = format!("{:08x} ", crc32(&json)).into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    Ok(line)
}

/// The JSON of a line whose checksum matches; None for a damaged line.
fn decode_line(line: &[u8]) -> Option<Value> {
    let (sum, json) = (line.get(..8)?, line.get(9..)?);
    if line.get(8) != Some(&b' ') {
        return None;
    }
    let sum = u32::from_str_radix(std::str::from_utf8(sum).ok()?, 16).ok()?;
    if sum != crc32(json) {
        return None;
    }
    serde_json::from_slice(json).ok()
}

struct Header<'a> {
    lineage: &'a str,
    base_serial: u64,
}

impl Serialize for Header<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("op", "begin")?;
        m.serialize_entry("format", &JOURNAL_FORMAT)?;
        m.serialize_entry("lineage", self.lineage)?;
        m.serialize_entry("base_serial", &self.base_serial)?;
        m.end()
    }
}

fn decode_header(v: Value) -> Result<(String, u64), String> {
    let m = match v {
        Value::Object(m) if m.get("op").and_then(Value::as_str) == Some("begin") => m,
        _ => return Err("its first line is not a journal header".to_owned()),
    };
    let format = m.get("format").and_then(Value::as_u64);
    if format != Some(JOURNAL_FORMAT) {
        return Err(format!(
            "journal format {format:?} is not supported by this terrane (it reads format \
             {JOURNAL_FORMAT}); recover it with the terrane that wrote it"
        ));
    }
    let lineage = str_field(&m, "lineage")?.to_owned();
    let serial = m
        .get("base_serial")
        .and_then(Value::as_u64)
        .ok_or("the header has no base_serial")?;
    Ok((lineage, serial))
}

struct EntryDoc<'a>(&'a Entry);

impl Serialize for EntryDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            Entry::Intent { addr, action } => {
                m.serialize_entry("op", "intent")?;
                m.serialize_entry("addr", &format_instance_addr(addr))?;
                m.serialize_entry("action", action.as_str())?;
            }
            Entry::Done {
                addr,
                deposed,
                provider,
                instance,
            } => {
                m.serialize_entry("op", "done")?;
                m.serialize_entry("addr", &format_instance_addr(addr))?;
                if let Some(d) = deposed {
                    m.serialize_entry("deposed", d)?;
                }
                m.serialize_entry("provider", provider)?;
                let doc = instance.as_ref().map(|inst| InstanceDoc {
                    key: None,
                    deposed: None,
                    inst,
                });
                m.serialize_entry("instance", &doc)?;
            }
            Entry::Depose { addr, key } => {
                m.serialize_entry("op", "depose")?;
                m.serialize_entry("addr", &format_instance_addr(addr))?;
                m.serialize_entry("key", key)?;
            }
            Entry::Moved { from, to } => {
                m.serialize_entry("op", "moved")?;
                m.serialize_entry("from", &format_instance_addr(from))?;
                m.serialize_entry("to", &format_instance_addr(to))?;
            }
            Entry::Output { name, output } => {
                m.serialize_entry("op", "output")?;
                m.serialize_entry("name", name)?;
                m.serialize_entry("output", &output.as_ref().map(OutputDoc))?;
            }
        }
        m.end()
    }
}

fn str_field<'a>(m: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    m.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the entry has no {key:?}"))
}

fn addr_field(m: &Map<String, Value>, key: &str) -> Result<ResourceInstanceAddr, String> {
    parse_instance_addr(str_field(m, key)?)
}

fn decode_entry(v: Value) -> Result<Entry, String> {
    let Value::Object(mut m) = v else {
        return Err("the entry is not an object".to_owned());
    };
    let op = str_field(&m, "op")?.to_owned();
    Ok(match op.as_str() {
        "intent" => {
            let action = str_field(&m, "action")?;
            Entry::Intent {
                addr: addr_field(&m, "addr")?,
                action: Action::parse(action)
                    .ok_or_else(|| format!("unknown action {action:?}"))?,
            }
        }
        "done" => Entry::Done {
            addr: addr_field(&m, "addr")?,
            deposed: m.get("deposed").and_then(Value::as_str).map(str::to_owned),
            provider: str_field(&m, "provider")?.to_owned(),
            instance: match m.remove("instance") {
                None | Some(Value::Null) => None,
                Some(v) => Some(decode_instance(v)?.2),
            },
        },
        "depose" => Entry::Depose {
            addr: addr_field(&m, "addr")?,
            key: str_field(&m, "key")?.to_owned(),
        },
        "moved" => Entry::Moved {
            from: addr_field(&m, "from")?,
            to: addr_field(&m, "to")?,
        },
        "output" => Entry::Output {
            name: str_field(&m, "name")?.to_owned(),
            output: match m.remove("output") {
                None | Some(Value::Null) => None,
                Some(v) => Some(decode_output(v)?),
            },
        },
        other => {
            return Err(format!(
                "unknown entry {other:?}: written by a newer terrane?"
            ));
        }
    })
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
