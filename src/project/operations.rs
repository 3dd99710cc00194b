//! Operations checks: CI, containers, orchestration, config hygiene,
//! dependency pinning, graceful shutdown.

use super::{coverage_verdict, Evidence, ProjectFacts, Status, Verdict};
use crate::facts::FactKind;

const CI_FILES: &[&str] = &[
    "Jenkinsfile",
    ".gitlab-ci.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    ".travis.yml",
];

pub fn ci_pipeline(f: &ProjectFacts) -> Verdict {
    let found: Vec<Evidence> = f
        .of(FactKind::CiPipeline)
        .map(|p| Evidence::at(p, format!("{} pipeline", p.detail)))
        .collect();
    if !found.is_empty() {
        return Verdict::new(
            Status::Pass,
            format!("{} CI pipeline definition(s)", found.len()),
            found,
        );
    }
    if let Some(e) = f.has_file_named(CI_FILES) {
        let ev = Evidence {
            path: Some(e.path.clone()),
            line: None,
            note: "CI definition".into(),
        };
        return Verdict::new(Status::Pass, "CI pipeline definition found", vec![ev]);
    }
    Verdict::new(
        Status::Fail,
        "no CI pipeline found",
        vec![Evidence::missing("looked for .github/workflows/*.yml, .gitlab-ci.yml, Jenkinsfile, .circleci/config.yml, azure-pipelines.yml")],
    )
}

fn no_dockerfile(f: &ProjectFacts) -> bool {
    f.first(FactKind::DockerBaseImage).is_none()
}

pub fn docker_non_root(f: &ProjectFacts) -> Verdict {
    if no_dockerfile(f) {
        return Verdict::not_applicable("no Dockerfile");
    }
    let root: Vec<Evidence> = f
        .of(FactKind::DockerRootUser)
        .map(|r| Evidence::at(r, format!("final stage runs as root ({})", r.detail)))
        .collect();
    let ok: Vec<Evidence> = f
        .of(FactKind::DockerNonRootUser)
        .map(|u| Evidence::at(u, format!("USER {}", u.detail)))
        .collect();
    if root.is_empty() {
        Verdict::new(
            Status::Pass,
            "every Dockerfile switches to a non-root USER",
            ok,
        )
    } else {
        let n = root.len();
        Verdict::new(
            Status::Fail,
            format!("{n} Dockerfile(s) run as root"),
            root.into_iter().chain(ok).collect(),
        )
    }
}

pub fn docker_healthcheck(f: &ProjectFacts) -> Verdict {
    if no_dockerfile(f) {
        return Verdict::not_applicable("no Dockerfile");
    }
    let mut ev: Vec<Evidence> = f
        .of(FactKind::DockerHealthcheck)
        .map(|h| Evidence::at(h, "HEALTHCHECK instruction"))
        .collect();
    ev.extend(
        f.of(FactKind::ComposeHealthcheck)
            .map(|h| Evidence::at(h, format!("compose healthcheck for `{}`", h.detail))),
    );
    ev.extend(
        f.of(FactKind::K8sProbe)
            .map(|h| Evidence::at(h, format!("Kubernetes probe for `{}`", h.detail))),
    );
    if ev.is_empty() {
        Verdict::new(Status::Fail, "containers have no health check", vec![Evidence::missing("looked for HEALTHCHECK, compose healthcheck: and Kubernetes liveness/readiness probes")])
    } else {
        Verdict::new(Status::Pass, "container health is checked", ev)
    }
}

/// `python`, `python:latest` are unpinned; `python:3.12-slim` and digests are pinned.
pub fn is_pinned(image: &str) -> bool {
    if image.contains('@') || image == "scratch" || image.starts_with('$') {
        return true;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag != "latest" && !tag.is_empty(),
        None => false,
    }
}

