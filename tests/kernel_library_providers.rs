//! Library providers on a real kernel: an application and two libraries
//! (examples/library_providers.rs with examples/libraries/) write under three
//! provider names, each enabled on its own: a listener on one provider sees
//! only its events, and the other providers' call sites stay off (nothing
//! written, nothing counted). And 20 providers with 5 keywords each register
//! and unregister their tracepoints independently, as `user_events_status`
//! shows before, during and after.
//!
//! Runs only inside the user_events VM:
//! `scripts/kernel-test.sh cargo-test --test kernel_library_providers`.
//! Elsewhere each test prints a `skipped:` line (tests/library_providers.rs
//! checks the same call sites' tracepoints on the host through captures).

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use otel_user_events::Provider;
use otel_user_events::provider::LibraryProvider;
use otel_user_events_test_support::perf::Listener;
use otel_user_events_test_support::{require_kernel, tracefs};

#[path = "../examples/library_providers.rs"]
#[allow(dead_code)] // its `main`
mod example;

const WAIT: Duration = Duration::from_secs(30);

/// Providers are process-wide: the tests take turns.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The three providers of the example, started.
struct Started {
    shop: Provider,
    db: Provider,
    http: Provider,
}

impl Started {
    fn new() -> Started {
        let started = Started {
            shop: Provider::builder("AcmeShop").build().unwrap(),
            db: acme_db::PROVIDER.builder().build().unwrap(),
            http: acme_http::PROVIDER.builder().build().unwrap(),
        };
        for provider in [&started.shop, &started.db, &started.http] {
            assert!(
                provider.report().active.user_events,
                "{}",
                provider.report()
            );
        }
        started
    }

    /// (provider, written, dropped) of each.
    fn counters(&self) -> Vec<(&str, u64, u64)> {
        [&self.shop, &self.db, &self.http]
            .into_iter()
            .map(|p| {
                let c = p.counters();
                (p.name(), c.written, c.dropped())
            })
            .collect()
    }
}

/// Every level of keyword `keyword` of `provider`.
fn levels(provider: &str, keyword: u64) -> Vec<String> {
    (1..=5)
        .map(|level| format!("{provider}_L{level}K{keyword:x}"))
        .collect()
}

