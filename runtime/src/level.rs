//! Event levels and their EventHeader / OpenTelemetry numbers.

/// How severe an event is. Each level is its own tracepoint (`<Provider>_L<n>K<keyword>`),
/// so a listener can enable, say, warnings and worse without paying for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// EventHeader level 1; OpenTelemetry `FATAL` (21). Shorthands `critical`, `fatal`.
    Critical = 1,
    /// EventHeader level 2; OpenTelemetry `ERROR` (17). Shorthand `error`.
    Error = 2,
    /// EventHeader level 3; OpenTelemetry `WARN` (13). Shorthand `warn`.
    Warn = 3,
    /// EventHeader level 4; OpenTelemetry `INFO` (9). Shorthand `info`.
    Info = 4,
    /// EventHeader level 5; OpenTelemetry `DEBUG` (5). Shorthands `verbose`, `debug`, `trace`.
    Verbose = 5,
}

impl Level {
    /// Every level, most severe first.
    pub const ALL: [Level; 5] = [
        Level::Critical,
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Verbose,
    ];

    /// The EventHeader level number (1 to 5) used in tracepoint names.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The OpenTelemetry severity number written to PartB `severityNumber`.
    pub const fn severity_number(self) -> i16 {
        match self {
            Level::Critical => 21,
            Level::Error => 17,
            Level::Warn => 13,
            Level::Info => 9,
            Level::Verbose => 5,
        }
    }

    /// The OpenTelemetry severity text written to PartB `severityText`.
    pub const fn severity_text(self) -> &'static str {
        match self {
            Level::Critical => "FATAL",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Verbose => "DEBUG",
        }
    }

    /// The OpenTelemetry severity of this level.
    pub const fn severity(self) -> opentelemetry::logs::Severity {
        use opentelemetry::logs::Severity;
        match self {
            Level::Critical => Severity::Fatal,
            Level::Error => Severity::Error,
            Level::Warn => Severity::Warn,
            Level::Info => Severity::Info,
            Level::Verbose => Severity::Debug,
        }
    }

    /// The EventHeader level for an OpenTelemetry severity, as the
    /// `opentelemetry-user-events-logs` crate maps it (Trace and Debug are verbose).
    pub const fn from_severity(severity: opentelemetry::logs::Severity) -> Level {
        match severity as i32 {
            1..=8 => Level::Verbose,
            9..=12 => Level::Info,
            13..=16 => Level::Warn,
            17..=20 => Level::Error,
            _ => Level::Critical,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Critical => "critical",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Verbose => "verbose",
        })
    }
}

/// The EventHeader level number, so a [`ProviderName`](crate::provider::ProviderName)
/// builds a level's tracepoint name from the level itself.
impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level.as_u8()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderName;
    use opentelemetry::logs::Severity;

    #[test]
    fn names_the_tracepoint_of_a_level() {
        let name = ProviderName::new("My_Provider_2").unwrap();
        assert_eq!(
            name.tracepoint_name(Level::Warn, 0x1F),
            "My_Provider_2_L3K1f"
        );
    }

    #[test]
    fn severity_round_trips_through_the_level_it_maps_to() {
        for level in Level::ALL {
            assert_eq!(Level::from_severity(level.severity()), level);
            assert_eq!(level.severity() as i16, level.severity_number());
        }
        assert_eq!(Level::from_severity(Severity::Trace), Level::Verbose);
        assert_eq!(Level::from_severity(Severity::Info4), Level::Info);
        assert_eq!(Level::from_severity(Severity::Fatal4), Level::Critical);
    }
}
