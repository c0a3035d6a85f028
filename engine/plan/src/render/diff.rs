//! Computed diffs and their human rendering: a port of Terraform's `jsonformat/computed` package
//! and its renderers, so the layout (symbols, indentation, alignment, hidden unchanged counts,
//! `-> null`, `# forces replacement`) matches `terraform plan` character for character.

use super::strings::render_primitive;
use super::text::{action_symbol, attribute_name, colorize, go_quote, pad};
use crate::Action;
use std::collections::BTreeMap;
use terrane_types::Value;

/// The diff of one value (attribute, element, block or whole resource).
#[derive(Clone, Debug)]
pub(crate) struct Diff {
    pub kind: Kind,
    /// NoOp, Create, Delete or Update.
    pub action: Action,
    /// Prints `# forces replacement`.
    pub replace: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// `None` is null (or absent). `string` says the value's type is string (heredocs, JSON).
    Primitive {
        before: Option<Value>,
        after: Option<Value>,
        string: bool,
    },
    /// `Object` leaves the `-> null` suffix off its attributes; `NestedObject` does not.
    Object {
        attrs: BTreeMap<String, Diff>,
        override_null_suffix: bool,
    },
    Map {
        elems: BTreeMap<String, Diff>,
        align_keys: bool,
        override_null_suffix: bool,
        override_forces_replacement: bool,
    },
    /// `display_context` shows the unchanged neighbours of changed elements.
    List {
        elems: Vec<Diff>,
        display_context: bool,
    },
    Set {
        elems: Vec<Diff>,
        override_forces_replacement: bool,
    },
    Block {
        attrs: BTreeMap<String, Diff>,
        blocks: BTreeMap<String, BlockGroup>,
    },
    Sensitive {
        inner: Box<Diff>,
        before: bool,
        after: bool,
    },
    SensitiveBlock {
        inner: Box<Diff>,
        before: bool,
        after: bool,
    },
    Unknown {
        before: Option<Box<Diff>>,
    },
    TypeChange {
        before: Box<Diff>,
        after: Box<Diff>,
    },
}

/// The blocks of one nested block type, with what is known about the group as a whole.
#[derive(Clone, Debug)]
pub(crate) struct BlockGroup {
    pub blocks: Blocks,
    pub replace: bool,
    pub before_sensitive: bool,
    pub after_sensitive: bool,
    pub unknown: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum Blocks {
    Single(Box<Diff>),
    List(Vec<Diff>),
    Set(Vec<Diff>),
    Map(BTreeMap<String, Diff>),
}

/// Terraform's `RenderHumanOpts`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Opts {
    pub color: bool,
    pub override_null_suffix: bool,
    pub force_forces_replacement: bool,
    pub forbid_forces_replacement: bool,
    pub show_unchanged_children: bool,
    pub hide_diff_action_symbols: bool,
}

impl Opts {
    /// A copy for children: the forces-replacement overrides do not cascade.
    pub fn child(self) -> Opts {
        Opts {
            force_forces_replacement: false,
            forbid_forces_replacement: false,
            ..self
        }
    }

    pub fn color(self, markup: &str) -> String {
        colorize(self.color, markup)
    }
}

/// Attributes always shown, changed or not.
fn important(name: &str) -> bool {
    matches!(name, "id" | "name" | "tags")
}

pub(crate) fn indent(n: usize) -> String {
    "    ".repeat(n)
}

pub(crate) fn null_suffix(action: Action, opts: Opts) -> String {
    if !opts.override_null_suffix && action == Action::Delete {
        opts.color(" [dark_gray]-> null[reset]")
    } else {
        String::new()
    }
}

pub(crate) fn forces_replacement(replace: bool, opts: Opts) -> String {
    if (replace || opts.force_forces_replacement) && !opts.forbid_forces_replacement {
        opts.color(" [red]# forces replacement[reset]")
    } else {
        String::new()
    }
}

fn unchanged(keyword: &str, count: usize, opts: Opts) -> String {
    let plural = if count == 1 { "" } else { "s" };
    opts.color(&format!(
        "[dark_gray]# ({count} unchanged {keyword}{plural} hidden)[reset]"
    ))
}

