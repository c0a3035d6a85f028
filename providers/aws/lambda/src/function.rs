//! `aws_lambda_function`: a function from a zip package (`filename`, with `source_code_hash`
//! telling when its content changed) or from S3 (`s3_bucket`/`s3_key`). Container images are
//! not supported yet.
//!
//! Code and configuration are separate updates, each made only when it changed: a new
//! package (or architectures) is UpdateFunctionCode, anything else UpdateFunctionConfiguration;
//! terrane waits for LastUpdateStatus = Successful after each, as AWS requires before the
//! next, and for State = Active after create. CreateFunction right after the role was created
//! can fail while IAM propagates the role; that is retried for up to two minutes, as
//! Terraform does. The plan warns about a runtime AWS does not document and about a handler
//! whose file is not in the package. Refresh: one GetFunction per function (Lambda has no
//! batched read). Import by function name.

use crate::Lambda;
use crate::package;
use async_trait::async_trait;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    Architecture, Environment, FunctionCode, FunctionConfiguration, LastUpdateStatus, Runtime,
    State,
};
use base64::Engine as _;
use sha2::Digest as _;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, arg_error, int_value};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A Lambda function.")
            .attr(
                "function_name",
                Attribute::required(Type::String).force_new(),
            )
            .attr("role", Attribute::required(Type::String))
            .attr("runtime", Attribute::optional(Type::String))
            .attr("handler", Attribute::optional(Type::String))
            .attr("description", Attribute::optional(Type::String))
            .attr("filename", Attribute::optional(Type::String))
            .attr(
                "source_code_hash",
                Attribute::optional_computed(Type::String),
            )
            .attr("s3_bucket", Attribute::optional(Type::String))
            .attr("s3_key", Attribute::optional(Type::String))
            .attr("s3_object_version", Attribute::optional(Type::String))
            .attr("image_uri", Attribute::optional(Type::String))
            .attr(
                "package_type",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("memory_size", Attribute::optional_computed(Type::Number))
            .attr("timeout", Attribute::optional_computed(Type::Number))
            .attr(
                "architectures",
                Attribute::optional_computed(Type::list(Type::String)),
            )
            .attr("publish", Attribute::optional_computed(Type::Bool))
            .attr("layers", Attribute::optional(Type::list(Type::String)))
            .block(
                "environment",
                NestedBlock::new(
                    Nesting::List,
                    Block::new().attr("variables", Attribute::optional(Type::map(Type::String))),
                )
                .items(0, 1),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("tags_all", Attribute::computed(Type::map(Type::String)))
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("invoke_arn", Attribute::computed(Type::String))
            .attr("qualified_arn", Attribute::computed(Type::String))
            .attr("qualified_invoke_arn", Attribute::computed(Type::String))
            .attr("version", Attribute::computed(Type::String))
            .attr("last_modified", Attribute::computed(Type::String))
            .attr("source_code_size", Attribute::computed(Type::Number))
            .attr("code_sha256", Attribute::computed(Type::String)),
    )
}

/// Arguments whose change is a new package.
const CODE: &[&str] = &[
    "filename",
    "source_code_hash",
    "s3_bucket",
    "s3_key",
    "s3_object_version",
    "architectures",
];

/// Arguments whose change is a configuration update.
const CONFIGURATION: &[&str] = &[
    "role",
    "runtime",
    "handler",
    "description",
    "memory_size",
    "timeout",
    "environment",
    "layers",
];

/// What a new package or configuration makes unknown until AWS says.
const COMPUTED_BY_UPDATE: &[&str] = &[
    "last_modified",
    "code_sha256",
    "source_code_size",
    "version",
    "qualified_arn",
    "qualified_invoke_arn",
];

/// How long CreateFunction is retried while IAM propagates a new role (Terraform: 2 min).
const IAM_PROPAGATION: Duration = Duration::from_secs(120);
/// How long to wait for the function to become Active or finish an update.
const READY_TIMEOUT: Duration = Duration::from_secs(600);

pub(crate) struct Function {
    lambda: Arc<Lambda>,
    schema: Schema,
}

impl Function {
    pub(crate) fn new(lambda: Arc<Lambda>) -> Function {
        Function {
            lambda,
            schema: schema(),
        }
    }

