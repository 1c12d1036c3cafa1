//! The layout ARCHITECTURE.md describes, held true: the library's top-level
//! modules import only their own layer and the layers below it, with no
//! import cycle between them; no source file is longer than 800 lines and no
//! function longer than 100. Read from `src/` itself, so a change that
//! breaks a rule fails here with the offenders listed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The library's layers, from the ground up (ARCHITECTURE.md, "Layers").
/// A module may import its own layer's modules and those of the layers
/// below; `proto` and the root's constants are the format's own.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "bytes, errors",
        &["wire", "error", "regular", "symlinks", "progress", "size", "hex"],
    ),
    ("the format", &["schema", "proto", "image"]),
    ("tar archives", &["archive"]),
    ("JSON, message by message", &["message_json"]),
    ("not protobuf: CRIU's raw images", &["raw_image"]),
    ("JSON, image by image", &["image_json"]),
    ("where images come from", &["source"]),
    ("memory", &["mem"]),
    ("one checkpoint", &["checkpoint"]),
    ("what it holds", &["explore", "stats"]),
    ("what people ask", &["diff", "coredump", "inspect", "check"]),
];

/// Names the crate root defines or re-exports, and the layer they count in.
const ROOT_ITEMS: &[(&str, &str)] = &[("Error", "error"), ("Result", "error"), ("CRIU_FORMAT_VERSION", "wire")];

/// Longest source file, in lines.
const FILE_LIMIT: usize = 800;
/// Longest function, in lines (signature to closing brace).
const FN_LIMIT: usize = 100;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn layer_of(module: &str) -> Option<usize> {
    let module = ROOT_ITEMS.iter().find(|(n, _)| *n == module).map_or(module, |(_, m)| m);
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// The top-level module `file` (under `src/`) belongs to; `None` for the
/// crate root and the binary.
fn top_module(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main" | "cli")).then(|| name.to_string())
}

/// The code of `text` without comments (line comments and doc comments;
/// block comments are not used in `src/`) and without string literals, so
/// that a `crate::` in prose or in a message is not taken for an import.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if !in_str && c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' && prev != '\'' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
        }
        out.push('\n');
    }
    out
}

/// The top-level modules `code` names through `crate::`: in paths
/// (`crate::mem::MemReader`) and in grouped imports (`use crate::{a, b::C}`).
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `$crate::` or a longer name
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Each top-level item's first name counts (`{a::{b, c}, d}`: a, d).
            let mut depth = 0;
            let mut start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        refs.insert(ident(group[start..j].trim_start()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        refs.insert(ident(group[start..j].trim_start()));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            refs.insert(ident(rest));
        }
    }
    refs.remove("");
    refs.remove("self");
    refs
}

/// Top-level module → the top-level modules it imports, with the files that do.
fn import_graph() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let Some(from) = top_module(&file) else { continue };
        let code = code_of(&fs::read_to_string(&file).unwrap());
        let rel = file.strip_prefix(src()).unwrap().display().to_string();
        let edges = graph.entry(from.clone()).or_default();
        for to in crate_refs(&code) {
            let to = ROOT_ITEMS
                .iter()
                .find(|(n, _)| *n == to)
                .map_or(to.clone(), |(_, m)| m.to_string());
            if to != from {
                edges.entry(to).or_default().insert(rel.clone());
            }
        }
    }
    graph
}