/// The symbol and a space, 4 columns (nothing when symbols are hidden).
pub(crate) fn symbol(action: Action, opts: Opts) -> String {
    if opts.hide_diff_action_symbols {
        String::new()
    } else {
        format!("{} ", opts.color(action_symbol(action)))
    }
}

impl Diff {
    pub fn new(kind: Kind, action: Action, replace: bool) -> Diff {
        Diff {
            kind,
            action,
            replace,
        }
    }

    /// Renders the diff; lines after the first are indented by `indent` levels.
    pub fn render(&self, indent: usize, opts: Opts) -> String {
        match &self.kind {
            Kind::Primitive {
                before,
                after,
                string,
            } => render_primitive(self, before.as_ref(), after.as_ref(), *string, indent, opts),
            Kind::Object {
                attrs,
                override_null_suffix,
            } => self.render_object(attrs, *override_null_suffix, indent, opts),
            Kind::Map {
                elems,
                align_keys,
                override_null_suffix,
                override_forces_replacement,
            } => self.render_map(
                elems,
                *align_keys,
                *override_null_suffix,
                *override_forces_replacement,
                indent,
                opts,
            ),
            Kind::List {
                elems,
                display_context,
            } => self.render_list(elems, *display_context, indent, opts),
            Kind::Set {
                elems,
                override_forces_replacement,
            } => self.render_set(elems, *override_forces_replacement, indent, opts),
            Kind::Block { attrs, blocks } => self.render_block(attrs, blocks, indent, opts),
            Kind::Sensitive { .. } => format!(
                "(sensitive value){}{}",
                null_suffix(self.action, opts),
                forces_replacement(self.replace, opts)
            ),
            Kind::SensitiveBlock { .. } => {
                let prefix = format!("{}{}", self::indent(indent), symbol(Action::NoOp, opts));
                format!(
                    "{{{}\n{prefix}  # At least one attribute in this block is (or was) sensitive,\n{prefix}  # so its contents will not be displayed.\n{prefix}}}",
                    forces_replacement(self.replace, opts)
                )
            }
            Kind::Unknown { before } => match before {
                Some(before) if self.action != Action::Create => {
                    let mut before_opts = opts.child();
                    before_opts.override_null_suffix = true;
                    if self.replace {
                        before_opts.forbid_forces_replacement = true;
                    }
                    format!(
                        "{} -> (known after apply){}",
                        before.render(indent, before_opts),
                        forces_replacement(self.replace, opts)
                    )
                }
                _ => format!(
                    "(known after apply){}",
                    forces_replacement(self.replace, opts)
                ),
            },
            Kind::TypeChange { before, after } => {
                let mut opts = opts;
                opts.override_null_suffix = true;
                format!(
                    "{} {} {}",
                    before.render(indent, opts),
                    opts.color("[yellow]->[reset]"),
                    after.render(indent, opts)
                )
            }
        }
    }

    /// Warnings printed on their own lines before the diff (sensitivity changes).
    pub fn warnings(&self, indent: usize, opts: Opts) -> Vec<String> {
        let (inner, before, after, what) = match &self.kind {
            Kind::Sensitive {
                inner,
                before,
                after,
            } => (inner, *before, *after, "attribute value"),
            Kind::SensitiveBlock {
                inner,
                before,
                after,
            } => (inner, *before, *after, "block"),
            _ => return Vec::new(),
        };
        if before == after || matches!(inner.action, Action::Create | Action::Delete) {
            return Vec::new();
        }
        let pad = self::indent(indent);
        let warning = if before {
            opts.color(&format!(
                "  # [yellow]Warning[reset]: this {what} will no longer be marked as sensitive\n{pad}  # after applying this change."
            ))
        } else {
            opts.color(&format!(
                "  # [yellow]Warning[reset]: this {what} will be marked as sensitive and will not\n{pad}  # display in UI output after applying this change."
            ))
        };
        if what == "attribute value" && inner.action == Action::NoOp {
            vec![format!("{warning} The value is unchanged.")]
        } else {
            vec![warning]
        }
    }

