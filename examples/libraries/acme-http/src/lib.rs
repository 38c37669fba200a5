//! An HTTP client that writes its own events under its own provider,
//! `AcmeHttp`, named at each call site (`ue_log!(provider: PROVIDER, ..)`).
//! The application starts it: `acme_http::PROVIDER.builder().build()`.

use otel_user_events::{define_provider, ue_log};

define_provider!(
    /// The client's events: `AcmeHttp_L<level>K1`.
    pub PROVIDER, "AcmeHttp"
);

/// Fetches `path` (here: pretends to) and returns the status code.
pub fn get(path: &str) -> u16 {
    let status = if path == "/" { 200 } else { 404 };
    if status == 200 {
        ue_log!(provider: PROVIDER, info, "Request", path, status);
    } else {
        ue_log!(provider: PROVIDER, warn, "NotFound", path, status);
    }
    status
}
