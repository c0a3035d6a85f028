//! The archive provider (`hashicorp/archive`): `archive_file`, as a data source (the archive
//! is written while planning) and as a resource (written at apply, re-written on refresh).
//!
//! Only `type = "zip"` is supported. The zip is byte-for-byte reproducible (see
//! [`build`]), so `output_base64sha256` is stable across runs and machines.

mod build;
#[cfg(test)]
mod tests;

use crate::util::{Catalog, Checksums, arg_error, int_value, string, with_attrs};
use async_trait::async_trait;
use std::path::Path;
use std::sync::Arc;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, DataSource, NestedBlock, Nesting, PlannedChange, Provider,
    ProviderError, ProviderFactory, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub struct ArchiveProvider;

fn catalog() -> Catalog {
    Catalog::default()
        .resource("archive_file", ArchiveFile::new())
        .data_source("archive_file", ArchiveFileData::new())
}

#[async_trait]
impl ProviderFactory for ArchiveProvider {
    fn name(&self) -> &'static str {
        "archive"
    }
    fn source(&self) -> &'static str {
        "hashicorp/archive"
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

const OUTPUTS: [(&str, &str); 6] = [
    ("output_md5", "MD5 of the archive, in hexadecimal."),
    ("output_sha", "SHA1 of the archive, in hexadecimal."),
    ("output_sha256", "SHA256 of the archive, in hexadecimal."),
    ("output_base64sha256", "SHA256 of the archive, in base64."),
    ("output_sha512", "SHA512 of the archive, in hexadecimal."),
    ("output_base64sha512", "SHA512 of the archive, in base64."),
];

/// The schema of both kinds; in the resource every argument but
/// `exclude_symlink_directories` replaces it.
fn schema(resource: bool) -> Schema {
    let arg = |a: Attribute, d: &str| {
        let a = a.describe(d);
        if resource { a.force_new() } else { a }
    };
    let optional = |d: &str| arg(Attribute::optional(Type::String), d);
    let mut source = NestedBlock::new(
        Nesting::Set,
        Block::new()
            .attr(
                "content",
                Attribute::required(Type::String).describe("The content of the file."),
            )
            .attr(
                "filename",
                Attribute::required(Type::String).describe("The file's name in the archive."),
            ),
    );
    if resource {
        source = source.force_new();
    }
    let mut block = Block::new()
        .describe("A zip archive of content, a file or a directory.")
        .attr(
            "type",
            arg(
                Attribute::required(Type::String),
                "The archive type: \"zip\".",
            ),
        )
        .attr(
            "source_content",
            optional("Content to archive as `source_content_filename`."),
        )
        .attr(
            "source_content_filename",
            optional("The file name of `source_content` in the archive."),
        )
        .attr("source_file", optional("A file to archive."))
        .attr(
            "source_dir",
            optional("A directory to archive, with everything in it."),
        )
        .attr(
            "excludes",
            arg(
                Attribute::optional(Type::set(Type::String)),
                "Glob patterns (with `**`) of paths under `source_dir` to leave out.",
            ),
        )
        .attr(
            "exclude_symlink_directories",
            Attribute::optional(Type::Bool)
                .describe("Leave out directories reached through symbolic links."),
        )
        .attr(
            "output_path",
            arg(
                Attribute::required(Type::String),
                "Where to write the archive.",
            ),
        )
        .attr(
            "output_file_mode",
            optional("The mode of every file in the archive, such as \"0644\"."),
        )
        .attr(
            "output_size",
            Attribute::computed(Type::Number).describe("The archive's size in bytes."),
        )
        .attr(
            "id",
            Attribute::computed(Type::String).describe("SHA1 of the archive, in hexadecimal."),
        )
        .block("source", source);
    for (name, d) in OUTPUTS {
        block = block.attr(name, Attribute::computed(Type::String).describe(d));
    }
    Schema::new(block)
}

/// Checks the arguments that need no file system.
fn validate(config: &Value) -> Result<(), ProviderError> {
    match string(config, "type") {
        Some("zip") | None => {}
        Some(other) => {
            return Err(
                arg_error("type", format!("archive type not supported: {other:?}"))
                    .with_hint("terrane writes \"zip\" archives only"),
            );
        }
    }
    if let Some(mode) = string(config, "output_file_mode") {
        build::parse_file_mode(mode).map_err(|e| arg_error("output_file_mode", e))?;
    }
    build::source(config).map(|_| ())
}

/// Writes the archive the configuration describes; returns the object with its outputs.
fn archive(config: &Value) -> Result<Value, ProviderError> {
    validate(config)?;
    let output = string(config, "output_path")
        .ok_or_else(|| arg_error("output_path", "output_path is required"))?;
    let mode = string(config, "output_file_mode")
        .map(build::parse_file_mode)
        .transpose()
        .map_err(|e| arg_error("output_file_mode", e))?;
    let entries = build::entries(&build::source(config)?)?;
    let bytes = build::zip(&entries, mode)?;
    let path = Path::new(output);
    let write_error = |e: std::io::Error| {
        arg_error("output_path", format!("writing the archive to {output}"))
            .with_detail(e.to_string())
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o755);
        builder.create(dir).map_err(write_error)?;
    }
    std::fs::write(path, &bytes).map_err(write_error)?;
    let c = Checksums::of(&bytes);
    Ok(with_attrs(
        config,
        [
            ("output_size", int_value(bytes.len() as i64)),
            ("output_md5", Value::from(c.md5)),
            ("output_sha", Value::from(c.sha1.clone())),
            ("output_sha256", Value::from(c.sha256)),
            ("output_base64sha256", Value::from(c.base64sha256)),
            ("output_sha512", Value::from(c.sha512)),
            ("output_base64sha512", Value::from(c.base64sha512)),
            ("id", Value::from(c.sha1)),
        ],
    ))
}

pub struct ArchiveFileData {
    schema: Schema,
}

impl ArchiveFileData {
    pub fn new() -> ArchiveFileData {
        ArchiveFileData {
            schema: schema(false),
        }
    }
}

impl Default for ArchiveFileData {
    fn default() -> Self {
        ArchiveFileData::new()
    }
}

#[async_trait]
impl DataSource for ArchiveFileData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        archive(config)
    }
}

pub struct ArchiveFile {
    schema: Schema,
}

impl ArchiveFile {
    pub fn new() -> ArchiveFile {
        ArchiveFile {
            schema: schema(true),
        }
    }
}

impl Default for ArchiveFile {
    fn default() -> Self {
        ArchiveFile::new()
    }
}

#[async_trait]
impl Resource for ArchiveFile {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if config.is_wholly_known() {
            validate(config)?;
        }
        Ok(plan_default(&self.schema, prior, config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        archive(planned)
    }

    async fn update(
        &self,
        _: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        archive(planned)
    }

    /// The archive is left in place, as Terraform's provider does.
    async fn delete(&self, _prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Re-creates each archive from its sources, reporting the new checksums.
    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        priors.iter().map(|p| archive(p).map(Some)).collect()
    }
}