    /// The function as AWS has it; `prior` keeps what AWS does not say (the package's file
    /// and hash, `publish`). `None` when it is gone.
    async fn read(
        &self,
        name: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let out = match self
            .lambda
            .client
            .get_function()
            .function_name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(sdk_error(&format!("reading Lambda Function ({name})"), e)),
        };
        let Some(c) = out.configuration() else {
            return Ok(None);
        };
        let remote_tags: BTreeMap<String, String> = out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let published = match prior.and_then(|p| read::boolean(p, "publish")) {
            Some(true) => self.last_published_version(name).await?,
            _ => None,
        };
        Ok(Some(self.state(c, &remote_tags, prior, published)))
    }

    /// The highest published version, as Terraform reports `version` for `publish = true`.
    async fn last_published_version(&self, name: &str) -> Result<Option<String>, ProviderError> {
        let mut pages = self
            .lambda
            .client
            .list_versions_by_function()
            .function_name(name)
            .into_paginator()
            .send();
        let mut last: Option<u64> = None;
        while let Some(page) = pages.next().await {
            let page = page
                .map_err(|e| sdk_error(&format!("listing Lambda Function ({name}) versions"), e))?;
            for v in page.versions() {
                if let Some(n) = v.version().and_then(|v| v.parse::<u64>().ok()) {
                    last = Some(last.map_or(n, |l| l.max(n)));
                }
            }
        }
        Ok(last.map(|n| n.to_string()))
    }

    fn state(
        &self,
        c: &FunctionConfiguration,
        remote_tags: &BTreeMap<String, String>,
        prior: Option<&Value>,
        published: Option<String>,
    ) -> Value {
        let aws = &self.lambda.aws;
        let arn = c.function_arn().unwrap_or_default();
        let version = published
            .as_deref()
            .unwrap_or_else(|| c.version().unwrap_or("$LATEST"));
        let kept = |name: &str| {
            prior
                .and_then(|p| p.get_attr(name))
                .cloned()
                .unwrap_or(Value::Null(Type::String))
        };
        let opt = |s: Option<&str>| {
            s.filter(|s| !s.is_empty())
                .map_or(Value::Null(Type::String), Value::string)
        };
        let environment = match c.environment().and_then(|e| e.variables()) {
            Some(vars) if !vars.is_empty() => Value::List(vec![Value::object([(
                "variables",
                Value::map(
                    vars.iter()
                        .map(|(k, v)| (k.clone(), Value::string(v.clone()))),
                ),
            )])]),
            _ => Value::List(vec![]),
        };
        let layers: Vec<Value> = c
            .layers()
            .iter()
            .filter_map(|l| l.arn().map(Value::string))
            .collect();
        let prior_layers_null =
            prior.is_none_or(|p| p.get_attr("layers").is_none_or(Value::is_null));
        let (tags_value, tags_all) = tags::state_values(aws, remote_tags, prior);
        // The package's hash: what the configuration said, while the code is what it was
        // when that was applied; AWS's own hash once the code changed behind our back.
        let code_sha = c.code_sha256().unwrap_or_default();
        let source_code_hash = match prior {
            Some(p) if read::string(p, "code_sha256").is_none_or(|s| s == code_sha) => {
                kept("source_code_hash")
            }
            _ => Value::string(code_sha),
        };
        let qualified = format!("{arn}:{version}");
        Value::object([
            (
                "function_name",
                Value::string(c.function_name().unwrap_or_default()),
            ),
            ("role", Value::string(c.role().unwrap_or_default())),
            ("runtime", opt(c.runtime().map(Runtime::as_str))),
            ("handler", opt(c.handler())),
            ("description", opt(c.description())),
            ("filename", kept("filename")),
            ("source_code_hash", source_code_hash),
            ("s3_bucket", kept("s3_bucket")),
            ("s3_key", kept("s3_key")),
            ("s3_object_version", kept("s3_object_version")),
            ("image_uri", Value::Null(Type::String)),
            (
                "package_type",
                Value::string(c.package_type().map_or("Zip", |p| p.as_str())),
            ),
            (
                "memory_size",
                int_value(i64::from(c.memory_size().unwrap_or(128))),
            ),
            ("timeout", int_value(i64::from(c.timeout().unwrap_or(3)))),
            (
                "architectures",
                Value::List(
                    c.architectures()
                        .iter()
                        .map(|a| Value::string(a.as_str()))
                        .collect(),
                ),
            ),
            (
                "publish",
                Value::Bool(
                    prior
                        .and_then(|p| read::boolean(p, "publish"))
                        .unwrap_or(false),
                ),
            ),
            (
                "layers",
                if layers.is_empty() && prior_layers_null {
                    Value::Null(Type::list(Type::String))
                } else {
                    Value::List(layers)
                },
            ),
            ("environment", environment),
            ("tags", tags_value),
            ("tags_all", tags_all),
            ("id", Value::string(c.function_name().unwrap_or_default())),
            ("arn", Value::string(arn)),
            ("invoke_arn", Value::string(self.lambda.invoke_arn(arn))),
            ("qualified_arn", Value::string(&qualified)),
            (
                "qualified_invoke_arn",
                Value::string(self.lambda.invoke_arn(&qualified)),
            ),
            ("version", Value::string(version)),
            ("last_modified", opt(c.last_modified())),
            ("source_code_size", int_value(c.code_size())),
            ("code_sha256", Value::string(code_sha)),
        ])
    }

    /// Polls until the function is Active and its last update Successful; fails with AWS's
    /// reason when either failed.
    async fn wait_ready(&self, name: &str, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let client = &self.lambda.client;
        wait::until(
            &format!("Lambda Function ({name}) to be ready"),
            READY_TIMEOUT,
            ctx,
            || async move {
                let c = client
                    .get_function_configuration()
                    .function_name(name)
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("reading Lambda Function ({name})"), e))?;
                readiness(
                    name,
                    c.state(),
                    c.state_reason(),
                    c.last_update_status(),
                    c.last_update_status_reason(),
                )
            },
        )
        .await
    }

    fn code(planned: &Value) -> Result<FunctionCode, ProviderError> {
        let mut code = FunctionCode::builder();
        if let Some(path) = read::string(planned, "filename") {
            let bytes = std::fs::read(path).map_err(|e| {
                arg_error("filename", format!("reading the package {path}"))
                    .with_detail(e.to_string())
                    .with_hint("The file must exist when apply runs (data \"archive_file\" writes it during plan).")
            })?;
            code = code.zip_file(Blob::new(bytes));
        } else {
            code = code
                .set_s3_bucket(read::string(planned, "s3_bucket").map(str::to_owned))
                .set_s3_key(read::string(planned, "s3_key").map(str::to_owned))
                .set_s3_object_version(
                    read::string(planned, "s3_object_version").map(str::to_owned),
                );
        }
        Ok(code.build())
    }
}

