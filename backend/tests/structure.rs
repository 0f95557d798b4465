//! The crate's shape, checked from its sources: no Leptos among its dependencies, and no two of
//! its modules importing each other (a module and its own submodules aside), so that every piece
//! of the domain can be read, and changed, from the bottom up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|x| x == "rs") {
            found.push(path);
        }
    }
}

/// `backend/src/a/b.rs` and `backend/src/a/b/mod.rs` are `a::b`; `lib.rs` is the root, "".
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).expect("under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without comments and without its unit tests.
fn code(text: &str) -> String {
    let without_tests = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    without_tests
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path that starts with `crate`, `super` or `self`, as its segments; a group
/// (`super::{a, b::c}`) gives one path per item.
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':';
        if !starts_word || !is_ident(chars[i]) {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < chars.len() && is_ident(chars[j]) {
                j += 1;
            }
            segments.push(chars[start..j].iter().collect::<String>());
            if chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') {
                j += 2;
                if chars.get(j).is_some_and(|c| is_ident(*c)) {
                    continue;
                }
                if chars.get(j) == Some(&'{') {
                    // The group's items, at its own depth.
                    let mut depth = 0;
                    let mut item = String::new();
                    let mut items = Vec::new();
                    for &c in &chars[j + 1..] {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                            c if depth == 0 => item.push(c),
                            _ => {}
                        }
                    }
                    items.push(item);
                    for item in items {
                        // `y::z as w` names `y::z`; a nested group or a glob ends the path.
                        let first: String = item
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .split("::")
                            .take_while(|s| !s.is_empty() && s.chars().all(is_ident))
                            .collect::<Vec<_>>()
                            .join("::");
                        if !first.is_empty() {
                            let mut path = segments.clone();
                            path.extend(first.split("::").map(str::to_owned));
                            found.push(path);
                        }
                    }
                }
            }
            break;
        }
        if matches!(segments[0].as_str(), "crate" | "super" | "self") && segments.len() > 1 {
            found.push(segments);
        }
        i = j.max(i + 1);
    }
    found
}

/// The module a path names (its longest prefix that is a module), from module `current`.
fn target(modules: &BTreeSet<String>, current: &str, path: &[String]) -> Option<String> {
    let mut base: Vec<String> = if current.is_empty() {
        Vec::new()
    } else {
        current.split("::").map(str::to_owned).collect()
    };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    (0..=rest.len()).rev().find_map(|k| {
        let mut candidate = base.clone();
        candidate.extend(rest[..k].iter().cloned());
        let name = candidate.join("::");
        modules.contains(&name).then_some(name)
    })
}

fn related(a: &str, b: &str) -> bool {
    a.is_empty()
        || b.is_empty()
        || a.starts_with(&format!("{b}::"))
        || b.starts_with(&format!("{a}::"))
}

/// Which modules each module imports (a module and its ancestors or descendants aside).
fn imports(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(root, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(root, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(root, file);
        let text = std::fs::read_to_string(file).expect("a source file");
        let targets: BTreeSet<String> = paths(&code(&text))
            .iter()
            .filter_map(|path| target(&modules, &module, path))
            .filter(|t| *t != module && !related(&module, t))
            .collect();
        graph.insert(module, targets);
    }
    graph
}

/// A cycle through `from`, if there is one: the modules on it in order.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![(from.to_owned(), vec![from.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((at, trail)) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == from {
                return Some(trail.clone());
            }
            if seen.insert(next.clone()) {
                let mut longer = trail.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn no_two_modules_import_each_other_however_far_round() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&root);
    assert!(graph.len() > 40, "the crate's modules were found");
    assert!(
        graph.values().map(BTreeSet::len).sum::<usize>() > 100,
        "their imports were found"
    );
    let cycles: Vec<Vec<String>> = graph
        .keys()
        .filter_map(|m| cycle_through(&graph, m))
        .collect();
    assert!(cycles.is_empty(), "import circles: {cycles:#?}");
}

