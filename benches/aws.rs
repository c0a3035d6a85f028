//! Benchmark (not a test): refresh + plan of 1,000 `aws_instance` objects against the AWS
//! emulator, as a user runs it (the release binary, a state file, `terrane plan`). Reports
//! the EC2 calls each plan made (from the emulator's call counters) and wall time, next to
//! the targets (≤ 15 calls, ≤ 5 s).
//!
//! Run: `cargo bench --bench aws` (starts its own emulator; `-- N` for another count).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};
use support::{Emulator, dir_with};

const AMI: &str = "ami-12c6146b";

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let aws = Emulator::start();
    let ids: Vec<String> = aws
        .python(&format!(
            "ec2 = boto3.client('ec2')\nids = []\nleft = {count}\nwhile left > 0:\n    n = min(left, 100)\n    r = ec2.run_instances(ImageId='{AMI}', InstanceType='t3.micro', MinCount=n, MaxCount=n)\n    ids += [i['InstanceId'] for i in r['Instances']]\n    left -= n\nprint(' '.join(ids))"
        ))
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let instances: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            serde_json::json!({
                "index_key": n, "schema_version": 1, "sensitive_attributes": [],
                "attributes": { "id": id, "ami": AMI, "instance_type": "t3.micro" }
            })
        })
        .collect();
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.9.0", "serial": 1,
        "lineage": "00000000-0000-0000-0000-000000000001", "outputs": {},
        "resources": [{
            "mode": "managed", "type": "aws_instance", "name": "web",
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": instances
        }]
    });
    let tf = format!(
        "resource \"aws_instance\" \"web\" {{\n  count = {count}\n  ami = \"{AMI}\"\n  instance_type = \"t3.micro\"\n}}\n"
    );
    let tmp = dir_with(&[("main.tf", &tf), ("terraform.tfstate", &state.to_string())]);
    println!("refresh + plan of {count} aws_instance (target: <= 15 EC2 calls, <= 5 s)");
    let mut times: Vec<Duration> = Vec::new();
    for run in 1..=3 {
        aws.reset_calls();
        let started = Instant::now();
        let o = aws.run(tmp.path(), &["plan", "-refresh-only", "-lock=false"]);
        let elapsed = started.elapsed();
        assert!(o.status.success(), "{}", support::text(&o));
        let calls = aws.calls("ec2");
        println!(
            "  run {run}: {} EC2 calls {calls}, {:.2} s",
            aws.call_total("ec2"),
            elapsed.as_secs_f64()
        );
        times.push(elapsed);
    }
    times.sort();
    println!("  median: {:.2} s", times[1].as_secs_f64());
}
