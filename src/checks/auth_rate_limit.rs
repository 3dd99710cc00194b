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
//! `SlowAPIMiddleware`, flask-limiter `default_limits`). Settings in other
//! files (DRF `DEFAULT_THROTTLE_CLASSES`, a global Nest `ThrottlerGuard`,
//! django-axes) cannot be seen, so those findings are medium or low
//! confidence.

use super::limits_common::{js_args, py_kwarg, py_positional, strip_quotes, N};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use regex::Regex;
use std::sync::LazyLock;

pub struct AuthRateLimit;

impl Check for AuthRateLimit {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(tree) = file.code() else { return };
        let root = tree.root();
        match file.language {
            Language::Python => python(file, &root, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => js(file, &root, out),
            _ => {}
        }
    }
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("constant regex")
}

static AUTH_PATH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(^|/)(log[-_]?in|sign[-_]?in|sign[-_]?up|register|registration|token|otp|mfa|2fa|totp|forgot[-_]?password|reset[-_]?password|password[-_]?reset|password[-_]?recovery|recover[-_]?password|password/(reset|forgot|recover)|verify([-_]?(otp|code|phone|sms|mfa|2fa|totp))?|magic[-_]?link|authenticate)(/|$|\.|\?|:|\{|<|\[)",
    )
});
static NOT_AUTH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(refresh|revoke|logout|log[-_]out|introspect|jwks|callback|webhook|token/verify|verify[-_]?token|validate|google|facebook|apple|github|gitlab|twitter|microsoft|azure|saml|sso|social)",
    )
});
static AUTH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(api_|user_|do_|handle_|post_)?(login|log_in|signin|sign_in|signup|sign_up|register|register_user|login_for_access_token|obtain_token|token|forgot_password|reset_password|password_reset|request_password_reset|verify_otp|verify_code|verify_mfa|verify_2fa)(_view|_api|_endpoint|_handler)?$",
    )
});
static LIMIT_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(limit|throttl|brute|slow_?down|lockout|axes)"));
static BODY_LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(rate_?limit|limiter|throttl|lockout|locked_out|failed_(login_)?attempts|login_attempts|too_?many|brute|\.consume\()",
    )
});
static VIEW_BASE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(APIView|GenericAPIView|ViewSet|CreateAPIView|ObtainAuthToken|TokenObtain\w*|TokenViewBase|LoginView|PasswordResetView|FormView|\bView\b|KnoxLoginView|\bResource\b|MethodView|HTTPEndpoint)",
    )
});
static AUTH_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(login|signin|signup|register|registration|obtaintoken|tokenobtain|obtainauthtoken|^(custom|jwt|auth|api)?token$|passwordreset|resetpassword|forgotpassword|otp|mfa|twofactor|verifycode)",
    )
});

/// What kind of endpoint a path or name is, for severity and message.
static BLUEPRINT_LIMIT: LazyLock<Regex> =
    LazyLock::new(|| re(r"limiter\.limit\([^)]*\)\s*\(\s*\w+\s*\)"));
static VIEW_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| re(r"(APIView|ViewSet|View|API|Api|Resource)$"));
static EMPTY_THROTTLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"throttle_classes\s*=\s*(\[\s*\]|\(\s*\))"));
static STOCK_VIEW: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(LoginView|PasswordResetView|ObtainAuthToken|obtain_auth_token|obtain_jwt_token|TokenObtainPairView|TokenObtainSlidingView|KnoxLoginView)\b",
    )
});
static AUTHENTICATED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(current_?user|get_current|active_user|login_required|jwt_required|auth_required|IsAuthenticated)",
    )
});
static HTTP_CLIENT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(axios|^https?$|client|request|agent|supertest|^got$|^ky$|fetch|\$http|httpService|instance)",
    )
});
static CAMEL: LazyLock<Regex> = LazyLock::new(|| re(r"([a-z0-9])([A-Z])"));

