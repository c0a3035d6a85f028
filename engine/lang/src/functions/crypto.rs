//! Hash and identifier functions: `md5`, `sha1`, `sha256`, `sha512`, `base64sha256`,
//! `base64sha512`, their `file*` variants, `uuid` and `uuidv5`.

use super::filesystem::{ReadFailure, read_config_file};
use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret, string_arg};
use base64::Engine as _;
use sha1::Digest as _;
use terrane_types::Value;

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("base64sha256", &["str"], Ret::String, base64sha256),
    FuncDef::new("base64sha512", &["str"], Ret::String, base64sha512),
    FuncDef::new("filebase64sha256", &["path"], Ret::String, filebase64sha256),
    FuncDef::new("filebase64sha512", &["path"], Ret::String, filebase64sha512),
    FuncDef::new("filemd5", &["path"], Ret::String, filemd5),
    FuncDef::new("filesha1", &["path"], Ret::String, filesha1),
    FuncDef::new("filesha256", &["path"], Ret::String, filesha256),
    FuncDef::new("filesha512", &["path"], Ret::String, filesha512),
    FuncDef::new("md5", &["str"], Ret::String, md5),
    FuncDef::new("sha1", &["str"], Ret::String, sha1),
    FuncDef::new("sha256", &["str"], Ret::String, sha256),
    FuncDef::new("sha512", &["str"], Ret::String, sha512),
    FuncDef::new("uuid", &[], Ret::String, uuid),
    FuncDef::new("uuidv5", &["namespace", "name"], Ret::String, uuidv5),
];

