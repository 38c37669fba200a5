//! An application with its own events (provider `AcmeShop`) that uses two
//! libraries which write theirs under their own providers (`AcmeDb`,
//! `AcmeHttp`, in examples/libraries/): three providers, each started here,
//! each enabled on its own by whoever listens.
//!
//! ```text
//! cargo run --example library_providers
//! ue-tail AcmeShop AcmeDb AcmeHttp     # in another terminal: all three
//! ue-tail AcmeDb                       # or only the driver's
//! ```

use otel_user_events::{Provider, ue_log};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The application's provider: every call site that names no library provider.
    let shop = Provider::builder("AcmeShop").build()?;
    // One line per library (or `Provider::build_libraries(|b| b)?` for all).
    let db = acme_db::PROVIDER.builder().build()?;
    let http = acme_http::PROVIDER.builder().build()?;
    for provider in [&shop, &db, &http] {
        print!("{}", provider.report());
    }

    checkout("ada");

    for provider in [&shop, &db, &http] {
        let counters = provider.counters();
        println!(
            "{}: {} written, {} dropped",
            provider.name(),
            counters.written,
            counters.dropped()
        );
    }
    Ok(())
}

/// One checkout: the application's event and both libraries'.
pub fn checkout(customer: &str) {
    acme_db::connect("db-1");
    let rows = acme_db::query("select * from carts");
    let status = acme_http::get("/");
    acme_http::get("/missing");
    ue_log!(info, "OrderPlaced", customer, rows, status);
}
