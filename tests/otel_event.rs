//! `#[otel_event]`: the exact events an annotated function writes, decoded with
//! `tracepoint_decode`, for plain events and activities (start/stop pairs with
//! activity ids), on free functions, methods, generic and `async` functions,
//! for every way a call can end; and the LogRecords of the OpenTelemetry fallback.
//!
//! Activity ids are made sequential (`00000000-0000-0000-0000-00000000000N`)
//! with `testing::sequential_activity_ids`, so the expected JSON is exact.
//! Durations vary: `duration_ns` values are checked to be numbers, then written
//! as `D` in the expected JSON.

use std::fmt;
use std::net::Ipv4Addr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
use otel_user_events::testing::{Capture, CapturedEvent, sequential_activity_ids};
use otel_user_events::{
    Level, Provider, activity::ActivityId, field::FieldValue, otel_event, provider::OutputMode,
};
use otel_user_events_test_support::decode::{decode_json, mask_durations};

/// Capturing sets every call site's capture bit, and the fallback test starts
/// the process's provider: the tests take turns.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const TIME: &str = "2023-11-14T22:13:20Z";
const A1: &str = "00000000-0000-0000-0000-000000000001";
const A2: &str = "00000000-0000-0000-0000-000000000002";
const A3: &str = "00000000-0000-0000-0000-000000000003";
const A4: &str = "00000000-0000-0000-0000-000000000004";

/// Runs `f` capturing its events (at a fixed time, with sequential activity
/// ids); returns its result and each event as `tracepoint json`.
fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let (r, events) = sequential_activity_ids(|| Capture::new("P").unwrap().at_time(time).run(f));
    (r, events.iter().map(decoded).collect())
}

fn decoded(e: &CapturedEvent) -> String {
    let json = decode_json(&e.tracepoint, &e.payload).unwrap();
    format!("{} {}", e.tracepoint, mask_durations(&json))
}

/// The JSON of an event named `name` at `level` (1..=5) with `part_c` (the
/// fields as JSON, or empty) and the EventHeader `meta` members after level and
/// keyword (e.g. `"opcode":1,"activity":"..."`).
fn event(tracepoint: &str, name: &str, part_c: &str, meta: &str) -> String {
    let level: u8 = tracepoint
        .split("_L")
        .nth(1)
        .and_then(|s| s[..1].parse().ok())
        .unwrap();
    let keyword = tracepoint.rsplit('K').next().unwrap().to_uppercase();
    let (number, text) = match level {
        1 => (21, "FATAL"),
        2 => (17, "ERROR"),
        3 => (13, "WARN"),
        4 => (9, "INFO"),
        _ => (5, "DEBUG"),
    };
    let part_c = if part_c.is_empty() {
        String::new()
    } else {
        format!(",\"PartC\":{{{part_c}}}")
    };
    let meta = if meta.is_empty() {
        String::new()
    } else {
        format!(",{meta}")
    };
    format!(
        "{tracepoint} {{\"n\":\"P:{name}\",\"__csver__\":1024,\"PartA\":{{\"time\":\"{TIME}\"}}{part_c},\
         \"PartB\":{{\"_typeName\":\"Log\",\"severityNumber\":{number},\"severityText\":\"{text}\",\"name\":\"{name}\"}},\
         \"meta\":{{\"level\":{level},\"keyword\":\"0x{keyword}\"{meta}}}}}"
    )
}

fn start(name: &str, part_c: &str, id: &str, related: Option<&str>) -> String {
    let related = related
        .map(|r| format!(",\"relatedActivity\":\"{r}\""))
        .unwrap_or_default();
    event(
        "P_L4K1",
        name,
        part_c,
        &format!("\"opcode\":1,\"activity\":\"{id}\"{related}"),
    )
}

/// A stop event with the fields `part_c`, then the `duration_ns` that every
/// stop event carries, masked as `D`.
fn stop(name: &str, part_c: &str, id: &str) -> String {
    let part_c = if part_c.is_empty() {
        "\"duration_ns\":D".to_owned()
    } else {
        format!("{part_c},\"duration_ns\":D")
    };
    event(
        "P_L4K1",
        name,
        &part_c,
        &format!("\"opcode\":2,\"activity\":\"{id}\""),
    )
}

