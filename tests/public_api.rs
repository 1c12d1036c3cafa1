//! The library's public API against its reviewed list, `tests/fixtures/public-api.txt`.
//!
//! The list names every public item (module, type, function, constant, trait, macro), every
//! public field, variant and method of the public types, and every re-export of another crate,
//! one per line, `kind path`. It is computed by parsing `src/` with `syn`, following `pub mod`
//! and `pub use` from `src/lib.rs` the way the compiler resolves them; `crit::proto`'s contents
//! are generated from `proto/` and listed as the module alone, and a `#[doc(hidden)]` item (public
//! for the tests and fuzz targets, not API) as `hidden` alone. A change to the API changes the
//! list: after a deliberate one, rewrite the list and review its diff:
//!
//!     CRIT_BLESS=1 cargo test --test integration public_api::
//!     git diff tests/fixtures/public-api.txt

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use syn::{Attribute, ImplItem, Item, TraitItem, UseTree, Visibility};

const LIST: &str = "tests/fixtures/public-api.txt";
const BLESS: &str = "CRIT_BLESS=1 cargo test --test integration public_api::";

/// What a name in a module's namespace stands for.
#[derive(Clone, Debug)]
enum Def {
    /// An item defined here: its kind and, for a module, its path in `Crate::modules`.
    Item { kind: &'static str, module: Option<String> },
    /// `use a::b::c` (public or not): the path it names, relative to the module it is in.
    Use { path: Vec<String>, glob: bool },
}

/// A name a module exports: (name, kind, (module, name) of its definition, the module it is).
type Export = (String, &'static str, (String, String), Option<String>);

#[derive(Clone, Debug)]
struct Name {
    name: String,
    public: bool,
    def: Def,
}

/// A parsed module: its names, and the members of the types defined in it.
#[derive(Default, Debug)]
struct Module {
    names: Vec<Name>,
    /// type name → public members (`field x`, `variant X`, `method f`, …).
    members: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Default)]
struct Crate {
    /// module path (`crate`, `crate::mem`, …) → module.
    modules: BTreeMap<String, Module>,
    /// inherent impls seen anywhere: (module path, self type path, public members).
    impls: Vec<(String, Vec<String>, Vec<String>)>,
}

fn main_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// True when an item is compiled only for tests or doc-tests.
fn skipped(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && quote_attr(a).contains("test"))
}

/// True for `#[doc(hidden)]`: public for the tests and fuzz targets, not API.
fn hidden(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("doc") && quote_attr(a).contains("hidden"))
}

fn quote_attr(a: &Attribute) -> String {
    match &a.meta {
        syn::Meta::List(l) => l.tokens.to_string(),
        _ => String::new(),
    }
}

fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("path"))
        .and_then(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn pub_fields(fields: &syn::Fields) -> Vec<String> {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_pub(&f.vis))
        .map(|(i, f)| match &f.ident {
            Some(id) => format!("field {id}"),
            None => format!("field {i}"),
        })
        .collect()
}

fn use_paths(tree: &UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, Vec<String>, bool)>) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let mut path = prefix.clone();
            path.push(n.ident.to_string());
            let name = if n.ident == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                n.ident.to_string()
            };
            if n.ident == "self" {
                path.pop();
            }
            out.push((name, path, false));
        }
        UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push((r.rename.to_string(), path, false));
        }
        UseTree::Glob(_) => out.push(("*".into(), prefix.clone(), true)),
        UseTree::Group(g) => g.items.iter().for_each(|t| use_paths(t, prefix, out)),
    }
}

impl Crate {
    fn parse(&mut self, module: &str, file: &Path, dir: &Path) {
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        self.items(module, &ast.items, dir);
    }

    fn items(&mut self, module: &str, items: &[Item], dir: &Path) {
        self.modules.entry(module.to_string()).or_default();
        for item in items {
            self.item(module, item, dir);
        }
    }

    fn define(&mut self, module: &str, name: String, public: bool, kind: &'static str, members: Vec<String>) {
        let m = self.modules.get_mut(module).unwrap();
        if !members.is_empty() {
            m.members.entry(name.clone()).or_default().extend(members);
        }
        m.names.push(Name {
            name,
            public,
            def: Def::Item { kind, module: None },
        });
    }

