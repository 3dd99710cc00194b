//! Observability checks: structured logs, health endpoint, metrics, error
//! tracking.

use super::{capability_verdict as capability, Evidence, ProjectFacts, Status, Verdict};
use crate::facts::FactKind;

pub fn structured_logging(f: &ProjectFacts) -> Verdict {
    capability(
        f,
        "structured-logging",
        "structured logging",
        "python-json-logger, structlog, loguru, pino, winston JSON, bunyan, tracing-subscriber json",
        Status::Fail,
        false,
    )
}

pub fn health_endpoint(f: &ProjectFacts) -> Verdict {
    if f.frameworks().is_empty() {
        return Verdict::not_applicable("no web framework");
    }
    let ev: Vec<Evidence> = f
        .of(FactKind::HealthEndpoint)
        .map(|h| Evidence::at(h, format!("route `{}`", h.detail)))
        .collect();
    if ev.is_empty() {
        Verdict::new(
            Status::Fail,
            "no health endpoint",
            vec![Evidence::missing(
                "looked for routes such as /health, /healthz, /ready, /livez",
            )],
        )
    } else {
        Verdict::new(Status::Pass, "health endpoint present", ev)
    }
}

pub fn metrics_exported(f: &ProjectFacts) -> Verdict {
    capability(
        f,
        "metrics",
        "metrics export",
        "prometheus_client, prometheus-fastapi-instrumentator, django-prometheus, prom-client, OpenTelemetry, metrics-exporter-prometheus",
        Status::Fail,
        true,
    )
}

pub fn error_tracking(f: &ProjectFacts) -> Verdict {
    capability(
        f,
        "error-tracking",
        "error tracking",
        "sentry-sdk, @sentry/node, OpenTelemetry tracing, Rollbar, Bugsnag, Datadog APM",
        Status::Warn,
        true,
    )
}
