//! Names: event and field names ([`check_event_name`],
//! [`check_field_name`]), and EventHeader tracepoint names,
//! `<Provider>_L<level>K<keyword>[options]`: the provider name rule, the
//! provider group rule, building a tracepoint name ([`ProviderName::tracepoint_name`],
//! [`tracepoint_name`]) and parsing one back ([`TracepointName::parse`]).
//!
//! The level is in decimal, the keyword in lowercase hex, e.g. `MyService_L4K1`.
//! Options may follow the keyword: each is an uppercase letter and a value of
//! lowercase letters and digits. The one EventHeader defines is `G`, the
//! provider group: `MyService_L5K10Gmygroup` is provider `MyService` in group
//! `mygroup` (eventheader's `group_name` option writes the same suffix).

mod event;
mod group;
mod provider;
mod tracepoint;

pub use crate::limits::PROVIDER_NAME_MAX;
pub use event::{EVENT_NAME_MAX, EventNameError, check_event_name, check_field_name};
pub use group::{ProviderGroup, ProviderGroupError};
pub use provider::{ProviderName, ProviderNameError};
pub use tracepoint::{TracepointName, tracepoint_name};