// ---------------------------------------------------------------------------
// Plain events: one event on entry with the arguments.
// ---------------------------------------------------------------------------

#[otel_event]
fn order_placed(order_id: u64, customer: &str, amount: f64, express: bool) {}

#[otel_event]
#[allow(clippy::too_many_arguments)]
fn many_types(
    small: i8,
    name: String,
    ports: Vec<u16>,
    raw: &[u8],
    tags: &[&str],
    ip: Ipv4Addr,
    letter: char,
    timeout: Duration,
) {
}

#[otel_event]
fn no_arguments() {}

#[test]
fn entry_event_has_the_arguments() {
    let _serial = serial();
    let (_, events) = capture(|| order_placed(42, "ada", 9.99, true));
    assert_eq!(
        events,
        [
            "P_L4K1 {\"n\":\"P:order_placed\",\"__csver__\":1024,\"PartA\":{\"time\":\"2023-11-14T22:13:20Z\"},\
             \"PartC\":{\"order_id\":42,\"customer\":\"ada\",\"amount\":9.99,\"express\":true},\
             \"PartB\":{\"_typeName\":\"Log\",\"severityNumber\":9,\"severityText\":\"INFO\",\"name\":\"order_placed\"},\
             \"meta\":{\"level\":4,\"keyword\":\"0x1\"}}"
        ]
    );

    let (_, events) = capture(|| {
        many_types(
            -3,
            "bo".to_owned(),
            vec![80, 443],
            &[0xde, 0xad],
            &["a", "b"],
            Ipv4Addr::new(192, 0, 2, 1),
            'x',
            Duration::from_micros(5),
        );
        no_arguments();
    });
    assert_eq!(
        events,
        [
            event(
                "P_L4K1",
                "many_types",
                "\"small\":-3,\"name\":\"bo\",\"ports\":[80,443],\"raw\":\"DE AD\",\"tags\":[\"a\",\"b\"],\
                 \"ip\":\"192.0.2.1\",\"letter\":\"x\",\"timeout\":5000",
                ""
            ),
            event("P_L4K1", "no_arguments", "", ""),
        ]
    );
}

#[otel_event(level = "warn", name = "Order.Renamed-v2", keyword = 0x10)]
fn renamed(id: u32) {}

#[otel_event(level = Level::Error)]
fn level_path() {}

#[otel_event(level = verbose, keyword = KEYWORD)]
fn level_ident() {}

const KEYWORD: u64 = 0xAB;

#[test]
fn level_name_and_keyword_options() {
    let _serial = serial();
    let (_, events) = capture(|| {
        renamed(7);
        level_path();
        level_ident();
    });
    assert_eq!(
        events,
        [
            event("P_L3K10", "Order.Renamed-v2", "\"id\":7", ""),
            event("P_L2K1", "level_path", "", ""),
            event("P_L5Kab", "level_ident", "", ""),
        ]
    );
}

#[derive(Debug)]
#[allow(dead_code)] // read by Debug
struct Card {
    last4: u16,
}

/// Counts evaluations of a field expression.
static EVALUATED: AtomicU32 = AtomicU32::new(0);

fn counted(value: u32) -> u32 {
    EVALUATED.fetch_add(1, Ordering::Relaxed);
    value
}

#[otel_event(
    skip(_secret),
    fields(region = "eu", %user, card = ?card, "http.method" = "GET", n = counted(5))
)]
fn with_fields(_secret: &str, user: Ipv4Addr, card: Card, attempt: u8) {}

#[otel_event(skip_all, fields(count = items.len()))]
fn skip_all(items: &[String], _secret: &str) -> usize {
    items.len()
}

struct Point {
    z: i32,
    w: i32,
}

#[otel_event]
fn patterns((x, y): (u32, u32), Point { z, .. }: Point, _ignored: bool, mut counter: u8) {
    counter += 1;
    let _ = counter;
}