/// Runs the example's checkout with a listener on `tracepoints`; returns each
/// event as `tracepoint event-name`.
fn checkout_seen_by(tracepoints: &[String]) -> Vec<String> {
    let names: Vec<&str> = tracepoints.iter().map(String::as_str).collect();
    let mut listener = Listener::start(&names).unwrap();
    example::checkout("ada");
    let samples = listener.drain();
    assert_eq!(listener.lost(), 0);
    samples
        .iter()
        .map(|s| {
            let event: serde_json::Value = serde_json::from_str(&s.json().unwrap()).unwrap();
            format!("{} {}", s.tracepoint, event["n"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn each_provider_is_enabled_on_its_own() {
    require_kernel!();
    let _serial = serial();
    let started = Started::new();

    // The driver only: its events, and the others' call sites stay off.
    let db: Vec<String> = [levels("AcmeDb", 1), levels("AcmeDb", 0x10)].concat();
    assert_eq!(
        checkout_seen_by(&db),
        [
            "AcmeDb_L4K1 AcmeDb:Connected",
            "AcmeDb_L5K10 AcmeDb:query",
            "AcmeDb_L5K10 AcmeDb:RowsRead",
            "AcmeDb_L5K10 AcmeDb:query",
        ]
    );
    assert_eq!(
        started.counters(),
        [("AcmeShop", 0, 0), ("AcmeDb", 4, 0), ("AcmeHttp", 0, 0)]
    );

    // The HTTP client only: its two events.
    assert_eq!(
        checkout_seen_by(&levels("AcmeHttp", 1)),
        [
            "AcmeHttp_L4K1 AcmeHttp:Request",
            "AcmeHttp_L3K1 AcmeHttp:NotFound"
        ]
    );
    // The application only.
    assert_eq!(
        checkout_seen_by(&levels("AcmeShop", 1)),
        ["AcmeShop_L4K1 AcmeShop:OrderPlaced"]
    );
    assert_eq!(
        started.counters(),
        [("AcmeShop", 1, 0), ("AcmeDb", 4, 0), ("AcmeHttp", 2, 0)]
    );

    // All three in one session, in the order written.
    let all = [
        levels("AcmeShop", 1),
        levels("AcmeDb", 1),
        levels("AcmeDb", 0x10),
        levels("AcmeHttp", 1),
    ]
    .concat();
    assert_eq!(
        checkout_seen_by(&all),
        [
            "AcmeDb_L4K1 AcmeDb:Connected",
            "AcmeDb_L5K10 AcmeDb:query",
            "AcmeDb_L5K10 AcmeDb:RowsRead",
            "AcmeDb_L5K10 AcmeDb:query",
            "AcmeHttp_L4K1 AcmeHttp:Request",
            "AcmeHttp_L3K1 AcmeHttp:NotFound",
            "AcmeShop_L4K1 AcmeShop:OrderPlaced",
        ]
    );

    // Shutting the driver down leaves the others registered.
    let Started { shop, db, http } = started;
    db.shutdown();
    for name in levels("AcmeDb", 1) {
        tracefs::wait_for_unregistered(&name, WAIT).unwrap();
    }
    for name in [levels("AcmeShop", 1), levels("AcmeHttp", 1)].concat() {
        assert!(tracefs::is_registered(&name).unwrap(), "{name}");
    }
    drop((shop, http));
}

/// Twenty library providers with five keywords each.
macro_rules! providers {
    ($($ident:ident $name:literal),* $(,)?) => {
        $(otel_user_events::define_provider!($ident, $name, keywords = [1, 2, 4, 8, 0x10]);)*
        const MANY: &[&LibraryProvider] = &[$(&$ident),*];
    };
}

providers!(
    P00 "KMany00", P01 "KMany01", P02 "KMany02", P03 "KMany03", P04 "KMany04",
    P05 "KMany05", P06 "KMany06", P07 "KMany07", P08 "KMany08", P09 "KMany09",
    P10 "KMany10", P11 "KMany11", P12 "KMany12", P13 "KMany13", P14 "KMany14",
    P15 "KMany15", P16 "KMany16", P17 "KMany17", P18 "KMany18", P19 "KMany19",
);

/// Every tracepoint of `provider` (5 keywords x 5 levels).
fn tracepoints_of(provider: &LibraryProvider) -> BTreeSet<String> {
    [1u64, 2, 4, 8, 0x10]
        .into_iter()
        .flat_map(|k| levels(provider.name(), k))
        .collect()
}

/// The registered tracepoints of the KMany providers.
fn registered_many() -> BTreeSet<String> {
    tracefs::registered_names()
        .unwrap()
        .into_iter()
        .filter(|n| n.starts_with("KMany"))
        .collect()
}

#[test]
fn twenty_providers_register_and_unregister_on_their_own() {
    require_kernel!();
    let _serial = serial();
    assert_eq!(MANY.len(), 20);
    assert_eq!(registered_many(), BTreeSet::new(), "before");

    let mut started: Vec<Provider> = MANY.iter().map(|p| p.builder().build().unwrap()).collect();
    let all: BTreeSet<String> = MANY.iter().flat_map(|p| tracepoints_of(p)).collect();
    assert_eq!(all.len(), 500);
    for provider in &started {
        let report = provider.report();
        assert!(report.active.user_events, "{report}");
        assert_eq!(report.tracepoints.len(), 25, "{report}");
        assert!(
            report.tracepoints.iter().all(|t| t.result.is_ok()),
            "{report}"
        );
    }
    assert_eq!(registered_many(), all, "during");

    // Every other one shut down: exactly its tracepoints leave.
    let mut expected = all.clone();
    let mut kept = Vec::new();
    for (i, provider) in started.drain(..).enumerate() {
        if i % 2 == 0 {
            provider.shutdown();
            for name in tracepoints_of(MANY[i]) {
                expected.remove(&name);
            }
        } else {
            kept.push(provider);
        }
    }
    let settled = tracefs::wait_until(WAIT, || registered_many() == expected);
    assert!(
        settled,
        "half shut down: {:?}",
        registered_many()
            .symmetric_difference(&expected)
            .collect::<Vec<_>>()
    );
    assert_eq!(expected.len(), 250);

    drop(kept);
    let settled = tracefs::wait_until(WAIT, || registered_many().is_empty());
    assert!(settled, "after: {:?}", registered_many());
}
