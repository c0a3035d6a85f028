//! The local backend: `terraform.tfstate` (or `backend "local" { path }`), its lock
//! (`.terraform.tfstate.lock.info`, Terraform's name and JSON fields), atomic writes (temporary
//! file, fsync, rename, fsync of the directory) and a `.backup` of the previous state, all
//! with mode 0600.

use crate::{State, StateError};
use serde_json::{Map, Value};
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The state file of the working directory, as Terraform names it.
pub const DEFAULT_STATE_PATH: &str = "terraform.tfstate";

/// A state kept in a local file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalBackend {
    pub path: PathBuf,
}

impl Default for LocalBackend {
    fn default() -> LocalBackend {
        LocalBackend::new(DEFAULT_STATE_PATH)
    }
}

/// Who holds a lock, as Terraform's `LockInfo` (the lock file's JSON field names are Go's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    pub id: String,
    /// What the holder is doing, e.g. `OperationTypeApply` as Terraform writes it.
    pub operation: String,
    pub info: String,
    /// `user@host`.
    pub who: String,
    pub version: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// The state file the lock is for.
    pub path: String,
    /// The holder's process id and host (`Pid`, `Host`: terrane's additions, which
    /// Terraform ignores). A lock whose process is gone from this host is stale: unlike
    /// Terraform's fcntl lock, a lock file outlives a process killed with SIGKILL.
    pub pid: Option<u32>,
    pub host: String,
}

impl LockInfo {
    /// Whether the holder is a process of this machine that no longer runs.
    fn is_stale(&self) -> bool {
        match self.pid {
            Some(pid) if self.host == host_name() && !self.host.is_empty() => {
                !Path::new(&format!("/proc/{pid}")).exists()
            }
            _ => false,
        }
    }

    fn to_json(&self) -> Vec<u8> {
        let mut m = Map::new();
        for (k, v) in [
            ("ID", &self.id),
            ("Operation", &self.operation),
            ("Info", &self.info),
            ("Who", &self.who),
            ("Version", &self.version),
            ("Created", &self.created),
            ("Path", &self.path),
        ] {
            m.insert(k.to_owned(), Value::String(v.clone()));
        }
        if let Some(pid) = self.pid {
            m.insert("Pid".to_owned(), Value::from(pid));
            m.insert("Host".to_owned(), Value::String(self.host.clone()));
        }
        Value::Object(m).to_string().into_bytes()
    }

    fn from_json(bytes: &[u8]) -> Option<LockInfo> {
        let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(bytes) else {
            return None;
        };
        let field = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let info = LockInfo {
            id: field("ID"),
            operation: field("Operation"),
            info: field("Info"),
            who: field("Who"),
            version: field("Version"),
            created: field("Created"),
            path: field("Path"),
            pid: m
                .get("Pid")
                .and_then(Value::as_u64)
                .and_then(|p| u32::try_from(p).ok()),
            host: field("Host"),
        };
        (!info.id.is_empty()).then_some(info)
    }

    /// Stands for a lock file that exists but cannot be read (being written, or damaged).
    fn unreadable(lock_file: &Path) -> LockInfo {
        LockInfo {
            id: String::new(),
            operation: String::new(),
            info: String::new(),
            who: String::new(),
            version: String::new(),
            created: String::new(),
            path: lock_file.display().to_string(),
            pid: None,
            host: String::new(),
        }
    }
}

/// A held lock, released when dropped (or by [`Lock::release`] to see errors).
#[derive(Debug)]
pub struct Lock {
    lock_file: PathBuf,
    info: LockInfo,
    released: bool,
}

impl Lock {
    pub fn id(&self) -> &str {
        &self.info.id
    }

    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    pub fn release(mut self) -> Result<(), StateError> {
        self.released = true;
        remove_lock_if_ours(&self.lock_file, &self.info.id)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if !self.released {
            let _ = remove_lock_if_ours(&self.lock_file, &self.info.id);
        }
    }
}

