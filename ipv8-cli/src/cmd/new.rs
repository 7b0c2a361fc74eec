//! `ipv8 new NAME`: a new crate with a Lamport clock community, a `main` that runs three peers of it
//! on 127.0.0.1, and tests on the simulated network, from the files under `ipv8-cli/templates/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// Arguments of `ipv8 new`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The crate's name: ASCII letters, digits, `-` and `_`, starting with a letter.
    name: String,
    /// The directory to make the crate in, as DIR/NAME (default: the current directory).
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
}

/// The template files: where each goes in the new crate, and its text.
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../../templates/Cargo.toml.tmpl")),
    ("config.toml", include_str!("../../templates/config.toml")),
    (".gitignore", include_str!("../../templates/gitignore")),
    ("README.md", include_str!("../../templates/README.md")),
    ("rustfmt.toml", include_str!("../../templates/rustfmt.toml")),
    ("src/lib.rs", include_str!("../../templates/src/lib.rs")),
    ("src/main.rs", include_str!("../../templates/src/main.rs")),
    ("tests/community.rs", include_str!("../../templates/tests/community.rs")),
];

/// Names cargo or rustc would refuse, or that clash with the crate's own dependencies.
const RESERVED: &[&str] = &[
    "abstract",
    "alloc",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "core",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "ipv8",
    "ipv8_macros",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "proc_macro",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "std",
    "struct",
    "super",
    "test",
    "tokio",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

/// Makes the crate and says how to run it.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    check_name(&args.name)?;
    let dir = args.path.clone().unwrap_or_else(|| PathBuf::from(".")).join(&args.name);
    if dir.exists() {
        bail!("{} already exists; choose another name or --path", dir.display());
    }
    let ipv8 = Ipv8Source::detect();
    for (file, template) in TEMPLATES {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let text = render(template, &args.name, &ipv8);
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    println!("created crate `{}` in {} ({})", args.name, dir.display(), ipv8.describe());
    println!("run it with `cargo run`, test it with `cargo test`, in that directory");
    Ok(())
}

/// Refuses names that are not valid crate names, with the reason.
fn check_name(name: &str) -> anyhow::Result<()> {
    let Some(first) = name.chars().next() else { bail!("the crate name is empty") };
    if !first.is_ascii_alphabetic() {
        bail!("invalid crate name {name:?}: it must start with an ASCII letter");
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
    {
        bail!(
            "invalid crate name {name:?}: {bad:?} is not allowed; use ASCII letters, digits, - and _"
        );
    }
    if name.len() > 64 {
        bail!("invalid crate name {name:?}: it is longer than 64 characters");
    }
    if RESERVED.contains(&crate_ident(name).as_str()) {
        bail!("invalid crate name {name:?}: it is a Rust keyword or a reserved crate name");
    }
    Ok(())
}

/// The name as Rust code spells the crate.
fn crate_ident(name: &str) -> String {
    name.replace('-', "_")
}

/// A template with the crate's name and its `ipv8` dependency filled in.
fn render(template: &str, name: &str, ipv8: &Ipv8Source) -> String {
    template
        .replace("{{name}}", name)
        .replace("__crate__", &crate_ident(name))
        .replace("{{ipv8}}", &ipv8.dependency(&[]))
        .replace("{{ipv8_test_util}}", &ipv8.dependency(&["test-util"]))
}

/// Where the new crate gets `ipv8` from.
enum Ipv8Source {
    /// The checkout this binary was built from.
    Path(PathBuf),
    /// crates.io.
    Registry,
}

impl Ipv8Source {
    /// The checkout's `ipv8` crate if this binary was built from one that is still there.
    fn detect() -> Self {
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ipv8");
        match checkout.join("Cargo.toml").is_file().then(|| checkout.canonicalize()) {
            Some(Ok(path)) => Self::Path(path),
            _ => Self::Registry,
        }
    }

    /// The dependency's value in Cargo.toml, with these features.
    fn dependency(&self, features: &[&str]) -> String {
        let source = match self {
            Self::Path(path) => format!("path = {}", toml_string(&path.to_string_lossy())),
            Self::Registry => "version = \"0.1\"".to_owned(),
        };
        let features: Vec<String> = features.iter().map(|f| toml_string(f)).collect();
        if features.is_empty() {
            format!("{{ {source} }}")
        } else {
            format!("{{ {source}, features = [{}] }}", features.join(", "))
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Path(path) => format!("ipv8 from {}", path.display()),
            Self::Registry => "ipv8 0.1 from crates.io".to_owned(),
        }
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cargo_accepts_pass() {
        for name in ["demo", "my-app", "my_app2", "A"] {
            assert!(check_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn names_cargo_refuses_fail() {
        for name in ["", "1app", "-app", "my app", "app.rs", "fn", "self", "ipv8", "std", "café"] {
            assert!(check_name(name).is_err(), "{name}");
        }
    }

    #[test]
    fn dependencies_are_inline_tables() {
        let path = Ipv8Source::Path(PathBuf::from("/x/\"q\"/ipv8"));
        assert_eq!(path.dependency(&[]), r#"{ path = "/x/\"q\"/ipv8" }"#);
        let registry = Ipv8Source::Registry;
        assert_eq!(
            registry.dependency(&["test-util"]),
            r#"{ version = "0.1", features = ["test-util"] }"#
        );
    }

    #[test]
    fn every_placeholder_is_filled() {
        for (file, template) in TEMPLATES {
            let text = render(template, "my-app", &Ipv8Source::Registry);
            assert!(!text.contains("{{") && !text.contains("__crate__"), "{file}");
        }
    }
}