    fn item(&mut self, module: &str, item: &Item, dir: &Path) {
        let item_attrs: &[Attribute] = match item {
            Item::Const(i) => &i.attrs,
            Item::Enum(i) => &i.attrs,
            Item::Fn(i) => &i.attrs,
            Item::Impl(i) => &i.attrs,
            Item::Macro(i) => &i.attrs,
            Item::Mod(i) => &i.attrs,
            Item::Static(i) => &i.attrs,
            Item::Struct(i) => &i.attrs,
            Item::Trait(i) => &i.attrs,
            Item::Type(i) => &i.attrs,
            Item::Union(i) => &i.attrs,
            Item::Use(i) => &i.attrs,
            _ => &[],
        };
        if skipped(item_attrs) {
            return;
        }
        if hidden(item_attrs) {
            if let Item::Mod(i) = item {
                self.module(module, i, dir);
            }
            let m = self.modules.get_mut(module).unwrap();
            if let Some(Name {
                def: Def::Item { kind, .. },
                ..
            }) = m.names.last_mut().filter(|_| matches!(item, Item::Mod(_)))
            {
                *kind = "hidden";
            } else if let Some(name) = item_name(item) {
                m.names.push(Name {
                    name,
                    public: true,
                    def: Def::Item {
                        kind: "hidden",
                        module: None,
                    },
                });
            }
            return;
        }
        match item {
            Item::Const(i) => self.define(module, i.ident.to_string(), is_pub(&i.vis), "const", vec![]),
            Item::Static(i) => self.define(module, i.ident.to_string(), is_pub(&i.vis), "static", vec![]),
            Item::Fn(i) => self.define(module, i.sig.ident.to_string(), is_pub(&i.vis), "fn", vec![]),
            Item::Type(i) => self.define(module, i.ident.to_string(), is_pub(&i.vis), "type", vec![]),
            Item::Struct(i) => {
                let fields = pub_fields(&i.fields);
                self.define(module, i.ident.to_string(), is_pub(&i.vis), "struct", fields);
            }
            Item::Union(i) => {
                let fields = pub_fields(&syn::Fields::Named(i.fields.clone()));
                self.define(module, i.ident.to_string(), is_pub(&i.vis), "union", fields);
            }
            Item::Enum(i) => {
                let variants = i.variants.iter().map(|v| format!("variant {}", v.ident)).collect();
                self.define(module, i.ident.to_string(), is_pub(&i.vis), "enum", variants);
            }
            Item::Trait(i) => {
                let members = i.items.iter().filter_map(trait_member).collect();
                self.define(module, i.ident.to_string(), is_pub(&i.vis), "trait", members);
            }
            Item::Macro(i) => {
                let exported = i.attrs.iter().any(|a| a.path().is_ident("macro_export"));
                if let (Some(id), true) = (&i.ident, exported) {
                    self.define("crate", id.to_string(), true, "macro", vec![]);
                }
            }
            Item::Impl(i) if i.trait_.is_none() => self.inherent_impl(module, i),
            Item::Mod(i) => self.module(module, i, dir),
            Item::Use(i) => {
                let mut out = Vec::new();
                use_paths(&i.tree, &mut Vec::new(), &mut out);
                let m = self.modules.get_mut(module).unwrap();
                for (name, path, glob) in out {
                    m.names.push(Name {
                        name,
                        public: is_pub(&i.vis),
                        def: Def::Use { path, glob },
                    });
                }
            }
            _ => {}
        }
    }

    fn inherent_impl(&mut self, module: &str, i: &syn::ItemImpl) {
        let syn::Type::Path(tp) = &*i.self_ty else { return };
        let path = tp.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let members = i
            .items
            .iter()
            .filter_map(|it| match it {
                ImplItem::Fn(f) if is_pub(&f.vis) && !skipped(&f.attrs) => Some(format!("method {}", f.sig.ident)),
                ImplItem::Const(c) if is_pub(&c.vis) && !skipped(&c.attrs) => Some(format!("const {}", c.ident)),
                ImplItem::Type(t) if is_pub(&t.vis) && !skipped(&t.attrs) => Some(format!("type {}", t.ident)),
                _ => None,
            })
            .collect();
        self.impls.push((module.to_string(), path, members));
    }

    fn module(&mut self, parent: &str, i: &syn::ItemMod, dir: &Path) {
        let name = i.ident.to_string();
        let path = format!("{parent}::{name}");
        let child_dir = dir.join(&name);
        match (&i.content, path_attr(&i.attrs)) {
            (Some((_, items)), _) => self.items(&path, items, &child_dir),
            (None, Some(file)) => self.parse(&path, &dir.join(&file), dir.join(&file).parent().unwrap()),
            (None, None) => {
                let flat = dir.join(format!("{name}.rs"));
                let file = if flat.exists() { flat } else { child_dir.join("mod.rs") };
                self.parse(&path, &file, &child_dir);
            }
        }
        let m = self.modules.get_mut(parent).unwrap();
        m.names.push(Name {
            name,
            public: is_pub(&i.vis),
            def: Def::Item {
                kind: "mod",
                module: Some(path),
            },
        });
    }

