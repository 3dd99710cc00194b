//! Security checks: rate limiting, security headers, secrets validated at
//! startup, vulnerability scanning in CI.

use super::{capability_verdict, Evidence, ProjectFacts, Status, Verdict};
use crate::facts::FactKind;

fn capability_check(
    f: &ProjectFacts,
    cap: &str,
    what: &str,
    looked_for: &str,
    missing: Status,
) -> Verdict {
    capability_verdict(f, cap, what, looked_for, missing, true)
}

pub fn rate_limiting(f: &ProjectFacts) -> Verdict {
    capability_check(
        f,
        "rate-limiting",
        "rate limiting",
        "slowapi, fastapi-limiter, flask-limiter, django-ratelimit, DRF DEFAULT_THROTTLE_CLASSES, express-rate-limit, rate-limiter-flexible, @nestjs/throttler, tower-governor",
        Status::Fail,
    )
}

pub fn security_headers(f: &ProjectFacts) -> Verdict {
    capability_check(
        f,
        "security-headers",
        "security headers",
        "helmet, flask-talisman, Django SecurityMiddleware, secure, tower-http",
        Status::Fail,
    )
}

pub fn secrets_validated(f: &ProjectFacts) -> Verdict {
    if f.metrics.total_code_lines == 0 {
        return Verdict::not_applicable("no code");
    }
    let mut ev: Vec<Evidence> = f
        .of(FactKind::TypedSettings)
        .map(|t| Evidence::at(t, t.detail.clone()))
        .collect();
    ev.extend(
        f.of(FactKind::Capability)
            .filter(|c| c.detail == "typed-settings")
            .map(|c| Evidence::at(c, "settings validation library")),
    );
    if ev.is_empty() {
        Verdict::new(
            Status::Warn,
            "no typed settings: a missing secret is noticed only when first used",
            vec![Evidence::missing(
                "looked for pydantic BaseSettings, envalid, env-schema, envy, figment, environs",
            )],
        )
    } else {
        Verdict::new(Status::Pass, "settings are validated at startup", ev)
    }
}

pub fn ci_security_scan(f: &ProjectFacts) -> Verdict {
    if f.first(FactKind::CiPipeline).is_none() {
        return Verdict::not_applicable("no CI pipeline");
    }
    let ev: Vec<Evidence> = f
        .of(FactKind::CiSecurityScan)
        .map(|s| Evidence::at(s, format!("runs `{}`", s.detail)))
        .collect();
    if ev.is_empty() {
        Verdict::new(
            Status::Fail,
            "CI does not scan dependencies or code for vulnerabilities",
            vec![Evidence::missing("looked for bandit, pip-audit, npm audit, cargo audit/deny, semgrep, trivy, snyk, CodeQL")],
        )
    } else {
        Verdict::new(Status::Pass, "CI scans for vulnerabilities", ev)
    }
}