pub fn docker_image_pinned(f: &ProjectFacts) -> Verdict {
    if no_dockerfile(f) {
        return Verdict::not_applicable("no Dockerfile");
    }
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for img in f.of(FactKind::DockerBaseImage) {
        if is_pinned(&img.detail) {
            good.push(Evidence::at(img, format!("FROM {}", img.detail)));
        } else {
            bad.push(Evidence::at(
                img,
                format!("FROM {} is not pinned to a version", img.detail),
            ));
        }
    }
    if bad.is_empty() {
        Verdict::new(Status::Pass, "base images are pinned", good)
    } else {
        Verdict::new(
            Status::Fail,
            format!("{} base image(s) use `latest` or no tag", bad.len()),
            bad.into_iter().chain(good).collect(),
        )
    }
}

pub fn compose_healthchecks(f: &ProjectFacts) -> Verdict {
    let services: Vec<_> = f.of(FactKind::ComposeService).collect();
    if services.is_empty() {
        return Verdict::not_applicable("no compose file");
    }
    let with: Vec<_> = f.of(FactKind::ComposeHealthcheck).collect();
    coverage_verdict(&services, &with, "compose service", "a healthcheck")
}

pub fn compose_resource_limits(f: &ProjectFacts) -> Verdict {
    let all: Vec<_> = f.of(FactKind::ComposeService).collect();
    if all.is_empty() {
        return Verdict::not_applicable("no compose file");
    }
    let exempt: Vec<_> = f.of(FactKind::ComposeLimitsExempt).collect();
    let services: Vec<_> = all
        .into_iter()
        .filter(|s| {
            !exempt
                .iter()
                .any(|e| e.path == s.path && e.detail == s.detail)
        })
        .collect();
    if services.is_empty() {
        return Verdict::not_applicable(
            "only development compose files and services that inherit their settings",
        );
    }
    let with: Vec<_> = f.of(FactKind::ComposeLimits).collect();
    coverage_verdict(&services, &with, "compose service", "resource limits")
}

fn k8s_check(f: &ProjectFacts, kind: FactKind, property: &str) -> Verdict {
    let containers: Vec<_> = f.of(FactKind::K8sContainer).collect();
    if containers.is_empty() {
        return Verdict::not_applicable("no Kubernetes workloads");
    }
    let with: Vec<_> = f.of(kind).collect();
    coverage_verdict(&containers, &with, "container", property)
}

pub fn k8s_probes(f: &ProjectFacts) -> Verdict {
    k8s_check(f, FactKind::K8sProbe, "liveness/readiness probes")
}

pub fn k8s_resources(f: &ProjectFacts) -> Verdict {
    k8s_check(f, FactKind::K8sResources, "resource requests/limits")
}

pub fn k8s_security_context(f: &ProjectFacts) -> Verdict {
    let mut v = k8s_check(
        f,
        FactKind::K8sRestrictedSecurity,
        "a restrictive securityContext (runAsNonRoot, no privilege escalation)",
    );
    let privileged: Vec<Evidence> = f
        .of(FactKind::K8sPrivileged)
        .map(|p| Evidence::at(p, format!("container `{}` is privileged", p.detail)))
        .collect();
    if !privileged.is_empty() {
        v.status = Status::Fail;
        v.evidence.splice(0..0, privileged);
    }
    v
}

fn is_example_env(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["example", "sample", "template", "dist", "defaults"]
        .iter()
        .any(|w| lower.contains(w))
}

pub fn env_file_hygiene(f: &ProjectFacts) -> Verdict {
    let envs: Vec<_> = f
        .inventory
        .iter()
        .filter(|e| {
            let name = e.path.rsplit('/').next().unwrap_or("");
            (name == ".env" || name.starts_with(".env.")) && !e.is_test
        })
        .collect();
    let (examples, real): (Vec<&&super::InventoryEntry>, Vec<&&super::InventoryEntry>) =
        envs.iter().partition(|e| is_example_env(&e.path));
    if real.is_empty() && examples.is_empty() {
        return Verdict::not_applicable("no .env files");
    }
    if !real.is_empty() {
        let ev = real
            .iter()
            .map(|e| Evidence {
                path: Some(e.path.clone()),
                line: None,
                note: "environment file is not git-ignored, so it is (or will be) committed".into(),
            })
            .collect();
        return Verdict::new(
            Status::Fail,
            format!("{} .env file(s) are not git-ignored", real.len()),
            ev,
        );
    }
    let ev = examples
        .iter()
        .map(|e| Evidence {
            path: Some(e.path.clone()),
            line: None,
            note: "documents the variables".into(),
        })
        .collect();
    Verdict::new(
        Status::Pass,
        "real .env files are ignored and an example documents the variables",
        ev,
    )
}