/// What one poll of the function's status means.
fn readiness(
    name: &str,
    state: Option<&State>,
    state_reason: Option<&str>,
    last_update: Option<&LastUpdateStatus>,
    last_update_reason: Option<&str>,
) -> Result<Poll<()>, ProviderError> {
    match state {
        Some(State::Failed) => {
            return Err(ProviderError::new(format!(
                "Lambda Function ({name}) failed to become active"
            ))
            .with_detail(state_reason.unwrap_or_default().to_owned()));
        }
        Some(State::Pending) => return Ok(Poll::Pending("Pending".into())),
        _ => {}
    }
    match last_update {
        Some(LastUpdateStatus::Failed) => Err(ProviderError::new(format!(
            "Lambda Function ({name}) update failed"
        ))
        .with_detail(last_update_reason.unwrap_or_default().to_owned())),
        Some(LastUpdateStatus::InProgress) => Ok(Poll::Pending("update InProgress".into())),
        _ => Ok(Poll::Done(())),
    }
}

/// Sends CreateFunction, again while IAM has not propagated the function's new role (for up
/// to `patience`, every `interval`). Other errors about the runtime or the role point at
/// that argument.
async fn create_retrying(
    call: aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder,
    name: &str,
    ctx: &ApplyCtx,
    patience: Duration,
    interval: Duration,
) -> Result<(), ProviderError> {
    let started = Instant::now();
    let mut announced = false;
    loop {
        let err = match call.clone().send().await {
            Ok(_) => return Ok(()),
            Err(e) => sdk_error(&format!("creating Lambda Function ({name})"), e),
        };
        if role_not_ready(&err) && started.elapsed() < patience {
            if !announced {
                ctx.progress("waiting for the IAM role to propagate");
                announced = true;
            }
            tokio::time::sleep(interval).await;
            continue;
        }
        let attr = match err.detail.as_str() {
            d if d.contains("runtime") => Some("runtime"),
            d if d.contains("role") => Some("role"),
            _ => None,
        };
        return Err(match attr {
            Some(a) if err.code.as_deref() == Some("InvalidParameterValueException") => err
                .with_attribute(terrane_types::AttrPath(vec![
                    terrane_types::PathStep::Attr(a.into()),
                ])),
            _ => err,
        });
    }
}

