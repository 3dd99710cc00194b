//! Authentication endpoints (login, token, OTP, password reset, sign-up)
//! that nothing rate-limits. Python: FastAPI/Flask route decorators, DRF
//! `@action`s and class-based views, Django function views and `urls.py`
//! entries pointing at the stock login/token views. JavaScript/TypeScript:
//! Express/Fastify/Koa-style `router.post(path, ...)`, `.route(path).post`,
//! NestJS `@Post()` handlers and Next.js `route.ts` handlers.
//!
//! A limiter counts when it is visible in the same file: a decorator or
//! middleware argument whose name says limit/throttle/brute/slowDown, a
//! `Depends(RateLimiter(...))`, `throttle_classes`, a limiter called in the
//! handler body, or an app-wide limiter (`app.use(rateLimit(...))`,
//! `SlowAPIMiddleware`, flask-limiter `default_limits`). A Nest
//! `ThrottlerGuard` registered as `APP_GUARD`, or an Express-style
//! `app.use(limiter)` on the app (for all paths, or a mount path that can
//! hold auth routes), in another file of the same package withdraws the
//! Nest or Express findings after the scan (a project fact, see
//! `crate::facts::withdraw`). Other settings in other files (DRF
//! `DEFAULT_THROTTLE_CLASSES`, django-axes) cannot be seen, so those
//! findings are medium or low confidence. This file holds the shared vocabulary and the function-route
//! half; `auth_rate_limit_django` and `auth_rate_limit_js` hold the rest.

use super::idwords::ident_words;
use super::limits_common::{py_kwarg, py_positional, strip_quotes, N};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use regex::Regex;
use std::sync::LazyLock;

pub struct AuthRateLimit;

/// The auth words of `AUTH_PATH`, `AUTH_NAME` and `AUTH_CLASS`: `login`,
/// `log-in`/`log_in`, `sign[-_]?in`/`sign[-_]?up` (from `ign` on, which has
/// no `s`), `register`, `registration`, `token`, `otp` (also totp),
/// `mfa`, `2fa`, `password`, `verify`, `magic` (link), `authenticate`.
/// The regexes are Unicode case-insensitive: `s` also matches U+017F and
/// `k` U+212A, so words with those letters are listed in every spelling.
macro_rules! auth_words {
    ($($extra:literal),*) => {
        &[
            "login",
            "log-in",
            "log_in",
            "ignin",
            "ign-in",
            "ign_in",
            "ignup",
            "ign-up",
            "ign_up",
            "register",
            "regi\u{17f}ter",
            "registration",
            "regi\u{17f}tration",
            "token",
            "to\u{212a}en",
            "otp",
            "mfa",
            "2fa",
            "password",
            "pa\u{17f}sword",
            "pas\u{17f}word",
            "pa\u{17f}\u{17f}word",
            "verify",
            "magic",
            "authenticate",
            $($extra),*
        ]
    };
}
/// Python words of [`AuthRateLimit::anchors`].
const PY_ANCHORS: &[&str] = auth_words!("twofactor", "auth.urls");
/// JavaScript/TypeScript words of [`AuthRateLimit::anchors`].
const JS_ANCHORS: &[&str] = auth_words!("post");

impl Check for AuthRateLimit {
    /// Every hit needs one of these in the text. A route, view or handler
    /// is reported only when its path matches `AUTH_PATH`, its name
    /// `AUTH_NAME` (for Nest after camelCase becomes snake_case, which only
    /// inserts `_`, so `logIn` still contains `login`) or its class name
    /// `AUTH_CLASS` (Python, adding `twofactor`); `urls.py` entries need a
    /// `STOCK_VIEW` name (containing `login`, `password` or `token`) or
    /// `django.contrib.auth.urls`. A Next.js `route.ts` handler is judged by
    /// the file's path, not its text, and needs `function POST`, hence `post`
    /// for JavaScript/TypeScript.
    fn anchors(&self, language: Language) -> Option<&'static [&'static str]> {
        super::code_anchors(language, Some(PY_ANCHORS), Some(JS_ANCHORS), None)
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        match file.language {
            Language::Python => python(file, nodes, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                super::auth_rate_limit_js::js(file, nodes, out)
            }
            _ => {}
        }
    }
}

pub(super) fn re(s: &str) -> Regex {
    Regex::new(s).expect("constant regex")
}

