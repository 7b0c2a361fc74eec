//! A user crate outside the workspace (`ipv8/tests/fixtures/extension-crate`) builds against the
//! library and reaches every extension point of a node through the public API alone, on loopback:
//! two overlays under two keys, communities that ask each other, a CPU job, introduction extra
//! bytes, a listener of plain UDP, a socket of a community's own, and a panicking handler.

use crate::support;

use std::fs;
use std::path::Path;
use std::time::Duration;

use support::cargo;

/// Copies the fixture into `dir`, pointing its `ipv8` dependency at this workspace's library.
fn place_fixture(dir: &Path) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ipv8/tests/fixtures/extension-crate");
    let ipv8 = fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ipv8")).unwrap();
    let manifest = fs::read_to_string(fixture.join("Cargo.toml.tmpl")).unwrap();
    fs::write(dir.join("Cargo.toml"), manifest.replace("{{ipv8}}", &ipv8.display().to_string()))
        .unwrap();
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::copy(fixture.join("src/main.rs"), dir.join("src/main.rs")).unwrap();
}

#[test]
fn a_user_crate_reaches_every_extension_point() {
    let dir = tempfile::tempdir().unwrap();
    place_fixture(dir.path());
    let (status, log) = cargo(dir.path(), "run", Duration::from_secs(600));
    assert!(status.success(), "cargo run failed:\n{log}");
    for check in [
        "ok: two overlays under two keys",
        "ok: communities asked each other and a CPU job answered",
        "ok: introduction extra bytes arrived",
        "ok: a listener heard plain UDP",
        "ok: a community answered from a socket of its own",
        "ok: a handler panicked (1 caught) and the node still answers (1500001500000)",
    ] {
        assert!(log.contains(check), "missing {check:?}:\n{log}");
    }
}
