//! Running one `#[ignore]`d test of the current test binary in a child
//! process: as another user, with a resource limit or an environment the
//! parent must not have. The child test prints what the parent checks.

use std::path::Path;
use std::process::Command;

/// The test binary's arguments that run only the ignored test `test`,
/// showing what it prints.
pub fn test_args(test: &str) -> [&str; 5] {
    [
        "--ignored",
        "--exact",
        test,
        "--nocapture",
        "--test-threads=1",
    ]
}

/// Copies this test binary to `path` with mode 0755: another user (`nobody`)
/// can run the copy wherever the repository lives.
pub fn executable_copy(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::copy(std::env::current_exe().unwrap(), path).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A command running the ignored test `test` of the executable `exe` (see
/// [`test_args`]).
pub fn test_command(exe: impl AsRef<Path>, test: &str) -> Command {
    let mut command = Command::new(exe.as_ref());
    command.args(test_args(test));
    command
}

/// Runs `command`, asserts that it exited with 0 (its stdout and stderr in
/// the message if not) and returns its stdout.
#[track_caller]
pub fn stdout_of_success(command: &mut Command) -> String {
    let output = command.output().expect("the child starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "child failed ({}): {stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