    fn render_object(
        &self,
        attrs: &BTreeMap<String, Diff>,
        override_null_suffix: bool,
        ind: usize,
        opts: Opts,
    ) -> String {
        if attrs.is_empty() {
            return format!(
                "{{}}{}{}",
                null_suffix(self.action, opts),
                forces_replacement(self.replace, opts)
            );
        }
        let mut attr_opts = opts.child();
        attr_opts.override_null_suffix = override_null_suffix;
        let width = attrs.keys().map(|k| attribute_name(k).len()).max();
        let width = width.unwrap_or(0);
        let mut hidden = 0;
        let mut buf = format!("{{{}\n", forces_replacement(self.replace, opts));
        for (key, attr) in attrs {
            let line_opts = if important(key) {
                let mut o = attr_opts.child();
                o.show_unchanged_children = true;
                o
            } else if attr.action == Action::NoOp && !opts.show_unchanged_children {
                hidden += 1;
                continue;
            } else {
                attr_opts
            };
            let warn_opts = if important(key) { line_opts } else { opts };
            for w in attr.warnings(ind + 1, warn_opts) {
                buf.push_str(&format!("{}{w}\n", indent(ind + 1)));
            }
            buf.push_str(&format!(
                "{}{}{} = {}\n",
                indent(ind + 1),
                symbol(attr.action, line_opts),
                pad(&attribute_name(key), width),
                attr.render(ind + 1, line_opts)
            ));
        }
        if hidden > 0 {
            buf.push_str(&format!(
                "{}{}{}\n",
                indent(ind + 1),
                symbol(Action::NoOp, opts),
                unchanged("attribute", hidden, opts)
            ));
        }
        buf.push_str(&format!(
            "{}{}}}{}",
            indent(ind),
            symbol(Action::NoOp, opts),
            null_suffix(self.action, opts)
        ));
        buf
    }

    fn render_map(
        &self,
        elems: &BTreeMap<String, Diff>,
        align_keys: bool,
        override_null_suffix: bool,
        override_forces_replacement: bool,
        ind: usize,
        opts: Opts,
    ) -> String {
        let replace_self = self.replace && !override_forces_replacement;
        let replace_children = self.replace && override_forces_replacement;
        if elems.is_empty() {
            return format!(
                "{{}}{}{}",
                null_suffix(self.action, opts),
                forces_replacement(replace_self, opts)
            );
        }
        let width = elems.keys().map(|k| go_quote(k).len()).max().unwrap_or(0);
        let mut elem_opts = opts.child();
        elem_opts.override_null_suffix = self.action == Action::Delete || override_null_suffix;
        elem_opts.force_forces_replacement = replace_children;
        let mut hidden = 0;
        let mut buf = format!("{{{}\n", forces_replacement(replace_self, opts));
        for (key, elem) in elems {
            if elem.action == Action::NoOp && !opts.show_unchanged_children {
                hidden += 1;
                continue;
            }
            for w in elem.warnings(ind + 1, opts) {
                buf.push_str(&format!("{}{w}\n", indent(ind + 1)));
            }
            let comma = if matches!(elem.kind, Kind::Object { .. }) {
                ","
            } else {
                ""
            };
            let key = if align_keys {
                pad(&go_quote(key), width)
            } else {
                go_quote(key)
            };
            buf.push_str(&format!(
                "{}{}{key} = {}{comma}\n",
                indent(ind + 1),
                symbol(elem.action, elem_opts),
                elem.render(ind + 1, elem_opts)
            ));
        }
        if hidden > 0 {
            buf.push_str(&format!(
                "{}{}{}\n",
                indent(ind + 1),
                symbol(Action::NoOp, opts),
                unchanged("element", hidden, opts)
            ));
        }
        buf.push_str(&format!(
            "{}{}}}{}",
            indent(ind),
            symbol(Action::NoOp, opts),
            null_suffix(self.action, opts)
        ));
        buf
    }

