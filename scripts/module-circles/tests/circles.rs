//! The checker's binary run on the crates in tests/fixtures, each made for one
//! way modules can (or must not be taken to) use each other in a circle. The
//! fixtures are only parsed, never compiled. Each test asserts the circles
//! found (their modules and how many), the whole report and the exit code, so
//! a circle missed, one too many, a wrong site or a wrong code fails it.

use std::path::Path;
use std::process::Command;

/// Exit codes: no circle, a circle, a crate that cannot be read.
const CLEAN: i32 = 0;
const FOUND: i32 = 1;
const UNREADABLE: i32 = 2;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the checker from tests/fixtures, so the report names files as
/// `fixture/file.rs`.
fn checker(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_module-circles"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"))
        .output()
        .expect("the checker starts");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 report"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 errors"),
    }
}

fn check_fixture(fixture: &str) -> Run {
    checker(&[&format!("{fixture}/lib.rs")])
}

/// The circles of a report, one line each (modules in ascending order), and
/// the exit code that goes with them.
fn assert_circles(run: &Run, circles: &[&str]) {
    let found: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("import circle of "))
        .collect();
    assert_eq!(found, circles, "circles found; report:\n{}", run.stdout);
    let code = if circles.is_empty() { CLEAN } else { FOUND };
    assert_eq!(run.code, Some(code), "exit code; report:\n{}", run.stdout);
    assert_eq!(run.stderr, "");
}

#[test]
fn use_items_that_name_each_other_make_a_circle() {
    let run = check_fixture("use_circle");
    assert_circles(&run, &["2 modules: crate::a, crate::b"]);
    assert_eq!(
        run.stdout,
        "\
import circle of 2 modules: crate::a, crate::b
  crate::a uses crate::b:
    use_circle/a.rs:1: crate::b::B
  crate::b uses crate::a:
    use_circle/b.rs:1: crate::a::A
"
    );
}

#[test]
fn paths_in_function_bodies_alone_make_a_circle() {
    let run = check_fixture("body_path_circle");
    assert_circles(&run, &["2 modules: crate::a, crate::b"]);
    assert_eq!(
        run.stdout,
        "\
import circle of 2 modules: crate::a, crate::b
  crate::a uses crate::b:
    body_path_circle/a.rs:2: crate::b::g
  crate::b uses crate::a:
    body_path_circle/b.rs:6: crate::a::f
"
    );
}

#[test]
fn paths_in_macro_arguments_alone_make_a_circle() {
    let run = check_fixture("macro_arg_circle");
    assert_circles(&run, &["2 modules: crate::a, crate::b"]);
    assert_eq!(
        run.stdout,
        "\
import circle of 2 modules: crate::a, crate::b
  crate::a uses crate::b:
    macro_arg_circle/a.rs:4: crate::b::max
  crate::b uses crate::a:
    macro_arg_circle/b.rs:6: crate::a::LIMIT
"
    );
}

/// The parent's `pub use inner::Item` uses the child; the child's
/// `use super::X` uses the parent.
#[test]
fn a_parent_re_exporting_a_child_that_uses_super_is_a_circle() {
    let run = check_fixture("reexport_child");
    assert_circles(&run, &["2 modules: crate::outer, crate::outer::inner"]);
    assert_eq!(
        run.stdout,
        "\
import circle of 2 modules: crate::outer, crate::outer::inner
  crate::outer uses crate::outer::inner:
    reexport_child/outer/mod.rs:3: inner::Item
  crate::outer::inner uses crate::outer:
    reexport_child/outer/inner.rs:1: super::X
"
    );
}

/// `crate::Thing` goes through the root's glob and api's `pub use` to b: the
/// circle is a and b alone, not a 4-module one through the root and api.
#[test]
fn a_re_exported_item_counts_in_the_module_that_declares_it() {
    let run = check_fixture("reexport_followed");
    assert_circles(&run, &["2 modules: crate::a, crate::b"]);
    assert_eq!(
        run.stdout,
        "\
import circle of 2 modules: crate::a, crate::b
  crate::a uses crate::b:
    reexport_followed/a.rs:1: crate::Thing
  crate::b uses crate::a:
    reexport_followed/b.rs:1: crate::a::A
"
    );
}