#[test]
fn the_reference_parser_finds_grouped_and_inline_imports() {
    let code = code_of(
        "use crate::{a::B, c, d::{e, f}};\n// crate::comment\nlet x = crate::g::h(\"crate::string\");\nuse crate::i::J;\n",
    );
    let found: Vec<String> = crate_refs(&code).into_iter().collect();
    assert_eq!(found, ["a", "c", "d", "g", "i"]);
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut declared = Vec::new();
    for line in lib.lines() {
        let line = line.trim_start().trim_start_matches("pub ");
        if let Some(name) = line
            .strip_prefix("mod ")
            .and_then(|l| l.strip_suffix(';').or(l.strip_suffix(" {")))
        {
            declared.push(name.to_string());
        }
    }
    assert!(declared.len() > 15, "only {declared:?} found in lib.rs");
    let missing: Vec<&String> = declared.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "modules of lib.rs in no layer of LAYERS: {missing:?}"
    );
    for (_, modules) in LAYERS {
        for m in *modules {
            assert!(
                declared.iter().any(|d| d == m),
                "LAYERS names `{m}`, which lib.rs does not declare"
            );
        }
    }
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let graph = import_graph();
    assert!(graph.len() > 15, "only {} modules read", graph.len());
    let mut breaks = Vec::new();
    for (from, edges) in &graph {
        let lf = layer_of(from).unwrap_or_else(|| panic!("src/{from} is in no layer of LAYERS"));
        for (to, files) in edges {
            let Some(lt) = layer_of(to) else {
                breaks.push(format!(
                    "{from} imports `crate::{to}`, which is in no layer ({files:?})"
                ));
                continue;
            };
            if lt > lf {
                breaks.push(format!(
                    "{from} ({}) imports {to} ({}) in {files:?}",
                    LAYERS[lf].0, LAYERS[lt].0
                ));
            }
        }
    }
    assert!(breaks.is_empty(), "imports of a higher layer:\n{}", breaks.join("\n"));
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = import_graph();
    // Depth-first search from every module; a module met again on the
    // current path closes a cycle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| *p == m) {
            cycles.push(format!("{} -> {m}", path[i..].join(" -> ")));
            return;
        }
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for to in graph.get(m).into_iter().flat_map(|e| e.keys()) {
            visit(to, graph, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// Each function of `text` longer than `limit` lines, as `(name, line, length)`.
/// rustfmt closes a function body with a `}` at the indentation of its `fn`.
fn long_functions(text: &str, limit: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let mut rest = trimmed;
        for prefix in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
            "extern \"C\" ",
        ] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        let Some(sig) = rest.strip_prefix("fn ") else { continue };
        let name: String = sig.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        // The line that opens the body (or ends a declaration without one).
        let Some(open) = (i..lines.len()).find(|&j| {
            let l = lines[j].trim_end();
            l.ends_with('{') || l.ends_with(';') || l.ends_with('}')
        }) else {
            continue;
        };
        let opened = lines[open].trim_end();
        if !opened.ends_with('{') {
            continue; // a declaration, or a body on one line
        }
        let close = format!("{indent}}}");
        let Some(end) = (open + 1..lines.len()).find(|&j| lines[j] == close) else {
            continue;
        };
        let len = end - i + 1;
        if len > limit {
            out.push((name, i + 1, len));
        }
    }
    out
}

#[test]
fn the_function_measure_counts_signature_to_closing_brace() {
    let text = "fn a() {\n    x;\n}\n\npub(crate) fn b(\n    y: u8,\n) -> u8 {\n    y\n}\nfn c() {}\n";
    assert_eq!(
        long_functions(text, 2),
        [("a".to_string(), 1, 3), ("b".to_string(), 5, 5)]
    );
    assert_eq!(long_functions(text, 5), []);
}

#[test]
fn no_file_or_function_is_too_long() {
    let files = rust_files(&src());
    assert!(files.len() > 100, "only {} files under src/", files.len());
    let mut offenders = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let rel = file.strip_prefix(src()).unwrap().display().to_string();
        let n = text.lines().count();
        if n > FILE_LIMIT {
            offenders.push(format!("src/{rel}: {n} lines (at most {FILE_LIMIT})"));
        }
        for (name, line, len) in long_functions(&text, FN_LIMIT) {
            offenders.push(format!(
                "src/{rel}:{line}: fn {name} is {len} lines (at most {FN_LIMIT})"
            ));
        }
    }
    assert!(
        offenders.is_empty(),
        "split these by concern:\n{}",
        offenders.join("\n")
    );
}
