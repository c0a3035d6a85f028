use super::*;
use serde_json::json;
use std::sync::Arc;
use terrane_types::{InstanceKey, ModuleInstance, ResourceAddr, ResourceMode};

const P: &str = "provider[\"registry.terraform.io/hashicorp/null\"]";

fn addr(name: &str, key: Option<i64>) -> ResourceInstanceAddr {
    ResourceAddr {
        module: ModuleInstance::root(),
        mode: ResourceMode::Managed,
        type_name: "null_resource".into(),
        name: name.into(),
    }
    .instance(key.map(InstanceKey::Int))
}

fn done(name: &str, key: Option<i64>, id: &str) -> Entry {
    Entry::Done {
        addr: addr(name, key),
        deposed: None,
        provider: P.into(),
        instance: Some(InstanceState::new(
            json!({"id": id, "triggers": {"a": "<&>"}}),
        )),
    }
}

fn base_state(backend: &LocalBackend) -> State {
    let mut s = State::new("lineage-9");
    s.serial = 3;
    s.terraform_version = "1.9.0".into();
    s.set(
        &addr("keep", None),
        P,
        InstanceState::new(json!({"id": "k"})),
    );
    s.set(
        &addr("gone", None),
        P,
        InstanceState::new(json!({"id": "g"})),
    );
    backend.write(&s).unwrap();
    s
}

#[test]
fn the_checksum_is_crc32() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn appended_entries_replay_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terraform.tfstate.journal");
    let journal = Journal::open(&path, 7, "lin").unwrap();
    let mut deposed = InstanceState::new(json!({"id": "old"}));
    deposed.set_tainted(true);
    let entries = vec![
        Entry::Intent {
            addr: addr("a", Some(0)),
            action: Action::Create,
        },
        done("a", Some(0), "1"),
        Entry::Depose {
            addr: addr("b", None),
            key: "0000abcd".into(),
        },
        Entry::Done {
            addr: addr("b", None),
            deposed: Some("0000abcd".into()),
            provider: P.into(),
            instance: Some(deposed),
        },
        Entry::Done {
            addr: addr("c", None),
            deposed: None,
            provider: P.into(),
            instance: None,
        },
        Entry::Moved {
            from: addr("d", None),
            to: addr("e", Some(1)),
        },
        Entry::Output {
            name: "out".into(),
            output: Some(OutputState::new(json!("v"), json!("string"), true)),
        },
        Entry::Output {
            name: "old".into(),
            output: None,
        },
    ];
    for e in &entries {
        journal.append(e).unwrap();
    }
    journal.commit().unwrap();
    let replay = Journal::replay(&path).unwrap().unwrap();
    assert_eq!(replay.lineage, "lin");
    assert_eq!(replay.base_serial, 7);
    assert_eq!(replay.skipped_lines, 0);
    assert_eq!(replay.entries, entries);
    assert!(Journal::replay(&dir.path().join("none")).unwrap().is_none());
}

#[test]
fn a_second_journal_is_refused_while_one_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let _journal = Journal::open(&path, 0, "lin").unwrap();
    assert!(matches!(
        Journal::open(&path, 0, "lin"),
        Err(StateError::JournalExists { .. })
    ));
}

#[test]
fn a_torn_last_line_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let journal = Journal::open(&path, 1, "lin").unwrap();
    journal.append_durable(&done("a", None, "1")).unwrap();
    journal.append_durable(&done("b", None, "2")).unwrap();
    drop(journal);
    // A kill mid-write leaves part of a line.
    let full = fs::read(&path).unwrap();
    let last_start = full[..full.len() - 1]
        .iter()
        .rposition(|b| *b == b'\n')
        .unwrap()
        + 1;
    fs::write(&path, &full[..full.len() - 10]).unwrap();
    let replay = Journal::replay(&path).unwrap().unwrap();
    assert_eq!(replay.entries, vec![done("a", None, "1")]);
    assert_eq!(replay.skipped_lines, 1);
    // A complete line with a wrong checksum (garbage written before the kill) too.
    let mut damaged = full[..last_start].to_vec();
    damaged.extend_from_slice(b"00000000 {\"op\":\"done\"}\n");
    fs::write(&path, &damaged).unwrap();
    let replay = Journal::replay(&path).unwrap().unwrap();
    assert_eq!(replay.entries, vec![done("a", None, "1")]);
    assert_eq!(replay.skipped_lines, 1);
}

#[test]
fn a_journal_killed_while_being_created_replays_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::in_dir(dir.path());
    fs::write(backend.journal_path(), b"1234abcd {\"op\":\"be").unwrap();
    let report = Journal::recover(&backend).unwrap().unwrap();
    assert_eq!(report.applied, 0);
    assert!(!backend.journal_path().exists());
    assert!(backend.read().unwrap().is_none());
}

