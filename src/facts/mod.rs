//! Facts: what each file tells about the whole project ("uses slowapi",
//! "defines GET /health", "Dockerfile sets USER app", "CI runs pytest").
//!
//! Facts are collected in the same per-file pass as findings, from the tree
//! already parsed, and merged afterwards; project checks (src/project/) read
//! only facts, never files.

pub mod code;
mod config;
pub mod libraries;

use crate::parse::ParsedFile;
use serde::{Deserialize, Serialize};

/// What a fact says. The `detail` of a [`Fact`] qualifies it (a library
/// name, a route, a service name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactKind {
    /// A library is used (imported in code or declared in a manifest).
    UsesLibrary,
    /// A capability is configured: detail is a [`libraries::Capability`] name.
    Capability,
    /// An HTTP route whose path looks like a health/readiness probe.
    HealthEndpoint,
    /// Code handles SIGTERM or configures graceful shutdown.
    GracefulShutdown,
    /// Settings read through a typed settings class or schema.
    TypedSettings,
    /// A Dockerfile's final stage: detail is the base image.
    DockerBaseImage,
    /// A Dockerfile sets a non-root USER in its final stage (detail: user).
    DockerNonRootUser,
    /// A Dockerfile whose final stage runs as root (no USER, or USER root).
    DockerRootUser,
    DockerHealthcheck,
    /// A compose service (detail: name).
    ComposeService,
    ComposeHealthcheck,
    /// A compose service that sets resource limits (line: where).
    ComposeLimits,
    /// A compose service whose limits are not judged, as the
    /// container-limits rule does not: a development or templated compose
    /// file, `extends`, an empty override entry.
    ComposeLimitsExempt,
    /// A Kubernetes container (detail: name).
    K8sContainer,
    K8sProbe,
    K8sResources,
    K8sRestrictedSecurity,
    K8sPrivileged,
    /// Rust unit tests inside a source file (`#[cfg(test)]`, `#[test]`).
    InlineTests,
    /// A CI pipeline definition (detail: system).
    CiPipeline,
    /// A CI step that runs tests (detail: the command).
    CiRunsTests,
    /// A CI step that scans dependencies or code for vulnerabilities.
    CiSecurityScan,
    /// A coverage threshold is enforced (detail: where).
    CoverageThreshold,
    /// A lockfile or fully pinned requirements file.
    Lockfile,
    /// A requirements file with unpinned entries (detail: first package).
    UnpinnedRequirements,
    /// Python function metrics are in [`crate::metrics`]; this marks a web
    /// framework in use (detail: framework).
    WebFramework,
    /// A rate limiter applied to every route of an app (detail: framework;
    /// `nestjs` for a `ThrottlerGuard` registered as `APP_GUARD` or with
    /// `useGlobalGuards`, `express` for `app.use(limiter)`).
    GlobalRateLimit,
}

impl FactKind {
    /// Facts about the containers and services a project deploys (its
    /// Dockerfiles, compose files and Kubernetes manifests).
    pub fn describes_deployment(self) -> bool {
        matches!(
            self,
            FactKind::DockerBaseImage
                | FactKind::DockerNonRootUser
                | FactKind::DockerRootUser
                | FactKind::DockerHealthcheck
                | FactKind::ComposeService
                | FactKind::ComposeHealthcheck
                | FactKind::ComposeLimits
                | FactKind::ComposeLimitsExempt
                | FactKind::K8sContainer
                | FactKind::K8sProbe
                | FactKind::K8sResources
                | FactKind::K8sRestrictedSecurity
                | FactKind::K8sPrivileged
        )
    }
}

/// One fact, with the place that proves it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fact {
    pub kind: FactKind,
    pub detail: String,
    pub path: String,
    pub line: u32,
}

/// Collects facts for one file.
pub struct FactSink<'f> {
    pub file: &'f ParsedFile,
    pub facts: Vec<Fact>,
}

impl<'f> FactSink<'f> {
    pub fn add(&mut self, kind: FactKind, detail: impl Into<String>, line: u32) {
        self.facts.push(Fact {
            kind,
            detail: detail.into(),
            path: self.file.rel_path.clone(),
            line,
        });
    }

    pub fn line_of(&self, offset: usize) -> u32 {
        crate::parse::lines::to_u32(self.file.lines.line_of(offset))
    }
}

/// A fact that, found anywhere in the finding's part of the project,
/// withdraws the finding: an auth route without a limiter of its own is
/// covered by a global one registered in another file. Checks name theirs
/// as constants; the result cache (src/cache/) stores and reads them back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unless {
    pub kind: FactKind,
    pub detail: std::borrow::Cow<'static, str>,
}

/// Does a fact matching `unless` cover the file at `path`? A fact covers
/// the package it sits in: the folder above its last `src/` segment
/// (`apps/api/src/app.module.ts` covers `apps/api/`), else its own folder,
/// so one app's global guard says nothing about another app of a monorepo.
fn covers(facts: &[Fact], unless: &Unless, path: &str) -> bool {
    facts.iter().any(|f| {
        f.kind == unless.kind && f.detail == unless.detail && path.starts_with(package_of(&f.path))
    })
}