static AUTH_PATH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(^|/)(log[-_]?in|sign[-_]?in|sign[-_]?up|register|registration|token|otp|mfa|2fa|totp|forgot[-_]?password|reset[-_]?password|password[-_]?reset|password[-_]?recovery|recover[-_]?password|password/(reset|forgot|recover)|verify([-_]?(otp|code|phone|sms|mfa|2fa|totp))?|magic[-_]?link|authenticate)(/|$|\.|\?|:|\{|<|\[)",
    )
});
pub(super) static NOT_AUTH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(refresh|revoke|cancel|logout|log[-_]out|introspect|jwks|callback|webhook|token/verify|verify[-_]?token|validate|google|facebook|apple|github|gitlab|twitter|microsoft|azure|saml|sso|social)",
    )
});
pub(super) static AUTH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(api_|user_|do_|handle_|post_)?(login|log_in|signin|sign_in|signup|sign_up|register|register_user|login_for_access_token|obtain_token|token|forgot_password|reset_password|password_reset|request_password_reset|verify_otp|verify_code|verify_mfa|verify_2fa)(_view|_api|_endpoint|_handler)?$",
    )
});
pub(super) static LIMIT_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(rate_?limit|limiter|\.limit\(|^@?limits?\(|throttl|brute|slow_?down|lockout|axes)")
});
pub(super) static BODY_LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(rate_?limit|limiter|throttl|lockout|locked_out|failed_(login_)?attempts|login_attempts|too_?many|brute|\.consume\()",
    )
});

/// What kind of endpoint a path or name is, for severity and message.
static BLUEPRINT_LIMIT: LazyLock<Regex> =
    LazyLock::new(|| re(r"limiter\.limit\([^)]*\)\s*\(\s*\w+\s*\)"));
static AUTHENTICATED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(current_?user|get_current|active_user|login_required|jwt_required|auth_required|IsAuthenticated)",
    )
});

/// Does a name or path say one-time code: `otp`, `totp`, `hotp` or `mfa`
/// as a word of its own (`SendOtpView`, `verify_mfa`, `/otp/verify`), not
/// inside another word (`FootprintView`, `teamFavorites`)?
pub(super) fn has_code_word(s: &str) -> bool {
    ident_words(s)
        .iter()
        .any(|w| matches!(w.as_str(), "otp" | "totp" | "hotp" | "mfa"))
}

pub(super) fn purpose(s: &str) -> (&'static str, Severity) {
    let l = s.to_ascii_lowercase();
    if has_code_word(s) || l.contains("2fa") || l.contains("verify") || l.contains("twofactor") {
        ("one-time codes can be brute-forced", Severity::High)
    } else if l.contains("password") {
        (
            "reset mails can be triggered in bulk and reset tokens guessed",
            Severity::High,
        )
    } else if l.contains("register")
        || l.contains("sign_up")
        || l.contains("signup")
        || l.contains("sign-up")
        || l.contains("registration")
    {
        (
            "accounts can be created in bulk by scripts",
            Severity::Medium,
        )
    } else {
        (
            "passwords can be guessed and stuffed at full speed",
            Severity::High,
        )
    }
}

/// PUT/PATCH on a login or sign-up path updates something (a client, a
/// profile); only password resets and code checks matter there.
pub(super) fn updates_allowed(method: &str, what: &str) -> bool {
    method.eq_ignore_ascii_case("post")
        || method.eq_ignore_ascii_case("all")
        || what.contains("one-time")
        || what.contains("reset")
}

pub(super) fn is_auth_path(path: &str) -> bool {
    AUTH_PATH.is_match(path) && !NOT_AUTH.is_match(path)
}

fn python(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    // App-wide limiters visible in this file.
    if text.contains("SlowAPIMiddleware")
        || text.contains("default_limits")
        || BLUEPRINT_LIMIT.is_match(text)
        || nodes.of_kind("call").any(|n| {
            n.field_of("function").is_some_and(|f| {
                let f = f.text();
                f.ends_with("APIRouter") || f.ends_with("FastAPI") || f.ends_with("Blueprint")
            }) && n
                .field_of("arguments")
                .is_some_and(|a| LIMIT_WORD.is_match(&a.text()))
        })
    {
        return;
    }
    let is_django = text.contains("django") || text.contains("rest_framework");

    for node in nodes.of_kinds(&["function_definition", "class_definition", "call"]) {
        match node.kind().as_ref() {
            "function_definition" => py_function(&node, is_django, out),
            "class_definition" => super::auth_rate_limit_django::py_class(&node, out),
            "call" if is_django => super::auth_rate_limit_django::django_url(file, &node, out),
            _ => {}
        }
    }
}

pub(super) fn decorators_of<'r>(def: &N<'r>) -> Vec<N<'r>> {
    def.parent()
        .filter(|p| p.kind() == "decorated_definition")
        .map(|p| p.children().filter(|c| c.kind() == "decorator").collect())
        .unwrap_or_default()
}

