//! File kinds prodready understands, and how a path (and, for YAML, its
//! content) is classified into one.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a discovered file is. Code languages are parsed into syntax trees,
/// config formats into positioned value trees, the rest is scanned as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Rust,
    Dockerfile,
    /// docker-compose / compose files
    Compose,
    Kubernetes,
    GithubActions,
    /// any other YAML
    Yaml,
    Toml,
    Json,
    Dotenv,
    Requirements,
    /// other text formats worth a secret scan (shell, ini, properties...)
    Text,
}

impl Language {
    pub const ALL: [Language; 15] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Rust,
        Language::Dockerfile,
        Language::Compose,
        Language::Kubernetes,
        Language::GithubActions,
        Language::Yaml,
        Language::Toml,
        Language::Json,
        Language::Dotenv,
        Language::Requirements,
        Language::Text,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Rust => "rust",
            Language::Dockerfile => "dockerfile",
            Language::Compose => "compose",
            Language::Kubernetes => "kubernetes",
            Language::GithubActions => "github-actions",
            Language::Yaml => "yaml",
            Language::Toml => "toml",
            Language::Json => "json",
            Language::Dotenv => "dotenv",
            Language::Requirements => "requirements",
            Language::Text => "text",
        }
    }

    /// Is this one of the YAML dialects?
    pub fn is_yaml(self) -> bool {
        matches!(
            self,
            Language::Compose | Language::Kubernetes | Language::GithubActions | Language::Yaml
        )
    }

    /// Does a rule that targets `selector` (a name from a rule file's
    /// `languages`) apply to files of this language? `typescript` covers TSX,
    /// `yaml` covers every YAML dialect and `text` covers every file.
    pub fn matches_selector(self, selector: &str) -> bool {
        match selector {
            "text" | "*" => true,
            "yaml" => self.is_yaml(),
            "typescript" => matches!(self, Language::TypeScript | Language::Tsx),
            other => self.name() == other,
        }
    }

    /// The language names a rule file may use.
    pub fn is_known_selector(selector: &str) -> bool {
        selector == "*" || Language::ALL.iter().any(|l| l.name() == selector)
    }

    /// Classify a path by its name alone. YAML files come back as
    /// [`Language::Yaml`] unless the path settles the dialect; call
    /// [`Language::refine_yaml`] with the content to finish the job.
    pub fn from_path(path: &Path) -> Option<Language> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");

        if lower == "dockerfile"
            || lower == "containerfile"
            || lower.starts_with("dockerfile.")
            || ext == "dockerfile"
        {
            return Some(Language::Dockerfile);
        }
        if lower == ".env" || lower.starts_with(".env.") || ext == "env" {
            return Some(Language::Dotenv);
        }
        if lower == ".coveragerc" || lower == "jenkinsfile" {
            return Some(Language::Text);
        }
        if is_requirements(&lower, path) {
            return Some(Language::Requirements);
        }
        let lang = match ext {
            "py" | "pyi" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "rs" => Language::Rust,
            "toml" => Language::Toml,
            "json" => Language::Json,
            "yml" | "yaml" => {
                if lower.starts_with("docker-compose") || lower.starts_with("compose.") {
                    Language::Compose
                } else if is_workflow_path(path) {
                    Language::GithubActions
                } else {
                    Language::Yaml
                }
            }
            "sh" | "bash" | "zsh" | "ini" | "cfg" | "conf" | "properties" | "tf" | "tfvars"
            | "pem" | "key" | "xml" | "gradle" => Language::Text,
            _ => return None,
        };
        Some(lang)
    }

    /// Tell compose files and Kubernetes manifests apart from other YAML by
    /// their top-level keys.
    pub fn refine_yaml(self, text: &str) -> Language {
        if self != Language::Yaml {
            return self;
        }
        let mut has_api_version = false;
        let mut has_kind = false;
        let mut has_services = false;
        for line in text.lines() {
            // Only top-level keys count: no indentation.
            if line.starts_with("apiVersion:") {
                has_api_version = true;
            } else if line.starts_with("kind:") {
                has_kind = true;
            } else if line.starts_with("services:") {
                has_services = true;
            }
        }
        if has_api_version && has_kind {
            Language::Kubernetes
        } else if has_services {
            Language::Compose
        } else {
            Language::Yaml
        }
    }
}

fn is_workflow_path(path: &Path) -> bool {
    let mut comps = path
        .components()
        .rev()
        .skip(1)
        .filter_map(|c| c.as_os_str().to_str());
    matches!(
        (comps.next(), comps.next()),
        (Some("workflows"), Some(".github"))
    )
}

fn is_requirements(lower: &str, path: &Path) -> bool {
    let is_txt = lower.ends_with(".txt") || lower.ends_with(".in");
    if !is_txt {
        return false;
    }
    if lower.starts_with("requirements") || lower.starts_with("constraints") {
        return true;
    }
    // requirements/base.txt, requirements/prod.txt
    path.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case("requirements"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(p: &str) -> Option<Language> {
        Language::from_path(Path::new(p))
    }

    #[test]
    fn classifies_by_name() {
        assert_eq!(lang("app/main.py"), Some(Language::Python));
        assert_eq!(lang("web/index.tsx"), Some(Language::Tsx));
        assert_eq!(lang("Dockerfile"), Some(Language::Dockerfile));
        assert_eq!(lang("deploy/Dockerfile.prod"), Some(Language::Dockerfile));
        assert_eq!(lang(".env"), Some(Language::Dotenv));
        assert_eq!(lang(".env.production"), Some(Language::Dotenv));
        assert_eq!(lang("requirements-dev.txt"), Some(Language::Requirements));
        assert_eq!(lang("requirements/prod.txt"), Some(Language::Requirements));
        assert_eq!(lang("notes.txt"), None);
        assert_eq!(lang("docker-compose.prod.yml"), Some(Language::Compose));
        assert_eq!(
            lang(".github/workflows/ci.yml"),
            Some(Language::GithubActions)
        );
        assert_eq!(lang("k8s/deploy.yaml"), Some(Language::Yaml));
        assert_eq!(lang("logo.png"), None);
    }

    #[test]
    fn refines_yaml_by_content() {
        let k8s = "apiVersion: apps/v1\nkind: Deployment\n";
        assert_eq!(Language::Yaml.refine_yaml(k8s), Language::Kubernetes);
        assert_eq!(
            Language::Yaml.refine_yaml("services:\n  web: {}\n"),
            Language::Compose
        );
        assert_eq!(Language::Yaml.refine_yaml("key: 1\n"), Language::Yaml);
    }

    #[test]
    fn selectors() {
        assert!(Language::Tsx.matches_selector("typescript"));
        assert!(Language::Compose.matches_selector("yaml"));
        assert!(Language::Python.matches_selector("text"));
        assert!(!Language::Python.matches_selector("javascript"));
    }
}
