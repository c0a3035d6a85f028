//! The local provider (`hashicorp/local`): files on the machine running terrane.
//!
//! Resources `local_file` and `local_sensitive_file` write a file (creating missing parent
//! directories) and remove it on destroy; every argument replaces the file when it changes. A
//! file deleted or edited outside terrane reads as gone, so the next apply writes it again.
//! Data sources `local_file` and `local_sensitive_file` read one.

#[cfg(test)]
mod tests;

use crate::util::{
    Catalog, Checksums, arg_error, decode_base64, encode_base64, is_set, known, string, with_attrs,
    with_defaults,
};
use async_trait::async_trait;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, DataSource, PlannedChange, Provider, ProviderError,
    ProviderFactory, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub struct LocalProvider;

fn catalog() -> Catalog {
    Catalog::default()
        .resource("local_file", LocalFile::new(false))
        .resource("local_sensitive_file", LocalFile::new(true))
        .data_source("local_file", LocalFileData::new(false))
        .data_source("local_sensitive_file", LocalFileData::new(true))
}

#[async_trait]
impl ProviderFactory for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }
    fn source(&self) -> &'static str {
        "hashicorp/local"
    }
    fn config_schema(&self) -> Schema {
        Schema::default()
    }
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        catalog().resource_schemas()
    }
    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        catalog().data_source_schemas()
    }
    async fn configure(&self, _config: &Value) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(catalog()))
    }
}

const HASHES: [(&str, &str); 6] = [
    ("content_md5", "MD5 of the content, in hexadecimal."),
    ("content_sha1", "SHA1 of the content, in hexadecimal."),
    ("content_sha256", "SHA256 of the content, in hexadecimal."),
    ("content_base64sha256", "SHA256 of the content, in base64."),
    ("content_sha512", "SHA512 of the content, in hexadecimal."),
    ("content_base64sha512", "SHA512 of the content, in base64."),
];

fn with_hash_attributes(mut block: Block) -> Block {
    for (name, description) in HASHES {
        block = block.attr(
            name,
            Attribute::computed(Type::String).describe(description),
        );
    }
    block.attr(
        "id",
        Attribute::computed(Type::String).describe("SHA1 of the content, in hexadecimal."),
    )
}

/// The hash attributes and `id` of some content.
fn hash_values(content: &[u8]) -> Vec<(&'static str, Value)> {
    let c = Checksums::of(content);
    vec![
        ("content_md5", Value::from(c.md5)),
        ("content_sha1", Value::from(c.sha1.clone())),
        ("content_sha256", Value::from(c.sha256)),
        ("content_base64sha256", Value::from(c.base64sha256)),
        ("content_sha512", Value::from(c.sha512)),
        ("content_base64sha512", Value::from(c.base64sha512)),
        ("id", Value::from(c.sha1)),
    ]
}

pub struct LocalFile {
    schema: Schema,
    sensitive: bool,
}

impl LocalFile {
    /// `local_sensitive_file` when `sensitive`, `local_file` otherwise.
    pub fn new(sensitive: bool) -> LocalFile {
        let replacing = |d: &str| Attribute::optional(Type::String).force_new().describe(d);
        let mark = |a: Attribute| if sensitive { a.sensitive() } else { a };
        let permission = |d: &str| {
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe(d)
        };
        let default_mode = if sensitive { "0700" } else { "0777" };
        let mut block = Block::new()
            .describe("A file on the local machine, written with the given content.")
            .attr(
                "filename",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The path of the file; missing parent directories are created."),
            )
            .attr("content", mark(replacing("The content, as UTF-8 text.")))
            .attr(
                "content_base64",
                mark(replacing("The content, as base64 of binary data.")),
            )
            .attr(
                "source",
                replacing("The path of a file to copy the content from."),
            )
            .attr(
                "file_permission",
                permission(&format!(
                    "The file's mode, in octal (default \"{default_mode}\")."
                )),
            )
            .attr(
                "directory_permission",
                permission(&format!(
                    "The mode of created parent directories, in octal (default \"{default_mode}\")."
                )),
            );
        if !sensitive {
            block = block.attr(
                "sensitive_content",
                replacing("Deprecated: use local_sensitive_file.").sensitive(),
            );
        }
        LocalFile {
            schema: Schema::new(with_hash_attributes(block)),
            sensitive,
        }
    }

    fn type_name(&self) -> &'static str {
        if self.sensitive {
            "local_sensitive_file"
        } else {
            "local_file"
        }
    }

    fn content_arguments(&self) -> &'static [&'static str] {
        if self.sensitive {
            &["content", "content_base64", "source"]
        } else {
            &["content", "sensitive_content", "content_base64", "source"]
        }
    }

    fn defaults(&self) -> [(&'static str, Value); 2] {
        let mode = Value::from(if self.sensitive { "0700" } else { "0777" });
        [
            ("file_permission", mode.clone()),
            ("directory_permission", mode),
        ]
    }

    /// Exactly one content argument, and permissions that are octal modes.
    fn validate(&self, config: &Value) -> Result<(), ProviderError> {
        let arguments = self.content_arguments();
        let set: Vec<&str> = arguments
            .iter()
            .copied()
            .filter(|a| is_set(config, a))
            .collect();
        let list = arguments.join(", ");
        match set.as_slice() {
            [] => {
                return Err(arg_error(
                    "content",
                    format!("exactly one of {list} must be set; none is"),
                ));
            }
            [_] => {}
            [first, second, ..] => {
                return Err(arg_error(
                    second,
                    format!("{first} and {second} are both set; exactly one of {list} may be"),
                ));
            }
        }
        for name in ["file_permission", "directory_permission"] {
            if let Some(p) = string(config, name) {
                parse_mode(p).map_err(|e| arg_error(name, e))?;
            }
        }
        Ok(())
    }

    /// The bytes to write, from whichever content argument is set.
    fn content(&self, planned: &Value) -> Result<Vec<u8>, ProviderError> {
        if let Some(c) = string(planned, "sensitive_content") {
            return Ok(c.as_bytes().to_vec());
        }
        if let Some(b) = string(planned, "content_base64") {
            return decode_base64(b).map_err(|e| {
                arg_error("content_base64", "content_base64 is not valid base64").with_detail(e)
            });
        }
        if let Some(source) = string(planned, "source") {
            return std::fs::read(source).map_err(|e| {
                arg_error("source", format!("reading the source file {source}"))
                    .with_detail(e.to_string())
            });
        }
        Ok(string(planned, "content").unwrap_or("").as_bytes().to_vec())
    }
}

