//! Compile-time checks: every misuse of the macros is an error that points at
//! the user's token (tests/ui/fail/*.rs with their .stderr), and every accepted
//! form compiles (tests/ui/pass).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