#[test]
fn skip_fields_and_patterns() {
    let _serial = serial();
    let (_, events) = capture(|| {
        with_fields("hunter2", Ipv4Addr::LOCALHOST, Card { last4: 4242 }, 2);
        assert_eq!(skip_all(&["a".to_owned()], "hunter2"), 1);
        patterns((1, 2), Point { z: 3, w: 4 }, true, 9);
    });
    assert_eq!(
        events,
        [
            // `user` and `card` are replaced by the fields of the same name.
            event(
                "P_L4K1",
                "with_fields",
                "\"attempt\":2,\"region\":\"eu\",\"user\":\"127.0.0.1\",\"card\":\"Card { last4: 4242 }\",\
                 \"http.method\":\"GET\",\"n\":5",
                ""
            ),
            event("P_L4K1", "skip_all", "\"count\":1", ""),
            event(
                "P_L4K1",
                "patterns",
                "\"x\":1,\"y\":2,\"z\":3,\"_ignored\":true,\"counter\":9",
                ""
            ),
        ]
    );
    let _ = Point { z: 0, w: 0 }.w;
}

#[test]
fn disabled_functions_write_nothing_and_evaluate_nothing() {
    let _serial = serial();
    EVALUATED.store(0, Ordering::Relaxed);
    with_fields("x", Ipv4Addr::LOCALHOST, Card { last4: 1 }, 1);
    assert_eq!(parse_port("80"), Ok(80));
    assert_eq!(EVALUATED.load(Ordering::Relaxed), 0);
    assert_eq!(ActivityId::current(), None);
    let (_, events) = capture(|| with_fields("x", Ipv4Addr::LOCALHOST, Card { last4: 1 }, 1));
    assert_eq!(events.len(), 1);
    assert_eq!(EVALUATED.load(Ordering::Relaxed), 1);
}

// ---------------------------------------------------------------------------
// Methods and generic functions.
// ---------------------------------------------------------------------------

struct Account {
    id: u64,
    balance: i64,
}

impl Account {
    #[otel_event(fields(account = self.id))]
    fn peek(&self, what: &str) -> i64 {
        self.balance
    }

    #[otel_event(ret, fields(account = self.id))]
    fn deposit(&mut self, amount: i64) -> i64 {
        self.balance += amount;
        self.balance
    }

    #[otel_event(ret, name = "Close", skip(self), level = "INFO")]
    fn close(self, reason: String) -> u64 {
        self.id
    }

    #[otel_event(ret)]
    fn owner_name(&self) -> &str {
        "ada"
    }
}

#[otel_event(ret)]
fn largest<T: FieldValue + PartialOrd + Copy>(a: T, b: T) -> T {
    if a > b { a } else { b }
}

#[otel_event]
fn describe<L>(value: impl FieldValue, label: L)
where
    L: AsRef<str> + FieldValue,
{
}

#[otel_event(ret(Display))]
fn greeting(name: &str) -> impl fmt::Display + use<'_> {
    format!("hello {name}")
}

#[otel_event(ret(Debug))]
fn pair(a: u8) -> (u8, u8) {
    (a, a + 1)
}

#[test]
fn methods_generics_and_impl_trait() {
    let _serial = serial();
    let (_, events) = capture(|| {
        let mut account = Account { id: 7, balance: 10 };
        assert_eq!(account.peek("balance"), 10);
        assert_eq!(account.deposit(5), 15);
        assert_eq!(account.owner_name(), "ada");
        assert_eq!(account.close("done".to_owned()), 7);
        assert_eq!(largest(3u16, 9u16), 9);
        assert_eq!(largest(-1.5f64, -2.5), -1.5);
        describe(12u8, "twelve");
        assert_eq!(greeting("bo").to_string(), "hello bo");
        assert_eq!(pair(1), (1, 2));
    });
    assert_eq!(
        events,
        [
            event("P_L4K1", "peek", "\"what\":\"balance\",\"account\":7", ""),
            start("deposit", "\"amount\":5,\"account\":7", A1, None),
            stop("deposit", "\"return\":15", A1),
            start("owner_name", "", A2, None),
            stop("owner_name", "\"return\":\"ada\"", A2),
            start("Close", "\"reason\":\"done\"", A3, None),
            stop("Close", "\"return\":7", A3),
            start("largest", "\"a\":3,\"b\":9", A4, None),
            stop("largest", "\"return\":9", A4),
            start(
                "largest",
                "\"a\":-1.5,\"b\":-2.5",
                "00000000-0000-0000-0000-000000000005",
                None
            ),
            stop(
                "largest",
                "\"return\":-1.5",
                "00000000-0000-0000-0000-000000000005"
            ),
            event(
                "P_L4K1",
                "describe",
                "\"value\":12,\"label\":\"twelve\"",
                ""
            ),
            start(
                "greeting",
                "\"name\":\"bo\"",
                "00000000-0000-0000-0000-000000000006",
                None
            ),
            stop(
                "greeting",
                "\"return\":\"hello bo\"",
                "00000000-0000-0000-0000-000000000006"
            ),
            start(
                "pair",
                "\"a\":1",
                "00000000-0000-0000-0000-000000000007",
                None
            ),
            stop(
                "pair",
                "\"return\":\"(1, 2)\"",
                "00000000-0000-0000-0000-000000000007"
            ),
        ]
    );
}

