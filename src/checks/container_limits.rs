//! Containers that may use all of a host's memory and CPU. Compose services
//! without `deploy.resources.limits` and without `mem_limit`/`cpus`; and
//! Kubernetes containers (and init containers) of Pods and of the pod
//! templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and
//! CronJobs with no memory limit. Kubernetes defaults `requests` to `limits`,
//! so a container with limits but no requests is fine; CPU limits are a
//! matter of taste, so only the memory limit is required. Compose files named
//! for development (`*.override.yml`, `*dev*`, `*test*`, `*ci*`, `*local*`)
//! and services that inherit through `extends` are skipped.

use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::config::{CKey, CNode};
use crate::parse::lines::floor_char_boundary;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;
use crate::workloads::{self, ComposeLimits};

pub struct ContainerLimits;

impl Check for ContainerLimits {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(doc) = file.config() else { return };
        if workloads::is_templated(&file.text) {
            return;
        }
        match file.language {
            Language::Compose if !workloads::is_dev_compose(&file.rel_path) => {
                for d in &doc.documents {
                    compose(file, d, out);
                }
            }
            Language::Kubernetes => {
                for d in &doc.documents {
                    kubernetes(file, d, out);
                }
            }
            _ => {}
        }
    }
}

/// Byte range of a key (its name) in the file text.
fn key_range(file: &ParsedFile, key: &CKey) -> std::ops::Range<usize> {
    let start_line = file.lines.line_start(key.line as usize);
    let line = file.lines.line_text(&file.text, key.line as usize);
    let col = key.column.saturating_sub(1) as usize;
    let offset = line.char_indices().nth(col).map_or(0, |(i, _)| i);
    let start = floor_char_boundary(&file.text, start_line + offset);
    let end = floor_char_boundary(
        &file.text,
        (start + key.name.len()).min(start_line + line.len()),
    )
    .max(start);
    start..end
}

fn compose(file: &ParsedFile, doc: &CNode, out: &mut Vec<Hit>) {
    let Some(services) = doc.get("services") else {
        return;
    };
    for (key, svc) in services.entries() {
        if !matches!(workloads::compose_limits(svc), ComposeLimits::Missing) {
            continue;
        }
        out.push(Hit::new(
            key_range(file, key),
            format!(
                "compose service `{}` sets no memory or CPU limit (`deploy.resources.limits` or `mem_limit`/`cpus`), so one leak or spike can starve every other service on the host",
                key.name
            ),
        ));
    }
}

fn kubernetes(file: &ParsedFile, doc: &CNode, out: &mut Vec<Hit>) {
    for obj in workloads::k8s_objects(doc) {
        let Some((kind, spec)) = workloads::pod_spec(obj) else {
            continue;
        };
        let workload = obj
            .path(&["metadata", "name"])
            .and_then(CNode::as_scalar)
            .unwrap_or_else(|| kind.to_string());
        for list in ["initContainers", "containers"] {
            for c in spec.get(list).map(CNode::items).unwrap_or_default() {
                if workloads::is_container_patch(c) {
                    continue;
                }
                let resources = c.get("resources");
                let limits = resources.and_then(|r| r.get("limits"));
                let has_memory = limits.is_some_and(|l| l.get("memory").is_some());
                if has_memory {
                    continue;
                }
                let name = c
                    .get("name")
                    .and_then(CNode::as_scalar)
                    .unwrap_or_else(|| "(unnamed)".to_string());
                let range = c
                    .entry("name")
                    .map(|(k, _)| key_range(file, k))
                    .unwrap_or_else(|| {
                        let s = file.lines.line_start(c.line as usize);
                        s..s
                    });
                let what = match (
                    resources.and_then(|r| r.get("requests")).is_some(),
                    limits.is_some(),
                ) {
                    (_, true) => "sets limits but no memory limit".to_string(),
                    (true, false) => "sets requests but no limits".to_string(),
                    (false, false) => "sets no resource requests or limits".to_string(),
                };
                let container = if list == "initContainers" {
                    "init container"
                } else {
                    "container"
                };
                out.push(
                    Hit::new(
                        range,
                        format!("{container} `{name}` in {kind} `{workload}` {what}, so it can take all the node's memory and get neighbours OOM-killed"),
                    )
                    .confidence(Confidence::Medium),
                );
            }
        }
    }
}
