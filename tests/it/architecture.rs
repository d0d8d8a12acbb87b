//! The import rules of `docs/architecture.md`, read from the source: every `crate::` path (and
//! `super::` path that climbs to the crate) in `src/`, outside unit tests, names the module it
//! reaches. No two modules may reach each other, directly or through others, and the layers the
//! table keeps narrow import only what it allows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// What each narrow layer may import (`docs/architecture.md`, "The layers and what they may
/// import"). The adapters (`console`, `discord`, `demo`) may import anything, but no circle.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("clock", &[]),
    ("sync", &[]),
    ("metrics", &[]),
    ("config", &["domain"]),
    ("render", &["domain"]),
    ("source", &["domain"]),
    ("webhook", &["domain", "source"]),
    ("outbox", &["domain", "sync"]),
    ("store", &["domain", "outbox"]),
    (
        "service",
        &[
            "domain", "store", "render", "outbox", "source", "webhook", "metrics", "config", "pace",
        ],
    ),
    ("command", &["domain", "service"]),
    (
        "delivery",
        &[
            "domain", "service", "store", "outbox", "render", "webhook", "metrics",
        ],
    ),
    (
        "scheduler",
        &[
            "domain",
            "service",
            "store",
            "outbox",
            "delivery",
            "clock",
            "sync",
            "leadership",
        ],
    ),
    ("leadership", &["store", "metrics", "sync"]),
    ("pace", &["store", "sync"]),
    ("http", &["domain", "service", "config", "clock", "metrics"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn ident_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first segment of every path that follows `prefix` (`crate::`): `crate::store::x` gives
/// `store`, `crate::{domain::y, render}` gives `domain` and `render`.
fn heads_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut heads = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let close = group.find('}').unwrap_or(group.len());
            for item in group[..close].split(',') {
                heads.push(ident_at(item.trim()));
            }
        } else {
            heads.push(ident_at(rest));
        }
    }
    heads
}

/// Module -> the other modules of the crate its files name.
fn imports() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src/");
        let parts: Vec<String> = relative
            .with_extension("")
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let module = parts[0].clone();
        if parts.len() == 1 && (module == "lib" || module == "main") {
            continue;
        }
        if parts.last().is_some_and(|p| p.ends_with("_tests")) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file");
        let code = text
            .find("#[cfg(test)]\nmod tests")
            .map_or(text.as_str(), |at| &text[..at]);
        let mut heads = heads_after(code, "crate::");
        // `super::` from a top-level file (`src/x.rs`) is the crate; from `src/x/y.rs`,
        // `super::super::` is.
        let to_root = "super::".repeat(parts.len());
        heads.extend(heads_after(code, &to_root));
        let reached = graph.entry(module.clone()).or_default();
        for head in heads {
            if !head.is_empty() && head != module && head.starts_with(|c: char| c.is_lowercase()) {
                reached.insert(head.to_owned());
            }
        }
    }
    graph
}

/// A circle through `from`, if there is one: the modules along it.
fn circle_through(graph: &Graph, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![(from.to_owned(), vec![from.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == from {
                let mut circle = path.clone();
                circle.push(from.to_owned());
                return Some(circle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn no_two_modules_import_each_other_directly_or_through_others() {
    let graph = imports();
    assert!(
        graph.get("discord").is_some_and(|d| d.contains("command")),
        "the reader sees the imports it checks: {graph:?}"
    );
    for module in graph.keys() {
        if let Some(circle) = circle_through(&graph, module) {
            panic!("an import circle: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn each_narrow_layer_imports_only_what_the_architecture_allows() {
    let graph = imports();
    for (module, allowed) in ALLOWED {
        let reached = graph.get(*module).cloned().unwrap_or_default();
        let extra: Vec<_> = reached
            .iter()
            .filter(|m| !allowed.contains(&m.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{module} imports {extra:?}, which docs/architecture.md does not allow it"
        );
    }
}

#[test]
fn the_reader_follows_grouped_and_climbing_paths() {
    let code = "use crate::{domain::x, render};\nuse super::super::store::y;\nlet a = mycrate::z;";
    assert_eq!(heads_after(code, "crate::"), ["domain", "render"]);
    assert_eq!(heads_after(code, "super::super::"), ["store"]);
    let mut graph = Graph::new();
    graph.insert("a".into(), ["b".into()].into());
    graph.insert("b".into(), ["a".into()].into());
    assert_eq!(
        circle_through(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}