/// Removes the lock file if it still holds `id` (it may have been force-unlocked and taken
/// by another run since).
fn remove_lock_if_ours(lock_file: &Path, id: &str) -> Result<(), StateError> {
    match fs::read(lock_file) {
        Ok(bytes) if LockInfo::from_json(&bytes).is_some_and(|i| i.id == id) => {
            fs::remove_file(lock_file)
                .map_err(|e| StateError::io(lock_file, "remove the lock file", e))
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StateError::io(lock_file, "read the lock file", e)),
    }
}

impl LocalBackend {
    pub fn new(path: impl Into<PathBuf>) -> LocalBackend {
        LocalBackend { path: path.into() }
    }

    /// `terraform.tfstate` in `dir`.
    pub fn in_dir(dir: &Path) -> LocalBackend {
        LocalBackend::new(dir.join(DEFAULT_STATE_PATH))
    }

    /// `.terraform.tfstate.lock.info` next to the state, as Terraform names it.
    pub fn lock_path(&self) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let name = name.strip_prefix('.').unwrap_or(&name);
        parent_dir(&self.path).join(format!(".{name}.lock.info"))
    }

    /// `terraform.tfstate.backup`.
    pub fn backup_path(&self) -> PathBuf {
        suffixed(&self.path, ".backup")
    }

    /// `terraform.tfstate.journal`: the apply journal (see [`crate::Journal`]).
    pub fn journal_path(&self) -> PathBuf {
        suffixed(&self.path, ".journal")
    }

    /// Takes the lock for `operation`, or says who holds it.
    pub fn lock(&self, operation: &str) -> Result<Lock, StateError> {
        self.lock_with_info(operation, "")
    }

    pub fn lock_with_info(&self, operation: &str, info: &str) -> Result<Lock, StateError> {
        match self.try_lock(operation, info) {
            // A lock left by a process of this machine that no longer runs (killed with
            // SIGKILL, say) is taken over: its journal, if any, is recovered next.
            Err(StateError::Locked { info: held, .. }) if held.is_stale() => {
                eprintln!(
                    "Warning: Taking over a stale state lock\n\nThe lock {} was held by process {} ({}, since {}), which no longer runs.",
                    held.id,
                    held.pid.unwrap_or(0),
                    held.operation,
                    held.created
                );
                let _ = fs::remove_file(self.lock_path());
                self.try_lock(operation, info)
            }
            other => other,
        }
    }

    fn try_lock(&self, operation: &str, info: &str) -> Result<Lock, StateError> {
        let lock_file = self.lock_path();
        // `backend "local" { path = "state/prod.tfstate" }`: the directory may not exist yet.
        if let Some(dir) = lock_file.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            fs::create_dir_all(dir)
                .map_err(|e| StateError::io(dir, "create the state directory", e))?;
        }
        let info = LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_owned(),
            info: info.to_owned(),
            who: who(),
            version: format!("terrane {}", env!("CARGO_PKG_VERSION")),
            created: now_rfc3339(),
            path: self.path.display().to_string(),
            pid: Some(std::process::id()),
            host: host_name(),
        };
        let mut file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&lock_file)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let held = self
                    .lock_holder()?
                    .unwrap_or_else(|| LockInfo::unreadable(&lock_file));
                return Err(StateError::Locked {
                    path: self.path.clone(),
                    info: Box::new(held),
                });
            }
            Err(e) => return Err(StateError::io(&lock_file, "create the lock file", e)),
        };
        // No fsync: a lock only matters while its holder runs, and a crash of the machine
        // ends the holder too.
        if let Err(e) = file.write_all(&info.to_json()) {
            let _ = fs::remove_file(&lock_file);
            return Err(StateError::io(&lock_file, "write the lock file", e));
        }
        Ok(Lock {
            lock_file,
            info,
            released: false,
        })
    }

    /// Who holds the lock: None if nobody; an entry with an empty ID if the lock file cannot
    /// be read.
    pub fn lock_holder(&self) -> Result<Option<LockInfo>, StateError> {
        let lock_file = self.lock_path();
        match fs::read(&lock_file) {
            Ok(bytes) => Ok(Some(
                LockInfo::from_json(&bytes).unwrap_or_else(|| LockInfo::unreadable(&lock_file)),
            )),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::io(&lock_file, "read the lock file", e)),
        }
    }

    /// Removes a lock left by a run that is gone, if `id` is the lock's ID.
    pub fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        let Some(held) = self.lock_holder()? else {
            return Err(StateError::NotLocked {
                path: self.path.clone(),
            });
        };
        if held.id.is_empty() {
            return Err(StateError::Locked {
                path: self.path.clone(),
                info: Box::new(held),
            });
        }
        if held.id != id {
            return Err(StateError::LockIdMismatch {
                path: self.path.clone(),
                given: id.to_owned(),
                held: Box::new(held),
            });
        }
        let lock_file = self.lock_path();
        fs::remove_file(&lock_file)
            .map_err(|e| StateError::io(&lock_file, "remove the lock file", e))?;
        Ok(held)
    }

    /// The state, or None if there is no state file (or an empty one, as Terraform leaves).
    /// Run [`crate::Journal::recover`] first: a journal left by a killed run holds changes
    /// the file does not have yet.
    pub fn read(&self) -> Result<Option<State>, StateError> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StateError::io(&self.path, "read the state file", e)),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        State::from_json(&bytes)
            .map(Some)
            .map_err(|e| e.with_path(&self.path))
    }

    /// Replaces the state file atomically, first keeping the previous one as `.backup`. Either
    /// the old or the new content is in place at every moment, whenever the process dies.
    /// The state is written as is: the caller sets its serial ([`crate::Journal::finish`]
    /// does).
    pub fn write(&self, state: &State) -> Result<(), StateError> {
        let bytes = state.try_to_json().map_err(|e| StateError::Invalid {
            path: Some(self.path.clone()),
            message: format!("the state cannot be serialized: {e}"),
        })?;
        // A symlinked state file is written where it points, as Terraform does.
        let target = match fs::symlink_metadata(&self.path) {
            Ok(m) if m.file_type().is_symlink() => fs::canonicalize(&self.path)
                .map_err(|e| StateError::io(&self.path, "resolve the state file's link", e))?,
            _ => self.path.clone(),
        };
        match fs::symlink_metadata(&target) {
            Ok(_) => self.backup(&target)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StateError::io(&target, "inspect the state file", e)),
        }
        atomic_replace(&target, &bytes)
    }

    /// Makes `.backup` the current state file: a hard link to it (no copy: the file is then
    /// replaced by a rename, not rewritten), or a copy where links are not supported.
    fn backup(&self, current: &Path) -> Result<(), StateError> {
        let backup = self.backup_path();
        let tmp = temp_path(&backup);
        if fs::hard_link(current, &tmp).is_ok() {
            // The link shares the old file's mode: make it 0600, or copy if that mode is not
            // ours to change.
            if fs::set_permissions(&tmp, Permissions::from_mode(0o600)).is_ok() {
                if let Err(e) = fs::rename(&tmp, &backup) {
                    let _ = fs::remove_file(&tmp);
                    return Err(StateError::io(&backup, "write the backup", e));
                }
                return Ok(());
            }
            let _ = fs::remove_file(&tmp);
        }
        let old =
            fs::read(current).map_err(|e| StateError::io(current, "read the state file", e))?;
        atomic_replace(&backup, &old)
    }
}

