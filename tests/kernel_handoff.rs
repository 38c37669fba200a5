//! An application without tracefs access writes events through a
//! `user_events_data` descriptor a privileged process handed it over a Unix
//! socket (`output::handoff`, `with_user_events_data`): the test (root) opens
//! the file and serves it; a child process running as `nobody`, to which
//! tracefs is closed, receives it, registers its provider's tracepoints
//! through it and writes; the test captures the event with perf.
//!
//! Runs only inside the user_events VM: `scripts/kernel-test.sh cargo-test
//! --test kernel_handoff`. Elsewhere each test prints a `skipped:` line.

use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt as _;
use std::time::Duration;

use otel_user_events::output::{DataFile, handoff};
use otel_user_events::{Provider, ue_log};
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::{child, require_kernel, tracefs};

const SOCKET_ENV: &str = "OTEL_UE_TEST_HANDOFF_SOCKET";

/// The child: no tracefs access; a descriptor from the socket named in
/// [`SOCKET_ENV`], then one event. Prints its report and counters.
#[test]
#[ignore = "run by an_application_without_tracefs_writes_through_a_handed_over_descriptor"]
fn handoff_child() {
    let socket = std::env::var(SOCKET_ENV).expect("socket path");
    // Without the descriptor: tracefs is closed to this process.
    let own = Provider::builder("KHandoffOwn").build().unwrap();
    println!("own: {}", own.report().reason);
    own.shutdown();
    let file = handoff::receive(&socket).expect("a descriptor from the socket");
    let provider = Provider::builder("KHandoff")
        .with_user_events_data(file)
        .build()
        .unwrap();
    print!("{}", provider.report());
    ue_log!(info, "HandedOver", n = 7u64);
    println!("counters: {:?}", provider.counters());
    provider.shutdown();
}

#[test]
fn an_application_without_tracefs_writes_through_a_handed_over_descriptor() {
    require_kernel!();
    let exe = std::env::temp_dir().join("kernel_handoff_child");
    child::executable_copy(&exe);
    let dir = std::env::temp_dir().join(format!("handoff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let socket = dir.join("ue.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    std::fs::set_permissions(&socket, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();

    // The privileged side: serve one descriptor.
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let file = DataFile::open().expect("root opens user_events_data");
        handoff::send(&stream, &file).unwrap();
    });
    // Ahead of the child (perf needs the tracepoint to exist to attach).
    let ahead = Provider::builder("KHandoff").build().unwrap();
    tracefs::wait_for_tracepoint("KHandoff_L4K1", Duration::from_secs(30)).unwrap();
    let mut capture = Listener::start(&["KHandoff_L4K1"]).unwrap();
    let stdout = child::stdout_of_success(
        child::test_command(&exe, "handoff_child")
            .env(SOCKET_ENV, &socket)
            .uid(65534)
            .gid(65534),
    );
    server.join().unwrap();
    // Without the descriptor the child could not open user_events_data...
    assert!(
        stdout.contains("own: user_events is unavailable (EACCES"),
        "{stdout}"
    );
    // ...with it, it registered and wrote.
    assert!(stdout.contains("output user_events"), "{stdout}");
    assert!(
        stdout.contains("user_events_data: user_events_data received from"),
        "{stdout}"
    );
    assert!(stdout.contains("written: 1,"), "{stdout}");
    let samples = capture.drain();
    let json: Vec<String> = samples.iter().map(|s| s.json().unwrap()).collect();
    assert_eq!(samples.len(), 1, "{json:?}");
    assert!(
        json[0].contains(r#""n":"KHandoff:HandedOver""#),
        "{}",
        json[0]
    );
    assert!(json[0].contains(r#""PartC":{"n":7}"#), "{}", json[0]);
    assert_ne!(samples[0].pid, std::process::id(), "written by the child");
    drop(capture);
    ahead.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
