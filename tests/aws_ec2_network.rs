//! End-to-end tests of the EC2 network types (subnets, internet gateways, route tables and
//! their associations, key pairs) and the EC2 data sources: the real binary against the AWS
//! emulator (moto), checked with the emulator's own Describe calls.

mod support;

use support::{Emulator, dir_with, state, text};

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKBUfyc31O37355Mufd+sEAOo0MnAoTaA1zz+fygYe0h";
const OTHER_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINki7NwFPsAKrJ/FAWKcEv8GdDPtgWGxxSJTeOUx0b5U";

/// The attributes of `TYPE.NAME` (or `TYPE.NAME[i]`) in a state file.
fn attrs<'a>(s: &'a serde_json::Value, addr: &str) -> &'a serde_json::Value {
    let (resource, index) = match addr.split_once('[') {
        Some((r, i)) => (r, i.trim_end_matches(']').parse::<u64>().ok()),
        None => (addr, None),
    };
    let (ty, name) = resource.split_once('.').expect("TYPE.NAME");
    let r = s["resources"]
        .as_array()
        .and_then(|rs| {
            rs.iter()
                .find(|r| r["mode"] == "managed" && r["type"] == ty && r["name"] == name)
        })
        .unwrap_or_else(|| panic!("{addr} is not in the state: {s}"));
    let instances = r["instances"].as_array().expect("instances");
    let inst = match index {
        Some(i) => instances
            .iter()
            .find(|x| x["index_key"] == i)
            .unwrap_or_else(|| panic!("{addr} has no instance {i}")),
        None => &instances[0],
    };
    &inst["attributes"]
}

fn id_of<'a>(s: &'a serde_json::Value, addr: &str) -> &'a str {
    attrs(s, addr)["id"].as_str().expect("id")
}

fn network(public_a: bool, routes: &str) -> String {
    format!(
        r#"
provider "aws" {{
  region = "us-east-1"
}}

data "aws_availability_zones" "available" {{
  state = "available"
}}

resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_subnet" "a" {{
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = data.aws_availability_zones.available.names[0]
  map_public_ip_on_launch = {public_a}
  tags = {{
    Name = "public-a"
  }}
}}

resource "aws_subnet" "b" {{
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = data.aws_availability_zones.available.names[1]
}}

resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.main.id
  tags = {{
    Name = "main"
  }}
}}

resource "aws_route_table" "public" {{
  vpc_id = aws_vpc.main.id
{routes}
  tags = {{
    Name = "public"
  }}
}}

resource "aws_route_table_association" "a" {{
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}}

resource "aws_route_table_association" "b" {{
  subnet_id      = aws_subnet.b.id
  route_table_id = aws_route_table.public.id
}}

resource "aws_key_pair" "deployer" {{
  key_name   = "deployer"
  public_key = "{KEY} deployer@example"
}}
"#
    )
}

const DEFAULT_ROUTE: &str = r#"
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
"#;