#[test]
fn recovery_folds_entries_reports_unfinished_creates_and_removes_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::in_dir(dir.path());
    let base = base_state(&backend);
    let journal = Journal::for_backend(&backend, &base).unwrap();
    journal
        .append_durable(&Entry::Intent {
            addr: addr("new", Some(0)),
            action: Action::Create,
        })
        .unwrap();
    journal.append_durable(&done("new", Some(0), "n0")).unwrap();
    journal
        .append_durable(&Entry::Done {
            addr: addr("gone", None),
            deposed: None,
            provider: P.into(),
            instance: None,
        })
        .unwrap();
    journal
        .append_durable(&Entry::Output {
            name: "id".into(),
            output: Some(OutputState::new(json!("n0"), json!("string"), false)),
        })
        .unwrap();
    journal
        .append_durable(&Entry::Intent {
            addr: addr("new", Some(1)),
            action: Action::Create,
        })
        .unwrap();
    drop(journal); // killed: the create of new[1] never reported back.

    let report = Journal::recover(&backend).unwrap().unwrap();
    assert_eq!(report.applied, 3);
    assert_eq!(report.serial, 4);
    assert!(!report.already_folded);
    assert_eq!(
        report.uncertain,
        vec![Uncertain {
            addr: addr("new", Some(1)),
            action: Action::Create
        }]
    );
    assert!(!backend.journal_path().exists());
    let state = backend.read().unwrap().unwrap();
    assert_eq!(state.serial, 4);
    assert_eq!(state.terraform_version, "1.9.0");
    assert!(state.get(&addr("keep", None)).is_some());
    assert!(state.get(&addr("gone", None)).is_none());
    assert_eq!(
        state
            .get(&addr("new", Some(0)))
            .map(|i| &i.attributes["id"]),
        Some(&json!("n0"))
    );
    assert!(state.get(&addr("new", Some(1))).is_none());
    assert_eq!(state.output("id").map(|o| &o.value), Some(&json!("n0")));
    // The state before recovery is the backup.
    let backup = State::from_json(&fs::read(backend.backup_path()).unwrap()).unwrap();
    assert_eq!(backup, base);
    assert!(Journal::recover(&backend).unwrap().is_none());
}

#[test]
fn a_journal_already_folded_into_the_state_is_just_removed() {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::in_dir(dir.path());
    let mut state = base_state(&backend);
    let journal = Journal::for_backend(&backend, &state).unwrap();
    journal.append_durable(&done("new", None, "x")).unwrap();
    state.set(
        &addr("new", None),
        P,
        InstanceState::new(json!({"id": "x"})),
    );
    state.serial += 1;
    backend.write(&state).unwrap();
    drop(journal); // killed after the state write, before the journal removal.
    let report = Journal::recover(&backend).unwrap().unwrap();
    assert!(report.already_folded);
    assert_eq!(backend.read().unwrap().unwrap(), state);
    assert!(!backend.journal_path().exists());
}

#[test]
fn a_journal_of_another_lineage_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::in_dir(dir.path());
    base_state(&backend);
    let journal = Journal::open(backend.journal_path(), 3, "other-lineage").unwrap();
    journal.append_durable(&done("new", None, "x")).unwrap();
    drop(journal);
    let err = Journal::recover(&backend).unwrap_err();
    assert!(matches!(err, StateError::JournalMismatch { .. }), "{err}");
    assert!(err.to_string().contains("other-lineage"), "{err}");
    assert!(backend.journal_path().exists());
}

#[test]
fn finishing_writes_the_state_once_and_removes_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let backend = LocalBackend::in_dir(dir.path());
    let mut state = base_state(&backend);
    let journal = Journal::for_backend(&backend, &state).unwrap();
    let entry = done("new", None, "x");
    journal.append_durable(&entry).unwrap();
    entry.apply(&mut state).unwrap();
    journal.finish(&backend, &mut state).unwrap();
    assert_eq!(state.serial, 4);
    assert_eq!(backend.read().unwrap().unwrap(), state);
    assert!(!backend.journal_path().exists());
}

#[test]
fn concurrent_appends_are_all_durable_with_fewer_fsyncs_than_entries() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(Journal::open(dir.path().join("j"), 0, "lin").unwrap());
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let journal = Arc::clone(&journal);
            std::thread::spawn(move || {
                for i in 0..100 {
                    let entry = done(&format!("w{t}"), Some(i), &format!("{t}-{i}"));
                    journal.append_durable(&entry).unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let fsyncs = journal.fsync_count();
    assert!(fsyncs < 800, "{fsyncs} fsyncs for 800 entries");
    let replay = Journal::replay(journal.path()).unwrap().unwrap();
    assert_eq!(replay.entries.len(), 800);
    for t in 0..8 {
        for i in 0..100 {
            assert!(
                replay
                    .entries
                    .contains(&done(&format!("w{t}"), Some(i), &format!("{t}-{i}")))
            );
        }
    }
}

#[test]
fn damaged_or_unknown_entries_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    drop(Journal::open(&path, 0, "lin").unwrap());
    let header = fs::read(&path).unwrap();
    for json in [
        &b"{\"op\":\"launch\"}"[..],
        b"[]",
        b"{\"op\":\"done\",\"addr\":\"x\"}",
        b"{\"op\":\"intent\",\"addr\":\"a.b\",\"action\":\"explode\"}",
        b"{\"op\":\"done\",\"addr\":\"a.b\",\"provider\":\"p\",\"instance\":{\"index_key\":true}}",
    ] {
        let mut bytes = header.clone();
        bytes.extend_from_slice(format!("{:08x} ", crc32(json)).as_bytes());
        bytes.extend_from_slice(json);
        bytes.push(b'\n');
        fs::write(&path, &bytes).unwrap();
        let err = Journal::replay(&path).unwrap_err();
        assert!(matches!(err, StateError::JournalCorrupt { .. }), "{err}");
    }
}