/// An octal permission such as "0644" or "755".
pub(crate) fn parse_mode(text: &str) -> Result<u32, String> {
    let ok = (3..=4).contains(&text.len()) && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
    if !ok {
        return Err(format!(
            "{text:?} is not a file mode: expected 3 or 4 octal digits, such as \"0644\""
        ));
    }
    u32::from_str_radix(text, 8).map_err(|e| e.to_string())
}

/// Writes `content` to `path`, creating missing parent directories with `dir_mode`; a new file
/// gets `file_mode` (both less the process umask, as Go's `os.WriteFile` does).
pub(crate) fn write_file(
    path: &Path,
    content: &[u8],
    file_mode: u32,
    dir_mode: u32,
) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.exists()
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, dir_mode);
        builder.create(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, file_mode);
    #[cfg(not(unix))]
    let _ = (file_mode, dir_mode);
    let mut file = options.open(path)?;
    file.write_all(content)?;
    file.sync_all()
}

#[async_trait]
impl Resource for LocalFile {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let config = with_defaults(config, &self.defaults());
        self.validate(&config)?;
        Ok(plan_default(&self.schema, prior, &config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        self.validate(planned)?;
        let filename = string(planned, "filename")
            .ok_or_else(|| arg_error("filename", "filename is required"))?;
        let content = self.content(planned)?;
        let mode = |name: &str, default: u32| {
            string(planned, name)
                .map(parse_mode)
                .transpose()
                .map(|m| m.unwrap_or(default))
                .map_err(|e| arg_error(name, e))
        };
        let file_mode = mode("file_permission", 0o777)?;
        let dir_mode = mode("directory_permission", 0o777)?;
        write_file(Path::new(filename), &content, file_mode, dir_mode).map_err(|e| {
            arg_error(
                "filename",
                format!("creating {}: writing {filename}", self.type_name()),
            )
            .with_detail(e.to_string())
        })?;
        Ok(with_attrs(planned, hash_values(&content)))
    }

    async fn update(
        &self,
        _: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(filename) = string(prior, "filename") else {
            return Ok(());
        };
        match std::fs::remove_file(filename) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(arg_error(
                "filename",
                format!("deleting {}: removing {filename}", self.type_name()),
            )
            .with_detail(e.to_string())),
            _ => Ok(()),
        }
    }

    /// A file that is gone, or whose content no longer hashes to the id, is gone.
    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::with_capacity(priors.len());
        for prior in priors {
            let Some(filename) = string(prior, "filename") else {
                out.push(None);
                continue;
            };
            let content = match std::fs::read(filename) {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    out.push(None);
                    continue;
                }
                Err(e) => {
                    return Err(arg_error(
                        "filename",
                        format!("reading {}: {filename}", self.type_name()),
                    )
                    .with_detail(e.to_string()));
                }
            };
            let unchanged = string(prior, "id") == Some(&Checksums::of(&content).sha1);
            out.push(unchanged.then(|| prior.clone()));
        }
        Ok(out)
    }
}

pub struct LocalFileData {
    schema: Schema,
}

impl LocalFileData {
    /// The `local_sensitive_file` data source when `sensitive`, `local_file` otherwise.
    pub fn new(sensitive: bool) -> LocalFileData {
        let mark = |a: Attribute| if sensitive { a.sensitive() } else { a };
        let block = Block::new()
            .describe("Reads a file on the local machine.")
            .attr(
                "filename",
                Attribute::required(Type::String).describe("The path of the file to read."),
            )
            .attr(
                "content",
                mark(Attribute::computed(Type::String))
                    .describe("The content as UTF-8 text (invalid sequences become U+FFFD)."),
            )
            .attr(
                "content_base64",
                mark(Attribute::computed(Type::String)).describe("The content in base64."),
            );
        LocalFileData {
            schema: Schema::new(with_hash_attributes(block)),
        }
    }
}

#[async_trait]
impl DataSource for LocalFileData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let filename = known(config, "filename")
            .and_then(Value::as_str)
            .ok_or_else(|| arg_error("filename", "filename is required"))?;
        let content = std::fs::read(filename).map_err(|e| {
            let err = arg_error("filename", format!("reading the local file {filename}"))
                .with_detail(e.to_string());
            if Path::new(filename).is_relative() {
                err.with_hint("relative paths are resolved against the working directory")
            } else {
                err
            }
        })?;
        let mut values = hash_values(&content);
        values.push((
            "content",
            Value::from(String::from_utf8_lossy(&content).into_owned()),
        ));
        values.push(("content_base64", Value::from(encode_base64(&content))));
        Ok(with_attrs(config, values))
    }
}
