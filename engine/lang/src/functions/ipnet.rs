//! CIDR functions: `cidrhost`, `cidrnetmask`, `cidrsubnet` and `cidrsubnets`, for IPv4 and
//! IPv6, following Terraform (which uses go-cidr and accepts IPv4 octets with leading zeros as
//! decimal, as Go did before 1.17).
//!
//! Addresses are `u128`s; an IPv4 address uses the low 32 bits.

use super::strings::go_int_arg;
use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret, number_arg, string_arg};
use std::net::{Ipv4Addr, Ipv6Addr};
use terrane_types::{Number, Value};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("cidrhost", &["prefix", "hostnum"], Ret::String, cidrhost),
    FuncDef::new("cidrnetmask", &["prefix"], Ret::String, cidrnetmask),
    FuncDef::new(
        "cidrsubnet",
        &["prefix", "newbits", "netnum"],
        Ret::String,
        cidrsubnet,
    ),
    FuncDef::new("cidrsubnets", &["prefix"], Ret::Dynamic, cidrsubnets).variadic("newbits"),
];

/// A network: its (masked) address, the address width in bits and the prefix length.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Net {
    addr: u128,
    bits: u32,
    prefix: u32,
}

fn all_ones(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// The netmask of a prefix length within an address width.
fn mask(prefix: u32, bits: u32) -> u128 {
    let host = bits.saturating_sub(prefix);
    all_ones(bits) & !all_ones(host)
}

impl Net {
    fn netmask(&self) -> u128 {
        mask(self.prefix, self.bits)
    }

    fn last(&self) -> u128 {
        self.addr | (all_ones(self.bits) & !self.netmask())
    }

    fn contains(&self, addr: u128) -> bool {
        addr & self.netmask() == self.addr
    }

    fn family(&self) -> &'static str {
        if self.bits == 32 { "IPv4" } else { "IPv6" }
    }
}

/// Go's `net.IP.String()`: dotted IPv4, RFC 5952 IPv6, IPv4-mapped IPv6 shown as IPv4.
fn ip_string(addr: u128, bits: u32) -> String {
    if bits == 32 {
        return Ipv4Addr::from(u32::try_from(addr & 0xFFFF_FFFF).unwrap_or(0)).to_string();
    }
    let v6 = Ipv6Addr::from(addr);
    match v6.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => v6.to_string(),
    }
}

/// Go's `net.IPNet.String()`, including its rendering of IPv4-mapped networks as IPv4.
fn net_string(net: &Net) -> String {
    let mapped = net.bits == 128 && Ipv6Addr::from(net.addr).to_ipv4_mapped().is_some();
    let prefix = if mapped {
        net.prefix.saturating_sub(96)
    } else {
        net.prefix
    };
    format!("{}/{prefix}", ip_string(net.addr, net.bits))
}

/// An IPv4 address as Go 1.16 read it: four decimal octets, leading zeros allowed.
fn parse_v4(s: &str) -> Option<u32> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = u8::try_from(part.parse::<u32>().ok()?).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(u32::from_be_bytes(octets))
}

/// Terraform's `ipaddr.ParseCIDR`, returning the network with host bits cleared.
fn parse_cidr(s: &str) -> Result<Net, FuncError> {
    let invalid = || {
        FuncError::call(format!(
            "invalid CIDR expression: invalid CIDR address: {s}"
        ))
    };
    let (addr, len) = s.split_once('/').ok_or_else(invalid)?;
    let (addr, bits) = match parse_v4(addr) {
        Some(v4) => (u128::from(v4), 32),
        None => (
            u128::from(addr.parse::<Ipv6Addr>().map_err(|_| invalid())?),
            128,
        ),
    };
    if len.is_empty() || len.len() > 7 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let prefix: u32 = len.parse().map_err(|_| invalid())?;
    if prefix > bits {
        return Err(invalid());
    }
    Ok(Net {
        addr: addr & mask(prefix, bits),
        bits,
        prefix,
    })
}

/// A whole-number argument as sign and magnitude; `None` magnitude when beyond 128 bits.
fn big_int_arg(args: &[Value], i: usize) -> Result<(bool, Option<u128>), FuncError> {
    let n = number_arg(args, i)?;
    if !n.is_integer() {
        return Err(FuncError::arg(i, "value must be a whole number"));
    }
    let text = n.abs().to_string();
    Ok((n.is_negative(), text.parse::<u128>().ok()))
}

