//! List endpoints that return a whole table. Django REST framework: list
//! views that set `pagination_class = None`, and a `REST_FRAMEWORK` settings
//! dict without `DEFAULT_PAGINATION_CLASS`. In collection handlers (FastAPI /
//! Flask GET routes whose path has no parameter, Django/DRF `list`/`get`
//! methods and `list_*` views; Express `router.get` on paths without `:id`):
//! unfiltered ORM reads with no limit (`Model.objects.all()`,
//! `session.query(M).all()`, `select(M)` … `.scalars().all()`,
//! `.to_list(None)`, Prisma `findMany()` without `take`, Mongoose/Sequelize/
//! TypeORM `find()`/`findAll()` without a limit) and raw `SELECT … FROM`
//! without `LIMIT` or `WHERE`. A handler that mentions pagination, a limit, a
//! page or a slice anywhere is left alone; filtered queries are left alone
//! too. Medium confidence: a small, fixed-size table is fine to return whole.
//! Handlers live in `unbounded_query_py` and `unbounded_query_js`.

use super::limits_common::{strip_quotes, N};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use regex::Regex;
use std::sync::LazyLock;

pub struct UnboundedQuery;

/// Python words of [`UnboundedQuery::anchors`].
const PY_ANCHORS: &[&str] = &[
    ".objects",
    ".query(",
    ".query.",
    "select",
    "\u{17f}elect",
    ".scalars(",
    ".execute(",
    ".find",
    "to_list",
    "ListView",
    "pagination_class",
    "REST_FRAMEWORK",
];
/// JavaScript/TypeScript words of [`UnboundedQuery::anchors`].
const JS_ANCHORS: &[&str] = &["find", "select", "\u{17f}elect"];

impl Check for UnboundedQuery {
    /// Every hit needs one of these in the text. Python: an ORM read is
    /// reported only when its call text contains `.objects`, `.query(`,
    /// `.query.`, `select(`, `.scalars(` or `.execute(`; a PyMongo read
    /// ends in `.find`; then `to_list` (`.to_list(None)`), `select` (raw
    /// SQL), a `ListView` base, `pagination_class = None`, `REST_FRAMEWORK =
    /// {...}`. JavaScript/TypeScript: a `find`/`findAll`/`findMany` property,
    /// knex `.select(` or raw SQL. The SQL regex is Unicode
    /// case-insensitive, so `select` is also listed with U+017F for `s`.
    fn anchors(&self, language: Language) -> Option<&'static [&'static str]> {
        super::code_anchors(language, Some(PY_ANCHORS), Some(JS_ANCHORS), None)
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        match file.language {
            Language::Python => python(file, nodes, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                super::unbounded_query_js::js(file, nodes, out)
            }
            _ => {}
        }
    }
}

pub(super) fn re(s: &str) -> Regex {
    Regex::new(s).expect("constant regex")
}

/// Anything in a handler that suggests the result is already bounded.
pub(super) static BOUNDED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(paginat|\.limit\(|\blimit\b|\bpage(_?size)?\b|per_?page|\[\s*[\w.+\- ]*:\s*[\w.+\- ]*\]|\.slice\(|\btake\b|\boffset\b|\bskip\b|first\(|fetchone|fetchrow|fetchmany|yield_per|\bcursor=|\.stream\(|iterator\()",
    )
});
pub(super) static SELECT: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)^\s*select\b.+\bfrom\b"));
pub(super) static SQL_BOUNDED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(limit|top\s+\(?\d|fetch\s+(first|next)|where|exists|offset)\b|\b(count|sum|avg|max|min)\s*\(",
    )
});
static DJANGO_LIST_VIEW: LazyLock<Regex> = LazyLock::new(|| re(r"(^|[(,\s.])ListView\b"));
static LIST_BASE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(ListAPIView|ListCreateAPIView|ModelViewSet|ReadOnlyModelViewSet|ListModelMixin)")
});

pub(super) fn hit(node: &N<'_>, what: &str, handler: &str) -> Hit {
    Hit::new(
        node.range(),
        format!("{what} in collection handler `{handler}` has no limit or pagination, so the response grows with the table until it times out or exhausts memory"),
    )
}

fn python(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let is_django = file.text.contains("django") || file.text.contains("rest_framework");
    for node in nodes.of_kinds(&["class_definition", "assignment", "function_definition"]) {
        match node.kind().as_ref() {
            "class_definition" => drf_class(&node, out),
            "assignment" => rest_framework_settings(&node, out),
            "function_definition" => {
                if let Some(name) = super::unbounded_query_py::py_list_handler(&node, is_django) {
                    super::unbounded_query_py::py_handler_body(&node, &name, out);
                }
            }
            _ => {}
        }
    }
}

fn drf_class(class: &N<'_>, out: &mut Vec<Hit>) {
    let bases = class
        .field_of("superclasses")
        .map(|s| s.text().to_string())
        .unwrap_or_default();
    let django_list = DJANGO_LIST_VIEW.is_match(&bases);
    if !LIST_BASE.is_match(&bases) && !django_list {
        return;
    }
    let Some(body) = class.field_of("body") else {
        return;
    };
    let body_text = body.text();
    if body_text.contains("[:") {
        return;
    }
    let name = class
        .field_of("name")
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    // Django's generic ListView renders every object unless `paginate_by` is set.
    if django_list {
        let has_source = ["model =", "queryset =", "def get_queryset"]
            .iter()
            .any(|k| body_text.contains(k));
        if has_source && !BOUNDED.is_match(&body_text) && !body_text.contains("paginate_by") {
            if let Some(n) = class.field_of("name") {
                out.push(Hit::new(
                    n.range(),
                    format!("list view `{name}` (Django `ListView`) sets no `paginate_by`, so every request renders the whole table"),
                ));
            }
        }
        return;
    }
    for stmt in body.children() {
        let Some(a) = stmt.children().find(|c| c.kind() == "assignment") else {
            continue;
        };
        let is_none = a
            .field_of("left")
            .is_some_and(|l| l.text() == "pagination_class")
            && a.field_of("right").is_some_and(|r| r.text() == "None");
        if is_none {
            out.push(Hit::new(
                a.range(),
                format!("list view `{name}` sets `pagination_class = None`, so every request serialises the whole queryset"),
            ));
        }
    }
}

fn rest_framework_settings(node: &N<'_>, out: &mut Vec<Hit>) {
    if node
        .field_of("left")
        .is_none_or(|l| l.text() != "REST_FRAMEWORK")
    {
        return;
    }
    let Some(dict) = node.field_of("right").filter(|r| r.kind() == "dictionary") else {
        return;
    };
    let keys: Vec<String> = dict
        .children()
        .filter(|c| c.kind() == "pair")
        .filter_map(|p| {
            p.field_of("key")
                .map(|k| strip_quotes(&k.text()).to_string())
        })
        .collect();
    if dict.children().any(|c| c.kind() == "dictionary_splat")
        || keys.iter().any(|k| k == "DEFAULT_PAGINATION_CLASS")
    {
        return;
    }
    let extra = if keys.iter().any(|k| k == "PAGE_SIZE") {
        " (`PAGE_SIZE` alone does nothing)"
    } else {
        ""
    };
    out.push(Hit::new(
        node.range(),
        format!("`REST_FRAMEWORK` sets no `DEFAULT_PAGINATION_CLASS`{extra}, so list endpoints without their own `pagination_class` return every row"),
    ));
}
