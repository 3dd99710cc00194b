//! Facts from config files: Dockerfiles, compose, Kubernetes, CI pipelines,
//! dependency manifests and coverage settings.

use super::libraries::normalize;
use super::{FactKind, FactSink};
use crate::lang::Language;
use crate::parse::config::{CNode, CValue};
use crate::parse::Parsed;
use crate::workloads::{self, ComposeLimits};
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// Commands that run a test suite (installing a test tool does not count).
pub fn runs_tests(cmd: &str) -> bool {
    static INSTALL: OnceLock<Option<Regex>> = OnceLock::new();
    if re(&INSTALL, r"\b(pip3?|uv pip|uv add|poetry add|npm|yarn|pnpm|apt-get|apt|apk|brew|cargo) (install|add|i)\b")
        .is_some_and(|r| r.is_match(cmd))
    {
        return false;
    }
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"(?i)\b(pytest|py\.test|tox|nox|manage\.py test|python -m unittest|jest|vitest|mocha|ava|npm (run )?test|npm t\b|yarn (run )?test|pnpm (run )?test|cargo (nextest|test)|cargo llvm-cov|go test|mvn (-\S+ )*(test|verify)|gradle(w)? test|make test|rspec|phpunit|coverage run|playwright test|bun test|deno test)\b|\btests?[\w.-]*\.sh\b")
        .is_some_and(|r| r.is_match(cmd))
}

/// Commands that scan dependencies or code for vulnerabilities.
pub fn security_scan(cmd: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"(?i)\b(bandit|pip-audit|safety (check|scan)|npm audit|yarn audit|pnpm audit|cargo audit|cargo deny|cargo-audit|semgrep|trivy|grype|snyk|gitleaks|trufflehog|osv-scanner|codeql-action|dependency-review-action|prodready)\b")
        .is_some_and(|r| r.is_match(cmd))
}

/// Commands or settings that enforce a coverage threshold.
pub fn coverage_threshold(cmd: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"(?i)(--cov-fail-under|--fail-under|fail_under|coverageThreshold|--check-coverage|--fail-under-lines|--fail-under-regions)")
        .is_some_and(|r| r.is_match(cmd))
}

pub fn extract(sink: &mut FactSink<'_>) {
    let file = sink.file;
    let name = file
        .rel_path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match &file.parsed {
        Parsed::Dockerfile(df) => dockerfile(sink, df),
        Parsed::Requirements(reqs) => {
            for r in reqs {
                sink.add(FactKind::UsesLibrary, normalize(&r.name), r.line);
                for cap in super::libraries::capabilities_of(&r.name) {
                    let (kind, detail) = if cap == super::libraries::Capability::WebFramework {
                        (FactKind::WebFramework, normalize(&r.name))
                    } else {
                        (FactKind::Capability, cap.as_str().to_string())
                    };
                    sink.add(kind, detail, r.line);
                }
            }
            match reqs.iter().find(|r| !r.is_pinned()) {
                Some(r) => sink.add(FactKind::UnpinnedRequirements, r.name.clone(), r.line),
                None if !reqs.is_empty() => {
                    sink.add(FactKind::Lockfile, "requirements pinned with ==", 1)
                }
                None => {}
            }
        }
        Parsed::Config(doc) => {
            for root in &doc.documents {
                match file.language {
                    Language::Compose => compose(sink, root),
                    Language::Kubernetes => kubernetes(sink, root),
                    Language::GithubActions => ci(sink, root, "github-actions"),
                    Language::Yaml => {
                        if let Some(system) = ci_system(&file.rel_path) {
                            ci(sink, root, system);
                        }
                    }
                    Language::Toml if name == "cargo.toml" => manifest_keys(
                        sink,
                        root,
                        &["dependencies", "dev-dependencies", "workspace.dependencies"],
                    ),
                    Language::Toml if name == "pyproject.toml" => pyproject(sink, root),
                    Language::Json if name == "package.json" => package_json(sink, root),
                    _ => {}
                }
            }
        }
        Parsed::Text => {
            let is_coverage_config = matches!(
                name.as_str(),
                "setup.cfg" | ".coveragerc" | "tox.ini" | "pytest.ini" | "jenkinsfile"
            );
            if is_coverage_config {
                for (i, line) in file.text.lines().enumerate() {
                    let n = crate::parse::lines::to_u32(i + 1);
                    if coverage_threshold(line) {
                        sink.add(
                            FactKind::CoverageThreshold,
                            format!("{name}: {}", line.trim()),
                            n,
                        );
                    }
                    if name == "jenkinsfile" && runs_tests(line) {
                        sink.add(FactKind::CiRunsTests, line.trim().to_string(), n);
                    }
                }
                if name == "jenkinsfile" {
                    sink.add(FactKind::CiPipeline, "jenkins", 1);
                }
            }
        }
        _ => {}
    }
}