/// Test modules are not special: one using its parent (`use super::*`) is a
/// single step back, no circle while the parent does not use it. A child
/// naming its own item through the parent's re-export uses itself, not the
/// parent. Every crate of the workspace has such test modules.
#[test]
fn a_layered_crate_with_test_modules_has_no_circle() {
    let run = check_fixture("clean_layers");
    assert_circles(&run, &[]);
    assert_eq!(run.stdout, "");
}

/// `#[cfg(test)]` code is checked too: a parent reaching into its test
/// module, which uses the parent, is a circle.
#[test]
fn a_test_module_counts_like_any_other_module() {
    let run = check_fixture("cfg_test_counted");
    assert_circles(&run, &["2 modules: crate::parse, crate::parse::tests"]);
    assert_eq!(
        run.stdout,
        "\
import circle of 2 modules: crate::parse, crate::parse::tests
  crate::parse uses crate::parse::tests:
    cfg_test_counted/parse.rs:7: tests::SAMPLE
  crate::parse::tests uses crate::parse:
    cfg_test_counted/parse.rs:12: super
"
    );
}

/// Every circle of a crate is reported, and a step shows its first three
/// sites only.
#[test]
fn every_circle_is_reported_with_its_first_sites() {
    let run = check_fixture("several_circles");
    assert_circles(
        &run,
        &[
            "2 modules: crate::a, crate::b",
            "3 modules: crate::c, crate::d, crate::e",
        ],
    );
    assert_eq!(
        run.stdout,
        "\
import circle of 2 modules: crate::a, crate::b
  crate::a uses crate::b:
    several_circles/lib.rs:4: super::b::B1
    several_circles/lib.rs:4: super::b::B2
    several_circles/lib.rs:4: super::b::B3
    ... and 1 more
  crate::b uses crate::a:
    several_circles/lib.rs:14: super::a::A
import circle of 3 modules: crate::c, crate::d, crate::e
  crate::c uses crate::d:
    several_circles/lib.rs:22: super::d::d
  crate::d uses crate::e:
    several_circles/lib.rs:28: super::e::e
  crate::e uses crate::c:
    several_circles/lib.rs:34: super::c::c
"
    );
}

/// A crate the checker cannot read fails apart from one with a circle, and
/// says why on stderr.
fn assert_unreadable(run: &Run, error: &str) {
    assert_eq!(run.code, Some(UNREADABLE));
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, error);
}

#[test]
fn no_crate_root_is_a_usage_error() {
    assert_unreadable(&checker(&[]), "usage: module-circles CRATE-ROOT-FILE\n");
    assert_unreadable(
        &checker(&["use_circle/lib.rs", "use_circle/a.rs"]),
        "usage: module-circles CRATE-ROOT-FILE\n",
    );
}

#[test]
fn a_missing_root_file_is_unreadable() {
    assert_unreadable(
        &checker(&["nowhere/lib.rs"]),
        "module-circles: nowhere/lib.rs: No such file or directory (os error 2)\n",
    );
}

#[test]
fn a_missing_module_file_is_unreadable() {
    assert_unreadable(
        &check_fixture("missing_module"),
        "module-circles: module `gone`: neither missing_module/gone.rs \
         nor missing_module/gone/mod.rs exists\n",
    );
}

#[test]
fn a_file_that_does_not_parse_is_unreadable() {
    let run = check_fixture("broken_syntax");
    assert_eq!(run.code, Some(UNREADABLE));
    assert_eq!(run.stdout, "");
    // The message itself is syn's; where it points is the checker's.
    assert!(
        run.stderr
            .starts_with("module-circles: broken_syntax/lib.rs:3:"),
        "{}",
        run.stderr
    );
}