/// The areas below may not reach up: the repositories import no service, message content knows
/// nothing of how it is sent, and the web pages' messaging nothing of the MESH API (which builds
/// on messaging, never the reverse).
const MAY_NOT_IMPORT: [(&str, &[&str]); 3] = [
    (
        "db",
        &[
            "accounts",
            "applications",
            "catalogue",
            "content",
            "mesh",
            "messaging",
            "service_desk",
        ],
    ),
    (
        "content",
        &["mesh", "messaging", "service_desk", "applications"],
    ),
    ("messaging", &["mesh"]),
];

#[test]
fn lower_layers_never_import_higher_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&root);
    let within =
        |module: &str, area: &str| module == area || module.starts_with(&format!("{area}::"));
    let mut wrong = Vec::new();
    for (module, targets) in &graph {
        for (area, forbidden) in MAY_NOT_IMPORT {
            if !within(module, area) {
                continue;
            }
            for target in targets {
                if forbidden.iter().any(|f| within(target, f)) {
                    wrong.push(format!("{module} imports {target}"));
                }
            }
        }
    }
    assert!(
        graph.keys().any(|m| m == "content::incoming") && graph.keys().any(|m| m == "db::messages"),
        "the layers' modules were found"
    );
    assert!(wrong.is_empty(), "imports against the layers: {wrong:#?}");
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let code = "use super::b::Thing;\nfn f() { crate::c::g(); }";
    let paths = paths(code);
    assert_eq!(paths[0], ["super", "b", "Thing"]);
    assert_eq!(paths[1], ["crate", "c", "g"]);
    let grouped = super_group();
    assert_eq!(grouped, [vec!["super", "x"], vec!["super", "y", "z"]]);
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
        ("d".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(
        cycle_through(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "c".into()])
    );
    assert_eq!(cycle_through(&graph, "d"), None);
}

fn super_group() -> Vec<Vec<String>> {
    paths("use super::{x, y::z as w};")
}

#[test]
fn no_leptos_among_its_dependencies() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("the manifest");
    for line in manifest.lines() {
        let name = line.split('=').next().unwrap_or_default().trim();
        assert!(
            !name.starts_with("leptos") && !name.starts_with("server_fn"),
            "{line}"
        );
    }
}

/// The edges: where a form's raw fields, the browser session and the next page's address
/// belong. Each area's `pages` module is its edge; the rest are the session's own plumbing.
fn is_edge(module: &str) -> bool {
    module == "pages"
        || module.ends_with("::pages")
        || [
            "forms",
            "form_route",
            "guard",
            "sessions",
            "accounts::session",
        ]
        .contains(&module)
}

/// Whether `word` stands on its own in `code` (not part of a longer name).
fn has_word(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn services_never_see_a_session_or_a_raw_form() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let (mut edges, mut services, mut wrong) = (0, 0, Vec::new());
    for file in &files {
        let module = module_of(&root, file);
        if is_edge(&module) {
            edges += 1;
            continue;
        }
        services += 1;
        let code = code(&std::fs::read_to_string(file).expect("a source file"));
        for word in ["tower_sessions", "Session", "FormValues"] {
            if has_word(&code, word) {
                wrong.push(format!("{module} uses {word}"));
            }
        }
    }
    assert!(
        edges >= 4 && services >= 40,
        "{edges} edges, {services} others"
    );
    assert!(wrong.is_empty(), "outside the edges: {wrong:#?}");
}

#[test]
fn no_service_reaches_up_into_a_page_edge() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&root);
    let wrong: Vec<String> = graph
        .iter()
        .filter(|(module, _)| !is_edge(module))
        .flat_map(|(module, targets)| {
            targets
                .iter()
                .filter(|target| target.ends_with("::pages"))
                .map(move |target| format!("{module} imports {target}"))
        })
        .collect();
    assert!(wrong.is_empty(), "services importing an edge: {wrong:#?}");
}

#[test]
fn a_word_is_found_only_on_its_own() {
    assert!(has_word("fn f(s: &Session)", "Session"));
    assert!(!has_word("SessionPolicy::new()", "Session"));
    assert!(!has_word("session_policy", "Session"));
    assert!(is_edge("service_desk::pages") && !is_edge("service_desk::decide"));
}