fn purpose(s: &str) -> (&'static str, Severity) {
    let l = s.to_ascii_lowercase();
    if l.contains("otp")
        || l.contains("mfa")
        || l.contains("2fa")
        || l.contains("verify")
        || l.contains("twofactor")
    {
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

fn is_auth_path(path: &str) -> bool {
    AUTH_PATH.is_match(path) && !NOT_AUTH.is_match(path)
}

fn python(file: &ParsedFile, root: &N<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    // App-wide limiters visible in this file.
    if text.contains("SlowAPIMiddleware")
        || text.contains("default_limits")
        || BLUEPRINT_LIMIT.is_match(text)
        || root.dfs().any(|n| {
            n.kind() == "call"
                && n.field("function").is_some_and(|f| {
                    let f = f.text();
                    f.ends_with("APIRouter") || f.ends_with("FastAPI") || f.ends_with("Blueprint")
                })
                && n.field("arguments")
                    .is_some_and(|a| LIMIT_WORD.is_match(&a.text()))
        })
    {
        return;
    }
    let is_django = text.contains("django") || text.contains("rest_framework");

    for node in root.dfs() {
        match node.kind().as_ref() {
            "function_definition" => py_function(&node, is_django, out),
            "class_definition" => py_class(&node, out),
            "call" if is_django => django_url(file, &node, out),
            _ => {}
        }
    }
}

fn decorators_of<'r>(def: &N<'r>) -> Vec<N<'r>> {
    def.parent()
        .filter(|p| p.kind() == "decorated_definition")
        .map(|p| p.children().filter(|c| c.kind() == "decorator").collect())
        .unwrap_or_default()
}