    fn render_list(&self, elems: &[Diff], display_context: bool, ind: usize, opts: Opts) -> String {
        if elems.is_empty() {
            return format!(
                "[]{}{}",
                null_suffix(self.action, opts),
                forces_replacement(self.replace, opts)
            );
        }
        let mut elem_opts = opts.child();
        elem_opts.override_null_suffix = true;
        let mut unchanged_opts = opts.child();
        unchanged_opts.show_unchanged_children = true;

        let mut pending: Vec<&Diff> = Vec::new();
        let mut render_next = false;
        let mut buf = format!("[{}\n", forces_replacement(self.replace, opts));
        for elem in elems {
            if elem.action == Action::NoOp && !render_next && !opts.show_unchanged_children {
                pending.push(elem);
                continue;
            }
            render_next = false;
            let mut line_opts = elem_opts;
            if display_context {
                if pending.len() > 1 {
                    buf.push_str(&format!(
                        "{}{}{}\n",
                        indent(ind + 1),
                        symbol(Action::NoOp, line_opts),
                        unchanged("element", pending.len() - 1, line_opts)
                    ));
                }
                if let Some(last) = pending.last() {
                    buf.push_str(&format!(
                        "{}{}{},\n",
                        indent(ind + 1),
                        symbol(last.action, unchanged_opts),
                        last.render(ind + 1, unchanged_opts)
                    ));
                }
                pending.clear();
                if elem.action == Action::NoOp {
                    line_opts = unchanged_opts;
                } else {
                    render_next = true;
                }
            }
            for w in elem.warnings(ind + 1, line_opts) {
                buf.push_str(&format!("{}{w}\n", indent(ind + 1)));
            }
            buf.push_str(&format!(
                "{}{}{},\n",
                indent(ind + 1),
                symbol(elem.action, line_opts),
                elem.render(ind + 1, line_opts)
            ));
        }
        if !pending.is_empty() {
            buf.push_str(&format!(
                "{}{}{}\n",
                indent(ind + 1),
                symbol(Action::NoOp, opts),
                unchanged("element", pending.len(), opts)
            ));
        }
        buf.push_str(&format!(
            "{}{}]{}",
            indent(ind),
            symbol(Action::NoOp, opts),
            null_suffix(self.action, opts)
        ));
        buf
    }

    fn render_set(
        &self,
        elems: &[Diff],
        override_forces_replacement: bool,
        ind: usize,
        opts: Opts,
    ) -> String {
        let replace_self = self.replace && !override_forces_replacement;
        let replace_children = self.replace && override_forces_replacement;
        if elems.is_empty() {
            return format!(
                "[]{}{}",
                null_suffix(self.action, opts),
                forces_replacement(replace_self, opts)
            );
        }
        let mut elem_opts = opts.child();
        elem_opts.override_null_suffix = true;
        elem_opts.force_forces_replacement = replace_children;
        let mut hidden = 0;
        let mut buf = format!("[{}\n", forces_replacement(replace_self, opts));
        for elem in elems {
            if elem.action == Action::NoOp && !opts.show_unchanged_children {
                hidden += 1;
                continue;
            }
            for w in elem.warnings(ind + 1, opts) {
                buf.push_str(&format!("{}{w}\n", indent(ind + 1)));
            }
            buf.push_str(&format!(
                "{}{}{},\n",
                indent(ind + 1),
                symbol(elem.action, elem_opts),
                elem.render(ind + 1, elem_opts)
            ));
        }
        if hidden > 0 {
            buf.push_str(&format!(
                "{}{}{}\n",
                indent(ind + 1),
                symbol(Action::NoOp, opts),
                unchanged("element", hidden, opts)
            ));
        }
        buf.push_str(&format!(
            "{}{}]{}",
            indent(ind),
            symbol(Action::NoOp, opts),
            null_suffix(self.action, opts)
        ));
        buf
    }