fn py_function(def: &N<'_>, is_django: bool, out: &mut Vec<Hit>) {
    let Some(name) = def.field_of("name").map(|n| n.text().to_string()) else {
        return;
    };
    let decorators = decorators_of(def);
    // Find the route decorator and its path.
    let mut route: Option<(String, String, usize)> = None; // (method, path, start)
    let mut limited = false;
    for d in &decorators {
        let Some(call) = d.children().find(|c| c.kind() == "call") else {
            if LIMIT_WORD.is_match(&d.text()) {
                limited = true;
            }
            continue;
        };
        let func = call
            .field_of("function")
            .map(|f| f.text().to_string())
            .unwrap_or_default();
        let attr = func.rsplit('.').next().unwrap_or("").to_string();
        let path_node = py_positional(&call)
            .into_iter()
            .next()
            .filter(|p| p.kind() == "string")
            .or_else(|| py_kwarg(&call, "path"))
            .or_else(|| py_kwarg(&call, "rule"))
            .or_else(|| py_kwarg(&call, "url_path"));
        let path = path_node
            .as_ref()
            .map(|p| strip_quotes(&p.text()).to_string());
        let mut rest = call.text().to_string();
        if let Some(p) = &path_node {
            rest = rest.replace(p.text().as_ref(), "");
        }
        if LIMIT_WORD.is_match(&rest) {
            limited = true;
        }
        let methods = py_kwarg(&call, "methods").map(|m| m.text().to_ascii_uppercase());
        let method = match attr.as_str() {
            "post" | "put" | "patch" => Some(attr.to_ascii_uppercase()),
            "route" | "api_route" | "action" => methods
                .as_deref()
                .filter(|m| m.contains("POST") || m.contains("PUT"))
                .map(|_| "POST".to_string()),
            _ => None,
        };
        if let Some(method) = method {
            if attr == "action" {
                route = Some((
                    method,
                    path.unwrap_or_else(|| name.clone()),
                    d.range().start,
                ));
            } else {
                route = Some((method, path.unwrap_or_default(), d.range().start));
            }
        }
    }
    // Most functions are neither routes nor Django auth views: leave them
    // before copying their text.
    if route.is_none() && !(is_django && AUTH_NAME.is_match(&name)) {
        return;
    }
    let params = def
        .field_of("parameters")
        .map(|p| p.text().to_string())
        .unwrap_or_default();
    let body = def
        .field_of("body")
        .map(|b| b.text().to_string())
        .unwrap_or_default();
    if limited || LIMIT_WORD.is_match(&params) || BODY_LIMIT.is_match(&body) {
        return;
    }
    let report = def.field_of("name").map_or(def.range(), |n| n.range());
    if let Some((method, path, start)) = route {
        let trivial = path.is_empty() || path == "/";
        let matched = if trivial {
            AUTH_NAME.is_match(&name)
        } else {
            is_auth_path(&path)
        };
        if !matched {
            return;
        }
        let (what, sev) = purpose(if trivial { &name } else { &path });
        if !updates_allowed(&method, what) {
            return;
        }
        // Behind authentication already: passwords cannot be sprayed here
        // (one-time codes still can).
        let decorator_text: String = decorators.iter().map(|d| d.text().to_string()).collect();
        if (AUTHENTICATED.is_match(&params) || AUTHENTICATED.is_match(&decorator_text))
            && !what.contains("one-time")
        {
            return;
        }
        let shown = if trivial { name.clone() } else { path.clone() };
        out.push(
            Hit::new(
                start..report.end,
                format!(
                    "auth endpoint `{method} {shown}` (`{name}`) has no rate limiter, so {what}"
                ),
            )
            .severity(sev),
        );
        return;
    }
    // Django / DRF function views: `def login_view(request)` handling a POST.
    let first_param = def
        .field_of("parameters")
        .and_then(|p| p.named_children().next())
        .map(|p| p.text().to_string())
        .unwrap_or_default();
    let in_class = def.ancestors().any(|a| a.kind() == "class_definition");
    if is_django
        && !in_class
        && first_param == "request"
        && AUTH_NAME.is_match(&name)
        && [
            "request.POST",
            "request.method",
            "authenticate(",
            "request.data",
        ]
        .iter()
        .any(|k| body.contains(k))
    {
        let (what, sev) = purpose(&name);
        out.push(
            Hit::new(report, format!("auth view `{name}` has no rate limit (`@ratelimit`, `throttle_classes`), so {what}"))
                .severity(sev)
                .confidence(Confidence::Medium),
        );
    }
}
