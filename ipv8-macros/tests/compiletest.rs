//! Compile-fail tests: every error the macros report, with its message and span, pinned in
//! `tests/ui/<macro>/<error>.stderr`. Regenerate with `TRYBUILD=overwrite cargo test -p ipv8-macros`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