/// Whether CreateFunction failed because IAM has not yet propagated the new role (the
/// messages Terraform's provider retries on).
fn role_not_ready(e: &ProviderError) -> bool {
    e.code.as_deref() == Some("InvalidParameterValueException")
        && [
            "The role defined for the function cannot be assumed by Lambda",
            "The provided execution role does not have permissions",
            "Your request has been throttled by EC2",
            "Lambda was unable to configure access to your environment variables because the KMS key is invalid for CreateGrant",
        ]
        .iter()
        .any(|m| e.detail.contains(m))
}

fn environment_of(planned: &Value) -> Option<Environment> {
    let vars: HashMap<String, String> = planned
        .get_attr("environment")
        .and_then(Value::as_seq)
        .and_then(|b| b.first())
        .map(|b| tags::tags_of(b, "variables").into_iter().collect())
        .unwrap_or_default();
    Some(Environment::builder().set_variables(Some(vars)).build())
}

fn i32_of(v: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    read::integer(v, name)?
        .map(|n| i32::try_from(n).map_err(|_| arg_error(name, format!("{name} is out of range"))))
        .transpose()
}

/// The warnings a plan gives about a configuration AWS may reject or that cannot run.
fn warnings(config: &Value) -> Vec<ProviderError> {
    let mut out = Vec::new();
    let runtime = read::string(config, "runtime");
    if let Some(r) = runtime
        && !package::known_runtime(r)
    {
        out.push(
            arg_error("runtime", format!("runtime \"{r}\" is not a Lambda runtime terrane knows"))
                .with_hint("AWS will reject it at apply if it does not exist; see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html."),
        );
    }
    if let (Some(runtime), Some(handler), Some(filename)) = (
        runtime,
        read::string(config, "handler"),
        read::string(config, "filename"),
    ) && let Some(files) = package::handler_files(runtime, handler)
        && let Some(entries) = package::entries(std::path::Path::new(filename))
        && !files.iter().any(|f| entries.contains(f))
    {
        out.push(
            arg_error(
                "handler",
                format!(
                    "handler \"{handler}\" needs {} in {filename}, which holds: {}",
                    files.join(" or "),
                    if entries.is_empty() { "nothing".to_owned() } else { entries.join(", ") }
                ),
            )
            .with_hint("Invocations will fail with Runtime.ImportModuleError: name a file of the package in the handler (\"<file without extension>.<function>\")."),
        );
    }
    out
}

fn changed(prior: &Value, planned: &Value, names: &[&str]) -> bool {
    names
        .iter()
        .any(|n| prior.get_attr(n) != planned.get_attr(n))
}

