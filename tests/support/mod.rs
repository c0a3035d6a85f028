//! Test support shared by the end-to-end test files: temporary configurations, running the
//! binary, and the AWS emulator (moto behind our wrapper, `scripts/aws-emulator`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    for (name, body) in files {
        let path = tmp.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directory");
        }
        std::fs::write(path, body).expect("write file");
    }
    tmp
}

/// A copy of `examples/<name>` as the course lays it out: `<tmp>/examples/<name>` next to
/// `<tmp>/modules`, so `source = "../../modules/x"` resolves. Returns the example's directory.
/// Tests edit the copy, as a user edits main.tf; the example itself stays the course's.
pub fn course_example(name: &str) -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("create directory");
        for entry in std::fs::read_dir(from).expect("read directory") {
            let entry = entry.expect("directory entry");
            let name = entry.file_name();
            // State, lock and plan files of a local run of the example are not the example.
            let n = name.to_string_lossy();
            if n == ".terraform" || n.contains(".tfstate") || n.ends_with(".tfplan") {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                copy(&path, &to.join(&name));
            } else {
                std::fs::copy(&path, to.join(&name)).expect("copy file");
            }
        }
    }
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = tmp.path().join("examples").join(name);
    copy(&repo().join("examples").join(name), &dir);
    copy(&repo().join("modules"), &tmp.path().join("modules"));
    (tmp, dir)
}

pub fn state(dir: &Path) -> serde_json::Value {
    let bytes = std::fs::read(dir.join("terraform.tfstate")).expect("state file");
    serde_json::from_slice(&bytes).expect("state JSON")
}

/// A running emulator, stopped (with its children) when dropped. One per test: each test
/// has the whole emulator to itself, so counters and resources never mix.
pub struct Emulator {
    child: Child,
    pub endpoint: String,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Emulator {
        let mut cmd = Command::new(repo().join("scripts/aws-emulator"));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start scripts/aws-emulator");
        let stdout = child.stdout.take().expect("emulator stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the emulator's endpoint line");
        let endpoint = line
            .trim()
            .strip_prefix("AWS_ENDPOINT_URL=")
            .unwrap_or_else(|| panic!("unexpected first line from the emulator: {line:?}"))
            .to_owned();
        Emulator { child, endpoint }
    }

    /// The binary, in `dir`, talking to this emulator with test credentials.
    pub fn terrane(&self, dir: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_terrane"));
        c.env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("TERRANE_AWS_POLL_MS", "50")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .arg("-C")
            .arg(dir)
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, dir: &Path, args: &[&str]) -> Output {
        self.terrane(dir).args(args).output().expect("run terrane")
    }

    /// Runs terrane and requires exit code 0; returns what it printed.
    pub fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let o = self.run(dir, args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "terrane {args:?} failed:\n{}",
            text(&o)
        );
        text(&o)
    }

    /// Runs Python code with boto3 against the emulator (the emulator's own view, to check
    /// what terrane did); `ec2` etc. are not predefined: use `boto3.client("ec2")`. Returns
    /// stdout.
    pub fn python(&self, code: &str) -> String {
        let python = repo().join("tests/aws-emulator/.venv/bin/python");
        let o = Command::new(python)
            .arg("-c")
            .arg(format!("import boto3, json\n{code}"))
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .expect("run the emulator's python");
        assert!(o.status.success(), "python failed:\n{}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Starts Python code with boto3 against the emulator in the background (e.g. a sampler
    /// that prints what it sees until it is killed).
    pub fn python_background(&self, code: &str) -> Child {
        let python = repo().join("tests/aws-emulator/.venv/bin/python");
        Command::new(python)
            .arg("-u")
            .arg("-c")
            .arg(format!("import boto3, json\n{code}"))
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the emulator's python")
    }

    /// A JSON request to the emulator's own API (`/_terrane/...`, `/moto-api/...`).
    pub fn api(&self, method: &str, path: &str, body: Option<&str>) -> serde_json::Value {
        let addr = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect to the emulator");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let body = body.unwrap_or("");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (head, payload) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        assert!(
            head.starts_with("HTTP/1.1 2") || head.starts_with("HTTP/1.0 2"),
            "{method} {path}: {head}\n{payload}"
        );
        serde_json::from_str(payload).unwrap_or(serde_json::Value::Null)
    }

    /// Calls made to one service since the last reset, by operation.
    pub fn calls(&self, service: &str) -> serde_json::Value {
        self.api("GET", "/_terrane/calls", None)["services"][service].clone()
    }

    /// The total of those calls.
    pub fn call_total(&self, service: &str) -> u64 {
        self.calls(service)
            .as_object()
            .map(|m| m.values().filter_map(serde_json::Value::as_u64).sum())
            .unwrap_or(0)
    }

    pub fn reset_calls(&self) {
        self.api("DELETE", "/_terrane/calls", None);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