fn py_function(def: &N<'_>, is_django: bool, out: &mut Vec<Hit>) {
    let Some(name) = def.field("name").map(|n| n.text().to_string()) else {
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
            .field("function")
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
    let params = def
        .field("parameters")
        .map(|p| p.text().to_string())
        .unwrap_or_default();
    let body = def
        .field("body")
        .map(|b| b.text().to_string())
        .unwrap_or_default();
    if limited || LIMIT_WORD.is_match(&params) || BODY_LIMIT.is_match(&body) {
        return;
    }
    let report = def.field("name").map_or(def.range(), |n| n.range());
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
        .field("parameters")
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

fn re_plain_resource(bases: &str) -> bool {
    (bases.contains("Resource") || bases.contains("MethodView") || bases.contains("HTTPEndpoint"))
        && !bases.contains("APIView")
        && !bases.contains("ViewSet")
}

fn py_class(class: &N<'_>, out: &mut Vec<Hit>) {
    let Some(name) = class.field("name") else {
        return;
    };
    let name_text = name.text().to_string();
    let bases = class
        .field("superclasses")
        .map(|s| s.text().to_string())
        .unwrap_or_default();
    if !VIEW_BASE.is_match(&bases) {
        return;
    }
    let body_text = class
        .field("body")
        .map(|b| b.text().to_string())
        .unwrap_or_default();
    // Flask-RESTful / MethodView / Starlette endpoints: only POST handlers.
    let plain = re_plain_resource(&bases);
    if plain && !body_text.contains("def post") {
        return;
    }
    let stem = VIEW_SUFFIX.replace(&name_text, "").to_string();
    // A bare `Token` view is a login only outside CRUD viewsets.
    if stem.eq_ignore_ascii_case("token") && bases.contains("ViewSet") {
        return;
    }
    if !AUTH_CLASS.is_match(&stem)
        || NOT_AUTH.is_match(&stem)
        || stem.to_ascii_lowercase().contains("tokenverify")
    {
        return;
    }
    let body = class
        .field("body")
        .map(|b| b.text().to_string())
        .unwrap_or_default();
    let disabled = EMPTY_THROTTLE.is_match(&body);
    let decorated = decorators_of(class)
        .iter()
        .any(|d| LIMIT_WORD.is_match(&d.text()));
    if !disabled && (decorated || BODY_LIMIT.is_match(&body) || body.contains("throttle_scope")) {
        return;
    }
    let (what, sev) = purpose(&stem);
    let msg = if disabled {
        format!("auth view `{name_text}` sets empty `throttle_classes`, switching off throttling, so {what}")
    } else if plain {
        format!("auth resource `{name_text}` has no rate limit (`decorators = [limiter.limit(...)]`), so {what}")
    } else if bases.contains("API") || bases.contains("ViewSet") || bases.contains("Token") {
        format!("auth view `{name_text}` sets no `throttle_classes` or rate-limit decorator, so {what} unless DEFAULT_THROTTLE_CLASSES covers it")
    } else {
        format!("auth view `{name_text}` has no rate-limit decorator (`@method_decorator(ratelimit(...))`), so {what} unless a lockout backend such as django-axes is installed")
    };
    out.push(
        Hit::new(name.range(), msg)
            .severity(sev)
            .confidence(if disabled {
                Confidence::High
            } else {
                Confidence::Medium
            }),
    );
}

/// `path("login/", auth_views.LoginView.as_view())` and friends in urls.py.
fn django_url(file: &ParsedFile, call: &N<'_>, out: &mut Vec<Hit>) {
    let func = call
        .field("function")
        .map(|f| f.text().to_string())
        .unwrap_or_default();
    if !matches!(func.as_str(), "path" | "re_path" | "url") {
        return;
    }
    let args = py_positional(call);
    let (Some(route), Some(view)) = (args.first(), args.get(1)) else {
        return;
    };
    let route = strip_quotes(route.text().trim_start_matches(['r', 'R'])).to_string();
    let view_text = view.text().to_string();
    if LIMIT_WORD.is_match(&view_text) {
        return;
    }
    let included = view_text.contains("django.contrib.auth.urls");
    let library = file.text.contains("django.contrib.auth")
        || file.text.contains("rest_framework.authtoken")
        || file.text.contains("rest_framework_simplejwt")
        || file.text.contains("knox");
    if included
        || (STOCK_VIEW.is_match(&view_text)
            && library
            && (is_auth_path(&format!("/{route}")) || route.is_empty()))
    {
        let (what, sev) = purpose(if included { "login" } else { &view_text });
        let shown = if included {
            "django.contrib.auth.urls".to_string()
        } else {
            view_text.clone()
        };
        out.push(
            Hit::new(
                call.range(),
                format!("route `{route}` serves the stock `{shown}` with no rate limit, so {what}"),
            )
            .severity(sev)
            .confidence(Confidence::Medium),
        );
    }
}

fn js(file: &ParsedFile, root: &N<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    // App-wide: app.use(rateLimit(...)), fastify.register(rateLimit, ...).
    let global = root.dfs().any(|n| {
        n.kind() == "call_expression"
            && n.field("function").is_some_and(|f| {
                f.kind() == "member_expression"
                    && f.field("property")
                        .is_some_and(|p| matches!(p.text().as_ref(), "use" | "register"))
            })
            && js_args(&n)
                .iter()
                .any(|a| a.kind() != "string" && LIMIT_WORD.is_match(&a.text()))
    });
    if global {
        return;
    }
    // Next.js route handlers: app/api/login/route.ts exporting POST.
    let path = file.rel_path.to_ascii_lowercase();
    if (path.ends_with("/route.ts") || path.ends_with("/route.js"))
        && is_auth_path(&path.replace("/route.", "/x."))
        && !BODY_LIMIT.is_match(text)
    {
        if let Some(f) = root.dfs().find(|n| {
            n.kind() == "function_declaration"
                && n.field("name").is_some_and(|x| x.text() == "POST")
        }) {
            let (what, sev) = purpose(&path);
            out.push(
                Hit::new(
                    f.range(),
                    format!(
                        "route handler `POST` in `{}` has no rate limiter, so {what}",
                        file.rel_path
                    ),
                )
                .severity(sev)
                .confidence(Confidence::Medium),
            );
        }
    }
    for node in root.dfs() {
        match node.kind().as_ref() {
            "call_expression" => js_route_call(&node, out),
            "method_definition" => nest_method(&node, out),
            _ => {}
        }
    }
}

fn js_route_call(call: &N<'_>, out: &mut Vec<Hit>) {
    let Some(func) = call.field("function") else {
        return;
    };
    if func.kind() != "member_expression" {
        return;
    }
    let method = func
        .field("property")
        .map(|p| p.text().to_string())
        .unwrap_or_default();
    if !matches!(method.as_str(), "post" | "put" | "patch" | "all") {
        return;
    }
    // HTTP clients (`axios.post('/login', body)`) are not routes.
    let receiver = func
        .field("object")
        .filter(|o| matches!(o.kind().as_ref(), "identifier" | "member_expression"))
        .map(|o| o.text().to_string())
        .unwrap_or_default();
    if HTTP_CLIENT.is_match(&receiver) {
        return;
    }
    let last_is_data = js_args(call).last().is_some_and(|a| {
        matches!(
            a.kind().as_ref(),
            "object" | "string" | "template_string" | "number"
        ) && !LIMIT_WORD.is_match(&a.text())
    });
    if last_is_data {
        return;
    }
    let args = js_args(call);
    let (path, handlers, start): (String, &[N<'_>], usize) = match args.first() {
        Some(a) if matches!(a.kind().as_ref(), "string" | "template_string") => (
            strip_quotes(&a.text()).to_string(),
            &args[1..],
            call.range().start,
        ),
        _ => {
            // router.route('/login').post(handler), possibly after .get(...)
            let mut obj = func.field("object");
            let mut found = None;
            while let Some(o) = obj {
                if o.kind() != "call_expression" {
                    break;
                }
                let f = o.field("function");
                if f.as_ref()
                    .and_then(|f| f.field("property"))
                    .is_some_and(|p| p.text() == "route")
                {
                    found = js_args(&o)
                        .first()
                        .map(|a| (strip_quotes(&a.text()).to_string(), a.range().start));
                    break;
                }
                obj = f.and_then(|f| f.field("object"));
            }
            match found {
                Some((p, start)) => (p, &args[..], start),
                None => return,
            }
        }
    };
    if handlers.is_empty() || !is_auth_path(&path) {
        return;
    }
    let Some((last, middle)) = handlers.split_last() else {
        return;
    };
    let limited =
        middle.iter().any(|a| LIMIT_WORD.is_match(&a.text())) || BODY_LIMIT.is_match(&last.text());
    if limited {
        return;
    }
    let (what, sev) = purpose(&path);
    out.push(
        Hit::new(
            start..call.range().end,
            format!(
                "auth route `{} {path}` has no rate-limit middleware, so {what}",
                method.to_ascii_uppercase()
            ),
        )
        .severity(sev),
    );
}

fn nest_method(def: &N<'_>, out: &mut Vec<Hit>) {
    let mut decos: Vec<N<'_>> = def.children().filter(|c| c.kind() == "decorator").collect();
    decos.extend(
        def.prev_all()
            .take_while(|p| matches!(p.kind().as_ref(), "decorator" | "comment"))
            .filter(|p| p.kind() == "decorator"),
    );
    let Some(route) = decos.iter().find(|d| {
        let t = d.text();
        t.starts_with("@Post(") || t.starts_with("@Put(") || t.starts_with("@Patch(")
    }) else {
        return;
    };
    let name = def
        .field("name")
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    let rt = route.text();
    let arg = rt
        .split_once('(')
        .map(|(_, a)| a.trim_end_matches(')'))
        .unwrap_or("");
    let path = strip_quotes(arg).to_string();
    let matched = if path.is_empty() {
        AUTH_NAME.is_match(&CAMEL.replace_all(&name, "${1}_${2}").to_ascii_lowercase())
    } else {
        is_auth_path(&format!("/{}", path.trim_start_matches('/')))
    };
    if !matched {
        return;
    }
    let skip = decos.iter().any(|d| d.text().contains("SkipThrottle"));
    let class_decos = def
        .ancestors()
        .find(|a| matches!(a.kind().as_ref(), "class_declaration" | "class"))
        .map(|c| {
            let mut t = String::new();
            for d in c.children().filter(|d| d.kind() == "decorator") {
                t.push_str(&d.text());
            }
            // `@UseGuards(...) export class X`: decorators sit in the export statement.
            let holder = c.parent().filter(|p| p.kind() == "export_statement");
            for d in holder
                .iter()
                .flat_map(|h| h.children())
                .filter(|d| d.kind() == "decorator")
            {
                t.push_str(&d.text());
            }
            for d in c
                .prev_all()
                .take_while(|p| matches!(p.kind().as_ref(), "decorator" | "comment"))
                .filter(|p| p.kind() == "decorator")
            {
                t.push_str(&d.text());
            }
            t
        })
        .unwrap_or_default();
    let class_name = def
        .ancestors()
        .find(|a| matches!(a.kind().as_ref(), "class_declaration" | "class"))
        .and_then(|c| c.field("name"))
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    if NOT_AUTH.is_match(&class_name) || NOT_AUTH.is_match(&class_decos) {
        return;
    }
    let limited = decos
        .iter()
        .any(|d| LIMIT_WORD.is_match(&d.text()) && !d.text().contains("SkipThrottle"))
        || (LIMIT_WORD.is_match(&class_decos) && !class_decos.contains("SkipThrottle"));
    let shown = if path.is_empty() {
        name.clone()
    } else {
        path.clone()
    };
    let (what, sev) = purpose(&shown);
    if skip {
        out.push(
            Hit::new(route.range().start..def.range().end, format!("auth handler `{name}` opts out of throttling with `@SkipThrottle()`, so {what}"))
                .severity(sev)
                .confidence(Confidence::High),
        );
    } else if !limited {
        out.push(
            Hit::new(route.range().start..def.range().end, format!("auth handler `{name}` (`{shown}`) has no `@Throttle()`/`ThrottlerGuard`, so {what} unless a global ThrottlerGuard is registered"))
                .severity(sev)
                .confidence(Confidence::Low),
        );
    }
}