/// Drop the findings whose [`Unless`] fact the project shows. Only the
/// facts of the kinds those findings name are searched (a project has
/// thousands of facts and few findings that can be withdrawn).
pub fn withdraw(findings: &mut Vec<crate::finding::Finding>, facts: &[Fact]) {
    let kinds: Vec<FactKind> = findings
        .iter()
        .filter_map(|f| f.unless.as_ref())
        .map(|u| u.kind)
        .collect();
    if kinds.is_empty() {
        return;
    }
    let candidates: Vec<Fact> = facts
        .iter()
        .filter(|f| kinds.contains(&f.kind))
        .cloned()
        .collect();
    findings.retain(|f| {
        f.unless
            .as_ref()
            .is_none_or(|u| !covers(&candidates, u, &f.path))
    });
}

fn package_of(path: &str) -> &str {
    if path.starts_with("src/") {
        return "";
    }
    match path.rfind("/src/") {
        Some(i) => &path[..=i],
        None => path.rfind('/').map_or("", |i| &path[..=i]),
    }
}

/// Every fact one parsed file yields.
pub fn extract(file: &ParsedFile) -> Vec<Fact> {
    let mut sink = FactSink {
        file,
        facts: Vec::new(),
    };
    if crate::parse::support_lang(file.language).is_some() {
        // What test code imports or serves proves nothing about production
        // (and test files may go unparsed: src/engine.rs).
        if !crate::paths::is_test_path(&file.rel_path) {
            code::extract(&mut sink);
        }
    } else {
        config::extract(&mut sink);
        // A Dockerfile, compose file or manifest among tests builds a test
        // harness or is a parser's test input, not what is deployed.
        if crate::paths::is_test_path(&file.rel_path) {
            sink.facts.retain(|f| !f.kind.describes_deployment());
        }
    }
    sink.facts.sort();
    sink.facts.dedup();
    sink.facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_files_among_tests_are_not_the_deployment() {
        let kinds = |path: &str| -> Vec<FactKind> {
            let file = crate::parse::parse(
                crate::lang::Language::Dockerfile,
                path.into(),
                "FROM alpine\nHEALTHCHECK CMD true\nCMD [\"sh\"]\n".into(),
            );
            extract(&file).iter().map(|f| f.kind).collect()
        };
        let deployed = kinds("Dockerfile");
        assert!(deployed.contains(&FactKind::DockerRootUser), "{deployed:?}");
        assert!(
            deployed.contains(&FactKind::DockerHealthcheck),
            "{deployed:?}"
        );
        for path in ["test/smoke/Dockerfile", "document.test.Dockerfile"] {
            let found = kinds(path);
            assert!(
                !found.iter().any(|k| k.describes_deployment()),
                "{path}: {found:?}"
            );
        }
    }

    #[test]
    fn nest_global_throttler_guards() {
        let global = |code: &str| {
            let file = crate::parse::parse(
                crate::lang::Language::TypeScript,
                "src/app.module.ts".into(),
                code.into(),
            );
            extract(&file)
                .iter()
                .any(|f| f.kind == FactKind::GlobalRateLimit && f.detail == "nestjs")
        };
        assert!(global(
            "@Module({ providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }] })\nexport class AppModule {}\n"
        ));
        assert!(global(
            "const app = await NestFactory.create(AppModule);\napp.useGlobalGuards(app.get(ThrottlerBehindProxyGuard));\n"
        ));
        assert!(!global(
            "@Module({ providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }] })\nexport class AppModule {}\n"
        ));
        assert!(!global(
            "@Module({ providers: [{ provide: THROTTLER_OPTIONS, useClass: ThrottlerConfig }] })\nexport class AppModule {}\n"
        ));
    }

    #[test]
    fn a_fact_covers_its_own_package() {
        let fact = |path: &str| Fact {
            kind: FactKind::GlobalRateLimit,
            detail: "nestjs".into(),
            path: path.into(),
            line: 1,
        };
        let unless = &Unless {
            kind: FactKind::GlobalRateLimit,
            detail: "nestjs".into(),
        };
        let api = [fact("apps/api/src/app.module.ts")];
        assert!(covers(&api, unless, "apps/api/src/auth/auth.controller.ts"));
        assert!(!covers(
            &api,
            unless,
            "apps/admin/src/auth/auth.controller.ts"
        ));
        let root = [fact("src/common/request.module.ts")];
        assert!(covers(&root, unless, "src/auth/auth.controller.ts"));
        assert!(covers(&root, unless, "libs/auth/auth.controller.ts"));
        let flat = [fact("server/app.module.ts")];
        assert!(covers(&flat, unless, "server/auth/login.controller.ts"));
        assert!(!covers(&flat, unless, "admin/login.controller.ts"));
        let other = &Unless {
            kind: FactKind::GlobalRateLimit,
            detail: "express".into(),
        };
        assert!(!covers(&api, other, "apps/api/src/auth/auth.controller.ts"));
    }
}
