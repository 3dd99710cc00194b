//! Python import aliases: which local names stand for which module paths, so
//! that `from hashlib import md5`, `import hashlib as h` and `hashlib.md5`
//! all resolve to `hashlib.md5`.

use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use std::collections::HashMap;

/// Local name → fully qualified name, from every import in the file.
#[derive(Debug, Default, Clone)]
pub struct Imports {
    map: HashMap<String, String>,
}

impl Imports {
    pub fn collect(nodes: &NodeIndex<'_>) -> Imports {
        let mut map = HashMap::new();
        for node in nodes.of_kinds(&["import_statement", "import_from_statement"]) {
            match node.kind().as_ref() {
                "import_statement" => {
                    for child in node.field_children("name") {
                        match child.kind().as_ref() {
                            "dotted_name" => {
                                let full = child.text().to_string();
                                let first = full.split('.').next().unwrap_or(&full).to_string();
                                map.insert(first.clone(), first);
                            }
                            "aliased_import" => {
                                if let (Some(name), Some(alias)) =
                                    (child.field_of("name"), child.field_of("alias"))
                                {
                                    map.insert(alias.text().to_string(), name.text().to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "import_from_statement" => {
                    let Some(module) = node.field_of("module_name") else {
                        continue;
                    };
                    let module = module.text().to_string();
                    for child in node.field_children("name") {
                        match child.kind().as_ref() {
                            "dotted_name" => {
                                let name = child.text().to_string();
                                map.insert(name.clone(), format!("{module}.{name}"));
                            }
                            "aliased_import" => {
                                if let (Some(name), Some(alias)) =
                                    (child.field_of("name"), child.field_of("alias"))
                                {
                                    map.insert(
                                        alias.text().to_string(),
                                        format!("{module}.{}", name.text()),
                                    );
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Imports { map }
    }

    /// Resolve a dotted expression (`h.md5`, `md5`, `hashlib.md5`) to its
    /// qualified name, or return it unchanged when its head is not imported.
    pub fn resolve(&self, dotted: &str) -> String {
        let (head, rest) = dotted
            .split_once('.')
            .map_or((dotted, None), |(h, r)| (h, Some(r)));
        match (self.map.get(head), rest) {
            (Some(full), Some(rest)) => format!("{full}.{rest}"),
            (Some(full), None) => full.clone(),
            (None, _) => dotted.to_string(),
        }
    }

    pub fn is_imported(&self, module: &str) -> bool {
        self.map
            .values()
            .any(|v| v == module || v.starts_with(&format!("{module}.")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast_grep_core::tree_sitter::LanguageExt;
    use ast_grep_language::SupportLang;

    #[test]
    fn resolves_aliases() {
        let tree = SupportLang::Python
            .ast_grep("import hashlib as h\nfrom hashlib import md5, sha1 as s1\nimport os.path\n");
        let imports = Imports::collect(&NodeIndex::build(SupportLang::Python, &tree));

        assert_eq!(imports.resolve("h.sha256"), "hashlib.sha256");
        assert_eq!(imports.resolve("md5"), "hashlib.md5");
        assert_eq!(imports.resolve("s1"), "hashlib.sha1");
        assert_eq!(imports.resolve("os.getenv"), "os.getenv");
        assert_eq!(imports.resolve("unknown.x"), "unknown.x");
        assert!(imports.is_imported("hashlib"));
    }
}
