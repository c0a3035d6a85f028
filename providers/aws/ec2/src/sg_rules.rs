//! The inline `ingress` / `egress` rules of `aws_security_group`, as Terraform handles them.
//!
//! A configured rule may name several sources (CIDR blocks, prefix lists, groups, `self`);
//! AWS keeps one permission per (protocol, ports, source). Rules are compared as those
//! single-source "atoms", so changing one port revokes and authorizes only what changed, and
//! what AWS reports is regrouped into the rules the state already records (falling back to
//! one rule per protocol, ports and description for what the state does not know), so a
//! second plan finds no changes.

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use std::collections::{BTreeMap, BTreeSet};
use terrane_sdk::ProviderError;
use terrane_sdk::read::int_value;
use terrane_types::{AttrPath, Number, Type, Value};

/// Terraform's `protocolForValue`: "-1" and "all" are "-1"; the numbers of tcp, udp, icmp
/// and icmpv6 become their names; names are lower-cased; anything else is kept.
pub(crate) fn protocol_for_value(v: &str) -> String {
    const NAMED: [(&str, i64); 4] = [("icmpv6", 58), ("udp", 17), ("tcp", 6), ("icmp", 1)];
    let p = v.to_ascii_lowercase();
    if p == "-1" || p == "all" {
        return "-1".into();
    }
    if NAMED.iter().any(|(name, _)| *name == p) {
        return p;
    }
    match p.parse::<i64>() {
        Ok(n) => NAMED
            .iter()
            .find(|(_, number)| *number == n)
            .map_or(p, |(name, _)| (*name).to_owned()),
        Err(_) => p,
    }
}

/// Where traffic of a permission comes from (ingress) or goes to (egress).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Source {
    Cidr(String),
    Ipv6(String),
    PrefixList(String),
    /// A security group id, `ACCOUNT/sg-...` for another account's group.
    Group(String),
    /// The group the rule belongs to.
    OwnGroup,
}

/// One AWS permission: a protocol, a port range and one source, with its description.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Atom {
    pub protocol: String,
    pub from_port: i64,
    pub to_port: i64,
    pub description: String,
    pub source: Source,
}

/// One `ingress` / `egress` block, normalised as Terraform records it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rule {
    pub protocol: String,
    pub from_port: i64,
    pub to_port: i64,
    pub description: String,
    pub cidr_blocks: Vec<String>,
    pub ipv6_cidr_blocks: Vec<String>,
    pub prefix_list_ids: Vec<String>,
    pub security_groups: BTreeSet<String>,
    pub self_: bool,
}

fn strings_of(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None | Some(Value::Null(_)) => Some(Vec::new()),
        Some(v) => v
            .as_seq()?
            .iter()
            .map(|s| s.as_str().map(str::to_owned))
            .collect(),
    }
}

fn int_of(v: Option<&Value>) -> Option<i64> {
    v?.as_number().and_then(Number::to_i64)
}

