//! `yamlencode` and `yamldecode`.
//!
//! Encoding reproduces what Terraform's cty-yaml produces through go-yaml's libyaml-derived
//! emitter: block style, strings double-quoted (or literal `|` blocks when they hold newlines),
//! long double-quoted strings folded at 80 columns, empty collections as `[]` / `{}` and a
//! `...` document end marker after a plain top-level scalar. The emitter below follows
//! libyaml's state machine for the subset of events cty values produce.

use super::super::{FuncCtx, FuncError, FuncResult, string_arg};
use super::parse_number;
use terrane_types::Value;

pub(super) fn yamlencode(args: &[Value], _: &FuncCtx) -> FuncResult {
    let node = Node::of(&args[0])
        .ok_or_else(|| FuncError::call("cannot serialize unknown value as YAML"))?;
    let mut e = Emitter::new();
    e.emit_node(&node, true, false, false, false);
    e.end_document();
    Ok(Value::String(e.out))
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    DoubleQuoted,
    Literal,
}

enum Node {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    fn of(v: &Value) -> Option<Node> {
        let string = |s: &str| {
            let style = if s.contains('\n') {
                Style::Literal
            } else {
                Style::DoubleQuoted
            };
            Node::Scalar(s.to_owned(), style)
        };
        Some(match v {
            Value::Null(_) => Node::Scalar("null".into(), Style::Plain),
            Value::Unknown(_) => return None,
            Value::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
            Value::Number(n) => Node::Scalar(n.to_string(), Style::Plain),
            Value::String(s) => string(s),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                Node::Seq(items.iter().map(Node::of).collect::<Option<_>>()?)
            }
            Value::Map(items) | Value::Object(items) => Node::Map(
                items
                    .iter()
                    .map(|(k, v)| Some((string(k), Node::of(v)?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Sensitive(inner) => Node::of(inner)?,
        })
    }
}

fn is_printable(c: char) -> bool {
    let u = u32::from(c);
    c == '\n' || (0x20..=0x7E).contains(&u) || (0xA0..=0xD7FF).contains(&u) || {
        (0xE000..=0xFFFD).contains(&u) && u != 0xFEFF
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

struct Analysis {
    multiline: bool,
    block_allowed: bool,
}

/// libyaml's `yaml_emitter_analyze_scalar`, reduced to what style selection needs here.
fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let (mut line_breaks, mut special, mut trailing_space) = (false, false, false);
    let (mut space_break, mut previous_space) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            previous_space = true;
        } else if is_break(c) {
            line_breaks = true;
            if previous_space {
                space_break = true;
            }
            previous_space = false;
        } else {
            previous_space = false;
        }
    }
    Analysis {
        multiline: line_breaks,
        block_allowed: !(trailing_space || space_break || special),
    }
}

struct Emitter {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    flow_level: usize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;

impl Emitter {
    fn new() -> Emitter {
        Emitter {
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            flow_level: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
            root_context: false,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent.max(0)).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn emit_node(&mut self, node: &Node, root: bool, sequence: bool, mapping: bool, key: bool) {
        let _ = sequence;
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = key;
        match node {
            Node::Scalar(value, style) => self.emit_scalar(value, *style),
            Node::Seq(items) if self.flow_level > 0 || items.is_empty() => {
                self.emit_flow_sequence(items)
            }
            Node::Seq(items) => self.emit_block_sequence(items),
            Node::Map(entries) if self.flow_level > 0 || entries.is_empty() => {
                self.emit_flow_mapping(entries)
            }
            Node::Map(entries) => self.emit_block_mapping(entries),
        }
    }

    fn is_simple_key(node: &Node) -> bool {
        match node {
            Node::Scalar(value, _) => !analyze(value).multiline && value.len() <= 128,
            Node::Seq(items) => items.is_empty(),
            Node::Map(entries) => entries.is_empty(),
        }
    }

    fn emit_block_sequence(&mut self, items: &[Node]) {
        self.increase_indent(false, self.mapping_context && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.emit_node(item, false, true, false, false);
        }
        self.pop_indent();
    }

    fn emit_flow_sequence(&mut self, items: &[Node]) {
        self.write_indicator("[", true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > BEST_WIDTH {
                self.write_indent();
            }
            self.emit_node(item, false, true, false, false);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("]", false, false, false);
    }

    fn emit_block_mapping(&mut self, entries: &[(Node, Node)]) {
        self.increase_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            if Self::is_simple_key(key) {
                self.emit_node(key, false, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.emit_node(key, false, false, true, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.emit_node(value, false, false, true, false);
        }
        self.pop_indent();
    }

    fn emit_flow_mapping(&mut self, entries: &[(Node, Node)]) {
        self.write_indicator("{", true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > BEST_WIDTH {
                self.write_indent();
            }
            if Self::is_simple_key(key) {
                self.emit_node(key, false, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, false);
                self.emit_node(key, false, false, true, false);
                if self.column > BEST_WIDTH {
                    self.write_indent();
                }
                self.write_indicator(":", true, false, false);
            }
            self.emit_node(value, false, false, true, false);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("}", false, false, false);
    }

    fn emit_scalar(&mut self, value: &str, requested: Style) {
        let analysis = analyze(value);
        let mut style = requested;
        if self.simple_key_context && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal
            && (!analysis.block_allowed || self.flow_level > 0 || self.simple_key_context)
        {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(value),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    /// Plain scalars here are numbers, `true`, `false` and `null`: no spaces, no breaks.
    fn write_plain(&mut self, value: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        for c in value.chars() {
            self.put(c);
        }
        self.whitespace = false;
        self.indention = false;
        if self.root_context {
            self.open_ended = true;
        }
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\x07' => self.put('a'),
                    '\x08' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\x0B' => self.put('v'),
                    '\x0C' => self.put('f'),
                    '\r' => self.put('r'),
                    '\x1B' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{A0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let u = u32::from(c);
                        let (letter, width) = if u <= 0xFF {
                            ('x', 2)
                        } else if u <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for ch in format!("{u:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        self.open_ended = false;
        let chomp = match chars.as_slice() {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    fn end_document(&mut self) {
        self.write_indent();
        if self.open_ended {
            self.write_indicator("...", true, false, false);
            self.write_indent();
        }
    }
}

pub(super) fn yamldecode(args: &[Value], _: &FuncCtx) -> FuncResult {
    let src = string_arg(args, 0)?;
    let has_document = src.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    if !has_document {
        return Err(FuncError::call("missing start of document"));
    }
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&src).map_err(|e| yaml_error(&e))?;
    doc.apply_merge().map_err(|e| yaml_error(&e))?;
    from_yaml(&doc)
}

fn yaml_error(e: &serde_yaml::Error) -> FuncError {
    let text = e.to_string();
    if text.contains("more than one document") {
        return FuncError::call("only a single document is allowed");
    }
    let detail = text
        .split_once(" at line ")
        .map_or(text.as_str(), |(d, _)| d);
    match e.location() {
        Some(loc) => FuncError::call(format!(
            "on line {}, column {}: {detail}",
            loc.line(),
            loc.column()
        )),
        None => FuncError::call(detail.to_owned()),
    }
}

fn from_yaml(v: &serde_yaml::Value) -> FuncResult {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::null(),
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if n.as_f64().is_some_and(f64::is_nan) {
                return Err(FuncError::call("floating point NaN is not supported"));
            }
            if n.as_f64().is_some_and(f64::is_infinite) {
                return Err(FuncError::call("floating point infinity is not supported"));
            }
            let text = n.to_string();
            Value::Number(
                parse_number(&text)
                    .ok_or_else(|| FuncError::call(format!("cannot parse {text:?} as a number")))?,
            )
        }
        Y::String(s) => Value::string(s.as_str()),
        Y::Sequence(items) => Value::Tuple(items.iter().map(from_yaml).collect::<Result<_, _>>()?),
        Y::Mapping(map) => {
            let mut attrs = std::collections::BTreeMap::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => return Err(FuncError::call("mapping key cannot be null")),
                    _ => {
                        return Err(FuncError::call("only strings are allowed as mapping keys"));
                    }
                };
                attrs.insert(key, from_yaml(v)?);
            }
            Value::Object(attrs)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            match (name, &tagged.value) {
                ("str" | "binary", Y::String(s)) => Value::string(s.as_str()),
                ("str", Y::Number(n)) => Value::String(n.to_string()),
                ("str", Y::Bool(b)) => Value::String(b.to_string()),
                ("map" | "seq" | "int" | "float" | "bool" | "null", inner) => from_yaml(inner)?,
                _ => return Err(FuncError::call(format!("unsupported tag {tag:?}"))),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::testkit::{message, num, run, s};
    use terrane_types::{Type, Value};

    fn enc(v: Value) -> String {
        match run("yamlencode", vec![v]).unwrap() {
            Value::String(s) => s,
            other => panic!("yamlencode gave {other:?}"),
        }
    }

    #[test]
    fn yamlencode_writes_block_style_with_quoted_strings() {
        let v = Value::object([("a", s("b")), ("c", Value::List(vec![num("1"), num("2")]))]);
        assert_eq!(enc(v), "\"a\": \"b\"\n\"c\":\n- 1\n- 2\n");
    }

    #[test]
    fn yamlencode_nests_mappings_and_sequences() {
        let v = Value::object([(
            "outer",
            Value::object([
                (
                    "list",
                    Value::Tuple(vec![Value::object([
                        ("x", num("1")),
                        ("y", Value::Bool(true)),
                    ])]),
                ),
                ("empty", Value::List(vec![])),
                ("none", Value::Object(Default::default())),
                ("nil", Value::Null(Type::String)),
            ]),
        )]);
        assert_eq!(
            enc(v),
            "\"outer\":\n  \"empty\": []\n  \"list\":\n  - \"x\": 1\n    \"y\": true\n  \"nil\": null\n  \"none\": {}\n"
        );
        let nested = Value::List(vec![Value::List(vec![num("1"), num("2")]), s("x")]);
        assert_eq!(enc(nested), "- - 1\n  - 2\n- \"x\"\n");
    }

    #[test]
    fn yamlencode_matches_the_terraform_documentation_examples() {
        let v = Value::object([
            (
                "foo",
                Value::Tuple(vec![
                    num("1"),
                    Value::object([("a", s("b")), ("c", s("d"))]),
                    num("3"),
                ]),
            ),
            ("bar", s("baz")),
        ]);
        assert_eq!(
            enc(v),
            "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n"
        );
    }

    #[test]
    fn yamlencode_uses_complex_keys_for_long_or_multiline_keys() {
        let long = "k".repeat(130);
        let v = Value::object([(long.as_str(), s("v")), ("a\nb", s("w"))]);
        assert_eq!(
            enc(v),
            format!("? |-\n  a\n  b\n: \"w\"\n? \"{long}\"\n: \"v\"\n")
        );
    }

    #[test]
    fn yamlencode_of_a_plain_scalar_ends_the_document_explicitly() {
        assert_eq!(enc(num("1")), "1\n...\n");
        assert_eq!(enc(Value::null()), "null\n...\n");
        assert_eq!(enc(s("true")), "\"true\"\n");
        assert_eq!(enc(Value::List(vec![])), "[]\n");
    }

    #[test]
    fn yamlencode_writes_multiline_strings_as_literal_blocks() {
        assert_eq!(enc(s("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(
            enc(Value::object([("k", s("line1\nline2\n"))])),
            "\"k\": |\n  line1\n  line2\n"
        );
        assert_eq!(enc(s("a\n\n")), "|+\n  a\n\n");
        // Trailing spaces and tabs rule out the block style.
        assert_eq!(enc(s("a \nb")), "\"a \\nb\"\n");
        assert_eq!(enc(s("\ta\nb")), "\"\\ta\\nb\"\n");
    }

    #[test]
    fn yamlencode_escapes_like_go_yaml() {
        assert_eq!(
            enc(s("quote\" back\\ é 😀")),
            "\"quote\\\" back\\\\ é \\U0001F600\"\n"
        );
    }

    #[test]
    fn yamlencode_folds_long_double_quoted_strings() {
        let long = "word ".repeat(20) + "end";
        let got = enc(s(&long));
        let expected = format!(
            "\"{}\n  {}\"\n",
            "word ".repeat(17).trim_end(),
            "word word word end"
        );
        assert_eq!(got, expected);
    }

    #[test]
    fn yamlencode_of_unknown_parts_is_unknown_and_sensitive_stays_sensitive() {
        assert_eq!(
            run("yamlencode", vec![Value::List(vec![Value::unknown()])]).unwrap(),
            Value::Unknown(Type::String)
        );
        assert_eq!(
            run("yamlencode", vec![s("x").mark_sensitive()]).unwrap(),
            s("\"x\"\n").mark_sensitive()
        );
    }

    #[test]
    fn yamldecode_builds_objects_tuples_and_primitives() {
        let got = run(
            "yamldecode",
            vec![s("a: 1\nb: [x, true, ~]\nc:\n  d: 1.5\n")],
        )
        .unwrap();
        assert_eq!(
            got,
            Value::object([
                ("a", num("1")),
                (
                    "b",
                    Value::Tuple(vec![s("x"), Value::Bool(true), Value::null()])
                ),
                ("c", Value::object([("d", num("1.5"))])),
            ])
        );
        assert_eq!(run("yamldecode", vec![s("---")]).unwrap(), Value::null());
    }

    #[test]
    fn yamldecode_applies_merge_keys() {
        let got = run(
            "yamldecode",
            vec![s("a: &foo\n  beep: boop\nb:\n  <<: *foo\n  bleep: bloop\n")],
        )
        .unwrap();
        assert_eq!(
            got.get_attr("b"),
            Some(&Value::object([("beep", s("boop")), ("bleep", s("bloop"))]))
        );
    }

    #[test]
    fn yamldecode_rejects_several_documents_and_empty_input() {
        let e = run("yamldecode", vec![s("a: 1\n---\nb: 2\n")]).unwrap_err();
        assert_eq!(message(e), "only a single document is allowed");
        let e = run("yamldecode", vec![s("# nothing\n")]).unwrap_err();
        assert_eq!(message(e), "missing start of document");
        let e = run("yamldecode", vec![s("a: [1\n")]).unwrap_err();
        assert!(message(e).starts_with("on line "));
    }
}
