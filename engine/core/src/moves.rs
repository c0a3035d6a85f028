//! `moved` blocks: objects recorded under an old address are renamed to the new one before
//! planning, so a refactoring of the configuration does not destroy and re-create them.

use crate::plan::Prior;
use std::collections::BTreeMap;
use terrane_config::{ModuleNode, Moved};
use terrane_lang::ast::{Expr, ExprKind, Traverser};
use terrane_types::{
    Diagnostic, Diagnostics, InstanceKey, ModuleInstance, ResourceAddr, ResourceInstanceAddr,
    ResourceMode, Value,
};

/// What a `moved` endpoint names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Endpoint {
    /// A whole module call: `module.network`.
    Module(ModuleInstance),
    /// Every instance of a resource: `aws_instance.web`.
    Resource(ResourceAddr),
    /// One instance: `aws_instance.web[0]`.
    Instance(ResourceInstanceAddr),
}

/// Applies the `moved` blocks of every module to the prior state. Returns the moved state
/// and, for each object moved, its address before.
pub fn apply_moves(
    modules: &[&ModuleNode],
    prior: &Prior,
) -> (
    Prior,
    BTreeMap<ResourceInstanceAddr, ResourceInstanceAddr>,
    Diagnostics,
) {
    let mut diags = Diagnostics::new();
    let mut out = prior.clone();
    let mut moved_from: BTreeMap<ResourceInstanceAddr, ResourceInstanceAddr> = BTreeMap::new();
    for m in modules {
        // Moves are written relative to their module; only single-instance module paths can
        // be named statically.
        let base = ModuleInstance(
            m.path
                .iter()
                .map(|n| terrane_types::ModuleStep {
                    name: n.clone(),
                    key: None,
                })
                .collect(),
        );
        for mv in &m.module.moved {
            match (endpoint(&mv.from, &base), endpoint(&mv.to, &base)) {
                (Some(from), Some(to)) => {
                    if let Err(d) = check_kinds(&from, &to, mv) {
                        diags.push(d);
                        continue;
                    }
                    move_objects(&mut out, &from, &to, &mut moved_from);
                }
                (None, _) => diags.push(bad_endpoint(&mv.from)),
                (_, None) => diags.push(bad_endpoint(&mv.to)),
            }
        }
    }
    (out, moved_from, diags)
}

fn bad_endpoint(e: &Expr) -> Diagnostic {
    Diagnostic::error("Invalid address")
        .with_detail("A moved block's from and to must be addresses of a resource, a resource instance, or a module call, like aws_instance.web, aws_instance.web[0] or module.network.")
        .with_span(e.span)
}

fn check_kinds(from: &Endpoint, to: &Endpoint, mv: &Moved) -> Result<(), Diagnostic> {
    let same_kind = matches!(
        (from, to),
        (Endpoint::Module(_), Endpoint::Module(_))
            | (Endpoint::Resource(_), Endpoint::Resource(_))
            | (Endpoint::Instance(_), Endpoint::Instance(_))
    );
    let resource_type = |e: &Endpoint| match e {
        Endpoint::Resource(r) => Some(r.type_name.clone()),
        Endpoint::Instance(i) => Some(i.resource.type_name.clone()),
        Endpoint::Module(_) => None,
    };
    if !same_kind {
        return Err(Diagnostic::error("Invalid \"moved\" addresses")
            .with_detail("The from and to addresses must both name modules, both resources, or both resource instances.")
            .with_span(mv.span));
    }
    if resource_type(from) != resource_type(to) {
        return Err(Diagnostic::error("Resource type mismatch")
            .with_detail("A moved block cannot change a resource's type: the from and to addresses must have the same resource type.")
            .with_span(mv.span));
    }
    Ok(())
}

