//! The layers hold: the protocol layer (`src/wecom`) and the renderer
//! (`src/preview`) use nothing of the front ends, the store or the engine,
//! so the composer, the CLI and the relay can all call them; and no module
//! of the composer (`src/tui`) uses another that uses it back. Read from
//! the source files, so a new import that breaks either fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FRONT_ENDS: &[&str] = &["store", "tui", "cli", "relay", "sandbox", "delivery"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read src dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The source without comments (`//` to the end of the line), so a doc
/// comment that names a module is no import.
fn code(source: &str) -> String {
    source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules named right after each `prefix` (`crate::`), including
/// those in a braced group (`crate::{store, wecom::Key}`).
fn modules_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        // `super::super::` and `xcrate::` are not this prefix.
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            let mut depth = 0;
            let mut word = String::new();
            // Past the first `::` of an item, the rest is inside that module.
            let mut in_path = false;
            for c in group[..end].chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !in_path {
                            out.insert(std::mem::take(&mut word));
                        }
                        word.clear();
                        in_path = false;
                    }
                    ':' if depth == 0 && !in_path && !word.is_empty() => {
                        out.insert(std::mem::take(&mut word));
                        in_path = true;
                    }
                    c if depth == 0 && !in_path && (c.is_alphanumeric() || c == '_') => {
                        word.push(c)
                    }
                    _ => {}
                }
            }
            if !in_path {
                out.insert(word);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out.remove("");
    out
}

/// The front-end modules a protocol-layer file uses.
fn front_ends_used(source: &str) -> Vec<String> {
    let code = code(source);
    let mut used = modules_after(&code, "crate::");
    used.extend(modules_after(&code, "wecom_composer::"));
    used.into_iter()
        .filter(|m| FRONT_ENDS.contains(&m.as_str()))
        .collect()
}

#[test]
fn the_checker_sees_each_way_of_writing_an_import() {
    assert_eq!(front_ends_used("use crate::store::media_cache;"), ["store"]);
    assert_eq!(
        front_ends_used("use crate::{paths, relay::pacer, wecom::Key};"),
        ["relay"]
    );
    assert_eq!(front_ends_used("let x = crate::tui::text::READY;"), ["tui"]);
    assert!(front_ends_used("/// Unlike crate::store, this keeps nothing.").is_empty());
    assert!(front_ends_used("use crate::wecom::Key;").is_empty());
    assert!(front_ends_used("use crate::{wecom::{Key, store}, paths};").is_empty());
    assert_eq!(
        modules_after("use super::{app::App, layout};", "super::"),
        BTreeSet::from(["app".to_owned(), "layout".to_owned()])
    );
}

#[test]
fn the_protocol_layer_and_the_renderer_use_no_front_end() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    let mut files = 0;
    for layer in ["wecom", "preview"] {
        for file in rust_files(&root.join(layer)) {
            files += 1;
            let source = std::fs::read_to_string(&file).expect("read source");
            for module in front_ends_used(&source) {
                offences.push(format!("{} uses crate::{module}", file.display()));
            }
        }
    }
    assert!(files > 5, "found only {files} files");
    assert!(
        offences.is_empty(),
        "the protocol layer must not reach up:\n{}",
        offences.join("\n")
    );
}

/// The composer's modules (its files and folders) and the others each uses.
fn tui_graph() -> BTreeMap<String, BTreeSet<String>> {
    let tui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&tui) {
        let relative = file.strip_prefix(&tui).expect("under src/tui");
        let parts: Vec<&str> = relative
            .components()
            .filter_map(|c| c.as_os_str().to_str())
            .collect();
        // src/tui/mod.rs is the runner that ties everything together.
        let (node, at_top) = match parts.as_slice() {
            ["mod.rs"] => continue,
            [file] => (file.trim_end_matches(".rs").to_owned(), true),
            [folder, "mod.rs"] => ((*folder).to_owned(), true),
            [folder, ..] => ((*folder).to_owned(), false),
            [] => continue,
        };
        let code = code(&std::fs::read_to_string(&file).expect("read source"));
        let mut uses = modules_after(&code, "crate::tui::");
        if at_top {
            // `super::` of a top file (or a folder's mod.rs) is src/tui.
            uses.extend(modules_after(&code, "super::"));
        }
        uses.remove(&node);
        graph.entry(node).or_default().extend(uses);
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|u| known.contains(u));
    }
    graph
}

/// A cycle in the graph, if there is one, as the path around it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("app".into())
        .or_default()
        .insert("preview_pane".into());
    g.entry("preview_pane".into())
        .or_default()
        .insert("view".into());
    g.entry("view".into()).or_default().insert("app".into());
    assert!(find_cycle(&g).is_some());
    g.get_mut("view").expect("view").clear();
    assert!(find_cycle(&g).is_none());
}

#[test]
fn no_module_of_the_composer_uses_one_that_uses_it_back() {
    let graph = tui_graph();
    assert!(graph.len() > 10, "read only {} modules", graph.len());
    assert!(
        graph["update"].contains("keymap"),
        "the reader sees imports"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle in src/tui: {}", cycle.join(" → "));
    }
}
