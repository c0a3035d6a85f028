//! Addresses as the state file spells them: module instance paths (`module.app["eu"]`) and
//! resource instance addresses (`module.app.data.aws_ami.ubuntu[0]`), printed exactly as
//! Terraform prints them (HCL quoting, `$${` for a literal `${`) and parsed back.

use terrane_types::{
    InstanceKey, ModuleInstance, ModuleStep, ResourceAddr, ResourceInstanceAddr, ResourceMode,
};

/// The state file's spelling of a resource mode.
pub(crate) fn mode_str(mode: ResourceMode) -> &'static str {
    match mode {
        ResourceMode::Managed => "managed",
        ResourceMode::Data => "data",
    }
}

pub(crate) fn parse_mode(s: &str) -> Option<ResourceMode> {
    match s {
        "managed" => Some(ResourceMode::Managed),
        "data" => Some(ResourceMode::Data),
        _ => None,
    }
}

/// A module instance path as Terraform writes it in state: `module.a["x"].module.b[0]`; empty
/// for the root module.
pub fn format_module(module: &ModuleInstance) -> String {
    let mut out = String::new();
    for (i, step) in module.0.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str("module.");
        out.push_str(&step.name);
        if let Some(key) = &step.key {
            push_key(&mut out, key);
        }
    }
    out
}

/// A resource instance address as Terraform prints it: `module.a.aws_instance.web[0]`.
pub fn format_instance_addr(addr: &ResourceInstanceAddr) -> String {
    let mut out = format_module(&addr.resource.module);
    if !out.is_empty() {
        out.push('.');
    }
    if addr.resource.mode == ResourceMode::Data {
        out.push_str("data.");
    }
    out.push_str(&addr.resource.type_name);
    out.push('.');
    out.push_str(&addr.resource.name);
    if let Some(key) = &addr.key {
        push_key(&mut out, key);
    }
    out
}

fn push_key(out: &mut String, key: &InstanceKey) {
    match key {
        InstanceKey::Int(i) => {
            out.push('[');
            out.push_str(&i.to_string());
            out.push(']');
        }
        InstanceKey::Str(s) => {
            out.push('[');
            push_quoted(out, s);
            out.push(']');
        }
    }
}

/// HCL's quoted-string form, as Terraform's `toHCLQuotedString`.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !is_printable(c) => {
                let n = u32::from(c);
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An approximation of Go's `unicode.IsPrint`: controls, format characters and separators
/// other than the ASCII space are not printable.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Parses a state file's module path (`module.a["x"].module.b`); the empty string is the root.
pub fn parse_module(s: &str) -> Result<ModuleInstance, String> {
    let mut p = Parser { s, pos: 0 };
    let mut steps = Vec::new();
    if s.is_empty() {
        return Ok(ModuleInstance(steps));
    }
    loop {
        steps.push(p.module_step()?);
        if p.at_end() {
            return Ok(ModuleInstance(steps));
        }
        p.expect('.')?;
    }
}

/// Parses a resource instance address: `module.a["x"].aws_instance.web[0]`,
/// `data.aws_ami.ubuntu`.
pub fn parse_instance_addr(s: &str) -> Result<ResourceInstanceAddr, String> {
    let mut p = Parser { s, pos: 0 };
    let mut steps = Vec::new();
    while p.rest().starts_with("module.") {
        steps.push(p.module_step()?);
        p.expect('.')?;
    }
    let mut mode = ResourceMode::Managed;
    if p.rest().starts_with("data.") {
        p.pos += "data.".len();
        mode = ResourceMode::Data;
    }
    let type_name = p.ident()?;
    p.expect('.')?;
    let name = p.ident()?;
    let key = if p.rest().starts_with('[') {
        Some(p.key()?)
    } else {
        None
    };
    if !p.at_end() {
        return Err(p.error("unexpected characters after the address"));
    }
    Ok(ResourceInstanceAddr {
        resource: ResourceAddr {
            module: ModuleInstance(steps),
            mode,
            type_name,
            name,
        },
        key,
    })
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn error(&self, what: &str) -> String {
        format!(
            "{:?} is not a valid address: {what} at byte {}",
            self.s, self.pos
        )
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(self.error(&format!("expected {c:?}")))
        }
    }

    fn module_step(&mut self) -> Result<ModuleStep, String> {
        if !self.rest().starts_with("module.") {
            return Err(self.error("expected \"module.\""));
        }
        self.pos += "module.".len();
        let name = self.ident()?;
        let key = if self.rest().starts_with('[') {
            Some(self.key()?)
        } else {
            None
        };
        Ok(ModuleStep { name, key })
    }

    fn ident(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let starts_well = rest
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        if len == 0 || !starts_well {
            return Err(self.error("expected a name"));
        }
        let name = rest[..len].to_owned();
        self.pos += len;
        Ok(name)
    }

    fn key(&mut self) -> Result<InstanceKey, String> {
        self.expect('[')?;
        let key = if self.rest().starts_with('"') {
            InstanceKey::Str(self.quoted()?)
        } else {
            let rest = self.rest();
            let len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                .unwrap_or(rest.len());
            let n = rest[..len]
                .parse::<i64>()
                .map_err(|_| self.error("expected a number or a quoted string as key"))?;
            self.pos += len;
            InstanceKey::Int(n)
        };
        self.expect(']')?;
        Ok(key)
    }

    fn quoted(&mut self) -> Result<String, String> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.rest().chars().next() else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.pos += e.len_utf8();
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' => out.push(self.hex_char(4)?),
                        'U' => out.push(self.hex_char(8)?),
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                '$' | '%' if self.rest().starts_with(c) && self.rest()[1..].starts_with('{') => {
                    // `$${` and `%%{` stand for a literal `${` and `%{`.
                    self.pos += 1;
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }

    fn hex_char(&mut self, digits: usize) -> Result<char, String> {
        let hex = self
            .rest()
            .get(..digits)
            .ok_or_else(|| self.error("short unicode escape"))?;
        let c = u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| self.error("invalid unicode escape"))?;
        self.pos += digits;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_print_and_parse_as_terraform_writes_them() {
        let m = ModuleInstance::root()
            .child("app", Some(InstanceKey::Str("eu \"west\" ${x}".into())))
            .child("db", Some(InstanceKey::Int(2)))
            .child("leaf", None);
        let s = format_module(&m);
        assert_eq!(
            s,
            r#"module.app["eu \"west\" $${x}"].module.db[2].module.leaf"#
        );
        assert_eq!(parse_module(&s), Ok(m));
        assert_eq!(parse_module(""), Ok(ModuleInstance::root()));
    }

    #[test]
    fn instance_addresses_round_trip_through_their_text() {
        for text in [
            "aws_instance.web",
            "aws_instance.web[0]",
            "data.aws_ami.ubuntu",
            r#"module.app["a\nb"].data.local_file.f["k\u00a0"]"#,
            "module.x.module.y[3].null_resource.n[-1]",
        ] {
            let addr = parse_instance_addr(text).unwrap();
            assert_eq!(format_instance_addr(&addr), text);
        }
    }

    #[test]
    fn malformed_addresses_are_refused_without_panicking() {
        for text in [
            "",
            "module.",
            "module.a",
            "aws_instance",
            "aws_instance.",
            "a.b[",
            "a.b[\"x",
            "a.b[\"\\u12\"]",
            "a.b[x]",
            "a.b[0]c",
            "a.b[\"é\\",
            "module.a[\"$",
        ] {
            assert!(parse_instance_addr(text).is_err(), "{text}");
        }
        assert!(parse_module("module.a.").is_err());
        assert!(parse_module("aws_instance.x").is_err());
    }
}
