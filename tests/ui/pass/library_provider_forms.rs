//! Every accepted form of library providers.
use otel_user_events::{define_provider, otel_event, ue_log};

define_provider!(PLAIN, "Plain");
define_provider!(
    /// Documented, with a group and keywords.
    pub GROUPED, "Grouped", group = "team7", keywords = [0x10, 1 << 5],
);
pub(crate) mod inner {
    otel_user_events::define_provider!(pub(crate) INNER, "Inner", keywords = []);
    otel_user_events::default_provider!(INNER);

    pub fn event() {
        otel_user_events::ue_log!(info, "ByDefault");
    }
}

#[otel_event(provider = crate::GROUPED, ret)]
fn activity(x: u32) -> u32 {
    x
}

#[otel_event(provider = inner::INNER)]
fn plain() {}

fn main() {
    ue_log!(provider: PLAIN, info, "Named");
    ue_log!(provider: crate::GROUPED, warn, "Keyworded", keyword = 0x10, n = 1);
    ue_log!(provider: inner::INNER, otel_user_events::Level::Error, "LevelPath");
    inner::event();
    activity(1);
    plain();
    ue_log!(provider: ALTERNATIVE, info, "Either");
}

// `#[cfg]` applies to every item of the definition: two alternatives of one name.
otel_user_events::define_provider!(
    #[cfg(unix)]
    ALTERNATIVE, "Alternative"
);
otel_user_events::define_provider!(
    #[cfg(not(unix))]
    ALTERNATIVE, "Alternative"
);