/// Writes `bytes` to a new file (mode 0600) next to `target`, fsyncs it, renames it over
/// `target` and fsyncs the directory.
pub(crate) fn atomic_replace(target: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let tmp = temp_path(target);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| StateError::io(&tmp, "create a temporary file", e))?;
    let written = file
        .set_permissions(Permissions::from_mode(0o600))
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(StateError::io(&tmp, "write a temporary file", e));
    }
    if let Err(e) = fs::rename(&tmp, target) {
        let _ = fs::remove_file(&tmp);
        return Err(StateError::io(target, "replace the file", e));
    }
    sync_dir(&parent_dir(target))
}

/// Makes the directory's entries (created, renamed, removed files) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StateError> {
    let synced = File::open(dir).and_then(|d| d.sync_all());
    match synced {
        // Some file systems cannot fsync a directory; nothing more can be done there.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(StateError::io(dir, "sync the directory", e)),
        Ok(()) => Ok(()),
    }
}

pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(crate) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A hidden temporary name next to `path`, unique in this process and among processes.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    parent_dir(path).join(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// `user@host`, as Terraform records the lock holder.
fn who() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_default();
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|f| fs::read_to_string(f).ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    format!("{user}@{host}")
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// This machine's name, to tell whether a lock's process id means anything here.
fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use terrane_types::{ModuleInstance, ResourceAddr, ResourceMode};

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn sample(serial: u64) -> State {
        let mut s = State::new("lineage-1");
        s.serial = serial;
        let addr = ResourceAddr {
            module: ModuleInstance::root(),
            mode: ResourceMode::Managed,
            type_name: "null_resource".into(),
            name: "n".into(),
        };
        s.set(
            &addr.instance(None),
            "provider[\"x\"]",
            crate::InstanceState::new(json!({"id": serial.to_string()})),
        );
        s
    }

    #[test]
    fn a_second_lock_fails_naming_the_holder_and_how_to_force_unlock() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::in_dir(dir.path());
        let lock = backend.lock("OperationTypeApply").unwrap();
        assert!(dir.path().join(".terraform.tfstate.lock.info").exists());
        let err = backend.lock("OperationTypePlan").unwrap_err();
        let StateError::Locked { info, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(info.id, lock.id());
        assert_eq!(info.operation, "OperationTypeApply");
        let message = err.to_string();
        assert!(message.contains(&info.who), "{message}");
        assert!(message.contains("OperationTypeApply"), "{message}");
        assert!(message.contains(&info.created), "{message}");
        assert!(
            message.contains(&format!("terrane force-unlock {}", lock.id())),
            "{message}"
        );
        drop(lock);
        assert!(backend.lock_holder().unwrap().is_none());
        backend
            .lock("OperationTypeApply")
            .unwrap()
            .release()
            .unwrap();
    }

    #[test]
    fn a_lock_left_by_a_process_that_no_longer_runs_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::new(dir.path().join("terraform.tfstate"));
        let stale = LockInfo {
            id: "old-id".into(),
            operation: "OperationTypeApply".into(),
            info: String::new(),
            who: who(),
            version: "terrane".into(),
            created: now_rfc3339(),
            path: "terraform.tfstate".into(),
            // Linux pids never reach this (pid_max is at most 2^22).
            pid: Some(u32::MAX - 1),
            host: host_name(),
        };
        fs::write(backend.lock_path(), stale.to_json()).unwrap();
        let lock = backend.lock("OperationTypePlan").unwrap();
        assert_ne!(lock.id(), "old-id");
        // A lock whose holder runs is not touched.
        let live = LockInfo {
            pid: Some(std::process::id()),
            ..stale
        };
        drop(lock);
        fs::write(backend.lock_path(), live.to_json()).unwrap();
        assert!(matches!(
            backend.lock("OperationTypePlan"),
            Err(StateError::Locked { .. })
        ));
    }

    #[test]
    fn the_lock_file_has_terraforms_fields() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::new(dir.path().join("custom.tfstate"));
        let lock = backend.lock("OperationTypeApply").unwrap();
        let raw = fs::read(dir.path().join(".custom.tfstate.lock.info")).unwrap();
        let v: Value = serde_json::from_slice(&raw).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        // Terraform's fields, in its order, then terrane's (which Terraform ignores).
        assert_eq!(
            keys,
            [
                "ID",
                "Operation",
                "Info",
                "Who",
                "Version",
                "Created",
                "Path",
                "Pid",
                "Host"
            ]
        );
        assert_eq!(v["ID"], lock.id());
        assert!(
            time::OffsetDateTime::parse(
                v["Created"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339
            )
            .is_ok()
        );
        assert_eq!(
            mode_of(&dir.path().join(".custom.tfstate.lock.info")),
            0o600
        );
    }

    #[test]
    fn force_unlock_with_a_wrong_id_is_refused_and_with_the_right_one_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::in_dir(dir.path());
        let lock = backend.lock("OperationTypeApply").unwrap();
        let err = backend.force_unlock("not-the-id").unwrap_err();
        assert!(matches!(err, StateError::LockIdMismatch { .. }), "{err}");
        assert!(backend.lock_holder().unwrap().is_some());
        let id = lock.id().to_owned();
        std::mem::forget(lock);
        assert_eq!(backend.force_unlock(&id).unwrap().id, id);
        assert!(matches!(
            backend.force_unlock(&id),
            Err(StateError::NotLocked { .. })
        ));
    }

    #[test]
    fn a_dropped_lock_leaves_a_lock_taken_after_a_force_unlock_alone() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::in_dir(dir.path());
        let stale = backend.lock("OperationTypeApply").unwrap();
        backend.force_unlock(stale.id()).unwrap();
        let fresh = backend.lock("OperationTypeApply").unwrap();
        drop(stale);
        assert_eq!(
            backend.lock_holder().unwrap().map(|i| i.id),
            Some(fresh.id().to_owned())
        );
    }

    #[test]
    fn an_unreadable_lock_file_still_locks_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::in_dir(dir.path());
        fs::write(backend.lock_path(), b"").unwrap();
        let err = backend.lock("OperationTypeApply").unwrap_err();
        assert!(err.to_string().contains("cannot be read"), "{err}");
        assert!(backend.force_unlock("x").is_err());
    }

    #[test]
    fn writes_are_atomic_keep_a_backup_and_use_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::in_dir(dir.path());
        assert!(backend.read().unwrap().is_none());
        backend.write(&sample(1)).unwrap();
        assert_eq!(mode_of(&backend.path), 0o600);
        assert!(!backend.backup_path().exists());
        backend.write(&sample(2)).unwrap();
        assert_eq!(backend.read().unwrap().unwrap().serial, 2);
        let backup = State::from_json(&fs::read(backend.backup_path()).unwrap()).unwrap();
        assert_eq!(backup, sample(1));
        assert_eq!(mode_of(&backend.path), 0o600);
        assert_eq!(mode_of(&backend.backup_path()), 0o600);
        // No temporary file is left behind.
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_state_file_written_with_another_mode_is_replaced_with_0600() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::in_dir(dir.path());
        fs::write(&backend.path, sample(1).to_json()).unwrap();
        fs::set_permissions(&backend.path, Permissions::from_mode(0o644)).unwrap();
        backend.write(&sample(2)).unwrap();
        assert_eq!(mode_of(&backend.path), 0o600);
        assert_eq!(mode_of(&backend.backup_path()), 0o600);
    }

    #[test]
    fn a_damaged_state_file_is_reported_with_its_path_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::in_dir(dir.path());
        fs::write(&backend.path, b"{\"version\": 4, \"serial\": ").unwrap();
        let err = backend.read().unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(&backend.path.display().to_string()),
            "{message}"
        );
        assert!(message.contains(".backup"), "{message}");
        fs::write(&backend.path, b"  \n").unwrap();
        assert!(backend.read().unwrap().is_none());
    }
}