    fn render_block(
        &self,
        attrs: &BTreeMap<String, Diff>,
        blocks: &BTreeMap<String, BlockGroup>,
        ind: usize,
        opts: Opts,
    ) -> String {
        if attrs.is_empty() && blocks.is_empty() {
            return format!("{{}}{}", forces_replacement(self.replace, opts));
        }
        let width = attrs.keys().map(|k| attribute_name(k).len()).max();
        let width = width.unwrap_or(0);
        let mut important_opts = opts.child();
        important_opts.show_unchanged_children = true;
        let attr_opts = opts.child();

        let mut buf = format!("{{{}\n", forces_replacement(self.replace, opts));
        let mut hidden_attrs = 0;
        for (key, attr) in attrs {
            let (line_opts, name) = if important(key) {
                (important_opts, key.clone())
            } else if attr.action == Action::NoOp && !opts.show_unchanged_children {
                hidden_attrs += 1;
                continue;
            } else {
                (attr_opts, attribute_name(key))
            };
            let warn_opts = if important(key) { important_opts } else { opts };
            for w in attr.warnings(ind + 1, warn_opts) {
                buf.push_str(&format!("{}{w}\n", indent(ind + 1)));
            }
            buf.push_str(&format!(
                "{}{}{} = {}\n",
                indent(ind + 1),
                symbol(attr.action, line_opts),
                pad(&name, width),
                attr.render(ind + 1, line_opts)
            ));
        }
        if hidden_attrs > 0 {
            buf.push_str(&format!(
                "{}{}{}\n",
                indent(ind + 1),
                symbol(Action::NoOp, opts),
                unchanged("attribute", hidden_attrs, opts)
            ));
        }

        let mut writer = BlockWriter {
            buf,
            hidden: 0,
            have_attrs: !attrs.is_empty(),
            indent: ind,
            opts,
        };
        for (key, group) in blocks {
            let mut first = true;
            let unknown = || Diff::new(Kind::Unknown { before: None }, self.action, false);
            match &group.blocks {
                Blocks::Single(diff) => writer.write(key, "", diff, group, &mut first),
                Blocks::Map(map) => {
                    if group.unknown {
                        writer.write(key, "", &unknown(), group, &mut first);
                    }
                    for (k, diff) in map {
                        let label = format!(" {}", go_quote(k));
                        writer.write(key, &label, diff, group, &mut first);
                    }
                }
                Blocks::List(list) | Blocks::Set(list) => {
                    if group.unknown {
                        writer.write(key, "", &unknown(), group, &mut first);
                    }
                    for diff in list {
                        writer.write(key, "", diff, group, &mut first);
                    }
                }
            }
        }
        let mut buf = writer.buf;
        if writer.hidden > 0 {
            buf.push_str(&format!(
                "\n{}{}{}\n",
                indent(ind + 1),
                symbol(Action::NoOp, opts),
                unchanged("block", writer.hidden, opts)
            ));
        }
        buf.push_str(&format!("{}{}}}", indent(ind), symbol(Action::NoOp, opts)));
        buf
    }
}

/// Writes the nested blocks of a block body (the `renderBlock` closure of Terraform's renderer).
struct BlockWriter {
    buf: String,
    hidden: usize,
    have_attrs: bool,
    indent: usize,
    opts: Opts,
}

impl BlockWriter {
    fn write(&mut self, key: &str, label: &str, diff: &Diff, group: &BlockGroup, first: &mut bool) {
        let (bs, afs) = (group.before_sensitive, group.after_sensitive);
        let creating = diff.action == Action::Create && afs;
        let deleting = diff.action == Action::Delete && bs;
        let modifying = matches!(diff.action, Action::Update | Action::NoOp) && (afs || bs);
        let wrapped;
        let diff = if creating || deleting || modifying {
            let mut action = diff.action;
            if action == Action::NoOp && bs != afs {
                action = Action::Update;
            }
            let kind = Kind::SensitiveBlock {
                inner: Box::new(diff.clone()),
                before: bs,
                after: afs,
            };
            wrapped = Diff::new(kind, action, diff.replace);
            &wrapped
        } else {
            diff
        };
        if diff.action == Action::NoOp && !self.opts.show_unchanged_children {
            self.hidden += 1;
            return;
        }
        if *first && self.have_attrs {
            self.buf.push('\n');
        }
        *first = false;
        let mut block_opts = self.opts.child();
        block_opts.force_forces_replacement = group.replace;
        let ind = self.indent + 1;
        for w in diff.warnings(ind, block_opts) {
            self.buf.push_str(&format!("{}{w}\n", indent(ind)));
        }
        self.buf.push_str(&format!(
            "{}{}{}{label} {}\n",
            indent(ind),
            symbol(diff.action, block_opts),
            attribute_name(key),
            diff.render(ind, block_opts)
        ));
    }
}
