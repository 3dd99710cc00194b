//! Libraries that provide a readiness capability, by the names they are
//! imported or declared under. One table for every language and manifest.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    RateLimiting,
    StructuredLogging,
    Metrics,
    ErrorTracking,
    SecurityHeaders,
    TypedSettings,
    WebFramework,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::RateLimiting => "rate-limiting",
            Capability::StructuredLogging => "structured-logging",
            Capability::Metrics => "metrics",
            Capability::ErrorTracking => "error-tracking",
            Capability::SecurityHeaders => "security-headers",
            Capability::TypedSettings => "typed-settings",
            Capability::WebFramework => "web-framework",
        }
    }
}

/// (package or module name, capability). Names are matched after
/// normalisation: lower case, `_` and `-` equal, and for imports the first
/// path segment (`flask_limiter.util` → `flask-limiter`).
pub const LIBRARIES: &[(&str, Capability)] = &[
    // Rate limiting
    ("slowapi", Capability::RateLimiting),
    ("fastapi-limiter", Capability::RateLimiting),
    ("flask-limiter", Capability::RateLimiting),
    ("django-ratelimit", Capability::RateLimiting),
    ("django-axes", Capability::RateLimiting),
    ("limits", Capability::RateLimiting),
    ("express-rate-limit", Capability::RateLimiting),
    ("rate-limiter-flexible", Capability::RateLimiting),
    ("express-slow-down", Capability::RateLimiting),
    ("@nestjs/throttler", Capability::RateLimiting),
    ("tower-governor", Capability::RateLimiting),
    ("governor", Capability::RateLimiting),
    ("actix-governor", Capability::RateLimiting),
    // Structured logging
    ("python-json-logger", Capability::StructuredLogging),
    ("pythonjsonlogger", Capability::StructuredLogging),
    ("structlog", Capability::StructuredLogging),
    ("loguru", Capability::StructuredLogging),
    ("pino", Capability::StructuredLogging),
    ("pino-http", Capability::StructuredLogging),
    ("winston", Capability::StructuredLogging),
    ("bunyan", Capability::StructuredLogging),
    ("nestjs-pino", Capability::StructuredLogging),
    ("tracing-subscriber", Capability::StructuredLogging),
    ("slog-json", Capability::StructuredLogging),
    // Metrics
    ("prometheus-client", Capability::Metrics),
    ("prometheus-fastapi-instrumentator", Capability::Metrics),
    ("django-prometheus", Capability::Metrics),
    ("prom-client", Capability::Metrics),
    ("express-prom-bundle", Capability::Metrics),
    ("prometheus", Capability::Metrics),
    ("metrics-exporter-prometheus", Capability::Metrics),
    ("opentelemetry", Capability::Metrics),
    ("opentelemetry-sdk", Capability::Metrics),
    ("@opentelemetry/api", Capability::Metrics),
    ("@opentelemetry/sdk-node", Capability::Metrics),
    ("statsd", Capability::Metrics),
    ("datadog", Capability::Metrics),
    ("ddtrace", Capability::ErrorTracking),
    // Error tracking / tracing
    ("sentry-sdk", Capability::ErrorTracking),
    ("@sentry/node", Capability::ErrorTracking),
    ("@sentry/nestjs", Capability::ErrorTracking),
    ("sentry", Capability::ErrorTracking),
    ("rollbar", Capability::ErrorTracking),
    ("bugsnag", Capability::ErrorTracking),
    ("opentelemetry-instrumentation", Capability::ErrorTracking),
    (
        "@opentelemetry/auto-instrumentations-node",
        Capability::ErrorTracking,
    ),
    ("tracing-opentelemetry", Capability::ErrorTracking),
    ("dd-trace", Capability::ErrorTracking),
    ("newrelic", Capability::ErrorTracking),
    // Security headers
    ("helmet", Capability::SecurityHeaders),
    ("flask-talisman", Capability::SecurityHeaders),
    ("secure", Capability::SecurityHeaders),
    ("django-csp", Capability::SecurityHeaders),
    ("tower-http", Capability::SecurityHeaders),
    ("actix-web-httpauth", Capability::SecurityHeaders),
    // Typed settings
    ("pydantic-settings", Capability::TypedSettings),
    ("envalid", Capability::TypedSettings),
    ("env-schema", Capability::TypedSettings),
    ("@t3-oss/env-core", Capability::TypedSettings),
    ("envy", Capability::TypedSettings),
    ("config", Capability::TypedSettings),
    ("figment", Capability::TypedSettings),
    ("environs", Capability::TypedSettings),
    // Web frameworks
    ("fastapi", Capability::WebFramework),
    ("flask", Capability::WebFramework),
    ("django", Capability::WebFramework),
    ("djangorestframework", Capability::WebFramework),
    ("rest-framework", Capability::WebFramework),
    ("starlette", Capability::WebFramework),
    ("express", Capability::WebFramework),
    ("@nestjs/core", Capability::WebFramework),
    ("fastify", Capability::WebFramework),
    ("koa", Capability::WebFramework),
    ("hapi", Capability::WebFramework),
    ("axum", Capability::WebFramework),
    ("actix-web", Capability::WebFramework),
    ("rocket", Capability::WebFramework),
    ("warp", Capability::WebFramework),
];

/// Normalise a package or module name for look-up.
pub fn normalize(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase().replace('_', "-");
    if lower.starts_with('@') {
        // Scoped npm packages keep their scope: `@sentry/node/x` → `@sentry/node`.
        return lower.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
    }
    lower
        .split(['.', '/', ':'])
        .next()
        .unwrap_or("")
        .to_string()
}

pub fn capabilities_of(name: &str) -> impl Iterator<Item = Capability> + '_ {
    let norm = normalize(name);
    LIBRARIES
        .iter()
        .filter(move |(lib, _)| *lib == norm || (lib.starts_with('@') && norm.starts_with(lib)))
        .map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("flask_limiter.util"), "flask-limiter");
        assert_eq!(normalize("@sentry/node"), "@sentry/node");
        assert_eq!(normalize("@opentelemetry/api/build"), "@opentelemetry/api");
        assert_eq!(normalize("tracing_subscriber::fmt"), "tracing-subscriber");
        assert!(capabilities_of("slowapi.util").any(|c| c == Capability::RateLimiting));
        assert!(capabilities_of("django.db").any(|c| c == Capability::WebFramework));
    }
}