impl Rule {
    /// A wholly known rule object (None if any part is unknown or mistyped).
    pub(crate) fn from_value(v: &Value) -> Option<Rule> {
        if !v.is_wholly_known() {
            return None;
        }
        Some(Rule {
            protocol: protocol_for_value(v.get_attr("protocol")?.as_str()?),
            from_port: int_of(v.get_attr("from_port"))?,
            to_port: int_of(v.get_attr("to_port"))?,
            description: match v.get_attr("description") {
                None | Some(Value::Null(_)) => String::new(),
                Some(d) => d.as_str()?.to_owned(),
            },
            cidr_blocks: strings_of(v.get_attr("cidr_blocks"))?,
            ipv6_cidr_blocks: strings_of(v.get_attr("ipv6_cidr_blocks"))?,
            prefix_list_ids: strings_of(v.get_attr("prefix_list_ids"))?,
            security_groups: strings_of(v.get_attr("security_groups"))?
                .into_iter()
                .collect(),
            self_: v.get_attr("self").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    pub(crate) fn to_value(&self) -> Value {
        let list = |items: &[String]| Value::List(items.iter().map(Value::string).collect());
        Value::object([
            ("cidr_blocks", list(&self.cidr_blocks)),
            ("description", Value::string(self.description.clone())),
            ("from_port", int_value(self.from_port)),
            ("ipv6_cidr_blocks", list(&self.ipv6_cidr_blocks)),
            ("prefix_list_ids", list(&self.prefix_list_ids)),
            ("protocol", Value::string(self.protocol.clone())),
            (
                "security_groups",
                Value::set(self.security_groups.iter().map(Value::string).collect()),
            ),
            ("self", Value::Bool(self.self_)),
            ("to_port", int_value(self.to_port)),
        ])
    }

    /// Whether two rules are the same but for the order of their lists (Terraform's rule
    /// sets hash the lists sorted, so order alone is no change).
    pub(crate) fn equivalent(&self, other: &Rule) -> bool {
        let sorted = |r: &Rule| {
            let mut r = r.clone();
            r.cidr_blocks.sort();
            r.ipv6_cidr_blocks.sort();
            r.prefix_list_ids.sort();
            r
        };
        sorted(self) == sorted(other)
    }

    /// The single-source permissions this rule stands for.
    pub(crate) fn atoms(&self) -> Vec<Atom> {
        let atom = |source| Atom {
            protocol: self.protocol.clone(),
            from_port: self.from_port,
            to_port: self.to_port,
            description: self.description.clone(),
            source,
        };
        let mut out = Vec::new();
        if self.self_ {
            out.push(atom(Source::OwnGroup));
        }
        out.extend(self.cidr_blocks.iter().cloned().map(Source::Cidr).map(atom));
        out.extend(
            self.ipv6_cidr_blocks
                .iter()
                .cloned()
                .map(Source::Ipv6)
                .map(atom),
        );
        out.extend(
            self.prefix_list_ids
                .iter()
                .cloned()
                .map(Source::PrefixList)
                .map(atom),
        );
        out.extend(
            self.security_groups
                .iter()
                .cloned()
                .map(Source::Group)
                .map(atom),
        );
        out
    }
}

/// A configured rule as the state records it: protocol normalised, unset lists empty,
/// `description` "" and `self` false when unset (Terraform's SDK stores zero values). Unknown
/// parts stay unknown.
pub(crate) fn normalize(rule: &Value) -> Value {
    let Value::Object(m) = rule else {
        return rule.clone();
    };
    let mut m = m.clone();
    for (name, empty) in [
        ("cidr_blocks", Value::List(Vec::new())),
        ("ipv6_cidr_blocks", Value::List(Vec::new())),
        ("prefix_list_ids", Value::List(Vec::new())),
        ("security_groups", Value::Set(Vec::new())),
        ("description", Value::string("")),
        ("self", Value::Bool(false)),
    ] {
        if m.get(name).is_none_or(Value::is_null) {
            m.insert(name.to_owned(), empty);
        }
    }
    if let Some(p) = m.get("protocol").and_then(Value::as_str) {
        let p = protocol_for_value(p);
        m.insert("protocol".into(), Value::string(p));
    }
    Value::Object(m)
}

/// Configured rules that differ from recorded ones only in the order of their lists take
/// the recorded form.
pub(crate) fn keep_recorded_order(configured: Vec<Value>, recorded: Option<&Value>) -> Vec<Value> {
    let recorded: Vec<(Rule, &Value)> = recorded
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| Some((Rule::from_value(v)?, v)))
        .collect();
    configured
        .into_iter()
        .map(|c| {
            let Some(rule) = Rule::from_value(&c) else {
                return c;
            };
            recorded
                .iter()
                .find(|(r, _)| r.equivalent(&rule))
                .map_or(c, |(_, v)| (*v).clone())
        })
        .collect()
}

/// Checks what AWS would silently ignore: ports with the "-1" (all) protocol.
pub(crate) fn validate(kind: &str, rule: &Value) -> Result<(), ProviderError> {
    let protocol = rule.get_attr("protocol").and_then(Value::as_str);
    if protocol.map(protocol_for_value).as_deref() != Some("-1") {
        return Ok(());
    }
    let from = int_of(rule.get_attr("from_port"));
    let to = int_of(rule.get_attr("to_port"));
    match (from, to) {
        (Some(f), Some(t)) if f != 0 || t != 0 => Err(ProviderError::new(format!(
            "from_port ({f}) and to_port ({t}) must both be 0 to use the 'ALL' \"-1\" protocol!"
        ))
        .with_attribute(AttrPath::attr(kind))
        .with_hint(
            "AWS ignores ports for protocol \"-1\" (all traffic): write from_port = 0 and to_port = 0.",
        )),
        _ => Ok(()),
    }
}

/// The rules of a (wholly known) set value.
pub(crate) fn rules_of(v: Option<&Value>) -> Result<Vec<Rule>, ProviderError> {
    let Some(items) = v.and_then(Value::as_seq) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|i| {
            Rule::from_value(i).ok_or_else(|| {
                ProviderError::new("reading security group rules")
                    .with_detail("A rule still has values that are not known.")
            })
        })
        .collect()
}

pub(crate) fn atoms_of(rules: &[Rule]) -> BTreeSet<Atom> {
    rules.iter().flat_map(Rule::atoms).collect()
}

/// The permissions to revoke and to authorize to turn `old` into `new`.
pub(crate) fn diff(old: &[Rule], new: &[Rule]) -> (Vec<Atom>, Vec<Atom>) {
    let old = atoms_of(old);
    let new = atoms_of(new);
    (
        old.difference(&new).cloned().collect(),
        new.difference(&old).cloned().collect(),
    )
}

/// Atoms as API permissions: one per protocol and port range, with all its sources.
pub(crate) fn to_permissions(atoms: &[Atom], group_id: &str) -> Vec<IpPermission> {
    let mut grouped: BTreeMap<(&str, i64, i64), Vec<&Atom>> = BTreeMap::new();
    for a in atoms {
        grouped
            .entry((a.protocol.as_str(), a.from_port, a.to_port))
            .or_default()
            .push(a);
    }
    grouped
        .into_iter()
        .map(|((protocol, from, to), atoms)| {
            let mut p = IpPermission::builder().ip_protocol(protocol);
            if protocol != "-1" {
                p = p.from_port(clamp(from)).to_port(clamp(to));
            }
            for a in atoms {
                let description = (!a.description.is_empty()).then(|| a.description.clone());
                p = match &a.source {
                    Source::Cidr(c) => p.ip_ranges(
                        IpRange::builder()
                            .cidr_ip(c)
                            .set_description(description)
                            .build(),
                    ),
                    Source::Ipv6(c) => p.ipv6_ranges(
                        Ipv6Range::builder()
                            .cidr_ipv6(c)
                            .set_description(description)
                            .build(),
                    ),
                    Source::PrefixList(id) => p.prefix_list_ids(
                        PrefixListId::builder()
                            .prefix_list_id(id)
                            .set_description(description)
                            .build(),
                    ),
                    Source::Group(g) => {
                        let (user, id) = match g.split_once('/') {
                            Some((user, id)) => (Some(user.to_owned()), id),
                            None => (None, g.as_str()),
                        };
                        p.user_id_group_pairs(
                            UserIdGroupPair::builder()
                                .group_id(id)
                                .set_user_id(user)
                                .set_description(description)
                                .build(),
                        )
                    }
                    Source::OwnGroup => p.user_id_group_pairs(
                        UserIdGroupPair::builder()
                            .group_id(group_id)
                            .set_description(description)
                            .build(),
                    ),
                };
            }
            p.build()
        })
        .collect()
}

fn clamp(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

/// What AWS reports for a group, as atoms. `owner` is the group's account: references to
/// groups of other accounts are written `ACCOUNT/sg-...`.
pub(crate) fn gather(permissions: &[IpPermission], group_id: &str, owner: &str) -> BTreeSet<Atom> {
    let mut out = BTreeSet::new();
    for perm in permissions {
        let protocol = protocol_for_value(perm.ip_protocol().unwrap_or("-1"));
        let (from_port, to_port) = if protocol == "-1" {
            (0, 0)
        } else {
            (
                i64::from(perm.from_port().unwrap_or(0)),
                i64::from(perm.to_port().unwrap_or(0)),
            )
        };
        let mut add = |source, description: Option<&str>| {
            out.insert(Atom {
                protocol: protocol.clone(),
                from_port,
                to_port,
                description: description.unwrap_or("").to_owned(),
                source,
            });
        };
        for r in perm.ip_ranges() {
            if let Some(c) = r.cidr_ip() {
                add(Source::Cidr(c.to_owned()), r.description());
            }
        }
        for r in perm.ipv6_ranges() {
            if let Some(c) = r.cidr_ipv6() {
                add(Source::Ipv6(c.to_owned()), r.description());
            }
        }
        for p in perm.prefix_list_ids() {
            if let Some(id) = p.prefix_list_id() {
                add(Source::PrefixList(id.to_owned()), p.description());
            }
        }
        for g in perm.user_id_group_pairs() {
            let Some(id) = g.group_id() else { continue };
            let source = if id == group_id {
                Source::OwnGroup
            } else {
                match g.user_id().filter(|u| !u.is_empty() && *u != owner) {
                    Some(user) => Source::Group(format!("{user}/{id}")),
                    None => Source::Group(id.to_owned()),
                }
            };
            add(source, g.description());
        }
    }
    out
}

/// The state's rules for what AWS reports: each rule the state already records whose every
/// permission still exists is kept as it is; the remaining permissions are grouped by
/// protocol, ports and description.
pub(crate) fn reconcile(recorded: Option<&Value>, mut remote: BTreeSet<Atom>) -> Value {
    let mut out = Vec::new();
    for local in recorded.and_then(Value::as_seq).unwrap_or_default() {
        let Some(rule) = Rule::from_value(local) else {
            continue;
        };
        let atoms = rule.atoms();
        if !atoms.is_empty() && atoms.iter().all(|a| remote.contains(a)) {
            for a in &atoms {
                remote.remove(a);
            }
            out.push(rule.to_value());
        }
    }
    let mut grouped: BTreeMap<(String, i64, i64, String), Rule> = BTreeMap::new();
    for a in remote {
        let rule = grouped
            .entry((
                a.protocol.clone(),
                a.from_port,
                a.to_port,
                a.description.clone(),
            ))
            .or_insert_with(|| Rule {
                protocol: a.protocol.clone(),
                from_port: a.from_port,
                to_port: a.to_port,
                description: a.description.clone(),
                ..Rule::default()
            });
        match a.source {
            Source::Cidr(c) => rule.cidr_blocks.push(c),
            Source::Ipv6(c) => rule.ipv6_cidr_blocks.push(c),
            Source::PrefixList(p) => rule.prefix_list_ids.push(p),
            Source::Group(g) => {
                rule.security_groups.insert(g);
            }
            Source::OwnGroup => rule.self_ = true,
        }
    }
    out.extend(grouped.values().map(Rule::to_value));
    Value::set(out)
}

/// The type of the `ingress` / `egress` sets.
pub(crate) fn set_type(block: &terrane_sdk::Block, kind: &str) -> Type {
    block
        .blocks
        .get(kind)
        .map_or(Type::Dynamic, |b| Type::set(b.block.value_type()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, from: i64, to: i64, cidrs: &[&str]) -> Rule {
        Rule {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            cidr_blocks: cidrs.iter().map(|s| (*s).to_owned()).collect(),
            ..Rule::default()
        }
    }

    #[test]
    fn protocols_are_normalised_as_terraform_does() {
        assert_eq!(protocol_for_value("-1"), "-1");
        assert_eq!(protocol_for_value("all"), "-1");
        assert_eq!(protocol_for_value("ALL"), "-1");
        assert_eq!(protocol_for_value("6"), "tcp");
        assert_eq!(protocol_for_value("TCP"), "tcp");
        assert_eq!(protocol_for_value("17"), "udp");
        assert_eq!(protocol_for_value("1"), "icmp");
        assert_eq!(protocol_for_value("58"), "icmpv6");
        assert_eq!(protocol_for_value("50"), "50");
        assert_eq!(protocol_for_value("esp"), "esp");
    }

    #[test]
    fn a_configured_rule_is_normalised_to_what_the_state_records() {
        let config = Value::object([
            ("protocol", Value::from("6")),
            ("from_port", Value::from(22)),
            ("to_port", Value::from(22)),
            ("cidr_blocks", Value::List(vec![Value::from("10.0.0.0/8")])),
            ("ipv6_cidr_blocks", Value::Null(Type::list(Type::String))),
            ("self", Value::Null(Type::Bool)),
            ("description", Value::Null(Type::String)),
        ]);
        let n = normalize(&config);
        let r = Rule::from_value(&n).unwrap();
        assert_eq!(r, rule("tcp", 22, 22, &["10.0.0.0/8"]));
        assert_eq!(r.to_value(), n);
    }

    #[test]
    fn a_rule_with_several_sources_is_one_atom_per_source() {
        let mut r = rule("tcp", 443, 443, &["10.0.0.0/8", "192.168.0.0/16"]);
        r.self_ = true;
        r.security_groups.insert("sg-1".into());
        let atoms = r.atoms();
        assert_eq!(atoms.len(), 4);
        let perms = to_permissions(&atoms, "sg-own");
        assert_eq!(perms.len(), 1);
        assert_eq!(perms[0].ip_ranges().len(), 2);
        assert_eq!(perms[0].user_id_group_pairs().len(), 2);
        assert_eq!(perms[0].from_port(), Some(443));
    }

    #[test]
    fn the_all_protocol_is_sent_without_ports() {
        let perms = to_permissions(&rule("-1", 0, 0, &["0.0.0.0/0"]).atoms(), "sg-own");
        assert_eq!(perms[0].ip_protocol(), Some("-1"));
        assert_eq!(perms[0].from_port(), None);
    }

    #[test]
    fn changing_one_port_revokes_and_authorizes_only_that_rule() {
        let old = vec![
            rule("tcp", 22, 22, &["10.0.0.0/8"]),
            rule("tcp", 80, 80, &["0.0.0.0/0"]),
        ];
        let new = vec![
            rule("tcp", 22, 22, &["10.0.0.0/8"]),
            rule("tcp", 8080, 8080, &["0.0.0.0/0"]),
        ];
        let (revoke, authorize) = diff(&old, &new);
        assert_eq!(revoke.len(), 1);
        assert_eq!(revoke[0].from_port, 80);
        assert_eq!(authorize.len(), 1);
        assert_eq!(authorize[0].from_port, 8080);
        // Adding a CIDR to an existing rule adds only that CIDR.
        let grown = vec![
            rule("tcp", 22, 22, &["10.0.0.0/8", "172.16.0.0/12"]),
            rule("tcp", 80, 80, &["0.0.0.0/0"]),
        ];
        let (revoke, authorize) = diff(&old, &grown);
        assert!(revoke.is_empty());
        assert_eq!(authorize[0].source, Source::Cidr("172.16.0.0/12".into()));
    }

    #[test]
    fn what_aws_reports_is_regrouped_into_the_recorded_rules() {
        // The state groups two CIDRs in one rule; AWS reports them with an unrelated one.
        let recorded_rule = rule("tcp", 22, 22, &["10.0.0.0/8", "192.168.0.0/16"]);
        let recorded = Value::set(vec![recorded_rule.to_value()]);
        let perm = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/16").build())
            .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
            .ip_ranges(IpRange::builder().cidr_ip("172.16.0.0/12").build())
            .build();
        let all = IpPermission::builder()
            .ip_protocol("-1")
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-own").build())
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id("sg-other")
                    .user_id("999")
                    .build(),
            )
            .build();
        let remote = gather(&[perm, all], "sg-own", "123");
        let state = reconcile(Some(&recorded), remote);
        let rules = rules_of(Some(&state)).unwrap();
        assert_eq!(rules.len(), 3);
        assert!(rules.contains(&recorded_rule));
        assert!(rules.contains(&rule("tcp", 22, 22, &["172.16.0.0/12"])));
        let mut everything = rule("-1", 0, 0, &["0.0.0.0/0"]);
        everything.self_ = true;
        everything.security_groups.insert("999/sg-other".into());
        assert!(rules.contains(&everything));
    }

    #[test]
    fn a_recorded_rule_missing_a_source_is_not_kept() {
        let recorded = Value::set(vec![
            rule("tcp", 22, 22, &["10.0.0.0/8", "192.168.0.0/16"]).to_value(),
        ]);
        let perm = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
            .build();
        let state = reconcile(Some(&recorded), gather(&[perm], "sg-own", "123"));
        assert_eq!(
            rules_of(Some(&state)).unwrap(),
            vec![rule("tcp", 22, 22, &["10.0.0.0/8"])]
        );
    }

    #[test]
    fn the_order_of_cidr_blocks_is_no_change() {
        let recorded = Value::set(vec![
            rule("tcp", 22, 22, &["10.0.0.0/8", "192.168.0.0/16"]).to_value(),
        ]);
        let configured = vec![
            rule("tcp", 22, 22, &["192.168.0.0/16", "10.0.0.0/8"]).to_value(),
            rule("tcp", 80, 80, &["0.0.0.0/0"]).to_value(),
        ];
        let kept = keep_recorded_order(configured, Some(&recorded));
        assert_eq!(kept[0], recorded.as_seq().unwrap()[0]);
        assert_eq!(kept[1], rule("tcp", 80, 80, &["0.0.0.0/0"]).to_value());
    }

    #[test]
    fn ports_with_the_all_protocol_are_refused() {
        let bad = Value::object([
            ("protocol", Value::from("-1")),
            ("from_port", Value::from(22)),
            ("to_port", Value::from(22)),
        ]);
        assert!(validate("egress", &bad).is_err());
        let good = Value::object([
            ("protocol", Value::from("all")),
            ("from_port", Value::from(0)),
            ("to_port", Value::from(0)),
        ]);
        assert!(validate("egress", &good).is_ok());
    }
}
