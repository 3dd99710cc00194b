//! NestJS decorators, shared by the checks that read controllers: a
//! decorator's call, a method's and a class's decorators wherever the
//! grammar puts them, and literal route paths.

use super::limits_common::{js_args, strip_quotes, N};
use crate::parse::fields::FieldOf;

/// The decorator's call: name (the last segment of `@x.Name(..)`) and
/// arguments. A bare `@Name` has no call and yields `None`.
pub(super) fn deco_call<'r>(d: &N<'r>) -> Option<(String, Vec<N<'r>>)> {
    let call = d.children().find(|c| c.kind() == "call_expression")?;
    let f = call.field_of("function")?;
    let name = f.text().rsplit('.').next().unwrap_or("").to_string();
    Some((name, js_args(&call)))
}

/// The decorators written just before `node` (comments between them allowed).
fn decorators_before<'a, 'r>(node: &'a N<'r>) -> impl Iterator<Item = N<'r>> + 'a {
    node.prev_all()
        .take_while(|p| matches!(p.kind().as_ref(), "decorator" | "comment"))
        .filter(|p| p.kind() == "decorator")
}

/// A method's decorators: its own children and the decorators just before
/// it in the class body.
pub(super) fn method_decorators<'r>(def: &N<'r>) -> Vec<N<'r>> {
    let mut decos: Vec<N<'r>> = def.children().filter(|c| c.kind() == "decorator").collect();
    decos.extend(decorators_before(def));
    decos
}

/// A class's decorators, wherever the grammar puts them: on the class, on
/// its `export` statement, or just before it.
pub(super) fn class_decorators<'r>(class: &N<'r>) -> Vec<N<'r>> {
    let mut decos: Vec<N<'r>> = class
        .children()
        .filter(|d| d.kind() == "decorator")
        .collect();
    if let Some(holder) = class.parent().filter(|p| p.kind() == "export_statement") {
        decos.extend(holder.children().filter(|d| d.kind() == "decorator"));
    }
    decos.extend(decorators_before(class));
    decos
}

/// The class a method is defined in.
pub(super) fn class_of<'r>(def: &N<'r>) -> Option<N<'r>> {
    def.ancestors()
        .find(|a| matches!(a.kind().as_ref(), "class_declaration" | "class"))
}

/// A string or a template without substitutions, unquoted.
pub(super) fn literal(a: &N<'_>) -> Option<String> {
    (a.kind() == "string"
        || a.kind() == "template_string"
            && !a.children().any(|c| c.kind() == "template_substitution"))
    .then(|| strip_quotes(&a.text()).to_string())
}

/// The literal paths of a route decorator named one of `verbs` (`@Get()`,
/// `@Post("login")`, `@Post(["login", "auth/login"])`): the non-empty
/// paths, and whether the decorator names any path (a path held in a
/// constant names one, but yields no string). `None` for other decorators.
pub(super) fn route_paths(d: &N<'_>, verbs: &[&str]) -> Option<(Vec<String>, bool)> {
    let (name, args) = deco_call(d)?;
    if !verbs.contains(&name.as_str()) {
        return None;
    }
    let Some(arg) = args.first() else {
        return Some((Vec::new(), false));
    };
    let paths: Vec<String> = if arg.kind() == "array" {
        arg.named_children().filter_map(|a| literal(&a)).collect()
    } else {
        literal(arg).into_iter().collect()
    };
    let named = paths.iter().any(|p| !p.is_empty()) || literal(arg).is_none();
    Some((paths.into_iter().filter(|p| !p.is_empty()).collect(), named))
}
