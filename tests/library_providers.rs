//! Library providers (`define_provider!`, `default_provider!`): which provider
//! each call site writes to (named, its module's default, the application's),
//! each provider started, counted, fallen back and shut down on its own.
//!
//! On the host (no user_events) the tracepoints are checked through test
//! captures, which name each event's tracepoint as its provider would; the
//! same events on a real kernel, under three providers enabled one by one, are
//! in tests/kernel_library_providers.rs (VM).

mod fixture;

use opentelemetry_sdk::logs::InMemoryLogExporter;
use otel_user_events::provider::{InitError, LibraryProvider, OutputMode};
use otel_user_events::testing::Capture;
use otel_user_events::{Provider, define_provider, otel_event, ue_log};

use fixture::{in_memory, records, serial};

define_provider!(
    /// A database driver's provider, named at its call sites.
    pub DB, "AcmeDb", keywords = [0x10]
);
define_provider!(HTTP, "AcmeHttp", group = "team7");

fn db_query(rows: u32) {
    ue_log!(provider: DB, info, "Query", rows);
}

#[otel_event(provider = DB, level = "warn")]
fn db_retry(attempt: u32) {
    let _ = attempt;
}

fn app_event() {
    ue_log!(info, "AppStarted");
}

/// A module whose call sites take HTTP by default, and one inside it that
/// takes DB instead, and one that names its provider.
mod http {
    otel_user_events::default_provider!(crate::HTTP);

    pub fn request(status: u16) {
        otel_user_events::ue_log!(info, "Request", status);
    }

    pub fn named() {
        otel_user_events::ue_log!(provider: crate::DB, verbose, "Named");
    }

    pub mod pool {
        otel_user_events::default_provider!(crate::DB);

        #[otel_user_events::otel_event]
        pub fn checkout(size: u32) {
            let _ = size;
        }
    }

    pub mod client {
        pub fn connect() {
            // No default here: the parent's (HTTP).
            otel_user_events::ue_log!(error, "ConnectFailed");
        }
    }
}

/// Each event's tracepoint, in order.
fn tracepoints(f: impl FnOnce()) -> Vec<String> {
    let ((), events) = Capture::new("App").unwrap().run(f);
    events.into_iter().map(|e| e.tracepoint).collect()
}

#[test]
fn each_call_site_writes_to_its_provider() {
    let _serial = serial();
    let written = tracepoints(|| {
        db_query(3);
        db_retry(1);
        app_event();
        http::request(200);
        http::named();
        http::pool::checkout(4);
        http::client::connect();
    });
    assert_eq!(
        written,
        [
            "AcmeDb_L4K1",         // provider: DB
            "AcmeDb_L3K1",         // #[otel_event(provider = DB, level = "warn")]
            "App_L4K1",            // names none, no default: the application's
            "AcmeHttp_L4K1Gteam7", // its module's default, with the group
            "AcmeDb_L5K1",         // a named provider beats the module's default
            "AcmeDb_L4K1",         // the nearest module's default
            "AcmeHttp_L2K1Gteam7", // a parent module's default
        ]
    );
}

#[test]
fn library_providers_are_linked_with_their_definitions() {
    let mut linked: Vec<(&str, Option<&str>, &[u64])> = LibraryProvider::linked()
        .map(|p| (p.name(), p.group(), p.keywords()))
        .collect();
    linked.sort();
    assert_eq!(
        linked,
        [
            ("AcmeDb", None, &[0x10][..]),
            ("AcmeHttp", Some("team7"), &[][..])
        ]
    );
    assert_eq!(DB.module(), "library_providers");
}