#[derive(Clone, Copy)]
enum Algo {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

fn digest(algo: Algo, data: &[u8]) -> Vec<u8> {
    match algo {
        Algo::Md5 => md5::Md5::digest(data).to_vec(),
        Algo::Sha1 => sha1::Sha1::digest(data).to_vec(),
        Algo::Sha256 => sha2::Sha256::digest(data).to_vec(),
        Algo::Sha512 => sha2::Sha512::digest(data).to_vec(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hash_string(args: &[Value], algo: Algo, enc: fn(&[u8]) -> String) -> FuncResult {
    let s = string_arg(args, 0)?;
    Ok(Value::String(enc(&digest(algo, s.as_bytes()))))
}

/// Hashes a file of the configuration; errors are the operating system's, as in Terraform.
fn hash_file(args: &[Value], ctx: &FuncCtx, algo: Algo, enc: fn(&[u8]) -> String) -> FuncResult {
    let path = string_arg(args, 0)?;
    let data = read_config_file(ctx, &path).map_err(|failure| {
        FuncError::call(match failure {
            ReadFailure::Expand(message) => message,
            ReadFailure::NotFound(abs) => format!("open {abs}: no such file or directory"),
            ReadFailure::Open(message) | ReadFailure::Read(message) => message,
        })
    })?;
    Ok(Value::String(enc(&digest(algo, &data))))
}

fn md5(args: &[Value], _: &FuncCtx) -> FuncResult {
    hash_string(args, Algo::Md5, hex)
}

fn sha1(args: &[Value], _: &FuncCtx) -> FuncResult {
    hash_string(args, Algo::Sha1, hex)
}

fn sha256(args: &[Value], _: &FuncCtx) -> FuncResult {
    hash_string(args, Algo::Sha256, hex)
}

fn sha512(args: &[Value], _: &FuncCtx) -> FuncResult {
    hash_string(args, Algo::Sha512, hex)
}

fn base64sha256(args: &[Value], _: &FuncCtx) -> FuncResult {
    hash_string(args, Algo::Sha256, base64)
}

fn base64sha512(args: &[Value], _: &FuncCtx) -> FuncResult {
    hash_string(args, Algo::Sha512, base64)
}

fn filemd5(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    hash_file(args, ctx, Algo::Md5, hex)
}

fn filesha1(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    hash_file(args, ctx, Algo::Sha1, hex)
}

fn filesha256(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    hash_file(args, ctx, Algo::Sha256, hex)
}

fn filesha512(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    hash_file(args, ctx, Algo::Sha512, hex)
}

fn filebase64sha256(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    hash_file(args, ctx, Algo::Sha256, base64)
}

fn filebase64sha512(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    hash_file(args, ctx, Algo::Sha512, base64)
}

/// A random (version 4) UUID. Its result differs on every call, so callers must not evaluate it
/// where a stable plan is expected.
fn uuid(_: &[Value], _: &FuncCtx) -> FuncResult {
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

/// A name-based (version 5, SHA-1) UUID in one of the well-known namespaces or a given one.
fn uuidv5(args: &[Value], _: &FuncCtx) -> FuncResult {
    let namespace = string_arg(args, 0)?;
    let name = string_arg(args, 1)?;
    let ns = match namespace.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other).map_err(|_| {
            let why = match other.len() {
                32 | 36 | 38 | 45 => "invalid UUID format".to_owned(),
                n => format!("invalid UUID length: {n}"),
            };
            FuncError::call(format!(
                "uuidv5() doesn't support namespace {other} ({why})"
            ))
        })?,
    };
    let mut hasher = sha1::Sha1::new();
    hasher.update(ns.as_bytes());
    hasher.update(name.as_bytes());
    let hash = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Ok(Value::String(uuid::Uuid::from_bytes(bytes).to_string()))
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{run, run_in, s};
    use terrane_types::{Type, Value};

    #[test]
    fn string_hashes_match_the_well_known_digests() {
        assert_eq!(
            run("md5", vec![s("hello world")]).unwrap(),
            s("5eb63bbbe01eeed093cb22bb8f5acdc3")
        );
        assert_eq!(
            run("sha1", vec![s("test")]).unwrap(),
            s("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")
        );
        assert_eq!(
            run("sha256", vec![s("test")]).unwrap(),
            s("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        );
        assert_eq!(
            run("sha512", vec![s("test")]).unwrap(),
            s(
                "ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff"
            )
        );
        assert_eq!(
            run("base64sha256", vec![s("test")]).unwrap(),
            s("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=")
        );
        assert_eq!(
            run("base64sha512", vec![s("test")]).unwrap(),
            s(
                "7iaw3Ur350mqGo7jwQrpkj9hiYB3Lkc/iBml1JQODbJ6wYX4oOHV+E+IvIh/1nsUNzLDBMxfqa2Ob1f1ACio/w=="
            )
        );
    }

    #[test]
    fn hashing_a_sensitive_string_gives_a_sensitive_digest() {
        let got = run("md5", vec![s("hello world").mark_sensitive()]).unwrap();
        assert_eq!(got, s("5eb63bbbe01eeed093cb22bb8f5acdc3").mark_sensitive());
    }

    #[test]
    fn file_hashes_read_files_relative_to_the_base_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hello.txt"), "test").unwrap();
        let hash = |name| run_in(dir.path(), name, vec![s("hello.txt")]).unwrap();
        assert_eq!(hash("filemd5"), s("098f6bcd4621d373cade4e832627b4f6"));
        assert_eq!(
            hash("filesha1"),
            s("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")
        );
        assert_eq!(
            hash("filesha256"),
            s("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        );
        assert_eq!(
            hash("filebase64sha256"),
            s("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=")
        );
        assert!(matches!(hash("filesha512"), Value::String(h) if h.len() == 128));
        assert!(matches!(hash("filebase64sha512"), Value::String(h) if h.len() == 88));
    }

    #[test]
    fn file_hashes_of_missing_files_report_the_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = run_in(dir.path(), "filemd5", vec![s("nope.txt")]).unwrap_err();
        let abs = dir.path().join("nope.txt");
        assert_eq!(
            e,
            FuncError::call(format!("open {}: no such file or directory", abs.display()))
        );
    }

    #[test]
    fn file_hashes_of_unknown_paths_are_unknown() {
        assert_eq!(
            run("filesha256", vec![Value::Unknown(Type::String)]).unwrap(),
            Value::Unknown(Type::String)
        );
    }

    #[test]
    fn uuid_gives_a_fresh_version_four_uuid_each_time() {
        let a = run("uuid", vec![]).unwrap();
        let b = run("uuid", vec![]).unwrap();
        assert_ne!(a, b);
        let Value::String(a) = a else {
            panic!("not a string")
        };
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
    }

    #[test]
    fn uuidv5_is_deterministic_per_namespace_and_name() {
        assert_eq!(
            run("uuidv5", vec![s("dns"), s("www.terraform.io")]).unwrap(),
            s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
        );
        assert_eq!(
            run(
                "uuidv5",
                vec![
                    s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                    s("www.terraform.io")
                ]
            )
            .unwrap(),
            s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
        );
        let e = run("uuidv5", vec![s("tube"), s("x")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("uuidv5() doesn't support namespace tube (invalid UUID length: 4)")
        );
    }
}