fn ci_system(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or("");
    match name {
        ".gitlab-ci.yml" | ".gitlab-ci.yaml" => Some("gitlab-ci"),
        "azure-pipelines.yml" | "azure-pipelines.yaml" => Some("azure-pipelines"),
        "bitbucket-pipelines.yml" => Some("bitbucket-pipelines"),
        ".travis.yml" => Some("travis"),
        "config.yml" if lower.ends_with(".circleci/config.yml") => Some("circleci"),
        _ if lower.contains(".woodpecker") || lower.contains(".drone.yml") => Some("drone"),
        _ => None,
    }
}

fn dockerfile(sink: &mut FactSink<'_>, df: &crate::parse::dockerfile::Dockerfile) {
    let stage = df.final_stage();
    let Some(from) = stage.first().filter(|i| i.keyword == "FROM") else {
        return;
    };
    let image = from
        .args
        .split_whitespace()
        .find(|a| !a.starts_with("--"))
        .unwrap_or("")
        .to_string();
    sink.add(FactKind::DockerBaseImage, image, from.line);
    let user = stage.iter().rev().find(|i| i.keyword == "USER");
    match user {
        Some(u) => {
            let who = u.args.split(':').next().unwrap_or("").trim().to_string();
            if who == "root" || who == "0" {
                sink.add(FactKind::DockerRootUser, who, u.line);
            } else {
                sink.add(FactKind::DockerNonRootUser, who, u.line);
            }
        }
        None => sink.add(FactKind::DockerRootUser, "no USER instruction", from.line),
    }
    if let Some(h) = stage
        .iter()
        .find(|i| i.keyword == "HEALTHCHECK" && !i.args.trim().eq_ignore_ascii_case("none"))
    {
        sink.add(FactKind::DockerHealthcheck, h.args.clone(), h.line);
    }
}

fn compose(sink: &mut FactSink<'_>, root: &CNode) {
    let Some(services) = root.get("services") else {
        return;
    };
    // The container-limits rule leaves these files alone; so does the project check.
    let exempt_file =
        workloads::is_dev_compose(&sink.file.rel_path) || workloads::is_templated(&sink.file.text);
    for (key, svc) in services.entries() {
        sink.add(FactKind::ComposeService, key.name.clone(), key.line);
        if let Some((hk, h)) = svc.entry("healthcheck") {
            let disabled = h
                .get("disable")
                .is_some_and(|d| d.value == CValue::Bool(true));
            if !disabled {
                sink.add(FactKind::ComposeHealthcheck, key.name.clone(), hk.line);
            }
        }
        match workloads::compose_limits(svc) {
            ComposeLimits::Set(l) => sink.add(FactKind::ComposeLimits, key.name.clone(), l.line),
            ComposeLimits::Inherited => {
                sink.add(FactKind::ComposeLimitsExempt, key.name.clone(), key.line)
            }
            ComposeLimits::Missing if exempt_file => {
                sink.add(FactKind::ComposeLimitsExempt, key.name.clone(), key.line)
            }
            ComposeLimits::Missing => {}
        }
    }
}

fn kubernetes(sink: &mut FactSink<'_>, root: &CNode) {
    for obj in workloads::k8s_objects(root) {
        if let Some((_, spec)) = workloads::pod_spec(obj) {
            pod(sink, spec);
        }
    }
}

fn pod(sink: &mut FactSink<'_>, spec: &CNode) {
    let pod_non_root = spec
        .path(&["securityContext", "runAsNonRoot"])
        .is_some_and(|v| v.value == CValue::Bool(true));
    for list in ["containers", "initContainers"] {
        let Some(containers) = spec.get(list) else {
            continue;
        };
        for c in containers.items() {
            if workloads::is_container_patch(c) {
                continue;
            }
            let name = c
                .get("name")
                .and_then(CNode::as_str)
                .unwrap_or("container")
                .to_string();
            let line = c.entry("name").map_or(c.line, |(k, _)| k.line);
            sink.add(FactKind::K8sContainer, name.clone(), line);
            if list == "containers"
                && ["livenessProbe", "readinessProbe", "startupProbe"]
                    .iter()
                    .any(|p| c.get(p).is_some())
            {
                sink.add(FactKind::K8sProbe, name.clone(), line);
            }
            let res = c.get("resources");
            if res.is_some_and(|r| r.get("limits").is_some() || r.get("requests").is_some()) {
                sink.add(FactKind::K8sResources, name.clone(), line);
            }
            let sc = c.get("securityContext");
            let privileged = sc
                .and_then(|s| s.get("privileged"))
                .is_some_and(|v| v.value == CValue::Bool(true));
            if privileged {
                sink.add(FactKind::K8sPrivileged, name.clone(), line);
            }
            let non_root = pod_non_root
                || sc
                    .and_then(|s| s.get("runAsNonRoot"))
                    .is_some_and(|v| v.value == CValue::Bool(true));
            let escalation_off = sc
                .and_then(|s| s.get("allowPrivilegeEscalation"))
                .is_some_and(|v| v.value == CValue::Bool(false));
            if non_root && escalation_off && !privileged {
                sink.add(FactKind::K8sRestrictedSecurity, name, line);
            }
        }
    }
}

