//! Function calls: argument expansion, the library in [`crate::functions`], and the functions
//! that need unevaluated arguments (`can`, `try`) or the evaluator itself (`templatefile`).

use super::{EvalResult, Evaluator, Locals, template::render_template_file};
use crate::ast::FuncCall;
use crate::functions::{self, FuncCtx, FuncError};
use terrane_types::{Diagnostic, Span, Type, Value, suggest};

impl Evaluator<'_> {
    pub(super) fn call(&self, call: &FuncCall, span: Span, locals: Option<&Locals>) -> EvalResult {
        let name = call.name.name.as_str();
        if !call.namespace.is_empty() {
            return Err(Diagnostic::error("Call to unsupported function")
                .with_detail(format!(
                    "Provider-defined functions such as \"{}::{name}\" are not supported yet.",
                    call.namespace.join("::")
                ))
                .with_span(call.name.span));
        }
        match name {
            "can" => return self.can(call, span, locals),
            "try" => return self.try_(call, span, locals),
            _ => {}
        }
        let def = if name == "templatefile" {
            None
        } else {
            Some(functions::lookup(name).ok_or_else(|| unknown_function(call))?)
        };

        let mut args = Vec::with_capacity(call.args.len());
        let mut arg_spans = Vec::with_capacity(call.args.len());
        for (i, a) in call.args.iter().enumerate() {
            let v = self.eval(a, locals)?;
            if call.expand_final && i + 1 == call.args.len() {
                let (v, marked) = v.unmark();
                if !v.is_known() {
                    return Ok(Value::unknown().with_mark(marked));
                }
                let Some(items) = v.as_seq() else {
                    return Err(Diagnostic::error("Invalid expanding argument value")
                        .with_detail(format!(
                            "The expanding argument (indicated by ...) must be of a tuple, list, or set type, but have {}.",
                            v.ty().friendly_name()
                        ))
                        .with_span(a.span));
                };
                for item in items {
                    args.push(item.clone().with_mark(marked));
                    arg_spans.push(a.span);
                }
            } else {
                args.push(v);
                arg_spans.push(a.span);
            }
        }

        let Some(def) = def else {
            return self.templatefile(args, &arg_spans, span);
        };
        check_arity(def, call, span)?;
        let ctx = FuncCtx {
            base_dir: self.ctx.base_dir,
        };
        functions::call(def, args, &ctx).map_err(|e| match e {
            FuncError::Arg { index, message } => {
                let param = def
                    .params
                    .get(index)
                    .copied()
                    .or(def.variadic)
                    .unwrap_or("argument");
                Diagnostic::error("Invalid function argument")
                    .with_detail(
                        format!("Invalid value for \"{param}\" parameter: {message}.")
                            .replace("..", "."),
                    )
                    .with_span(
                        // Arguments spread from a list all point at that list.
                        call.args
                            .get(index)
                            .filter(|_| !call.expand_final || index + 1 < call.args.len())
                            .map(argument_start)
                            .or_else(|| arg_spans.get(index).copied())
                            .unwrap_or(span),
                    )
            }
            FuncError::Call(message) => {
                let arity = message.starts_with("Function \"");
                Diagnostic::error(if arity {
                    "Incorrect number of function arguments"
                } else {
                    "Error in function call"
                })
                .with_detail(if arity {
                    message
                } else {
                    format!("Call to function \"{name}\" failed: {message}").replace("..", ".")
                })
                .with_span(span)
            }
        })
    }

    fn templatefile(&self, args: Vec<Value>, spans: &[Span], span: Span) -> EvalResult {
        if args.len() != 2 {
            return Err(Diagnostic::error("Incorrect number of function arguments")
                .with_detail(format!(
                    "Function \"templatefile\" expects 2 arguments, but {} were given. Its signature is templatefile(path, vars).",
                    args.len()
                ))
                .with_span(span));
        }
        let mut args = args.into_iter();
        let (path, path_marked) = args.next().unwrap_or_else(Value::null).unmark();
        let vars = args.next().unwrap_or_else(Value::null);
        if !path.is_known() || !vars.is_wholly_known() {
            return Ok(Value::Unknown(Type::Dynamic));
        }
        let Some(path) = path.as_str() else {
            return Err(Diagnostic::error("Invalid function argument")
                .with_detail("Invalid value for \"path\" parameter: string required.")
                .with_span(spans.first().copied().unwrap_or(span)));
        };
        let vars_span = spans.get(1).copied().unwrap_or(span);
        Ok(render_template_file(&self.ctx, path, &vars, vars_span, span)?.with_mark(path_marked))
    }

    /// `can(expr)`: whether the expression evaluates without error.
    fn can(&self, call: &FuncCall, span: Span, locals: Option<&Locals>) -> EvalResult {
        let [arg] = call.args.as_slice() else {
            return Err(arity("can", "can(expression)", 1, call.args.len(), span));
        };
        Ok(match self.eval(arg, locals) {
            Ok(v) if !v.is_wholly_known() => Value::Unknown(Type::Bool),
            Ok(_) => Value::Bool(true),
            Err(_) => Value::Bool(false),
        })
    }

    /// `try(a, b, ...)`: the first expression that evaluates without error.
    fn try_(&self, call: &FuncCall, span: Span, locals: Option<&Locals>) -> EvalResult {
        if call.args.is_empty() {
            return Err(Diagnostic::error("Missing function arguments")
                .with_detail("At least one argument is required.")
                .with_span(span));
        }
        let mut errors = Vec::new();
        for arg in &call.args {
            match self.eval(arg, locals) {
                // An unknown result might still fail once known, so the answer is unknown too.
                Ok(v) if !v.is_wholly_known() => return Ok(Value::unknown()),
                Ok(v) => return Ok(v),
                Err(d) => errors.push(format!("- {}", d)),
            }
        }
        Err(Diagnostic::error("Error in function call")
            .with_detail(format!(
                "Call to function \"try\" failed: no expression succeeded:\n{}\n\nAt least one expression must produce a successful result.",
                errors.join("\n")
            ))
            .with_span(span))
    }
}

