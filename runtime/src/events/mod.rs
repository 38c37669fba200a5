//! The macro events: what `ue_log!` and `#[otel_event]` generate calls into.
//! One static [`Callsite`](callsite::Callsite) per call site (its enable
//! word, registered by the [`Provider`](crate::Provider)), the event's values
//! ([`Event`](event::Event)), the enabled path that writes it
//! ([`dispatch`](dispatch::dispatch): user_events, a test capture, and the
//! OpenTelemetry fallback of [`fallback`]).

pub(crate) mod callsite;
pub(crate) mod direct;
pub(crate) mod dispatch;
pub(crate) mod event;
pub(crate) mod fallback;

/// The call sites' enable words, for the test capture's bit.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) struct CallsiteWords;

impl crate::output::capture::EnableWords for CallsiteWords {
    fn for_each_word(&self, f: &mut dyn FnMut(&std::sync::atomic::AtomicU32)) {
        for site in callsite::all() {
            f(site.enable_word());
        }
    }
}
