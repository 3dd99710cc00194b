//! NestJS half of `auth-rate-limit`: `@Post()`/`@Put()`/`@Patch()` handlers
//! whose path (a string or an array of strings) says login/token/OTP/...,
//! or, without a path, whose method name does. `@Throttle()` or a
//! `ThrottlerGuard` on the handler or its controller counts as a limit.
//! `@SkipThrottle()` on the handler, or on the controller when the handler
//! does not override it, switches throttling off; the handler's
//! `@SkipThrottle({ default: false })` (or `@SkipThrottle(false)`) switches
//! it back on, as `@nestjs/throttler` reads the handler's setting first.

use super::auth_rate_limit::{is_auth_path, purpose, re, AUTH_NAME, LIMIT_WORD, NOT_AUTH};
use super::limits_common::{js_obj_get, N};
use super::nest::{class_decorators, class_of, deco_call, method_decorators, route_paths};
use super::Hit;
use crate::facts::{FactKind, Unless};
use crate::parse::fields::FieldOf;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

/// A `ThrottlerGuard` registered for the whole app, in any file of the
/// package, covers every handler without a `@SkipThrottle()`.
const GLOBAL_THROTTLER: Unless = Unless {
    kind: FactKind::GlobalRateLimit,
    detail: std::borrow::Cow::Borrowed(crate::facts::code::NEST),
};

static CAMEL: LazyLock<Regex> = LazyLock::new(|| re(r"([a-z0-9])([A-Z])"));

/// What a `@SkipThrottle(...)` decorator says about the default throttler.
#[derive(Clone, Copy, PartialEq)]
enum Skip {
    /// `@SkipThrottle()`, `(true)`, `({ default: true })`: not throttled.
    Off,
    /// `(false)`, `({ default: false })`: throttled again.
    On,
    /// Only named throttlers skipped (`{ short: true }`), or unreadable:
    /// throttling is in use.
    Some,
}

fn skip_of(d: &N<'_>) -> Option<Skip> {
    let (name, args) = deco_call(d)?;
    if name != "SkipThrottle" {
        return None;
    }
    let Some(arg) = args.first() else {
        return Some(Skip::Off);
    };
    let flag = |v: &N<'_>| match v.text().trim() {
        "true" => Some(Skip::Off),
        "false" => Some(Skip::On),
        _ => None,
    };
    Some(match arg.kind().as_ref() {
        "object" => js_obj_get(arg, "default")
            .and_then(|v| flag(&v))
            .unwrap_or(Skip::Some),
        _ => flag(arg).unwrap_or(Skip::Some),
    })
}

/// A decorator other than `@SkipThrottle` that says throttle/limit.
fn limits(decos: &[N<'_>]) -> bool {
    decos
        .iter()
        .any(|d| skip_of(d).is_none() && LIMIT_WORD.is_match(&d.text()))
}

/// A controller method: reported when it handles an auth route without
/// throttling, or opts out of it.
pub(super) fn nest_method(def: &N<'_>, out: &mut Vec<Hit>) {
    let decos = method_decorators(def);
    let Some((route, (paths, named))) = decos
        .iter()
        .find_map(|d| route_paths(d, &["Post", "Put", "Patch"]).map(|p| (d, p)))
    else {
        return;
    };
    let name = def
        .field_of("name")
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    let shown = if named {
        match paths
            .iter()
            .find(|p| is_auth_path(&format!("/{}", p.trim_start_matches('/'))))
        {
            Some(p) => p.clone(),
            None => return,
        }
    } else if AUTH_NAME.is_match(&CAMEL.replace_all(&name, "${1}_${2}").to_ascii_lowercase()) {
        name.clone()
    } else {
        return;
    };
    let class = class_of(def);
    let class_decos = class.as_ref().map(class_decorators).unwrap_or_default();
    let class_text: String = class_decos.iter().map(|d| d.text().to_string()).collect();
    let class_name = class
        .as_ref()
        .and_then(|c| c.field_of("name"))
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    if NOT_AUTH.is_match(&class_name) || NOT_AUTH.is_match(&class_text) {
        return;
    }
    let method_skip = decos.iter().find_map(skip_of);
    let class_skip = class_decos.iter().find_map(skip_of);
    let (what, sev) = purpose(&shown);
    let range = route.range().start..def.range().end;
    match method_skip.or(class_skip) {
        Some(Skip::Off) => {
            let whose = if method_skip.is_some() {
                ""
            } else {
                " (on its controller)"
            };
            out.push(
                Hit::new(range, format!("auth handler `{name}` opts out of throttling with `@SkipThrottle()`{whose}, so {what}"))
                    .severity(sev)
                    .confidence(Confidence::High),
            );
        }
        Some(Skip::On | Skip::Some) => {}
        None if limits(&decos) || limits(&class_decos) => {}
        None => out.push(
            Hit::new(range, format!("auth handler `{name}` (`{shown}`) has no `@Throttle()`/`ThrottlerGuard`, so {what} unless a global ThrottlerGuard is registered"))
                .severity(sev)
                .confidence(Confidence::Low)
                .unless(GLOBAL_THROTTLER),
        ),
    }
}
