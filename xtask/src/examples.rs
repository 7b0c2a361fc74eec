//! `cargo xtask examples`: runs every example that has an expected output file
//! (`ipv8/examples/NAME.stdout`) and fails unless it prints exactly that.

use std::process::Command;

use anyhow::{Context, bail};

use crate::project_root;

/// Runs the examples with expected output and compares.
pub(crate) fn run() -> anyhow::Result<()> {
    let dir = project_root().join("ipv8/examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "stdout"))
        .filter_map(|path| path.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect();
    names.sort();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for name in &names {
        let expected = std::fs::read_to_string(dir.join(format!("{name}.stdout")))?;
        let output = Command::new(&cargo)
            .args([
                "run",
                "-q",
                "-p",
                "ipv8",
                "--features",
                "test-util",
                "--locked",
                "--example",
                name,
            ])
            .current_dir(project_root())
            .output()
            .with_context(|| format!("running example {name}"))?;
        if !output.status.success() {
            bail!(
                "example {name} failed: {}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let actual = String::from_utf8_lossy(&output.stdout);
        if actual != expected {
            bail!(
                "example {name} printed\n{actual}\nbut ipv8/examples/{name}.stdout expects\n{expected}"
            );
        }
        println!("example {name}: output as expected");
    }
    println!("{} examples ran with the expected output", names.len());
    Ok(())
}