// ---------------------------------------------------------------------------
// Activities: every way out of a call writes the stop event.
// ---------------------------------------------------------------------------

#[otel_event(ret, err, duration)]
fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
    let port: u16 = text.trim().parse()?;
    if port == 0 {
        return Ok(8080);
    }
    Ok(port)
}

#[derive(Debug)]
#[allow(dead_code)] // read by Debug
struct Rejected(u8);

#[otel_event(err(Debug))]
fn validate(code: u8) -> Result<(), Rejected> {
    if code > 9 {
        Err(Rejected(code))
    } else {
        Ok(())
    }
}

#[otel_event(ret)]
fn checked(n: i32) -> Result<i32, String> {
    if n < 0 {
        Err("negative".into())
    } else {
        Ok(n * 2)
    }
}

#[test]
fn stop_event_on_return_early_return_and_question_mark() {
    let _serial = serial();
    let (results, events) = capture(|| {
        (
            parse_port("443"),
            parse_port("0"),
            parse_port("http").is_err(),
        )
    });
    assert_eq!(results.0, Ok(443));
    assert_eq!(results.1, Ok(8080));
    assert!(results.2);
    assert_eq!(
        events,
        [
            start("parse_port", "\"text\":\"443\"", A1, None),
            stop("parse_port", "\"return\":443", A1),
            start("parse_port", "\"text\":\"0\"", A2, None),
            stop("parse_port", "\"return\":8080", A2),
            start("parse_port", "\"text\":\"http\"", A3, None),
            stop(
                "parse_port",
                "\"error\":\"invalid digit found in string\"",
                A3
            ),
        ]
    );

    let (_, events) = capture(|| {
        assert!(validate(3).is_ok());
        assert!(validate(12).is_err());
        assert_eq!(checked(4), Ok(8));
        assert!(checked(-1).is_err());
    });
    assert_eq!(
        events,
        [
            start("validate", "\"code\":3", A1, None),
            stop("validate", "", A1),
            start("validate", "\"code\":12", A2, None),
            stop("validate", "\"error\":\"Rejected(12)\"", A2),
            // `ret` without `err`: the Ok value; an Err has no field.
            start("checked", "\"n\":4", A3, None),
            stop("checked", "\"return\":8", A3),
            start("checked", "\"n\":-1", A4, None),
            stop("checked", "", A4),
        ]
    );
}

/// A `Result` under another name: the macro cannot see it is one.
type Fallible<T> = Result<T, String>;

#[otel_event(ret)]
fn halve(n: u32) -> Fallible<u32> {
    if n % 2 == 1 {
        return Err("odd".into());
    }
    Ok(n / 2)
}

#[otel_event(ret, err)]
fn halve_or_say_why(n: u32) -> Fallible<u32> {
    halve(n)
}

#[test]
fn ret_on_a_result_alias_records_the_ok_value() {
    let _serial = serial();
    let (results, events) = capture(|| (halve(8), halve(3), halve_or_say_why(5)));
    assert_eq!(results, (Ok(4), Err("odd".into()), Err("odd".into())));
    assert_eq!(
        events,
        [
            // Like `ret` on `Result<u32, String>`: the Ok value; an Err has no field.
            start("halve", "\"n\":8", A1, None),
            stop("halve", "\"return\":4", A1),
            start("halve", "\"n\":3", A2, None),
            stop("halve", "", A2),
            start("halve_or_say_why", "\"n\":5", A3, None),
            start("halve", "\"n\":5", A4, Some(A3)),
            stop("halve", "", A4),
            stop("halve_or_say_why", "\"error\":\"odd\"", A3),
        ]
    );
}

