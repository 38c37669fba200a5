//! Configuring a [`UserEventsLayer`]: provider name and group, keywords by
//! target, event names.

use otel_user_events_abi::DEFAULT_KEYWORD;
use otel_user_events_abi::name::check_event_name;

use super::event_name::LayerEventName;
use super::user_events_layer::{Shared, UserEventsLayer};
use crate::output::{BuildError, OutputOptions, output_options};

impl UserEventsLayer {
    /// Starts configuring a layer for provider `provider_name`: non-empty, at
    /// most 233 bytes, only ASCII letters, digits and `_`.
    pub fn builder(provider_name: &str) -> UserEventsLayerBuilder {
        UserEventsLayerBuilder {
            options: OutputOptions::new(provider_name),
            keyword: DEFAULT_KEYWORD,
            rules: Vec::new(),
            event_name: LayerEventName::default(),
        }
    }
}

/// Configures a [`UserEventsLayer`]. Start with [`UserEventsLayer::builder`].
///
/// ```
/// use otel_user_events_runtime::{tracing::LayerEventName, tracing::UserEventsLayer};
///
/// let layer = UserEventsLayer::builder("MyService")
///     .with_keyword(0x1) // the default keyword
///     .with_target_keyword("myapp::db", 0x10) // events of myapp::db[::*]: keyword 0x10
///     .with_provider_group("teama")
///     .with_event_naming(LayerEventName::Metadata)
///     .build()?;
/// let names: Vec<&str> = layer.report().tracepoints.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(names[3], "MyService_L4K1Gteama");
/// assert_eq!(names[8], "MyService_L4K10Gteama");
/// # Ok::<(), otel_user_events_runtime::output::BuildError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "call .build() to create the layer"]
pub struct UserEventsLayerBuilder {
    options: OutputOptions,
    keyword: u64,
    rules: Vec<(String, u64)>,
    event_name: LayerEventName,
}

impl UserEventsLayerBuilder {
    output_options!("layer");

    /// The keyword of call sites no target rule matches (default 1).
    ///
    /// ```
    /// use otel_user_events_runtime::tracing::UserEventsLayer;
    ///
    /// let layer = UserEventsLayer::builder("MyService").with_keyword(0x2a).build().unwrap();
    /// assert_eq!(layer.report().tracepoints[0].name, "MyService_L1K2a");
    /// ```
    pub fn with_keyword(mut self, keyword: u64) -> Self {
        self.keyword = keyword;
        self
    }

    /// Call sites whose target is `prefix` or starts with `prefix::` get
    /// `keyword`; the longest matching prefix wins. All five levels of every
    /// keyword are registered at [`build`](Self::build). A prefix given again
    /// replaces its keyword.
    ///
    /// ```
    /// use otel_user_events_runtime::tracing::UserEventsLayer;
    ///
    /// let layer = UserEventsLayer::builder("MyService")
    ///     .with_target_keyword("myapp::db", 0x10)
    ///     .with_target_keyword("myapp::db::pool", 0x20)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(layer.keyword_of("myapp::db::query"), 0x10);
    /// assert_eq!(layer.keyword_of("myapp::db::pool"), 0x20);
    /// assert_eq!(layer.keyword_of("myapp::dbx"), 1);
    /// assert_eq!(layer.report().tracepoints.len(), 15);
    /// ```
    pub fn with_target_keyword(mut self, prefix: &str, keyword: u64) -> Self {
        self.rules.retain(|(p, _)| p != prefix);
        self.rules.push((prefix.to_owned(), keyword));
        self
    }

    /// How events are named (default [`LayerEventName::Metadata`]).
    ///
    /// ```
    /// use otel_user_events_runtime::{tracing::LayerEventName, tracing::UserEventsLayer};
    ///
    /// let layer = UserEventsLayer::builder("MyService").with_event_naming(LayerEventName::Target).build();
    /// assert!(layer.is_ok());
    /// ```
    pub fn with_event_naming(mut self, policy: LayerEventName) -> Self {
        self.event_name = policy;
        self
    }

    /// Checks the provider name (and group), opens `user_events_data` and
    /// registers `<Provider>_L1K<k>`..`<Provider>_L5K<k>` for the default
    /// keyword and every target rule's keyword (each once).
    ///
    /// Only a bad name or group is an error. A kernel without user_events (or
    /// without write access to it) still gives a layer, which writes nothing
    /// and counts what it drops: [`UserEventsLayer::report`] says why.
    ///
    /// ```
    /// use otel_user_events_runtime::output::BuildError;
    /// use otel_user_events_runtime::provider::ProviderNameError;
    /// use otel_user_events_runtime::tracing::UserEventsLayer;
    ///
    /// let err = UserEventsLayer::builder("my-service").build().unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     BuildError::InvalidName(ProviderNameError::InvalidChar { ch: '-', index: 2 })
    /// );
    /// let layer = UserEventsLayer::builder("MyService").build().unwrap();
    /// if !layer.report().all_registered() {
    ///     eprint!("{}", layer.report()); // why nothing will be written
    /// }
    /// ```
    pub fn build(self) -> Result<UserEventsLayer, BuildError> {
        let name = self.options.provider_name()?;
        if let LayerEventName::Fixed(event_name) = self.event_name {
            check_event_name(event_name)?;
        }
        let mut rules = self.rules;
        // Longest prefix first: the first match is the most specific.
        rules.sort_by_key(|rule| std::cmp::Reverse(rule.0.len()));
        Ok(UserEventsLayer::new(Shared::register(
            &self.options,
            name,
            (self.keyword, rules),
            self.event_name,
        )))
    }
}
