//! Function events and activities with `#[otel_event]`.
//!
//! On a kernel with user_events, watch the events while this runs (activities
//! show their opcode and activity ids in the decoded output):
//!
//! ```text
//! sudo perf record -e 'user_events:Shop_L4K1' -e 'user_events:Shop_L3K1' -- \
//!     cargo run --example function_events
//! ```
//!
//! Elsewhere the events go to OpenTelemetry records printed on stdout (the
//! fallback), so you can see them anyway.

use std::fmt;

use otel_user_events::{Provider, otel_event, provider::OutputMode};

// The items are `pub`: tests/examples.rs calls them under a capture.

#[derive(Debug)]
pub struct Card {
    pub last4: u16,
}

#[derive(Debug)]
pub enum PayError {
    Declined,
}

impl fmt::Display for PayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the card was declined")
    }
}

pub struct Payments {
    pub region: &'static str,
}

impl Payments {
    /// An activity: a start event with `customer` and `amount` (the card is
    /// skipped, the region added), a stop event with `return` or `error` and
    /// `duration_ns`.
    #[otel_event(level = "warn", name = "Charge", skip(card), fields(region = self.region, last4 = card.last4), ret, err, duration)]
    pub fn charge(&self, customer: &str, amount: u64, card: &Card) -> Result<u64, PayError> {
        let fee = fee(amount);
        if amount > 10_000 {
            return Err(PayError::Declined);
        }
        Ok(amount + fee)
    }
}

/// Nested in `charge`: its start event carries the charge's activity id as
/// its related id.
#[otel_event(ret)]
pub fn fee(amount: u64) -> u64 {
    amount / 100
}

/// A plain event on entry, with the arguments.
#[otel_event]
pub fn shop_opened(port: u16, tls: bool) {}

/// An async activity: current while the future is polled, stopped when it
/// completes.
#[otel_event(ret, duration)]
pub async fn restock(item: &str, count: u32) -> u32 {
    tokio::task::yield_now().await;
    count * 2
}

fn main() {
    let provider = match Provider::builder("Shop")
        .with_output(OutputMode::Auto)
        .with_stdout_logger_provider()
        .build()
    {
        Ok(provider) => provider,
        Err(e) => {
            eprintln!("cannot start the provider: {e}");
            std::process::exit(1);
        }
    };
    print!("{}", provider.report());

    shop_opened(8443, true);
    let payments = Payments { region: "eu-west" };
    let card = Card { last4: 4242 };
    println!("charge: {:?}", payments.charge("ada", 1_250, &card));
    println!("charge: {:?}", payments.charge("bo", 20_000, &card));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    println!("restocked: {}", runtime.block_on(restock("tea", 12)));

    println!("counters: {:?}", provider.counters());
    provider.shutdown();
}