/// The routes of a route table as the emulator has them: "DEST>TARGET" lines, sorted,
/// without the local route.
fn routes_seen(aws: &Emulator, table: &str) -> Vec<String> {
    let out = aws.python(&format!(
        r#"
t = boto3.client('ec2').describe_route_tables(RouteTableIds=['{table}'])['RouteTables'][0]
for r in t['Routes']:
    if r.get('GatewayId') == 'local':
        continue
    print(r.get('DestinationCidrBlock'), '>', r.get('GatewayId') or r.get('NetworkInterfaceId'), sep='')
"#
    ));
    let mut lines: Vec<String> = out.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

#[test]
fn a_network_is_built_changed_in_place_and_destroyed() {
    let aws = Emulator::start();
    let tmp = dir_with(&[("main.tf", &network(true, DEFAULT_ROUTE))]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 8 added"), "{out}");

    let s = state(tmp.path());
    let vpc = id_of(&s, "aws_vpc.main").to_owned();
    let subnet_a = id_of(&s, "aws_subnet.a").to_owned();
    let subnet_b = id_of(&s, "aws_subnet.b").to_owned();
    let igw = id_of(&s, "aws_internet_gateway.gw").to_owned();
    let table = id_of(&s, "aws_route_table.public").to_owned();
    let a = attrs(&s, "aws_subnet.a");
    assert!(subnet_a.starts_with("subnet-"), "{a}");
    assert_eq!(a["availability_zone"], "us-east-1a", "{a}");
    assert_eq!(attrs(&s, "aws_subnet.b")["availability_zone"], "us-east-1b");
    assert_eq!(a["map_public_ip_on_launch"], true);
    assert_eq!(a["vpc_id"], vpc.as_str());
    assert!(
        a["arn"]
            .as_str()
            .is_some_and(|arn| arn.ends_with(&format!(":subnet/{subnet_a}"))),
        "{a}"
    );
    let g = attrs(&s, "aws_internet_gateway.gw");
    assert_eq!(g["vpc_id"], vpc.as_str());
    assert_eq!(
        g["arn"],
        format!("arn:aws:ec2:us-east-1:123456789012:internet-gateway/{igw}")
    );
    let rt = attrs(&s, "aws_route_table.public");
    assert_eq!(rt["route"].as_array().map(Vec::len), Some(1), "{rt}");
    assert_eq!(rt["route"][0]["cidr_block"], "0.0.0.0/0");
    assert_eq!(rt["route"][0]["gateway_id"], igw.as_str());
    assert_eq!(
        attrs(&s, "aws_route_table_association.a")["route_table_id"],
        table.as_str()
    );
    let k = attrs(&s, "aws_key_pair.deployer");
    assert_eq!(k["id"], "deployer");
    assert_eq!(k["public_key"], format!("{KEY} deployer@example"));
    assert!(
        k["key_pair_id"]
            .as_str()
            .is_some_and(|i| i.starts_with("key-")),
        "{k}"
    );
    assert_eq!(k["key_type"], "ed25519");
    assert_eq!(
        k["arn"],
        "arn:aws:ec2:us-east-1:123456789012:key-pair/deployer"
    );

    // What the emulator has.
    let seen = aws.python(&format!(
        r#"
ec2 = boto3.client('ec2')
subnets = {{s['SubnetId']: s for s in ec2.describe_subnets(Filters=[{{'Name': 'vpc-id', 'Values': ['{vpc}']}}])['Subnets']}}
print(sorted(s['CidrBlock'] for s in subnets.values()))
print(subnets['{subnet_a}']['MapPublicIpOnLaunch'], subnets['{subnet_b}']['MapPublicIpOnLaunch'])
g = ec2.describe_internet_gateways(InternetGatewayIds=['{igw}'])['InternetGateways'][0]
print([a['VpcId'] for a in g['Attachments']])
t = ec2.describe_route_tables(RouteTableIds=['{table}'])['RouteTables'][0]
print(sorted(a['SubnetId'] for a in t['Associations']))
print([k['KeyName'] for k in ec2.describe_key_pairs(KeyNames=['deployer'])['KeyPairs']])
"#
    ));
    let lines: Vec<&str> = seen.lines().collect();
    assert_eq!(lines[0], "['10.0.1.0/24', '10.0.2.0/24']", "{seen}");
    assert_eq!(lines[1], "True False", "{seen}");
    assert_eq!(lines[2], format!("['{vpc}']"), "{seen}");
    let mut both = [subnet_a.clone(), subnet_b.clone()];
    both.sort();
    assert_eq!(
        lines[3],
        format!("['{}', '{}']", both[0], both[1]),
        "{seen}"
    );
    assert_eq!(lines[4], "['deployer']", "{seen}");
    assert_eq!(routes_seen(&aws, &table), [format!("0.0.0.0/0>{igw}")]);

    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // A launch setting and a new route: both in place.
    let two_routes = format!(
        "{DEFAULT_ROUTE}{}",
        r#"
  route {
    cidr_block = "192.168.0.0/16"
    gateway_id = aws_internet_gateway.gw.id
  }
"#
    );
    std::fs::write(tmp.path().join("main.tf"), network(false, &two_routes)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("~ update in-place"), "{plan}");
    assert!(
        plan.contains("Plan: 0 to add, 2 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(!plan.contains("must be replaced"), "{plan}");
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("0 added, 2 changed, 0 destroyed"), "{out}");
    let seen = aws.python(&format!(
        "print(boto3.client('ec2').describe_subnets(SubnetIds=['{subnet_a}'])['Subnets'][0]['MapPublicIpOnLaunch'])"
    ));
    assert_eq!(seen.trim(), "False");
    assert_eq!(
        routes_seen(&aws, &table),
        [format!("0.0.0.0/0>{igw}"), format!("192.168.0.0/16>{igw}")]
    );
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // A route to another target (ReplaceRoute) and a route removed (DeleteRoute).
    let eni = aws.python(&format!(
        "print(boto3.client('ec2').create_network_interface(SubnetId='{subnet_a}')['NetworkInterface']['NetworkInterfaceId'])"
    ));
    let eni = eni.trim();
    let to_eni = format!(
        r#"
  route {{
    cidr_block           = "192.168.0.0/16"
    network_interface_id = "{eni}"
  }}
"#
    );
    std::fs::write(tmp.path().join("main.tf"), network(false, &to_eni)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(routes_seen(&aws, &table), [format!("192.168.0.0/16>{eni}")]);
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    aws.python(&format!(
        "boto3.client('ec2').delete_network_interface(NetworkInterfaceId='{eni}')"
    ));

    let out = aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    assert!(out.contains("8 destroyed"), "{out}");
    let left = aws.python(&format!(
        r#"
ec2 = boto3.client('ec2')
print(len(ec2.describe_vpcs(Filters=[{{'Name': 'vpc-id', 'Values': ['{vpc}']}}])['Vpcs']))
print(len(ec2.describe_subnets(Filters=[{{'Name': 'vpc-id', 'Values': ['{vpc}']}}])['Subnets']))
print(len(ec2.describe_internet_gateways(Filters=[{{'Name': 'internet-gateway-id', 'Values': ['{igw}']}}])['InternetGateways']))
print(len(ec2.describe_route_tables(Filters=[{{'Name': 'route-table-id', 'Values': ['{table}']}}])['RouteTables']))
print(len(ec2.describe_key_pairs(Filters=[{{'Name': 'key-name', 'Values': ['deployer']}}])['KeyPairs']))
"#
    ));
    assert_eq!(
        left.split_whitespace().collect::<Vec<_>>(),
        ["0"; 5],
        "{left}"
    );
}

#[test]
fn refresh_reads_many_subnets_in_one_call_and_notices_one_deleted_outside() {
    let aws = Emulator::start();
    let tmp = dir_with(&[(
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "many" {
  count      = 30
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
}
"#,
    )]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 31 added"), "{out}");

    aws.reset_calls();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    let calls = aws.calls("ec2");
    let describes = calls["DescribeSubnets"].as_u64().unwrap_or(0);
    assert!(
        (1..=2).contains(&describes),
        "30 subnets should be read in one or two DescribeSubnets calls: {calls}"
    );

    let s = state(tmp.path());
    let gone = id_of(&s, "aws_subnet.many[7]").to_owned();
    aws.python(&format!(
        "boto3.client('ec2').delete_subnet(SubnetId='{gone}')"
    ));
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("aws_subnet.many[7] will be created"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let count = aws.python(&format!(
        "print(len(boto3.client('ec2').describe_subnets(Filters=[{{'Name': 'vpc-id', 'Values': ['{}']}}])['Subnets']))",
        id_of(&s, "aws_vpc.main")
    ));
    assert_eq!(count.trim(), "30");
}

#[test]
fn data_sources_find_amis_the_default_vpc_its_subnets_and_zones() {
    let aws = Emulator::start();
    // Two images of ours, a second apart: most_recent takes the second.
    let ours = aws.python(
        r#"
import time
ec2 = boto3.client('ec2')
first = ec2.register_image(Name='terrane-base-1', RootDeviceName='/dev/xvda', Architecture='x86_64', VirtualizationType='hvm')['ImageId']
time.sleep(1.2)
second = ec2.register_image(Name='terrane-base-2', RootDeviceName='/dev/xvda', Architecture='x86_64', VirtualizationType='hvm')['ImageId']
print(first, second)
"#,
    );
    let (_, newest) = ours.trim().split_once(' ').expect("two image ids");
    let expected = aws.python(
        r#"
ec2 = boto3.client('ec2')
amzn = ec2.describe_images(Owners=['amazon'], Filters=[{'Name': 'name', 'Values': ['amzn2-ami-hvm-2.0.2018*-x86_64-gp2']}])['Images']
print(len(amzn), amzn[0]['ImageId'], amzn[0]['Name'])
vpc = ec2.describe_vpcs(Filters=[{'Name': 'is-default', 'Values': ['true']}])['Vpcs'][0]
print(vpc['VpcId'], vpc['CidrBlock'])
subnets = ec2.describe_subnets(Filters=[{'Name': 'vpc-id', 'Values': [vpc['VpcId']]}])['Subnets']
print(json.dumps(sorted(s['SubnetId'] for s in subnets)))
sg = ec2.describe_security_groups(Filters=[{'Name': 'vpc-id', 'Values': [vpc['VpcId']]}, {'Name': 'group-name', 'Values': ['default']}])['SecurityGroups'][0]
print(sg['GroupId'])
"#,
    );
    let lines: Vec<&str> = expected.lines().collect();
    let amzn: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(amzn[0], "1", "{expected}");
    let (vpc_id, vpc_cidr) = lines[1].split_once(' ').expect("vpc");
    let subnet_ids: Vec<String> = serde_json::from_str(lines[2]).expect("subnet ids");
    let sg_id = lines[3];

    let tmp = dir_with(&[(
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
}

data "aws_ami" "ours" {
  owners      = ["self"]
  most_recent = true
  filter {
    name   = "name"
    values = ["terrane-base-*"]
  }
}

data "aws_ami" "amazon_linux" {
  owners     = ["amazon"]
  name_regex = "^amzn2-ami-hvm-2\\.0\\.2018\\d+-x86_64-gp2$"
  filter {
    name   = "name"
    values = ["amzn2-ami-hvm-*"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

data "aws_security_group" "default" {
  vpc_id = data.aws_vpc.default.id
  name   = "default"
}

data "aws_availability_zones" "available" {
  state         = "available"
  exclude_names = ["us-east-1f"]
}

output "ours" {
  value = data.aws_ami.ours.id
}

output "ours_name" {
  value = data.aws_ami.ours.name
}

output "amazon_linux" {
  value = {
    id           = data.aws_ami.amazon_linux.id
    name         = data.aws_ami.amazon_linux.name
    owner        = data.aws_ami.amazon_linux.owner_id
    architecture = data.aws_ami.amazon_linux.architecture
    root         = data.aws_ami.amazon_linux.root_device_name
    arn          = data.aws_ami.amazon_linux.arn
  }
}

output "vpc" {
  value = {
    id         = data.aws_vpc.default.id
    cidr       = data.aws_vpc.default.cidr_block
    default    = data.aws_vpc.default.default
    main_table = data.aws_vpc.default.main_route_table_id
    dns        = data.aws_vpc.default.enable_dns_support
  }
}

output "subnet_ids" {
  value = sort(data.aws_subnets.default.ids)
}

output "security_group" {
  value = [data.aws_security_group.default.id, data.aws_security_group.default.description]
}

output "zones" {
  value = data.aws_availability_zones.available.names
}
"#,
    )]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let out = aws.ok(tmp.path(), &["output", "-json"]);
    let o: serde_json::Value = serde_json::from_str(&out).expect("output -json");
    assert_eq!(o["ours"]["value"], newest, "{o}");
    assert_eq!(o["ours_name"]["value"], "terrane-base-2", "{o}");
    let al = &o["amazon_linux"]["value"];
    assert_eq!(al["id"], amzn[1], "{o}");
    assert_eq!(al["name"], amzn[2], "{o}");
    assert_eq!(al["owner"], "137112412989", "{o}");
    assert_eq!(al["architecture"], "x86_64", "{o}");
    assert_eq!(al["root"], "/dev/xvda", "{o}");
    assert_eq!(
        al["arn"],
        format!("arn:aws:ec2:us-east-1::image/{}", amzn[1]),
        "{o}"
    );
    let vpc = &o["vpc"]["value"];
    assert_eq!(vpc["id"], vpc_id, "{o}");
    assert_eq!(vpc["cidr"], vpc_cidr, "{o}");
    assert_eq!(vpc["default"], true, "{o}");
    assert_eq!(vpc["dns"], true, "{o}");
    assert!(
        vpc["main_table"]
            .as_str()
            .is_some_and(|t| t.starts_with("rtb-")),
        "{o}"
    );
    assert_eq!(
        o["subnet_ids"]["value"],
        serde_json::json!(subnet_ids),
        "{o}"
    );
    assert_eq!(
        o["security_group"]["value"],
        serde_json::json!([sg_id, "default VPC security group"]),
        "{o}"
    );
    assert_eq!(
        o["zones"]["value"],
        serde_json::json!([
            "us-east-1a",
            "us-east-1b",
            "us-east-1c",
            "us-east-1d",
            "us-east-1e"
        ]),
        "{o}"
    );

    // Queries that match several images, or none, or no VPC, fail as Terraform's do.
    let failing = |body: &str| {
        let dir = dir_with(&[(
            "main.tf",
            &format!("provider \"aws\" {{\n  region = \"us-east-1\"\n}}\n{body}"),
        )]);
        let o = aws.run(dir.path(), &["plan"]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        // The diagnostic as one line of words (it is wrapped to the terminal's width).
        text(&o)
            .split_whitespace()
            .filter(|w| *w != "│")
            .collect::<Vec<_>>()
            .join(" ")
    };
    let several = failing(
        r#"
data "aws_ami" "x" {
  owners = ["self"]
  filter {
    name   = "name"
    values = ["terrane-base-*"]
  }
}
"#,
    );
    assert!(
        several.contains("Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true."),
        "{several}"
    );
    let none = failing(
        r#"
data "aws_ami" "x" {
  owners      = ["amazon"]
  most_recent = true
  name_regex  = "^no-such-image$"
}
"#,
    );
    assert!(
        none.contains(
            "Your query returned no results. Please change your search criteria and try again."
        ),
        "{none}"
    );
    let no_vpc = failing(
        r#"
data "aws_vpc" "x" {
  tags = {
    Name = "does-not-exist"
  }
}
"#,
    );
    assert!(no_vpc.contains("no matching EC2 VPC found"), "{no_vpc}");
}

#[test]
fn import_blocks_adopt_a_subnet_and_a_key_pair_made_outside() {
    let aws = Emulator::start();
    let made = aws.python(&format!(
        r#"
ec2 = boto3.client('ec2')
vpc = ec2.create_vpc(CidrBlock='10.5.0.0/16')['Vpc']['VpcId']
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock='10.5.1.0/24', AvailabilityZone='us-east-1a',
    TagSpecifications=[{{'ResourceType': 'subnet', 'Tags': [{{'Key': 'Name', 'Value': 'adopted'}}]}}])['Subnet']['SubnetId']
ec2.import_key_pair(KeyName='adopted', PublicKeyMaterial='{OTHER_KEY} alice@laptop'.encode())
print(vpc, subnet)
"#
    ));
    let (vpc, subnet) = made.trim().split_once(' ').expect("vpc and subnet ids");
    let tmp = dir_with(&[(
        "main.tf",
        &format!(
            r#"
provider "aws" {{
  region = "us-east-1"
}}

import {{
  to = aws_subnet.adopted
  id = "{subnet}"
}}

import {{
  to = aws_key_pair.adopted
  id = "adopted"
}}

resource "aws_subnet" "adopted" {{
  vpc_id            = "{vpc}"
  cidr_block        = "10.5.1.0/24"
  availability_zone = "us-east-1a"
  tags = {{
    Name = "adopted"
  }}
}}

resource "aws_key_pair" "adopted" {{
  key_name   = "adopted"
  public_key = "{OTHER_KEY}"
}}
"#
        ),
    )]);
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("aws_subnet.adopted will be imported"),
        "{plan}"
    );
    assert!(
        plan.contains("aws_key_pair.adopted will be imported"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let s = state(tmp.path());
    assert_eq!(id_of(&s, "aws_subnet.adopted"), subnet);
    assert_eq!(attrs(&s, "aws_subnet.adopted")["tags"]["Name"], "adopted");
    let k = attrs(&s, "aws_key_pair.adopted");
    assert_eq!(k["id"], "adopted");
    assert!(
        k["public_key"]
            .as_str()
            .is_some_and(|p| p.starts_with(OTHER_KEY)),
        "{k}"
    );
    let o = aws.run(tmp.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Managed from now on: a tag change is in place.
    let tf = std::fs::read_to_string(tmp.path().join("main.tf"))
        .unwrap()
        .replace("Name = \"adopted\"", "Name = \"renamed\"");
    std::fs::write(tmp.path().join("main.tf"), tf).unwrap();
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    let name = aws.python(&format!(
        "s = boto3.client('ec2').describe_subnets(SubnetIds=['{subnet}'])['Subnets'][0]\nprint({{t['Key']: t['Value'] for t in s['Tags']}}['Name'])"
    ));
    assert_eq!(name.trim(), "renamed");
}
