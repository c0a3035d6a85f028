//! Printing diagnostics: for people (miette's snippets with the span underlined) and for
//! machines (Terraform's `-json` diagnostic format).

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde_json::json;
use std::fmt;
use terrane_types::{Diagnostic, Diagnostics, Severity, SourceMap, Span};

/// How output is shown: colors on a terminal unless NO_COLOR or --no-color.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// One of our diagnostics dressed for miette.
struct Report<'a> {
    diag: &'a Diagnostic,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.summary)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.diag.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        write!(f, "{word}: {}", self.diag.summary)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .hint
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new(
        (span.start as usize).into(),
        (span.end - span.start) as usize,
    )
}

/// Renders one diagnostic as people read it.
pub fn render(diag: &Diagnostic, sources: &SourceMap, style: Style) -> String {
    let file = diag.span.and_then(|s| sources.get(s.file));
    let source = file.map(|f| {
        NamedSource::new(f.path.to_string_lossy(), f.text.to_string()).with_language("hcl")
    });
    let mut labels = Vec::new();
    if let Some(span) = diag.span {
        let text = if diag.detail.is_empty() {
            None
        } else {
            Some(diag.detail.clone())
        };
        labels.push(LabeledSpan::new_primary_with_span(text, source_span(span)));
        for (s, note) in &diag.labels {
            // miette shows one file per report: labels elsewhere go into the text.
            if s.file == span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(note.clone()),
                    source_span(*s),
                ));
            }
        }
    }
    let report = Report {
        diag,
        source,
        labels,
    };
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diag.summary, diag.detail);
    }
    if diag.span.is_none() && !diag.detail.is_empty() {
        // Without a snippet the detail has no label to live in.
        out.push_str(&textwrap(&diag.detail, style.width, "  "));
        out.push('\n');
    }
    for (s, note) in &diag.labels {
        if diag.span.is_some_and(|p| p.file != s.file)
            && let Some(loc) = sources.location(*s)
        {
            out.push_str(&format!("  note: {note} ({loc})\n"));
        }
    }
    out
}

fn textwrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    for paragraph in text.split('\n') {
        let mut line = String::from(indent);
        for word in paragraph.split(' ') {
            if line.len() + word.len() + 1 > width && !line.trim().is_empty() {
                out.push_str(line.trim_end());
                out.push('\n');
                line = String::from(indent);
            }
            line.push_str(word);
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// The largest char boundary at or before `i`, so spans never split a character.
fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders all diagnostics, errors first, in source order.
pub fn render_all(diags: &Diagnostics, sources: &SourceMap, style: Style) -> String {
    let mut sorted = diags.clone();
    sorted.sort();
    sorted
        .iter()
        .map(|d| render(d, sources, style))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Terraform's JSON shape for one diagnostic (`validate -json`), with range and snippet.
pub fn to_json(diag: &Diagnostic, sources: &SourceMap) -> serde_json::Value {
    let mut obj = json!({
        "severity": match diag.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "summary": diag.summary,
        "detail": diag.detail,
    });
    if let Some(hint) = &diag.hint {
        obj["hint"] = json!(hint);
    }
    let Some(span) = diag.span else { return obj };
    let Some(file) = sources.get(span.file) else {
        return obj;
    };
    let (sl, sc) = file.line_col(span.start);
    let (el, ec) = file.line_col(span.end);
    obj["range"] = json!({
        "filename": file.path.to_string_lossy(),
        "start": { "line": sl, "column": sc, "byte": span.start },
        "end": { "line": el, "column": ec, "byte": span.end },
    });
    let text = &file.text;
    let start = floor_char_boundary(text, span.start as usize);
    let end = floor_char_boundary(text, (span.end as usize).max(start));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let code = text.get(line_start..line_end).unwrap_or("");
    obj["snippet"] = json!({
        "context": serde_json::Value::Null,
        "code": code,
        "start_line": sl,
        "highlight_start_offset": start - line_start,
        "highlight_end_offset": end.max(start) - line_start,
        "values": [],
    });
    obj
}