#[otel_event(duration)]
fn outer(n: u32) -> u32 {
    let doubled = middle(n);
    note(doubled);
    doubled
}

#[otel_event(ret)]
fn middle(n: u32) -> u32 {
    inner(n) * 2
}

#[otel_event(ret)]
fn inner(n: u32) -> u32 {
    assert_eq!(ActivityId::current().map(|id| id.as_bytes()[15]), Some(3));
    n + 1
}

#[otel_event]
fn note(value: u32) {}

#[test]
fn nested_calls_carry_the_parent_activity() {
    let _serial = serial();
    let (result, events) = capture(|| {
        let result = outer(1);
        assert_eq!(ActivityId::current(), None);
        note(0);
        result
    });
    assert_eq!(result, 4);
    assert_eq!(
        events,
        [
            start("outer", "\"n\":1", A1, None),
            start("middle", "\"n\":1", A2, Some(A1)),
            start("inner", "\"n\":1", A3, Some(A2)),
            stop("inner", "\"return\":2", A3),
            stop("middle", "\"return\":4", A2),
            // A plain event inside an activity carries its id.
            event(
                "P_L4K1",
                "note",
                "\"value\":4",
                &format!("\"activity\":\"{A1}\"")
            ),
            stop("outer", "", A1),
            event("P_L4K1", "note", "\"value\":0", ""),
        ]
    );
}

#[otel_event(ret)]
fn explode(n: u32) -> u32 {
    if n > 0 {
        panic!("boom");
    }
    n
}

#[otel_event(duration)]
fn calls_explode(n: u32) -> u32 {
    explode(n) + 1
}

#[test]
fn panics_write_the_stop_event_while_unwinding() {
    let _serial = serial();
    let (result, events) = capture(|| {
        let result = catch_unwind(|| calls_explode(1));
        assert_eq!(ActivityId::current(), None);
        result
    });
    assert!(result.is_err());
    assert_eq!(
        events,
        [
            start("calls_explode", "\"n\":1", A1, None),
            start("explode", "\"n\":1", A2, Some(A1)),
            stop("explode", "\"panicked\":true", A2),
            stop("calls_explode", "\"panicked\":true", A1),
        ]
    );
}

// ---------------------------------------------------------------------------
// async fn on a tokio current-thread runtime.
// ---------------------------------------------------------------------------

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[otel_event(ret)]
async fn fetch(id: u32) -> u32 {
    tokio::task::yield_now().await;
    let value = load(id).await.unwrap_or(0);
    tokio::task::yield_now().await;
    value + 1
}

#[otel_event(ret, err)]
async fn load(id: u32) -> Result<u32, String> {
    tokio::task::yield_now().await;
    if id == 0 {
        return Err("no such id".to_owned());
    }
    Ok(id * 10)
}

#[otel_event(ret)]
async fn fetch_unwrapped(id: u32) -> u32 {
    load(id).await.unwrap_or(0)
}

#[otel_event(ret)]
async fn accumulate(mut total: u32, (a, b): (u32, u32), label: String) -> u32 {
    tokio::task::yield_now().await;
    total += a + b + label.len() as u32;
    total
}

#[test]
fn async_activity_follows_the_future() {
    let _serial = serial();
    let (result, events) = capture(|| runtime().block_on(fetch_unwrapped(2)));
    assert_eq!(result, 20);
    assert_eq!(
        events,
        [
            start("fetch_unwrapped", "\"id\":2", A1, None),
            start("load", "\"id\":2", A2, Some(A1)),
            stop("load", "\"return\":20", A2),
            stop("fetch_unwrapped", "\"return\":20", A1),
        ]
    );

    let (result, events) = capture(|| runtime().block_on(accumulate(1, (2, 3), "abcd".to_owned())));
    assert_eq!(result, 10);
    assert_eq!(
        events,
        [
            start(
                "accumulate",
                "\"total\":1,\"a\":2,\"b\":3,\"label\":\"abcd\"",
                A1,
                None
            ),
            stop("accumulate", "\"return\":10", A1),
        ]
    );

    let (result, events) = capture(|| runtime().block_on(load(0)));
    assert_eq!(result, Err("no such id".to_owned()));
    assert_eq!(
        events,
        [
            start("load", "\"id\":0", A1, None),
            stop("load", "\"error\":\"no such id\"", A1),
        ]
    );
}