#[async_trait]
impl Resource for Function {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if read::is_set(config, "image_uri")
            || read::string(config, "package_type") == Some("Image")
        {
            return Err(arg_error(
                if read::is_set(config, "image_uri") {
                    "image_uri"
                } else {
                    "package_type"
                },
                "container image functions are not supported yet",
            )
            .with_hint("Package the function as a zip (filename or s3_bucket/s3_key)."));
        }
        let from_file = read::is_set(config, "filename");
        let from_s3 = read::is_set(config, "s3_bucket") || read::is_set(config, "s3_key");
        if from_file == from_s3 {
            return Err(arg_error(
                "filename",
                "a function needs exactly one code source: filename, or s3_bucket and s3_key",
            ));
        }
        let config = read::with_defaults(
            config,
            &[
                ("memory_size", int_value(128)),
                ("timeout", int_value(3)),
                ("publish", Value::Bool(false)),
                ("package_type", Value::string("Zip")),
            ],
        );
        let mut change = plan_default(&self.schema, prior, &config);
        let publish = read::boolean(&config, "publish").unwrap_or(false);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.lambda.aws, &config),
            );
            if let Some(p) = prior.filter(|_| change.requires_replace.is_empty()) {
                let planned = Value::Object(m.clone());
                let code = changed(p, &planned, CODE);
                if code || changed(p, &planned, CONFIGURATION) {
                    for name in COMPUTED_BY_UPDATE {
                        let unknown = match *name {
                            "last_modified" => true,
                            "code_sha256" | "source_code_size" => code,
                            _ => publish,
                        };
                        if unknown {
                            let ty = if *name == "source_code_size" {
                                Type::Number
                            } else {
                                Type::String
                            };
                            m.insert((*name).into(), Value::Unknown(ty));
                        }
                    }
                }
            }
        }
        change.warnings = warnings(&config);
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = read::string(planned, "function_name")
            .unwrap_or_default()
            .to_owned();
        let code = Self::code(planned)?;
        let all_tags = tags::tags_all(&self.lambda.aws, &tags::tags_of(planned, "tags"));
        let architectures: Vec<Architecture> = read::strings(planned, "architectures")
            .iter()
            .map(|a| Architecture::from(a.as_str()))
            .collect();
        let call = self
            .lambda
            .client
            .create_function()
            .function_name(&name)
            .role(read::string(planned, "role").unwrap_or_default())
            .set_runtime(read::string(planned, "runtime").map(Runtime::from))
            .set_handler(read::string(planned, "handler").map(str::to_owned))
            .set_description(read::string(planned, "description").map(str::to_owned))
            .code(code)
            .set_memory_size(i32_of(planned, "memory_size")?)
            .set_timeout(i32_of(planned, "timeout")?)
            .set_environment(environment_of(planned))
            .set_architectures((!architectures.is_empty()).then_some(architectures))
            .publish(read::boolean(planned, "publish").unwrap_or(false))
            .set_layers(Some(read::strings(planned, "layers")).filter(|l| !l.is_empty()))
            .set_tags((!all_tags.is_empty()).then(|| all_tags.into_iter().collect()));
        create_retrying(call, &name, ctx, IAM_PROPAGATION, poll_interval()).await?;
        self.wait_ready(&name, ctx).await?;
        self.read(&name, Some(planned))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("Lambda Function ({name}) not found after creation"))
            })
            .map(|v| with_planned_hash(v, planned))
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let name = read::string(prior, "function_name")
            .unwrap_or_default()
            .to_owned();
        let c = &self.lambda.client;
        if changed(prior, planned, CONFIGURATION) {
            c.update_function_configuration()
                .function_name(&name)
                .role(read::string(planned, "role").unwrap_or_default())
                .set_runtime(read::string(planned, "runtime").map(Runtime::from))
                .set_handler(read::string(planned, "handler").map(str::to_owned))
                .description(read::string(planned, "description").unwrap_or(""))
                .set_memory_size(i32_of(planned, "memory_size")?)
                .set_timeout(i32_of(planned, "timeout")?)
                .set_environment(environment_of(planned))
                .set_layers(Some(read::strings(planned, "layers")))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("updating Lambda Function ({name}) configuration"),
                        e,
                    )
                })?;
            self.wait_ready(&name, ctx).await?;
        }
        if changed(prior, planned, CODE) {
            let code = Self::code(planned)?;
            let architectures: Vec<Architecture> = read::strings(planned, "architectures")
                .iter()
                .map(|a| Architecture::from(a.as_str()))
                .collect();
            c.update_function_code()
                .function_name(&name)
                .set_zip_file(code.zip_file().cloned())
                .set_s3_bucket(code.s3_bucket().map(str::to_owned))
                .set_s3_key(code.s3_key().map(str::to_owned))
                .set_s3_object_version(code.s3_object_version().map(str::to_owned))
                .set_architectures((!architectures.is_empty()).then_some(architectures))
                .publish(read::boolean(planned, "publish").unwrap_or(false))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating Lambda Function ({name}) code"), e))?;
            self.wait_ready(&name, ctx).await?;
        }
        let arn = read::string(prior, "arn").unwrap_or_default();
        let key = name.as_str();
        tags::update(
            &self.lambda.aws,
            prior,
            planned,
            |keys| async move {
                c.untag_resource()
                    .resource(arn)
                    .set_tag_keys(Some(keys))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("untagging Lambda Function ({key})"), e))
            },
            |set| async move {
                c.tag_resource()
                    .resource(arn)
                    .set_tags(Some(set.into_iter().collect()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("tagging Lambda Function ({key})"), e))
            },
        )
        .await?;
        self.read(&name, Some(planned))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("Lambda Function ({name}) not found after update"))
            })
            .map(|v| with_planned_hash(v, planned))
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(name) = read::string(prior, "function_name") else {
            return Ok(());
        };
        match self
            .lambda
            .client
            .delete_function()
            .function_name(name)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => {
                Err(sdk_error(&format!("deleting Lambda Function ({name})"), e))
            }
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        // One GetFunction per function (Lambda has no batched read).
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            match read::string(p, "function_name") {
                Some(name) => out.push(self.read(name, Some(p)).await?),
                None => out.push(None),
            }
        }
        Ok(out)
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: Lambda Function ({id})"
            ))
        })
    }
}

