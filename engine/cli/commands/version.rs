//! `terrane version`.

use crate::TERRAFORM_COMPAT_VERSION;
use serde_json::json;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print the version as JSON (with Terraform's keys, for scripts that read them).
    #[arg(long)]
    json: bool,
}

fn platform() -> String {
    let os = std::env::consts::OS;
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

pub fn run(args: Args) -> u8 {
    let version = env!("CARGO_PKG_VERSION");
    if args.json {
        let out = json!({
            "terrane_version": version,
            "terraform_version": TERRAFORM_COMPAT_VERSION,
            "platform": platform(),
            "provider_selections": {},
            "terraform_outdated": false,
        });
        crate::output::emitln(&serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        crate::output::emitln(&format!("terrane v{version}"));
        crate::output::emitln(&format!("on {}", platform()));
        crate::output::emitln(&format!(
            "speaking the Terraform language of v{TERRAFORM_COMPAT_VERSION}"
        ));
    }
    0
}