    /// What `path` (as written in a `use` or an `impl` of `module`) names: (module, name) of a
    /// definition of this crate, or `None` for another crate's item.
    fn resolve(&self, module: &str, path: &[String]) -> Option<(String, Name)> {
        let (mut at, rest) = match path[0].as_str() {
            "crate" => ("crate".to_string(), &path[1..]),
            "self" => (module.to_string(), &path[1..]),
            "super" => (
                module.rsplit_once("::").map_or("crate", |p| p.0).to_string(),
                &path[1..],
            ),
            _ => (module.to_string(), path),
        };
        if rest.is_empty() {
            let (parent, name) = at.rsplit_once("::")?;
            let def = Def::Item {
                kind: "mod",
                module: Some(at.clone()),
            };
            return Some((
                parent.to_string(),
                Name {
                    name: name.to_string(),
                    public: true,
                    def,
                },
            ));
        }
        for (i, seg) in rest.iter().enumerate() {
            let (owner, found) = self.lookup(&at, seg, 0)?;
            if i + 1 == rest.len() {
                return Some((owner, found));
            }
            match found.def {
                Def::Item { module: Some(m), .. } => at = m,
                _ => return None,
            }
        }
        None
    }

    /// A name in a module's namespace, following its `use`s (any visibility).
    fn lookup(&self, module: &str, name: &str, depth: usize) -> Option<(String, Name)> {
        assert!(depth < 32, "a cycle of uses at {module}::{name}");
        let m = self.modules.get(module)?;
        if let Some(n) = m
            .names
            .iter()
            .find(|n| n.name == name && matches!(n.def, Def::Item { .. }))
        {
            return Some((module.to_string(), n.clone()));
        }
        for n in &m.names {
            match &n.def {
                Def::Use { path, glob: false } if n.name == name => {
                    let (owner, found) = self.resolve(module, path)?;
                    return Some((
                        owner,
                        Name {
                            public: n.public,
                            ..found
                        },
                    ));
                }
                Def::Use { path, glob: true } => {
                    let target = self.resolve(module, path);
                    if let Some((
                        _,
                        Name {
                            def: Def::Item { module: Some(t), .. },
                            ..
                        },
                    )) = target
                    {
                        if let Some(found) = self.lookup(&t, name, depth + 1) {
                            return Some(found);
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The names a module exports: (name, kind, (module, name) of the definition, module it is).
    fn exports(&self, module: &str) -> Vec<Export> {
        let mut out = Vec::new();
        for n in self.modules[module].names.iter().filter(|n| n.public) {
            let def = (module.to_string(), n.name.clone());
            match &n.def {
                Def::Item { kind, module: m } => out.push((n.name.clone(), *kind, def, m.clone())),
                Def::Use { path, glob: false } => match self.resolve(module, path) {
                    Some((
                        owner,
                        Name {
                            name,
                            def: Def::Item { kind, module: m },
                            ..
                        },
                    )) => out.push((n.name.clone(), kind, (owner, name), m)),
                    _ => out.push((n.name.clone(), "extern", (path.join("::"), String::new()), None)),
                },
                Def::Use { path, glob: true } => match self.resolve(module, path) {
                    Some((
                        _,
                        Name {
                            def: Def::Item { module: Some(t), .. },
                            ..
                        },
                    )) => out.extend(self.exports(&t)),
                    _ => out.push(("*".into(), "extern", (path.join("::"), String::new()), None)),
                },
            }
        }
        out
    }

    /// Every public path of the crate, `kind path` per line.
    fn list(&self) -> BTreeSet<String> {
        let mut members: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for (module, types) in &self.modules {
            for (ty, m) in &types.members {
                members
                    .entry((module.clone(), ty.clone()))
                    .or_default()
                    .extend(m.iter().cloned());
            }
        }
        for (module, path, m) in &self.impls {
            let found = self
                .resolve(module, path)
                .or_else(|| self.lookup(module, path.last()?, 0));
            if let Some((owner, n)) = found {
                members.entry((owner, n.name)).or_default().extend(m.iter().cloned());
            }
        }
        // Each definition's members are listed under its shortest public path.
        let mut paths: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut lines = BTreeSet::new();
        let mut queue = vec![("crate".to_string(), "crit".to_string())];
        while let Some((module, public)) = queue.pop() {
            if module == "crate::proto" {
                continue; // generated from proto/
            }
            for (name, kind, key, sub) in self.exports(&module) {
                let here = format!("{public}::{name}");
                if kind == "extern" {
                    lines.insert(format!("extern {here} = {}", key.0));
                    continue;
                }
                lines.insert(format!("{kind} {here}"));
                if kind == "hidden" {
                    continue; // not API: neither its contents nor its members
                }
                if let Some(sub) = sub {
                    queue.push((sub, here));
                    continue;
                }
                let best = paths.entry(key).or_insert_with(|| here.clone());
                if (here.len(), &here) < (best.len(), &*best) {
                    *best = here;
                }
            }
        }
        for (key, path) in paths {
            for m in members.get(&key).into_iter().flatten() {
                let (kind, name) = m.split_once(' ').unwrap();
                lines.insert(format!("{kind} {path}::{name}"));
            }
        }
        lines
    }
}

fn item_name(item: &Item) -> Option<String> {
    Some(match item {
        Item::Const(i) => i.ident.to_string(),
        Item::Enum(i) => i.ident.to_string(),
        Item::Fn(i) => i.sig.ident.to_string(),
        Item::Static(i) => i.ident.to_string(),
        Item::Struct(i) => i.ident.to_string(),
        Item::Trait(i) => i.ident.to_string(),
        Item::Type(i) => i.ident.to_string(),
        Item::Union(i) => i.ident.to_string(),
        _ => return None,
    })
}

fn trait_member(item: &TraitItem) -> Option<String> {
    match item {
        TraitItem::Fn(f) => Some(format!("method {}", f.sig.ident)),
        TraitItem::Const(c) => Some(format!("const {}", c.ident)),
        TraitItem::Type(t) => Some(format!("type {}", t.ident)),
        _ => None,
    }
}

fn public_api() -> BTreeSet<String> {
    let mut krate = Crate::default();
    let src = main_src();
    krate.parse("crate", &src.join("lib.rs"), &src);
    krate.list()
}

/// Sorted by path, then kind, so that a type's members follow it.
fn render(lines: &BTreeSet<String>) -> String {
    let mut v: Vec<&String> = lines.iter().collect();
    v.sort_by_key(|l| {
        let (kind, path) = l.split_once(' ').unwrap();
        (path.split(" = ").next().unwrap().to_string(), kind.to_string())
    });
    v.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn public_api_matches_the_reviewed_list() {
    let actual = public_api();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(LIST);
    if std::env::var_os("CRIT_BLESS").is_some() {
        fs::write(&file, render(&actual)).unwrap();
        return;
    }
    let text = fs::read_to_string(&file).unwrap_or_default();
    let expected: BTreeSet<String> = text.lines().map(str::to_string).collect();
    let removed: Vec<_> = expected.difference(&actual).collect();
    let added: Vec<_> = actual.difference(&expected).collect();
    let mut report = String::new();
    for l in &removed {
        report += &format!("- {l}\n");
    }
    for l in &added {
        report += &format!("+ {l}\n");
    }
    assert!(
        removed.is_empty() && added.is_empty() && text == render(&actual),
        "the public API differs from {LIST} (- listed but gone, + public but not listed):\n{report}\
         If the change is deliberate, rewrite the list and review its diff:\n    {BLESS}\n    git diff {LIST}\n"
    );
}

/// The lister itself: a small crate with each way of being public, and of not being.
#[test]
fn the_lister_follows_mods_uses_and_visibility() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    fs::create_dir(src.join("inner")).unwrap();
    fs::write(
        src.join("lib.rs"),
        "pub mod a; mod inner; pub use inner::{Hidden as Shown, helper}; pub use serde::Serialize;\n\
         pub(crate) fn internal() {} #[cfg(test)] pub fn only_tests() {}\n\
         pub mod g { pub use super::a::*; }\n#[doc(hidden)] pub mod h { pub fn f() {} }",
    )
    .unwrap();
    fs::write(
        src.join("a.rs"),
        "pub struct S { pub x: u8, y: u8 } impl S { pub fn new() -> S { todo!() } fn private(&self) {} }\n\
         pub enum E { One, Two } pub trait T { fn f(&self); } pub const C: u8 = 1; struct Private;",
    )
    .unwrap();
    fs::write(
        src.join("inner/mod.rs"),
        "pub struct Hidden(pub u8); pub fn helper() {} pub fn unexported() {}\n\
         impl Hidden { pub fn get(&self) -> u8 { self.0 } }",
    )
    .unwrap();
    let mut krate = Crate::default();
    krate.parse("crate", &src.join("lib.rs"), src);
    let got = render(&krate.list());
    let want = "\
extern crit::Serialize = serde::Serialize
struct crit::Shown
field crit::Shown::0
method crit::Shown::get
mod crit::a
const crit::a::C
enum crit::a::E
variant crit::a::E::One
variant crit::a::E::Two
struct crit::a::S
method crit::a::S::new
field crit::a::S::x
trait crit::a::T
method crit::a::T::f
mod crit::g
const crit::g::C
enum crit::g::E
struct crit::g::S
trait crit::g::T
hidden crit::h
fn crit::helper
";
    assert_eq!(got, want);
}