/// HCL's arity errors: "Too many function arguments" at the first extra argument, "Not enough
/// function arguments" at the closing parenthesis, naming the missing parameter.
fn check_arity(def: &functions::FuncDef, call: &FuncCall, span: Span) -> Result<(), Diagnostic> {
    let fixed = def.params.len();
    let given = call.args.len();
    if call.expand_final {
        // The expanded list supplies an unknown number of arguments; `call` checks the total.
        return Ok(());
    }
    if given < fixed {
        let missing = def.params[given];
        return Err(Diagnostic::error("Not enough function arguments")
            .with_detail(format!(
                "Function \"{}\" expects {fixed} argument{}. Missing value for \"{missing}\".",
                def.name,
                if fixed == 1 { "" } else { "s" },
            ))
            .with_span(span.last_byte())
            .with_hint(format!("Its signature is {}.", def.signature())));
    }
    if given > fixed && def.variadic.is_none() {
        return Err(Diagnostic::error("Too many function arguments")
            .with_detail(format!(
                "Function \"{}\" expects only {fixed} argument{}.",
                def.name,
                if fixed == 1 { "" } else { "s" },
            ))
            .with_span(argument_start(&call.args[fixed]))
            .with_hint(format!("Its signature is {}.", def.signature())));
    }
    Ok(())
}

/// Where HCL starts an argument: a quoted string starts at its first character inside the
/// quotes.
fn argument_start(arg: &crate::ast::Expr) -> Span {
    use crate::ast::ExprKind;
    match &arg.kind {
        ExprKind::Literal(terrane_types::Value::String(_)) | ExprKind::Template(_)
            if arg.span.end > arg.span.start + 1 =>
        {
            Span {
                start: arg.span.start + 1,
                ..arg.span
            }
        }
        _ => arg.span,
    }
}

fn arity(name: &str, signature: &str, want: usize, got: usize, span: Span) -> Diagnostic {
    Diagnostic::error("Incorrect number of function arguments")
        .with_detail(format!(
            "Function \"{name}\" expects {want} argument{}, but {got} {} given. Its signature is {signature}.",
            if want == 1 { "" } else { "s" },
            if got == 1 { "was" } else { "were" },
        ))
        .with_span(span)
}

fn unknown_function(call: &FuncCall) -> Diagnostic {
    let name = &call.name.name;
    let mut d = Diagnostic::error("Call to unknown function")
        .with_detail(format!("There is no function named \"{name}\"."))
        .with_span(call.name.span);
    let names: Vec<&str> = functions::names().collect();
    if let Some(s) = suggest(name, names.iter().copied()) {
        d = d.with_hint(format!("Did you mean \"{s}\"?"));
    }
    d
}