/// `(event name, opcode, activity, related, PartC)` of a decoded event.
fn parts(json: &str) -> (String, u8, String, String, String) {
    let get = |key: &str, end: char| {
        json.find(key)
            .map(|i| {
                let rest = &json[i + key.len()..];
                rest[..rest.find(end).unwrap()].to_owned()
            })
            .unwrap_or_default()
    };
    (
        get("\"n\":\"P:", '"'),
        get("\"opcode\":", '}')
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap_or(0),
        get("\"activity\":\"", '"'),
        get("\"relatedActivity\":\"", '"'),
        get("\"PartC\":{", '}'),
    )
}

#[test]
fn interleaved_async_activities_keep_their_own_parents() {
    let _serial = serial();
    let (results, events) = capture(|| {
        runtime().block_on(async {
            let results = tokio::join!(fetch(1), fetch(2), fetch(3));
            assert_eq!(ActivityId::current(), None);
            results
        })
    });
    assert_eq!(results, (11, 21, 31));
    assert_eq!(events.len(), 12, "{events:#?}");
    let events: Vec<_> = events.iter().map(|e| parts(e)).collect();
    for id in 1..=3 {
        let arg = format!("\"id\":{id}");
        let starts: Vec<_> = events.iter().filter(|e| e.1 == 1 && e.4 == arg).collect();
        let [fetch_start, load_start] = starts[..] else {
            panic!("{starts:?}");
        };
        assert_eq!(fetch_start.0, "fetch");
        assert_eq!(fetch_start.3, "", "fetch has no parent");
        assert_eq!(load_start.0, "load");
        assert_eq!(
            load_start.3, fetch_start.2,
            "load's parent is its own fetch"
        );
        let stops: Vec<_> = events.iter().filter(|e| e.1 == 2).collect();
        let fetch_stop = stops.iter().find(|e| e.2 == fetch_start.2).unwrap();
        assert_eq!(
            fetch_stop.4,
            format!("\"return\":{},\"duration_ns\":D", id * 10 + 1)
        );
        let load_stop = stops.iter().find(|e| e.2 == load_start.2).unwrap();
        assert_eq!(
            load_stop.4,
            format!("\"return\":{},\"duration_ns\":D", id * 10)
        );
    }
    // The three fetches really ran interleaved: all started before any stopped.
    let first_stop = events.iter().position(|e| e.1 == 2).unwrap();
    assert!(
        events[..first_stop]
            .iter()
            .filter(|e| e.0 == "fetch")
            .count()
            == 3
    );
}

#[otel_event(duration)]
async fn slow(n: u32) -> u32 {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    n
}

#[otel_event(ret)]
async fn async_explode(n: u32) -> u32 {
    tokio::task::yield_now().await;
    if n > 0 {
        panic!("async boom");
    }
    n
}

#[test]
fn cancelled_and_panicking_futures_write_the_stop_event() {
    let _serial = serial();
    let (result, events) = capture(|| {
        runtime().block_on(async { tokio::time::timeout(Duration::from_millis(1), slow(5)).await })
    });
    assert!(result.is_err(), "timed out");
    assert_eq!(
        events,
        [
            start("slow", "\"n\":5", A1, None),
            stop("slow", "\"cancelled\":true", A1),
        ]
    );

    let (result, events) = capture(|| {
        let result = catch_unwind(AssertUnwindSafe(|| runtime().block_on(async_explode(1))));
        assert_eq!(ActivityId::current(), None);
        result
    });
    assert!(result.is_err());
    assert_eq!(
        events,
        [
            start("async_explode", "\"n\":1", A1, None),
            stop("async_explode", "\"panicked\":true", A1),
        ]
    );

    // Dropped before its first poll: nothing started, nothing to stop.
    let (_, events) = capture(|| drop(slow(1)));
    assert_eq!(events, Vec::<String>::new());
}

