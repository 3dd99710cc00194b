//! Container workloads described in config: Kubernetes pod specs and
//! compose services. The per-file rules (src/checks/) and the project facts
//! (src/facts/) both read workloads through these functions, so a rule and
//! the project check built on the facts agree on what a workload is and on
//! whether it sets resource limits.

use crate::parse::config::CNode;

/// The objects of a Kubernetes document: the document itself, plus the
/// items of a `kind: List`.
pub fn k8s_objects(doc: &CNode) -> Vec<&CNode> {
    let mut objects = vec![doc];
    if doc.get("kind").and_then(CNode::as_str) == Some("List") {
        objects.extend(doc.get("items").map(CNode::items).unwrap_or_default());
    }
    objects
}

/// The kind and pod spec of a workload object: a Pod, or the pod template
/// of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Argo Rollout, Job,
/// ReplicationController or CronJob.
pub fn pod_spec(obj: &CNode) -> Option<(&str, &CNode)> {
    let kind = obj.get("kind").and_then(CNode::as_str)?;
    let spec = match kind {
        "Pod" => obj.get("spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Rollout"
        | "Job"
        | "ReplicationController" => obj.path(&["spec", "template", "spec"]),
        "CronJob" => obj.path(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }?;
    Some((kind, spec))
}

/// A container entry of a patch (a kustomize overlay) rather than a
/// container: it names one without an image.
pub fn is_container_patch(container: &CNode) -> bool {
    container.entries().is_empty() || container.get("image").is_none()
}

/// Helm or Jinja templates: values such as resources usually come from
/// elsewhere.
pub fn is_templated(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Compose files named for development (`*.override.yml`, `*dev*`,
/// `*test*`, `*ci*`, `*local*`, `*debug*`), where limits are not expected.
pub fn is_dev_compose(rel_path: &str) -> bool {
    let name = rel_path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    ["override", "dev", "test", "ci.", "-ci", "local", "debug"]
        .iter()
        .any(|w| name.contains(w))
}

/// A map's entry, with a YAML merge key (`<<: *defaults`) folded in.
pub fn lookup<'a>(node: &'a CNode, key: &str) -> Option<&'a CNode> {
    node.get(key).or_else(|| {
        let merged = node.get("<<")?;
        merged
            .get(key)
            .or_else(|| merged.items().iter().find_map(|m| m.get(key)))
    })
}

/// What a compose service says about its resource limits.
#[derive(Debug, Clone, Copy)]
pub enum ComposeLimits<'a> {
    /// `deploy.resources.limits` with entries, or `mem_limit`, `cpus`,
    /// `cpu_quota`, `memswap_limit` (here or through a merge key): the
    /// node that sets them.
    Set(&'a CNode),
    /// Not ours to judge: the service inherits through `extends`, or is an
    /// empty entry overriding a service defined elsewhere.
    Inherited,
    Missing,
}

pub fn compose_limits(service: &CNode) -> ComposeLimits<'_> {
    if service.entries().is_empty() || lookup(service, "extends").is_some() {
        return ComposeLimits::Inherited;
    }
    let deploy = lookup(service, "deploy")
        .and_then(|d| d.path(&["resources", "limits"]))
        .filter(|l| !l.entries().is_empty());
    let legacy = || {
        ["mem_limit", "cpus", "cpu_quota", "memswap_limit"]
            .iter()
            .find_map(|k| lookup(service, k))
    };
    match deploy.or_else(legacy) {
        Some(node) => ComposeLimits::Set(node),
        None => ComposeLimits::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;
    use crate::parse::parse;

    fn services(yaml: &str) -> Vec<(String, String)> {
        let file = parse(Language::Compose, "compose.yaml".into(), yaml.into());
        let Some(doc) = file.config() else {
            return Vec::new();
        };
        let Some(services) = doc.documents.first().and_then(|d| d.get("services")) else {
            return Vec::new();
        };
        services
            .entries()
            .iter()
            .map(|(k, svc)| {
                let verdict = match compose_limits(svc) {
                    ComposeLimits::Set(_) => "set",
                    ComposeLimits::Inherited => "inherited",
                    ComposeLimits::Missing => "missing",
                };
                (k.name.clone(), verdict.to_string())
            })
            .collect()
    }

    #[test]
    fn compose_limits_in_every_spelling() {
        let yaml = "x-limits: &limits\n  deploy:\n    resources:\n      limits:\n        memory: 512M\nservices:\n  api:\n    image: api:1\n    <<: *limits\n  worker:\n    image: worker:1\n    cpus: 0.5\n  cache:\n    image: redis:7\n    deploy:\n      resources:\n        limits: {}\n  web:\n    extends:\n      file: base.yml\n      service: web\n  db:\n    image: postgres:16\n";
        let got = services(yaml);
        let want = [
            ("api", "set"),
            ("worker", "set"),
            ("cache", "missing"),
            ("web", "inherited"),
            ("db", "missing"),
        ];
        assert_eq!(
            got,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
    }

    #[test]
    fn workload_kinds_and_lists() {
        let yaml = "kind: List\nitems:\n  - kind: Rollout\n    spec:\n      template:\n        spec:\n          containers: [{name: api, image: api:1}]\n  - kind: Service\n    spec: {}\n";
        let file = parse(Language::Kubernetes, "deploy/app.yaml".into(), yaml.into());
        let Some(doc) = file.config().and_then(|c| c.documents.first()) else {
            panic!("parses");
        };
        let kinds: Vec<&str> = k8s_objects(doc)
            .into_iter()
            .filter_map(pod_spec)
            .map(|(kind, _)| kind)
            .collect();
        assert_eq!(kinds, ["Rollout"]);
    }
}