fn cidrhost(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (negative, magnitude) = big_int_arg(args, 1)?;
    let prefix = string_arg(args, 0)?;
    let net = parse_cidr(&prefix)?;
    let host_bits = net.bits - net.prefix;
    let max = all_ones(host_bits);
    let too_big = |shown: String| {
        FuncError::call(format!(
            "prefix of {} does not accommodate a host numbered {shown}",
            net.prefix
        ))
    };
    let host = if negative {
        // -1 is the last address, -2 the one before, and so on.
        let back = magnitude.map(|m| m - 1);
        match back {
            Some(back) if back <= max => max - back,
            _ => {
                let original = number_arg(args, 1)?;
                let shown = Number::parse(&max.to_string())
                    .map(|m| m.add(&original).add(&Number::from_i64(1)).to_string())
                    .unwrap_or_default();
                return Err(too_big(shown));
            }
        }
    } else {
        match magnitude {
            Some(m) if m <= max => m,
            _ => return Err(too_big(number_arg(args, 1)?.to_string())),
        }
    };
    Ok(Value::String(ip_string(net.addr | host, net.bits)))
}

fn cidrnetmask(args: &[Value], _: &FuncCtx) -> FuncResult {
    let prefix = string_arg(args, 0)?;
    let net = parse_cidr(&prefix)?;
    if net.bits == 32 {
        return Ok(Value::String(ip_string(net.netmask(), 32)));
    }
    if Ipv6Addr::from(net.addr).to_ipv4_mapped().is_some() {
        // Go treats an IPv4-mapped network as IPv4 but shows its 16-byte mask as IPv6.
        return Ok(Value::String(ip_string(net.netmask(), 128)));
    }
    Err(FuncError::call(format!(
        "IPv6 addresses cannot have a netmask: {prefix}"
    )))
}

fn cidrsubnet(args: &[Value], _: &FuncCtx) -> FuncResult {
    let newbits = go_int_arg(args, 1)?;
    let (negative, magnitude) = big_int_arg(args, 2)?;
    let prefix = string_arg(args, 0)?;
    let net = parse_cidr(&prefix)?;
    let Ok(newbits) = u32::try_from(newbits) else {
        return Err(FuncError::arg(
            1,
            format!("cannot extend prefix of {} by {newbits} bits", net.prefix),
        ));
    };
    let new_prefix = net.prefix.saturating_add(newbits);
    if new_prefix > net.bits {
        return Err(FuncError::call(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.prefix
        )));
    }
    let num = match (negative, magnitude) {
        (false, Some(m)) if m <= all_ones(newbits) => m,
        _ => {
            return Err(FuncError::call(format!(
                "prefix extension of {newbits} does not accommodate a subnet numbered {}",
                number_arg(args, 2)?
            )));
        }
    };
    let shifted = num.checked_shl(net.bits - new_prefix).unwrap_or(0);
    let subnet = Net {
        addr: net.addr | shifted,
        bits: net.bits,
        prefix: new_prefix,
    };
    Ok(Value::String(net_string(&subnet)))
}

/// go-cidr's `PreviousSubnet`: the network of the given length just before `net` (wrapping).
fn previous_subnet(net: &Net, prefix: u32) -> Net {
    let before = net.addr.wrapping_sub(1) & all_ones(net.bits);
    Net {
        addr: before & mask(prefix, net.bits),
        bits: net.bits,
        prefix,
    }
}

/// go-cidr's `NextSubnet`: the network of the given length after `current`, and whether the
/// address space wrapped around.
fn next_subnet(current: &Net, prefix: u32) -> (Net, bool) {
    let m = mask(prefix, current.bits);
    let containing = Net {
        addr: current.last() & m,
        bits: current.bits,
        prefix,
    };
    let after = containing.last().wrapping_add(1) & all_ones(current.bits);
    let next = Net {
        addr: after & m,
        bits: current.bits,
        prefix,
    };
    (next, after == 0)
}