pub fn dependency_lockfile(f: &ProjectFacts) -> Verdict {
    let ecosystems: [(&str, &[&str], &[&str]); 3] = [
        (
            "python",
            &["requirements.txt", "pyproject.toml", "setup.py", "Pipfile"],
            &["poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock"],
        ),
        (
            "node",
            &["package.json"],
            &[
                "package-lock.json",
                "yarn.lock",
                "pnpm-lock.yaml",
                "npm-shrinkwrap.json",
                "bun.lockb",
            ],
        ),
        ("rust", &["Cargo.toml"], &["Cargo.lock"]),
    ];
    let mut evidence = Vec::new();
    let mut present = 0;
    let mut locked = 0;
    for (eco, manifests, locks) in ecosystems {
        let Some(manifest) = f.has_file_named(manifests) else {
            continue;
        };
        present += 1;
        let pinned_reqs = eco == "python"
            && f.first(FactKind::UnpinnedRequirements).is_none()
            && f.first(FactKind::Lockfile).is_some();
        if let Some(lock) = f.has_file_named(locks) {
            locked += 1;
            evidence.push(Evidence {
                path: Some(lock.path.clone()),
                line: None,
                note: format!("{eco} lockfile"),
            });
        } else if pinned_reqs {
            locked += 1;
            if let Some(l) = f.first(FactKind::Lockfile) {
                evidence.push(Evidence::at(l, "requirements pinned with =="));
            }
        } else {
            let mut note = format!("{eco} dependencies ({}) have no lockfile", manifest.path);
            if let Some(u) = f
                .first(FactKind::UnpinnedRequirements)
                .filter(|_| eco == "python")
            {
                note = format!("{note}; `{}` is not pinned", u.detail);
                evidence.push(Evidence::at(u, note));
            } else {
                evidence.push(Evidence {
                    path: Some(manifest.path.clone()),
                    line: None,
                    note,
                });
            }
        }
    }
    if present == 0 {
        return Verdict::not_applicable("no dependency manifests");
    }
    let status = if locked == present {
        Status::Pass
    } else if locked > 0 {
        Status::Warn
    } else {
        Status::Fail
    };
    Verdict::new(
        status,
        format!("{locked} of {present} ecosystem(s) have locked or pinned dependencies"),
        evidence,
    )
}

pub fn graceful_shutdown(f: &ProjectFacts) -> Verdict {
    let frameworks = f.frameworks();
    let needs: Vec<&str> = frameworks
        .iter()
        .copied()
        .filter(|fw| {
            matches!(
                *fw,
                "express" | "fastify" | "koa" | "hapi" | "@nestjs/core" | "axum" | "warp"
            )
        })
        .collect();
    if needs.is_empty() {
        let why = if frameworks.is_empty() {
            "no web server"
        } else {
            "the server (uvicorn, gunicorn, actix) drains connections on SIGTERM by default"
        };
        return Verdict::not_applicable(why);
    }
    let ev: Vec<Evidence> = f
        .of(FactKind::GracefulShutdown)
        .map(|g| Evidence::at(g, format!("shutdown handling: {}", g.detail)))
        .collect();
    if ev.is_empty() {
        Verdict::new(
            Status::Fail,
            format!(
                "{} servers stop without draining requests",
                needs.join(", ")
            ),
            vec![Evidence::missing(
                "looked for process.on('SIGTERM'), enableShutdownHooks(), with_graceful_shutdown",
            )],
        )
    } else {
        Verdict::new(Status::Pass, "graceful shutdown is configured", ev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning() {
        assert!(!is_pinned("python"));
        assert!(!is_pinned("python:latest"));
        assert!(is_pinned("python:3.12-slim"));
        assert!(is_pinned("ghcr.io/org/app@sha256:abc"));
        assert!(is_pinned("registry:5000/app:1.2"));
        assert!(!is_pinned("registry:5000/app"));
    }
}
