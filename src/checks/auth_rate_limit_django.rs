//! Django, DRF and class-based views for `auth-rate-limit`: login, token,
//! sign-up, OTP and password-reset view classes (DRF `APIView`s and
//! viewsets, Django auth views, Flask-RESTful `Resource`s, `MethodView`s)
//! without `throttle_classes` or a rate-limit decorator, explicit
//! `throttle_classes = []`, and `urls.py` entries serving the stock login
//! and token views.

use super::auth_rate_limit::{
    decorators_of, has_code_word, is_auth_path, purpose, re, BODY_LIMIT, LIMIT_WORD, NOT_AUTH,
};
use super::limits_common::{py_positional, strip_quotes, N};
use super::Hit;
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

static VIEW_BASE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(APIView|GenericAPIView|ViewSet|CreateAPIView|ObtainAuthToken|TokenObtain\w*|TokenViewBase|LoginView|PasswordResetView|FormView|\bView\b|KnoxLoginView|\bResource\b|MethodView|HTTPEndpoint)",
    )
});
static AUTH_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(login|signin|signup|register|registration|obtaintoken|tokenobtain|obtainauthtoken|^(custom|jwt|auth|api)?token$|passwordreset|resetpassword|forgotpassword|twofactor|verifycode)",
    )
});
static VIEW_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| re(r"(APIView|ViewSet|View|API|Api|Resource)$"));
/// `LoginACLViewSet`, `UserLoginLogViewSet`, `LoginAssetCheckAPI`: views
/// of records about logins (their logs, access rules, settings), not a
/// login.
static ABOUT_LOGINS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(log_?in|sign_?in|sign_?up|registration)_?(logs?|acls?|history|records?|settings?|config|polic(y|ies)|rules?|assets?|audits?|events?)",
    )
});
static MODEL_ATTR: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^\s*(model|queryset)\s*="));
static EMPTY_THROTTLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"throttle_classes\s*=\s*(\[\s*\]|\(\s*\))"));
static STOCK_VIEW: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(LoginView|PasswordResetView|ObtainAuthToken|obtain_auth_token|obtain_jwt_token|TokenObtainPairView|TokenObtainSlidingView|KnoxLoginView)\b",
    )
});

fn re_plain_resource(bases: &str) -> bool {
    (bases.contains("Resource") || bases.contains("MethodView") || bases.contains("HTTPEndpoint"))
        && !bases.contains("APIView")
        && !bases.contains("ViewSet")
}

pub(super) fn py_class(class: &N<'_>, out: &mut Vec<Hit>) {
    let Some(name) = class.field_of("name") else {
        return;
    };
    let name_text = name.text().to_string();
    let bases = class
        .field_of("superclasses")
        .map(|s| s.text().to_string())
        .unwrap_or_default();
    if !VIEW_BASE.is_match(&bases) {
        return;
    }
    let body_text = class
        .field_of("body")
        .map(|b| b.text().to_string())
        .unwrap_or_default();
    // Flask-RESTful / MethodView / Starlette endpoints: only POST handlers.
    let plain = re_plain_resource(&bases);
    if plain && !body_text.contains("def post") {
        return;
    }
    let stem = VIEW_SUFFIX.replace(&name_text, "").to_string();
    // A bare `Token` view is a login only outside CRUD viewsets, and a
    // token viewset over a model (`model =`, `queryset =`) manages stored
    // tokens for a signed-in user: it issues none for credentials.
    if bases.contains("ViewSet")
        && (stem.eq_ignore_ascii_case("token")
            || (stem.to_ascii_lowercase().ends_with("token") && MODEL_ATTR.is_match(&body_text)))
    {
        return;
    }
    // A read-only viewset takes no credentials.
    if bases.to_ascii_lowercase().contains("readonly") {
        return;
    }
    if !(AUTH_CLASS.is_match(&stem) || has_code_word(&stem))
        || NOT_AUTH.is_match(&stem)
        || ABOUT_LOGINS.is_match(&stem)
        || stem.to_ascii_lowercase().contains("tokenverify")
    {
        return;
    }
    let body = class
        .field_of("body")
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
pub(super) fn django_url(file: &ParsedFile, call: &N<'_>, out: &mut Vec<Hit>) {
    let func = call
        .field_of("function")
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