/// Every scalar in a CI definition is a potential command.
fn ci(sink: &mut FactSink<'_>, root: &CNode, system: &str) {
    sink.add(FactKind::CiPipeline, system, 1);
    let mut todo = vec![root];
    while let Some(node) = todo.pop() {
        match &node.value {
            CValue::Map(entries) => todo.extend(entries.iter().map(|(_, v)| v)),
            CValue::Seq(items) => todo.extend(items.iter()),
            CValue::String(s) => {
                for line in s.lines() {
                    if runs_tests(line) {
                        sink.add(FactKind::CiRunsTests, line.trim().to_string(), node.line);
                    }
                    if security_scan(line) {
                        sink.add(FactKind::CiSecurityScan, line.trim().to_string(), node.line);
                    }
                    if coverage_threshold(line) {
                        sink.add(
                            FactKind::CoverageThreshold,
                            format!("CI: {}", line.trim()),
                            node.line,
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn add_dependency(sink: &mut FactSink<'_>, name: &str, line: u32) {
    let norm = normalize(name);
    for cap in super::libraries::capabilities_of(&norm) {
        let (kind, detail) = if cap == super::libraries::Capability::WebFramework {
            (FactKind::WebFramework, norm.clone())
        } else {
            (FactKind::Capability, cap.as_str().to_string())
        };
        sink.add(kind, detail, line);
    }
    sink.add(FactKind::UsesLibrary, norm, line);
}

fn manifest_keys(sink: &mut FactSink<'_>, root: &CNode, tables: &[&str]) {
    for table in tables {
        let path: Vec<&str> = table.split('.').collect();
        if let Some(deps) = root.path(&path) {
            for (key, _) in deps.entries() {
                add_dependency(sink, &key.name, key.line);
            }
        }
    }
}

fn pyproject(sink: &mut FactSink<'_>, root: &CNode) {
    if let Some(deps) = root.path(&["project", "dependencies"]) {
        for item in deps.items() {
            if let Some(spec) = item.as_str() {
                let name: String = spec
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    .collect();
                add_dependency(sink, &name, item.line);
            }
        }
    }
    manifest_keys(
        sink,
        root,
        &[
            "tool.poetry.dependencies",
            "tool.poetry.group.dev.dependencies",
        ],
    );
    if let Some(n) = root.path(&["tool", "coverage", "report", "fail_under"]) {
        sink.add(
            FactKind::CoverageThreshold,
            format!(
                "pyproject.toml fail_under = {}",
                n.as_scalar().unwrap_or_default()
            ),
            n.line,
        );
    }
    if let Some(addopts) = root.path(&["tool", "pytest", "ini_options", "addopts"]) {
        let text = addopts.as_scalar().unwrap_or_else(|| {
            addopts
                .items()
                .iter()
                .filter_map(CNode::as_scalar)
                .collect::<Vec<_>>()
                .join(" ")
        });
        if coverage_threshold(&text) {
            sink.add(
                FactKind::CoverageThreshold,
                format!("pytest addopts: {text}"),
                addopts.line,
            );
        }
    }
}

fn package_json(sink: &mut FactSink<'_>, root: &CNode) {
    manifest_keys(sink, root, &["dependencies", "devDependencies"]);
    if let Some((k, _)) = root.get("jest").and_then(|j| j.entry("coverageThreshold")) {
        sink.add(
            FactKind::CoverageThreshold,
            "package.json jest.coverageThreshold",
            k.line,
        );
    }
    if let Some(scripts) = root.get("scripts") {
        for (key, value) in scripts.entries() {
            let cmd = value.as_scalar().unwrap_or_default();
            if coverage_threshold(&cmd) {
                sink.add(
                    FactKind::CoverageThreshold,
                    format!("package.json scripts.{}: {cmd}", key.name),
                    key.line,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_commands() {
        for yes in [
            "pytest -q",
            "uv run bash scripts/tests-start.sh",
            "npm test",
            "npm run test:ci",
            "cargo nextest run",
            "coverage run -m pytest",
            "npx playwright test",
            "./scripts/test.sh",
        ] {
            assert!(runs_tests(yes), "{yes}");
        }
        for no in [
            "docker compose up -d db",
            "npm run build",
            "echo testing-done",
            "pip install pytest",
        ] {
            assert!(!runs_tests(no), "{no}");
        }
        assert!(security_scan("pip-audit -r requirements.txt"));
        assert!(coverage_threshold("uv run coverage report --fail-under=90"));
    }
}