fn cidrsubnets(args: &[Value], _: &FuncCtx) -> FuncResult {
    let prefix = string_arg(args, 0)?;
    let net = parse_cidr(&prefix).map_err(|e| match e {
        FuncError::Call(message) | FuncError::Arg { message, .. } => FuncError::arg(0, message),
    })?;
    if args.len() == 1 {
        return Ok(Value::List(vec![]));
    }
    let mut current: Option<Net> = None;
    let mut out = Vec::with_capacity(args.len() - 1);
    for i in 1..args.len() {
        let extension = go_int_arg(args, i)?;
        if extension < 1 {
            return Err(FuncError::arg(i, "must extend prefix by at least one bit"));
        }
        if extension > 32 {
            return Err(FuncError::arg(
                i,
                "may not extend prefix by more than 32 bits",
            ));
        }
        let length = net.prefix + u32::try_from(extension).unwrap_or(32);
        if length > net.bits {
            return Err(FuncError::arg(
                i,
                format!(
                    "would extend prefix to {length} bits, which is too long for an {} address",
                    net.family()
                ),
            ));
        }
        let cur = *current.get_or_insert_with(|| previous_subnet(&net, length));
        let (next, rollover) = next_subnet(&cur, length);
        if rollover || !net.contains(next.addr) {
            return Err(FuncError::arg(
                i,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {}",
                    net_string(&cur)
                ),
            ));
        }
        out.push(Value::String(net_string(&next)));
        current = Some(next);
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{message, n, run, s};
    use terrane_types::{Number, Type, Value};

    #[test]
    fn cidrhost_numbers_hosts_from_the_start_and_negative_ones_from_the_end() {
        let host = |p: &str, h: i64| run("cidrhost", vec![s(p), n(h)]).unwrap();
        assert_eq!(host("192.168.1.0/24", 5), s("192.168.1.5"));
        assert_eq!(host("192.168.1.0/24", -5), s("192.168.1.251"));
        assert_eq!(host("192.168.1.0/24", -256), s("192.168.1.0"));
        assert_eq!(host("10.12.112.0/20", 268), s("10.12.113.12"));
        assert_eq!(
            host("fd00:fd12:3456:7890:00a2::/72", 34),
            s("fd00:fd12:3456:7890::22")
        );
        assert_eq!(host("010.001.0.0/24", 6), s("10.1.0.6"));
    }

    #[test]
    fn cidrhost_refuses_hosts_outside_the_prefix() {
        let e = run("cidrhost", vec![s("192.168.1.0/30"), n(255)]).unwrap_err();
        assert_eq!(
            message(e),
            "prefix of 30 does not accommodate a host numbered 255"
        );
        let e = run("cidrhost", vec![s("192.168.1.0/30"), n(-255)]).unwrap_err();
        assert_eq!(
            message(e),
            "prefix of 30 does not accommodate a host numbered -251"
        );
        let half = Value::Number(Number::parse("0.75").unwrap());
        let e = run("cidrhost", vec![s("10.0.0.0/8"), half]).unwrap_err();
        assert_eq!(message(e), "value must be a whole number");
    }

    #[test]
    fn invalid_prefixes_are_reported_as_invalid_cidr_expressions() {
        for bad in [
            "not-a-cidr",
            "10.256.0.0/8",
            "10.0.0.0/33",
            "10.0.0.0/",
            "::/129",
        ] {
            let e = run("cidrhost", vec![s(bad), n(1)]).unwrap_err();
            assert_eq!(
                message(e),
                format!("invalid CIDR expression: invalid CIDR address: {bad}")
            );
        }
    }

    #[test]
    fn cidrnetmask_gives_dotted_masks_for_ipv4_only() {
        assert_eq!(
            run("cidrnetmask", vec![s("172.16.0.0/12")]).unwrap(),
            s("255.240.0.0")
        );
        assert_eq!(
            run("cidrnetmask", vec![s("0.0.0.0/0")]).unwrap(),
            s("0.0.0.0")
        );
        assert_eq!(
            message(run("cidrnetmask", vec![s("1::/64")]).unwrap_err()),
            "IPv6 addresses cannot have a netmask: 1::/64"
        );
    }

    #[test]
    fn cidrsubnet_extends_the_prefix_and_numbers_the_subnet() {
        let sub = |p: &str, b: i64, num: i64| run("cidrsubnet", vec![s(p), n(b), n(num)]).unwrap();
        assert_eq!(sub("192.168.2.0/20", 4, 6), s("192.168.6.0/24"));
        assert_eq!(sub("fe80::/48", 16, 6), s("fe80:0:0:6::/64"));
        assert_eq!(sub("::ffff:192.168.0.0/112", 8, 6), s("192.168.6.0/24"));
        assert_eq!(sub("fe80::/48", 33, 6), s("fe80::3:0:0:0/81"));
        assert_eq!(sub("010.001.0.0/24", 4, 1), s("10.1.0.16/28"));
        assert_eq!(sub("10.1.2.0/24", 0, 0), s("10.1.2.0/24"));
    }

    #[test]
    fn cidrsubnet_reports_numbers_and_extensions_that_do_not_fit() {
        let e = run("cidrsubnet", vec![s("10.0.0.0/16"), n(9), n(600)]).unwrap_err();
        assert_eq!(
            message(e),
            "prefix extension of 9 does not accommodate a subnet numbered 600"
        );
        let e = run("cidrsubnet", vec![s("192.168.0.0/30"), n(4), n(6)]).unwrap_err();
        assert_eq!(
            message(e),
            "insufficient address space to extend prefix of 30 by 4"
        );
    }

    #[test]
    fn cidrsubnets_allocates_consecutive_subnets() {
        let bits = [3, 3, 3, 4, 4, 4, 7, 7, 7];
        let mut args = vec![s("10.0.0.0/21")];
        args.extend(bits.iter().map(|b| n(*b)));
        let expected = [
            "10.0.0.0/24",
            "10.0.1.0/24",
            "10.0.2.0/24",
            "10.0.3.0/25",
            "10.0.3.128/25",
            "10.0.4.0/25",
            "10.0.4.128/28",
            "10.0.4.144/28",
            "10.0.4.160/28",
        ];
        assert_eq!(
            run("cidrsubnets", args).unwrap(),
            Value::List(expected.iter().map(|e| s(e)).collect())
        );
        assert_eq!(
            run(
                "cidrsubnets",
                vec![s("fd00:fd12:3456:7890::/56"), n(16), n(16)]
            )
            .unwrap(),
            Value::List(vec![
                s("fd00:fd12:3456:7800::/72"),
                s("fd00:fd12:3456:7800:100::/72")
            ])
        );
        assert_eq!(
            run("cidrsubnets", vec![s("10.0.0.0/8")]).unwrap(),
            Value::List(vec![])
        );
    }

    #[test]
    fn cidrsubnets_reports_each_kind_of_impossible_request() {
        let err = |prefix: &str, bits: &[i64]| {
            let mut args = vec![s(prefix)];
            args.extend(bits.iter().map(|b| n(*b)));
            run("cidrsubnets", args).unwrap_err()
        };
        assert_eq!(
            err("10.0.0.0/30", &[1, 3]),
            FuncError::arg(
                2,
                "would extend prefix to 33 bits, which is too long for an IPv4 address"
            )
        );
        assert_eq!(
            err("10.0.0.0/8", &[1, 1, 1]),
            FuncError::arg(
                3,
                "not enough remaining address space for a subnet with a prefix of 9 bits after 10.128.0.0/9"
            )
        );
        assert_eq!(
            err("10.0.0.0/8", &[1, 0]),
            FuncError::arg(2, "must extend prefix by at least one bit")
        );
        assert_eq!(
            err("10.0.0.0/8", &[1, -1]),
            FuncError::arg(2, "must extend prefix by at least one bit")
        );
        assert_eq!(
            err("fe80::/48", &[1, 33]),
            FuncError::arg(2, "may not extend prefix by more than 32 bits")
        );
        assert_eq!(
            err("nope", &[1]),
            FuncError::arg(0, "invalid CIDR expression: invalid CIDR address: nope")
        );
    }

    #[test]
    fn unknown_arguments_give_unknown_addresses() {
        assert_eq!(
            run("cidrhost", vec![Value::Unknown(Type::String), n(1)]).unwrap(),
            Value::Unknown(Type::String)
        );
    }
}