#[test]
fn async_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let future = fetch(1);
    assert_send(&future);
    let future = slow(1);
    assert_send(&future);
}

// ---------------------------------------------------------------------------
// OpenTelemetry fallback.
// ---------------------------------------------------------------------------

fn bytes(id: &str) -> AnyValue {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    AnyValue::Bytes(Box::new(
        (0..16)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect(),
    ))
}

#[test]
fn fallback_log_records() {
    let _serial = serial();
    let exporter = InMemoryLogExporter::default();
    let logger_provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let provider = Provider::builder("P")
        .with_output(OutputMode::OpenTelemetry)
        .with_logger_provider(logger_provider)
        .build()
        .unwrap();
    sequential_activity_ids(|| {
        assert_eq!(outer(2), 6);
        assert!(parse_port("x").is_err());
        renamed(1);
    });
    let counters = provider.counters();
    provider.shutdown();

    let logs = exporter.get_emitted_logs().unwrap();
    let records: Vec<_> = logs
        .iter()
        .map(|l| {
            let r = &l.record;
            let attributes: Vec<(String, AnyValue)> = r
                .attributes_iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .filter(|(k, _)| k != "duration_ns")
                .collect();
            (
                r.event_name().unwrap(),
                r.severity_number().unwrap(),
                r.severity_text().unwrap(),
                attributes,
            )
        })
        .collect();
    let attr = |k: &str, v: AnyValue| (k.to_owned(), v);
    let int = AnyValue::Int;
    assert_eq!(
        records,
        [
            (
                "outer",
                Severity::Info,
                "INFO",
                vec![
                    attr("n", int(2)),
                    attr("activity_id", bytes(A1)),
                    attr("opcode", "ActivityStart".into()),
                ]
            ),
            (
                "middle",
                Severity::Info,
                "INFO",
                vec![
                    attr("n", int(2)),
                    attr("activity_id", bytes(A2)),
                    attr("related_activity_id", bytes(A1)),
                    attr("opcode", "ActivityStart".into()),
                ]
            ),
            (
                "inner",
                Severity::Info,
                "INFO",
                vec![
                    attr("n", int(2)),
                    attr("activity_id", bytes(A3)),
                    attr("related_activity_id", bytes(A2)),
                    attr("opcode", "ActivityStart".into()),
                ]
            ),
            (
                "inner",
                Severity::Info,
                "INFO",
                vec![
                    attr("return", int(3)),
                    attr("activity_id", bytes(A3)),
                    attr("opcode", "ActivityStop".into()),
                ]
            ),
            (
                "middle",
                Severity::Info,
                "INFO",
                vec![
                    attr("return", int(6)),
                    attr("activity_id", bytes(A2)),
                    attr("opcode", "ActivityStop".into()),
                ]
            ),
            (
                "note",
                Severity::Info,
                "INFO",
                vec![attr("value", int(6)), attr("activity_id", bytes(A1))]
            ),
            (
                "outer",
                Severity::Info,
                "INFO",
                vec![
                    attr("activity_id", bytes(A1)),
                    attr("opcode", "ActivityStop".into()),
                ]
            ),
            (
                "parse_port",
                Severity::Info,
                "INFO",
                vec![
                    attr("text", "x".into()),
                    attr("activity_id", bytes(A4)),
                    attr("opcode", "ActivityStart".into()),
                ]
            ),
            (
                "parse_port",
                Severity::Info,
                "INFO",
                vec![
                    attr("error", "invalid digit found in string".into()),
                    attr("activity_id", bytes(A4)),
                    attr("opcode", "ActivityStop".into()),
                ]
            ),
            (
                "Order.Renamed-v2",
                Severity::Warn,
                "WARN",
                vec![attr("id", int(1)), attr("keyword", int(0x10))]
            ),
        ]
    );
    // Every stop event (inner, middle, outer, parse_port) has it as an Int attribute.
    let durations = logs
        .iter()
        .flat_map(|l| l.record.attributes_iter())
        .filter(|(k, v)| k.as_str() == "duration_ns" && matches!(v, AnyValue::Int(_)))
        .count();
    assert_eq!(durations, 4);
    assert_eq!(counters.handed_to_opentelemetry, 10);
}
