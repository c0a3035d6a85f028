//! `required_version` constraints (hashicorp/go-version syntax) checked against the version of
//! the Terraform language terrane implements.

use std::cmp::Ordering;

/// The Terraform language version terrane implements: what `required_version` constraints are
/// checked against and what `version -json` reports to scripts as `terraform_version`.
pub const TERRAFORM_COMPAT_VERSION: &str = "1.9.0";

/// A version: numeric segments and an optional pre-release tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    segments: [u64; 3],
    /// How many segments were written (`~> 1.2` differs from `~> 1.2.0`).
    written: usize,
    pre: Option<String>,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let t = text.trim().trim_start_matches('v');
        let (core, pre) = match t.split_once('-') {
            Some((c, p)) => (c, Some(p.to_owned())),
            None => (t, None),
        };
        let core = core.split('+').next().unwrap_or(core);
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut segments = [0; 3];
        for (i, p) in parts.iter().enumerate() {
            segments[i] = p.parse().ok()?;
        }
        Some(Version {
            segments,
            written: parts.len(),
            pre,
        })
    }

    fn cmp_to(&self, other: &Version) -> Ordering {
        self.segments
            .cmp(&other.segments)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

/// Whether `version` satisfies every comma-separated constraint in `constraints`.
/// `Err` carries a message when the constraint text is malformed.
pub fn satisfies(version: &str, constraints: &str) -> Result<bool, String> {
    let v = Version::parse(version).ok_or_else(|| format!("invalid version {version:?}"))?;
    for part in constraints.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err("empty version constraint".into());
        }
        let (op, rest) = [
            ("~>", Op::Pessimistic),
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("!=", Op::Ne),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("=", Op::Eq),
        ]
        .iter()
        .find_map(|(sym, op)| part.strip_prefix(sym).map(|r| (*op, r)))
        .unwrap_or((Op::Eq, part));
        let c = Version::parse(rest).ok_or_else(|| format!("malformed constraint: {part:?}"))?;
        // A constraint without a pre-release never matches a pre-release version.
        if v.pre.is_some() && c.pre.is_none() {
            return Ok(false);
        }
        let ord = v.cmp_to(&c);
        let ok = match op {
            Op::Eq => ord == Ordering::Equal,
            Op::Ne => ord != Ordering::Equal,
            Op::Gt => ord == Ordering::Greater,
            Op::Ge => ord != Ordering::Less,
            Op::Lt => ord == Ordering::Less,
            Op::Le => ord != Ordering::Greater,
            Op::Pessimistic => {
                // ~> 1.2 allows >= 1.2, < 2.0; ~> 1.2.3 allows >= 1.2.3, < 1.3.0.
                let prefix = c.written.saturating_sub(1).max(1);
                ord != Ordering::Less && v.segments[..prefix] == c.segments[..prefix]
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_operators_follow_go_version() {
        assert_eq!(satisfies("1.9.0", ">= 1.5"), Ok(true));
        assert_eq!(satisfies("1.9.0", ">= 1.5, < 2.0"), Ok(true));
        assert_eq!(satisfies("1.9.0", "> 1.9.0"), Ok(false));
        assert_eq!(satisfies("1.9.0", "1.9.0"), Ok(true));
        assert_eq!(satisfies("1.9.0", "!= 1.9.0"), Ok(false));
        assert_eq!(satisfies("1.9.0", "<= 0.15"), Ok(false));
    }

    #[test]
    fn pessimistic_constraints_allow_only_the_last_written_segment_to_grow() {
        assert_eq!(satisfies("1.9.0", "~> 1.5"), Ok(true));
        assert_eq!(satisfies("1.9.0", "~> 1.5.0"), Ok(false));
        assert_eq!(satisfies("1.9.0", "~> 1.9.0"), Ok(true));
        assert_eq!(satisfies("1.9.0", "~> 0.14"), Ok(false));
    }

    #[test]
    fn malformed_constraints_are_errors() {
        assert!(satisfies("1.9.0", ">= one").is_err());
        assert!(satisfies("1.9.0", ">= 1.0,").is_err());
    }
}
