//! A positioned value tree shared by the config formats (YAML, TOML, JSON),
//! so that config rules are written once against one shape and every value
//! they report carries its line and column.

/// A value with the 1-based position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct CNode {
    pub value: CValue,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CValue {
    Null,
    Bool(bool),
    /// Numbers keep their source text; rules compare them as needed.
    Number(String),
    String(String),
    Seq(Vec<CNode>),
    Map(Vec<(CKey, CNode)>),
}

/// A mapping key, positioned so findings can point at `image:` itself.
#[derive(Debug, Clone, PartialEq)]
pub struct CKey {
    pub name: String,
    pub line: u32,
    pub column: u32,
}

impl CNode {
    pub fn new(value: CValue, line: u32, column: u32) -> Self {
        Self {
            value,
            line,
            column,
        }
    }

    /// The value of `key` in a map.
    pub fn get(&self, key: &str) -> Option<&CNode> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value of `key` in a map.
    pub fn entry(&self, key: &str) -> Option<(&CKey, &CNode)> {
        match &self.value {
            CValue::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follow a path of keys through nested maps.
    pub fn path(&self, keys: &[&str]) -> Option<&CNode> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn entries(&self) -> &[(CKey, CNode)] {
        match &self.value {
            CValue::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[CNode] {
        match &self.value {
            CValue::Seq(items) => items,
            _ => &[],
        }
    }

    /// Scalar text: strings, numbers and booleans as written.
    pub fn as_scalar(&self) -> Option<String> {
        match &self.value {
            CValue::String(s) | CValue::Number(s) => Some(s.clone()),
            CValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            CValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A parsed config file: one or more documents (YAML streams hold several).
#[derive(Debug, Clone, Default)]
pub struct ConfigDoc {
    pub documents: Vec<CNode>,
}
