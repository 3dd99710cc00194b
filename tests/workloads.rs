//! The per-file container-limits rule and the project checks built on
//! facts read workloads the same way: where the rule is silent about a
//! service or container, the project check does not call it unlimited.

mod common;

use common::scan_json;
use serde_json::Value;
use std::fs;
use std::path::Path;

/// Write `text` to `name` under `dir`, creating its folders.
fn put(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, text).expect("write");
}

fn scan(dir: &Path) -> Value {
    scan_json(dir, &[])
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("check {id} in report"))
}

fn rule_hits(report: &Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap_or(""), f["line"]))
        .collect()
}

#[test]
fn compose_limits_agree_between_rule_and_project_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    put(dir.path(), "docker-compose.yml", "x-limits: &limits\n  deploy:\n    resources:\n      limits:\n        memory: 512M\n\nservices:\n  api:\n    image: registry.example.com/shop/api:1.4.2\n    <<: *limits\n  worker:\n    image: registry.example.com/shop/worker:1.4.2\n    cpus: \"0.5\"\n    mem_limit: 256m\n");
    put(dir.path(), "docker-compose.override.yml", "services:\n  api:\n    ports: [\"8000:8000\"]\n  mailhog:\n    image: mailhog/mailhog:v1.0.1\n");
    let report = scan(dir.path());
    assert!(rule_hits(&report, "container-without-resource-limits").is_empty());
    let limits = check(&report, "compose-resource-limits");
    assert_eq!(limits["status"], "pass", "{limits}");
    assert_eq!(
        limits["summary"],
        "2 of 2 compose services have resource limits"
    );

    // A production service without limits: both say so, about the same service.
    put(
        dir.path(),
        "docker-compose.yml",
        "services:\n  api:\n    image: registry.example.com/shop/api:1.4.2\n",
    );
    let report = scan(dir.path());
    assert_eq!(
        rule_hits(&report, "container-without-resource-limits"),
        ["docker-compose.yml:2"]
    );
    let limits = check(&report, "compose-resource-limits");
    assert_eq!(limits["status"], "fail", "{limits}");
    assert_eq!(
        limits["summary"],
        "0 of 1 compose services have resource limits"
    );
}

#[test]
fn only_development_compose_files_make_the_check_not_applicable() {
    let dir = tempfile::tempdir().expect("tempdir");
    put(
        dir.path(),
        "docker-compose.dev.yml",
        "services:\n  db:\n    image: postgres:16.4\n",
    );
    let report = scan(dir.path());
    assert!(rule_hits(&report, "container-without-resource-limits").is_empty());
    assert_eq!(
        check(&report, "compose-resource-limits")["status"],
        "not_applicable"
    );
}

#[test]
fn rollouts_lists_and_patches_count_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An Argo Rollout inside a List: a workload for the rule and the facts.
    put(dir.path(), "deploy/app.yaml", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: argoproj.io/v1alpha1\n    kind: Rollout\n    metadata:\n      name: checkout\n    spec:\n      template:\n        spec:\n          containers:\n            - name: checkout\n              image: registry.example.com/shop/checkout:2.0.1\n              resources:\n                requests: {cpu: 100m, memory: 128Mi}\n");
    // A kustomize patch names the container without an image: not a container.
    put(dir.path(), "deploy/overlays/prod/patch.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\nspec:\n  template:\n    spec:\n      containers:\n        - name: checkout\n          env:\n            - {name: LOG_LEVEL, value: info}\n");
    let report = scan(dir.path());
    assert_eq!(
        rule_hits(&report, "container-without-resource-limits"),
        ["deploy/app.yaml:12"]
    );
    let resources = check(&report, "k8s-resources");
    assert_eq!(
        resources["summary"], "1 of 1 containers have resource requests/limits",
        "{resources}"
    );
}