/// After create or update the state holds the configured package hash (or, without one,
/// the hash of the package as uploaded: base64 SHA-256, what AWS calls CodeSha256).
fn with_planned_hash(state: Value, planned: &Value) -> Value {
    let hash = match read::string(planned, "source_code_hash") {
        Some(h) => Value::string(h),
        None => match read::string(planned, "filename").and_then(|f| std::fs::read(f).ok()) {
            Some(bytes) => Value::string(
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes)),
            ),
            None => state
                .get_attr("code_sha256")
                .cloned()
                .unwrap_or(Value::Null(Type::String)),
        },
    };
    read::with_attrs(&state, [("source_code_hash", hash)])
}

fn poll_interval() -> Duration {
    std::env::var("TERRANE_AWS_POLL_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(Duration::from_secs(2), Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(runtime: &str, handler: &str, filename: Option<&str>) -> Value {
        Value::object([
            ("runtime", Value::string(runtime)),
            ("handler", Value::string(handler)),
            (
                "filename",
                filename.map_or(Value::Null(Type::String), Value::string),
            ),
        ])
    }

    fn zip_with(dir: &std::path::Path, names: &[&str]) -> String {
        let path = dir.join("p.zip");
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for n in names {
            w.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, b"x").unwrap();
        }
        w.finish().unwrap();
        path.to_string_lossy().into_owned()
    }

    #[test]
    fn an_unknown_runtime_is_a_warning_at_the_runtime_argument() {
        let w = warnings(&config("nodejs99.x", "index.handler", None));
        assert_eq!(w.len(), 1);
        assert!(w[0].summary.contains("nodejs99.x"), "{:?}", w[0]);
        assert_eq!(
            format!("{:?}", w[0].attribute),
            format!(
                "{:?}",
                Some(terrane_types::AttrPath(vec![
                    terrane_types::PathStep::Attr("runtime".into())
                ]))
            )
        );
        assert!(warnings(&config("python3.9", "index.handler", None)).is_empty());
    }

    #[test]
    fn a_handler_whose_file_is_not_in_the_package_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let zip = zip_with(dir.path(), &["index.js"]);
        assert!(warnings(&config("nodejs20.x", "index.handler", Some(&zip))).is_empty());
        let w = warnings(&config("python3.12", "index.handler", Some(&zip)));
        assert_eq!(w.len(), 1);
        assert!(w[0].summary.contains("index.py"), "{}", w[0].summary);
        assert!(w[0].summary.contains("holds: index.js"), "{}", w[0].summary);
        // A package that is not there yet (or not a zip): nothing to say.
        assert!(
            warnings(&config(
                "python3.12",
                "index.handler",
                Some("/nonexistent.zip")
            ))
            .is_empty()
        );
    }

    #[test]
    fn the_role_propagation_errors_terraform_retries_are_recognised() {
        let e = ProviderError::new("creating")
            .with_code("InvalidParameterValueException")
            .with_detail("The role defined for the function cannot be assumed by Lambda.");
        assert!(role_not_ready(&e));
        let other = ProviderError::new("creating")
            .with_code("InvalidParameterValueException")
            .with_detail("Value nodejs99.x at 'runtime' failed to satisfy constraint");
        assert!(!role_not_ready(&other));
    }

    fn ready(c: &FunctionConfiguration) -> Result<Poll<()>, ProviderError> {
        readiness(
            "f",
            c.state(),
            c.state_reason(),
            c.last_update_status(),
            c.last_update_status_reason(),
        )
    }

    mod mocked {
        use super::super::*;
        use aws_sdk_lambda::Client;
        use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
        use aws_sdk_lambda::operation::create_function::{
            CreateFunctionError, CreateFunctionOutput,
        };
        use aws_sdk_lambda::types::error::InvalidParameterValueException;
        use aws_smithy_mocks::{
            MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
        };
        use std::sync::Mutex;

        fn client(rules: &[&Rule]) -> Client {
            let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::Sequential);
            for r in rules {
                interceptor = interceptor.with_rule(r);
            }
            let conf = aws_sdk_lambda::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new("a", "b", None, None, "test"))
                .http_client(create_mock_http_client())
                .interceptor(interceptor)
                .build();
            Client::from_conf(conf)
        }

        const NOT_YET: &str = "The role defined for the function cannot be assumed by Lambda.";

        fn not_yet() -> Rule {
            mock!(Client::create_function).then_error(|| {
                CreateFunctionError::InvalidParameterValueException(
                    InvalidParameterValueException::builder()
                        .message(NOT_YET)
                        .meta(
                            aws_sdk_lambda::error::ErrorMetadata::builder()
                                .code("InvalidParameterValueException")
                                .message(NOT_YET)
                                .build(),
                        )
                        .build(),
                )
            })
        }

        #[tokio::test]
        async fn create_is_retried_while_iam_propagates_the_role() {
            let first = not_yet();
            let second = not_yet();
            let created = mock!(Client::create_function)
                .then_output(|| CreateFunctionOutput::builder().function_name("f").build());
            let c = client(&[&first, &second, &created]);
            let lines = Arc::new(Mutex::new(Vec::<String>::new()));
            let sink = lines.clone();
            let ctx = ApplyCtx::new(Arc::new(move |m: &str| {
                sink.lock().unwrap().push(m.to_owned())
            }));
            let call = c.create_function().function_name("f");
            create_retrying(
                call,
                "f",
                &ctx,
                Duration::from_secs(60),
                Duration::from_millis(1),
            )
            .await
            .unwrap();
            assert_eq!(first.num_calls() + second.num_calls(), 2);
            assert_eq!(created.num_calls(), 1);
            assert_eq!(
                *lines.lock().unwrap(),
                ["waiting for the IAM role to propagate"]
            );
        }

        #[tokio::test]
        async fn a_role_that_never_propagates_fails_at_the_role_argument() {
            let rule = not_yet();
            let c = client(&[&rule]);
            let call = c.create_function().function_name("f");
            let e = create_retrying(
                call,
                "f",
                &ApplyCtx::silent(),
                Duration::ZERO,
                Duration::ZERO,
            )
            .await
            .unwrap_err();
            assert!(e.detail.contains("cannot be assumed"), "{e:?}");
            assert_eq!(
                e.attribute,
                Some(terrane_types::AttrPath(vec![
                    terrane_types::PathStep::Attr("role".into())
                ]))
            );
        }
    }

    #[test]
    fn readiness_follows_state_and_last_update_status() {
        let pending = FunctionConfiguration::builder()
            .state(State::Pending)
            .build();
        assert!(matches!(ready(&pending), Ok(Poll::Pending(_))));
        let updating = FunctionConfiguration::builder()
            .state(State::Active)
            .last_update_status(LastUpdateStatus::InProgress)
            .build();
        assert!(matches!(ready(&updating), Ok(Poll::Pending(_))));
        let failed = FunctionConfiguration::builder()
            .state(State::Active)
            .last_update_status(LastUpdateStatus::Failed)
            .last_update_status_reason("Runtime python2.7 is no longer supported")
            .build();
        let e = ready(&failed).err().unwrap();
        assert!(e.detail.contains("no longer supported"));
        let active = FunctionConfiguration::builder()
            .state(State::Active)
            .last_update_status(LastUpdateStatus::Successful)
            .build();
        assert!(matches!(ready(&active), Ok(Poll::Done(()))));
    }
}