/// The event names of the records `exporter` has received, oldest first.
fn names(exporter: &InMemoryLogExporter) -> Vec<String> {
    records(exporter)
        .iter()
        .map(|r| r.event_name().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn each_provider_falls_back_to_its_own_logger_provider() {
    let _serial = serial();
    let (app_logs, app_exporter) = in_memory();
    let (db_logs, db_exporter) = in_memory();
    let app = Provider::builder("App")
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(app_logs)
        .build()
        .unwrap();
    let db = DB
        .builder()
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(db_logs)
        .build()
        .unwrap();
    // DB's sites: db_query, db_retry, named, checkout.
    assert_eq!(db.report().opentelemetry.as_ref().unwrap().call_sites, 4);
    assert_eq!(db.report().provider, "AcmeDb");

    db_query(1);
    app_event();
    http::request(500); // HTTP is not started: nothing, anywhere
    http::pool::checkout(2);

    assert_eq!(names(&app_exporter), ["AppStarted"]);
    assert_eq!(names(&db_exporter), ["Query", "checkout"]);
    assert_eq!(db.counters().handed_to_opentelemetry, 2);
    assert_eq!(app.counters().handed_to_opentelemetry, 1);
    assert_eq!(DB.counters(), Some(db.counters()));
    assert_eq!(HTTP.counters(), None);

    // Shutting one down leaves the other running.
    db.shutdown();
    assert_eq!(DB.counters(), None);
    db_query(2);
    app_event();
    assert_eq!(names(&db_exporter), ["Query", "checkout"]);
    assert_eq!(names(&app_exporter), ["AppStarted", "AppStarted"]);
    app.shutdown();
}

#[test]
fn a_library_provider_runs_once_at_a_time() {
    let _serial = serial();
    let db = DB.builder().build().unwrap();
    let err = DB.builder().build().unwrap_err();
    assert_eq!(
        err,
        InitError::LibraryAlreadyActive {
            provider: "AcmeDb".to_owned(),
            module: "library_providers",
        }
    );
    assert_eq!(
        err.to_string(),
        "library provider \"AcmeDb\" (defined in library_providers) is already started in this \
         process; shut it down before starting it again"
    );
    // Another library and the application's provider start beside it.
    let http = HTTP.builder().build().unwrap();
    let app = Provider::builder("App").build().unwrap();
    assert_eq!(http.name(), "AcmeHttp");
    drop((http, app));
    db.shutdown();
    // And again after its shutdown.
    DB.builder().build().unwrap().shutdown();
}

#[test]
fn one_call_starts_every_linked_library() {
    let _serial = serial();
    let libraries = Provider::build_libraries(|b| b.with_output(OutputMode::Auto)).unwrap();
    let names: Vec<&str> = libraries.iter().map(Provider::name).collect();
    assert_eq!(names, ["AcmeDb", "AcmeHttp"]);
    assert!(DB.counters().is_some() && HTTP.counters().is_some());
    // One of them already running: the error, and the others shut down again.
    let http = libraries.into_iter().nth(1).unwrap();
    assert_eq!(DB.counters(), None);
    let err = Provider::build_libraries(|b| b).unwrap_err();
    assert!(
        matches!(err, InitError::LibraryAlreadyActive { ref provider, .. } if provider == "AcmeHttp")
    );
    assert_eq!(
        DB.counters(),
        None,
        "started by the failed call, then shut down"
    );
    http.shutdown();
}

#[test]
fn events_without_output_are_counted_by_their_own_provider() {
    let _serial = serial();
    let db = DB
        .builder()
        .with_output(OutputMode::UserEvents)
        .build()
        .unwrap();
    let app = Provider::builder("App")
        .with_output(OutputMode::UserEvents)
        .build()
        .unwrap();
    for rows in 0..3 {
        db_query(rows);
    }
    app_event();
    let (db_counters, app_counters) = (db.counters(), app.counters());
    // Shutting the library down leaves the application's sites as they were.
    db.shutdown();
    app_event();
    db_query(9); // no provider: not counted anywhere
    let app_after = app.counters();
    if app.report().active.user_events {
        // A kernel with user_events: nobody listens, nothing counted.
        assert_eq!((db_counters.dropped(), app_after.dropped()), (0, 0));
    } else {
        // No user_events (the host): each site's events are its provider's drops.
        assert_eq!(db_counters.dropped_unavailable, 3);
        assert_eq!(app_counters.dropped_unavailable, 1);
        assert_eq!(app_after.dropped_unavailable, 2);
    }
    drop(app);
}