fn move_objects(
    prior: &mut Prior,
    from: &Endpoint,
    to: &Endpoint,
    moved_from: &mut BTreeMap<ResourceInstanceAddr, ResourceInstanceAddr>,
) {
    let renames: Vec<(ResourceInstanceAddr, ResourceInstanceAddr)> = prior
        .objects
        .keys()
        .filter_map(|a| {
            let new = match (from, to) {
                (Endpoint::Instance(f), Endpoint::Instance(t)) if a == f => t.clone(),
                (Endpoint::Resource(f), Endpoint::Resource(t)) if a.resource == *f => {
                    t.instance(a.key.clone())
                }
                (Endpoint::Module(f), Endpoint::Module(t))
                    if a.resource.module.0.starts_with(&f.0) =>
                {
                    let mut steps = t.0.clone();
                    steps.extend(a.resource.module.0[f.0.len()..].iter().cloned());
                    ResourceInstanceAddr {
                        resource: ResourceAddr {
                            module: ModuleInstance(steps),
                            ..a.resource.clone()
                        },
                        key: a.key.clone(),
                    }
                }
                _ => return None,
            };
            Some((a.clone(), new))
        })
        .collect();
    for (old, new) in renames {
        // An object already at the destination stays; Terraform reports such a move as
        // ineffective rather than overwriting.
        if prior.objects.contains_key(&new) {
            continue;
        }
        if let Some(obj) = prior.objects.remove(&old) {
            let original = moved_from.remove(&old).unwrap_or(old);
            moved_from.insert(new.clone(), original);
            prior.objects.insert(new, obj);
        }
    }
}

/// Reads `module.a.aws_instance.b[0]`-style addresses, relative to `base`.
fn endpoint(e: &Expr, base: &ModuleInstance) -> Option<Endpoint> {
    let (root, ops) = e.as_static_traversal()?;
    let mut names: Vec<(String, Option<InstanceKey>)> = vec![(root.name, None)];
    for op in ops {
        match op {
            Traverser::Attr(a) => names.push((a.name, None)),
            Traverser::Index(idx, _) => {
                let key = match &idx.kind {
                    ExprKind::Literal(Value::Number(n)) => InstanceKey::Int(n.to_i64()?),
                    ExprKind::Literal(Value::String(s)) => InstanceKey::Str(s.clone()),
                    ExprKind::Template(t) => match t.parts.as_slice() {
                        [terrane_lang::ast::TemplatePart::Literal(s)] => {
                            InstanceKey::Str(s.clone())
                        }
                        _ => return None,
                    },
                    _ => return None,
                };
                names.last_mut()?.1 = Some(key);
            }
            Traverser::LegacyIndex(n, _) => {
                names.last_mut()?.1 = Some(InstanceKey::Int(i64::try_from(n).ok()?));
            }
            _ => return None,
        }
    }
    let mut module = base.clone();
    let mut i = 0;
    while i + 1 < names.len() && names[i].0 == "module" && names[i].1.is_none() {
        let (name, key) = names[i + 1].clone();
        module = module.child(&name, key);
        i += 2;
    }
    let resource = |mode, ty: &str, name: &str, key: &Option<InstanceKey>| {
        let r = ResourceAddr {
            module: module.clone(),
            mode,
            type_name: ty.to_owned(),
            name: name.to_owned(),
        };
        match key {
            Some(k) => Endpoint::Instance(r.instance(Some(k.clone()))),
            None => Endpoint::Resource(r),
        }
    };
    match &names[i..] {
        [] => Some(Endpoint::Module(module.clone())),
        [(ty, None), (name, key)] => Some(resource(ResourceMode::Managed, ty, name, key)),
        [(data, None), (ty, None), (name, key)] if data == "data" => {
            Some(resource(ResourceMode::Data, ty, name, key))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_lang::syntax::parse_expr;
    use terrane_types::FileId;

    fn ep(src: &str) -> Option<Endpoint> {
        endpoint(
            &parse_expr(src, FileId(0), 0).unwrap(),
            &ModuleInstance::root(),
        )
    }

    #[test]
    fn endpoints_name_resources_instances_and_modules() {
        assert!(matches!(
            ep("aws_instance.web"),
            Some(Endpoint::Resource(_))
        ));
        assert!(matches!(
            ep("aws_instance.web[0]"),
            Some(Endpoint::Instance(_))
        ));
        assert!(matches!(
            ep("aws_instance.web[\"a\"]"),
            Some(Endpoint::Instance(_))
        ));
        assert!(matches!(ep("module.net"), Some(Endpoint::Module(_))));
        let Some(Endpoint::Resource(r)) = ep("module.net.aws_vpc.main") else {
            panic!()
        };
        assert_eq!(r.to_string(), "module.net.aws_vpc.main");
        assert_eq!(ep("var.x.y.z"), None);
    }
}
