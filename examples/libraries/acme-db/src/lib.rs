//! A database driver that writes its own events under its own provider,
//! `AcmeDb`: an operator can listen to the driver (`AcmeDb_L5K10`, every
//! query) without the application's events, and the other way round.
//!
//! The provider is the default of every call site in this crate
//! (`default_provider!` at the root), so no call site names it. The
//! application starts it: `acme_db::PROVIDER.builder().build()`.

use otel_user_events::{default_provider, define_provider, otel_event, ue_log};

/// The keyword of query events: `AcmeDb_L<level>K10`.
pub const QUERIES: u64 = 0x10;

define_provider!(
    /// The driver's events: `AcmeDb_L<level>K<keyword>`; the five levels of
    /// [`QUERIES`] are registered even before the first query is compiled in.
    pub PROVIDER, "AcmeDb", keywords = [QUERIES]
);
default_provider!(PROVIDER);

/// Connects to `host` (here: pretends to).
pub fn connect(host: &str) {
    ue_log!(info, "Connected", host);
}

/// Runs `sql` (here: pretends to) and returns how many rows it read: an
/// activity (`AcmeDb_L5K10`, start and stop) with the rows read inside it.
#[otel_event(level = "verbose", keyword = QUERIES, ret)]
pub fn query(sql: &str) -> u64 {
    let rows = sql.len() as u64 % 7;
    ue_log!(verbose, "RowsRead", keyword = QUERIES, rows);
    rows
}
