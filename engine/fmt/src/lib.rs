//! Rewrites Terraform-language files in the canonical layout, keeping comments.
//!
//! The layout is the one `terraform fmt` produces. Like HashiCorp's
//! `hclwrite`, the formatter works on the token stream rather than on a
//! syntax tree, so that every comment and every byte of string, heredoc and
//! number literals is kept exactly:
//!
//! 1. the source is split into tokens (`lexer`) and checked with
//!    `hcl-edit`'s parser, so that invalid input is reported rather than
//!    mangled;
//! 2. the few rewrites `terraform fmt` makes are applied (`rewrite`):
//!    quoted block labels, unwrapped `"${...}"` values, modern variable
//!    type constraints;
//! 3. each line gets its indentation and the spaces between its tokens
//!    (`layout`), then `=` signs and trailing comments are aligned across
//!    consecutive lines (`align`).
//!
//! Only horizontal whitespace changes: line breaks, blank lines and the
//! presence or absence of a final newline are kept as they are, as
//! `terraform fmt` keeps them.
//!
//! Where `terraform fmt` is knowingly not followed:
//! - `"${"${x}"}"` is unwrapped all the way to `x` at once (terraform needs
//!   one run per level), so that formatting is idempotent;
//! - `"${(a)\n+ (b)}"` becomes `((a)\n+ (b))`, not terraform's invalid
//!   `(a)\n+ (b)`;
//! - a block label containing `$${` or `%%{` is kept (terraform drops it);
//! - labels are not put in Unicode normalisation form C, and grapheme
//!   clusters (the unit of alignment) are counted with an approximation;
//! - syntax is checked by `hcl-edit`, which rejects a few exotic heredoc
//!   placements that terraform accepts and accepts a few forms it rejects.

mod align;
mod layout;
mod lexer;
mod rewrite;
mod strlit;

use std::fmt;

/// The byte-order mark that may start a file; it is dropped.
const BOM: char = '\u{feff}';

/// A syntax error that prevents formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// What is wrong.
    pub message: String,
    /// Byte offset of the syntax error in the source.
    pub offset: usize,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for FormatError {}

/// Formats one file's source text in the canonical layout. Comments are kept.
pub fn format_source(src: &str) -> Result<String, FormatError> {
    let start = if src.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    // The lexer's errors (stray characters, unterminated strings) come
    // with a precise offset; the parser then checks the structure.
    let tokens = lexer::lex(src, start)?;
    validate(&src[start..]).map_err(|mut err| {
        err.offset += start;
        err
    })?;
    let mut tokens = rewrite::apply(tokens);
    let lines = layout::lines(&tokens);
    layout::indent(&mut tokens, &lines);
    layout::space(&mut tokens, &lines);
    align::align(&mut tokens, &lines);
    let mut out = String::with_capacity(src.len() + src.len() / 8);
    for token in &tokens {
        out.extend(std::iter::repeat_n(' ', token.spaces));
        out.push_str(&token.text);
    }
    Ok(out)
}

/// How many duplicated object keys [`validate`] looks past.
const MAX_DUPLICATE_KEYS: usize = 256;

/// Parses the source with `hcl-edit` to reject invalid input.
///
/// `hcl-edit` also rejects an object constructor that repeats a key, which
/// is valid syntax that `terraform fmt` formats. Such a key is renamed in a
/// scratch copy of the source and the copy parsed again, so that only real
/// syntax errors are reported (at their offset in the original source).
fn validate(src: &str) -> Result<(), FormatError> {
    let mut copy = src.to_owned();
    // (offset in the copy, length) of each text inserted into the copy
    let mut inserted: Vec<(usize, usize)> = Vec::new();
    loop {
        let Err(err) = hcl::edit::parser::parse_body(&copy) else {
            return Ok(());
        };
        let at = err.location().offset();
        let original = inserted
            .iter()
            .filter(|&&(pos, _)| pos <= at)
            .fold(at, |offset, &(pos, len)| {
                offset.saturating_sub(len.min(at - pos))
            });
        let error = FormatError {
            message: err.message().to_owned(),
            offset: original,
        };
        let repeated_key = err.message().contains("redefined object key");
        if !repeated_key || inserted.len() >= MAX_DUPLICATE_KEYS {
            return Err(error);
        }
        let key_start = copy.get(at..).and_then(|rest| rest.chars().next());
        let prefix = match key_start {
            Some(c) if c == '_' || c.is_alphabetic() => format!("terrane_dup{}_", inserted.len()),
            Some(_) => format!("terrane_dup{}_+", inserted.len()),
            None => return Err(error),
        };
        copy.insert_str(at, &prefix);
        inserted.push((at, prefix.len()));
    }
}

#[cfg(test)]
mod tests;
