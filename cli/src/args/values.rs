//! The values of the command line's options, one parser each: the rule, and
//! a message that says it when a value breaks it.

use std::time::Duration;

use otel_user_events_listen::names::{
    PROVIDER_NAME_MAX, ProviderGroup, ProviderGroupError, ProviderName, ProviderNameError,
};

/// `--mode`: permission bits in octal, at most 0777 (no set-id or sticky bit:
/// they mean nothing on a socket).
pub(super) fn mode(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix("0o").unwrap_or(s);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 => Ok(mode),
        _ => Err(format!(
            "{s:?} is not a socket mode: use octal permission bits from 0 to 0777, e.g. 0660"
        )),
    }
}

/// `--group` of serve-fd: a gid, or a group name from the group database.
pub(super) fn socket_group(group: &str) -> Result<u32, String> {
    if let Ok(gid) = group.parse::<u32>() {
        return Ok(gid);
    }
    let name = std::ffi::CString::new(group).map_err(|_| format!("{group:?} is no group name"))?;
    // SAFETY: `group` is plain data; all zeroes is a valid (empty) value.
    let mut entry: libc::group = unsafe { std::mem::zeroed() };
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    let mut found: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is to a live buffer of the size passed.
    let rc = unsafe {
        libc::getgrnam_r(
            name.as_ptr(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() {
        return Err(format!(
            "no group named {group:?} (give a name from /etc/group or a gid)"
        ));
    }
    Ok(entry.gr_gid)
}

/// Provider names as EventHeader tracepoint names allow them ([`ProviderName`]'s
/// rule, the runtime's), said for the command line.
pub(super) fn provider_name(s: &str) -> Result<String, String> {
    match ProviderName::new(s) {
        Ok(name) => Ok(name.as_str().to_owned()),
        Err(ProviderNameError::Empty) => Err("the provider name is empty".into()),
        Err(ProviderNameError::TooLong { len }) => Err(format!(
            "the provider name is {len} bytes long; it must be shorter than {}",
            PROVIDER_NAME_MAX + 1
        )),
        Err(ProviderNameError::InvalidChar { ch, .. }) => Err(format!(
            "{ch:?} is not allowed in a provider name (only ASCII letters, digits and '_')"
        )),
        // `ProviderName::new` checks no group.
        Err(e @ ProviderNameError::InvalidGroup(_)) => Err(e.to_string()),
    }
}

/// Provider groups as EventHeader allows them ([`ProviderGroup`]'s rule, the
/// runtime's), said for the command line.
pub(super) fn group(s: &str) -> Result<String, String> {
    match ProviderGroup::new(s) {
        Ok(group) => Ok(group.as_str().to_owned()),
        Err(ProviderGroupError::Empty) => Err("the provider group is empty".into()),
        Err(ProviderGroupError::InvalidChar { ch, .. }) => Err(format!(
            "{ch:?} is not allowed in a provider group (only lowercase ASCII letters and digits)"
        )),
        Err(e @ ProviderGroupError::TooLong { .. }) => Err(e.to_string()),
    }
}

/// The EventHeader levels by name or number, 1 (critical) to 5 (verbose): the
/// ones EventHeader defines and every writer of this project uses.
pub(super) fn level(s: &str) -> Result<u8, String> {
    const ACCEPTED: &str = "use critical (1), error (2), warning (3), info (4) or verbose (5)";
    match s.to_ascii_lowercase().as_str() {
        "critical" | "fatal" => Ok(1),
        "error" => Ok(2),
        "warning" | "warn" => Ok(3),
        "info" | "informational" => Ok(4),
        "verbose" | "debug" | "trace" => Ok(5),
        n => match n.parse::<u64>() {
            Ok(level @ 1..=5) => Ok(level as u8),
            Ok(_) => Err(format!("level {s} is not an EventHeader level: {ACCEPTED}")),
            Err(_) => Err(format!("unknown level {s:?}: {ACCEPTED}")),
        },
    }
}

pub(super) fn keyword(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("{s:?} is not a keyword: use a number like 0x10 or 16"))
}

/// An activity id: 16 bytes as 32 hex digits, with the GUID form's dashes or without.
pub(super) fn activity_id(s: &str) -> Result<[u8; 16], String> {
    let hex: String = s.chars().filter(|&c| c != '-').collect();
    let err = || {
        format!(
            "{s:?} is not an activity id: use 32 hex digits, like \
             4bf92f35-77b3-4da6-00f0-67aa0ba902b7"
        )
    };
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(err());
    }
    let mut id = [0u8; 16];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| err())?;
    }
    Ok(id)
}

/// A trace id: 32 hex digits, kept lowercase (as PartA writes it).
pub(super) fn trace_id(s: &str) -> Result<String, String> {
    if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(format!(
            "{s:?} is not a trace id: use 32 hex digits, like 4bf92f3577b34da6a3ce929d0e0e4736"
        ))
    }
}

/// The longest `--duration`: one year (365 days), in seconds.
pub const DURATION_MAX_SECS: u64 = 365 * 24 * 60 * 60;

/// `--duration`: a finite number of seconds, 0 < S <= [`DURATION_MAX_SECS`].
pub(super) fn seconds(s: &str) -> Result<Duration, String> {
    let rule = format!("--duration takes seconds S with 0 < S <= {DURATION_MAX_SECS} (one year)");
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds: {rule}, e.g. 2.5"))?;
    if !secs.is_finite() {
        return Err(format!("{s:?} is not a finite number of seconds: {rule}"));
    }
    if secs <= 0.0 {
        return Err(format!("{s} seconds would stop at once: {rule}"));
    }
    if secs > DURATION_MAX_SECS as f64 {
        return Err(format!("{s} seconds is more than one year: {rule}"));
    }
    // At least a nanosecond: what is more than 0 stays so.
    Ok(Duration::from_secs_f64(secs).max(Duration::from_nanos(1)))
}

/// The largest `--buffer-kb`: 1 GiB for each CPU (a power-of-two number of
/// pages for every page size Linux has).
pub const BUFFER_KB_MAX: u64 = 1 << 20;

/// `--buffer-kb` with this machine's page size.
pub(super) fn buffer_kb(s: &str) -> Result<u64, String> {
    buffer_kb_for(s, page_kib())
}

/// The size of a memory page, KiB.
pub fn page_kib() -> u64 {
    // SAFETY: sysconf has no preconditions; it returns -1 for an unknown name.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(page).map_or(4, |bytes| (bytes / 1024).max(1))
}

/// What perf accepts as a ring buffer (`mmap` of a perf event): a
/// power-of-two number of `page_kib` pages, here at most [`BUFFER_KB_MAX`].
fn buffer_kb_for(s: &str, page_kib: u64) -> Result<u64, String> {
    let rule = format!(
        "a CPU's ring buffer is a power-of-two number of {page_kib} KiB pages \
         ({page_kib}, {}, {}, ... {BUFFER_KB_MAX} KiB)",
        2 * page_kib,
        4 * page_kib
    );
    let kib: u64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number of KiB: {rule}"))?;
    if kib < page_kib {
        return Err(format!(
            "{kib} KiB is less than one page: {rule}; use {page_kib}"
        ));
    }
    if kib > BUFFER_KB_MAX {
        return Err(format!(
            "{kib} KiB is more than the largest ring buffer: {rule}; use {BUFFER_KB_MAX} or less"
        ));
    }
    let pages = kib / page_kib;
    if !kib.is_multiple_of(page_kib) || !pages.is_power_of_two() {
        let below = (1u64 << pages.ilog2()) * page_kib;
        let above = 2 * below;
        let nearest = if above <= BUFFER_KB_MAX {
            format!("use {below} or {above}")
        } else {
            format!("use {below}")
        };
        return Err(format!(
            "{kib} KiB is not a power-of-two number of pages: {rule}; {nearest}"
        ));
    }
    Ok(kib)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use clap::Parser;

    #[test]
    fn socket_modes_are_octal_and_groups_named_or_numbered() {
        assert_eq!(mode("0o640"), Ok(0o640));
        assert_eq!(mode("660"), Ok(0o660));
        for bad in ["0800", "1777", "rw", ""] {
            let err = mode(bad).unwrap_err();
            assert!(
                err.contains("is not a socket mode: use octal permission bits from 0 to 0777"),
                "{bad}: {err}"
            );
        }
        assert_eq!(socket_group("4242"), Ok(4242));
        // Names come from the group database: root's group is in every one.
        assert_eq!(socket_group("root"), Ok(0));
        let err = socket_group("no-such-group-here").unwrap_err();
        assert!(
            err.contains("no group named \"no-such-group-here\""),
            "{err}"
        );
    }

    #[test]
    fn takes_activity_and_trace_ids() {
        let args = Args::try_parse_from([
            "ue-tail",
            "--activity",
            "4bf92f35-77b3-4da6-00f0-67aa0ba902b7",
            "-a",
            "000102030405060708090A0B0C0D0E0F",
            "--trace",
            "4BF92F3577B34DA6A3CE929D0E0E4736",
            "MyService",
        ])
        .unwrap();
        assert_eq!(
            args.activities,
            [
                [
                    0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0x00, 0xf0, 0x67, 0xaa, 0x0b,
                    0xa9, 0x02, 0xb7
                ],
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
            ]
        );
        assert_eq!(args.traces, ["4bf92f3577b34da6a3ce929d0e0e4736"]);
        assert!(
            activity_id("4bf92f35-77b3")
                .unwrap_err()
                .contains("is not an activity id")
        );
        assert!(activity_id(&"g".repeat(32)).is_err());
        assert!(activity_id(&"0".repeat(34)).is_err());
        assert!(
            trace_id("4bf92f35")
                .unwrap_err()
                .contains("is not a trace id")
        );
        assert!(trace_id(&"z".repeat(32)).is_err());
        let err = Args::try_parse_from(["ue-tail", "--trace", "x", "P"]).unwrap_err();
        assert!(err.to_string().contains("is not a trace id"), "{err}");
    }

    #[test]
    fn rejects_bad_values_with_the_rule() {
        let err = Args::try_parse_from(["ue-tail", "My-Service"]).unwrap_err();
        assert!(err.to_string().contains("'-' is not allowed"), "{err}");
        assert_eq!(
            provider_name(&"a".repeat(234)).unwrap_err(),
            "the provider name is 234 bytes long; it must be shorter than 234"
        );
        assert_eq!(
            group("my_team"),
            Err(
                "'_' is not allowed in a provider group (only lowercase ASCII letters and digits)"
                    .into()
            )
        );
        assert_eq!(group(""), Err("the provider group is empty".into()));
        assert!(level("loud").unwrap_err().contains("unknown level"));
        assert!(level("0").is_err());
        assert_eq!(level("Critical"), Ok(1));
        assert_eq!(level("5"), Ok(5));
        assert_eq!(
            level("7"),
            Err(
                "level 7 is not an EventHeader level: use critical (1), error (2), \
                 warning (3), info (4) or verbose (5)"
                    .into()
            )
        );
        assert!(level("256").is_err());
        assert_eq!(keyword("16"), Ok(16));
        assert_eq!(keyword("0xFF"), Ok(255));
        assert!(keyword("0x").is_err());
        assert!(keyword("ten").is_err());
        assert!(seconds("-1").is_err());
        assert!(seconds("soon").is_err());
    }

    #[test]
    fn durations_are_finite_positive_and_at_most_a_year() {
        let rule = "--duration takes seconds S with 0 < S <= 31536000 (one year)";
        assert_eq!(seconds("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(seconds("31536000"), Ok(Duration::from_secs(31_536_000)));
        assert_eq!(seconds("1e-12"), Ok(Duration::from_nanos(1)));
        assert_eq!(
            seconds("soon"),
            Err(format!(
                "\"soon\" is not a number of seconds: {rule}, e.g. 2.5"
            ))
        );
        for s in ["inf", "-inf", "NaN", "infinity"] {
            assert_eq!(
                seconds(s),
                Err(format!("{s:?} is not a finite number of seconds: {rule}")),
                "{s}"
            );
        }
        for s in ["0", "-0", "-1", "-1e30"] {
            assert_eq!(
                seconds(s),
                Err(format!("{s} seconds would stop at once: {rule}")),
                "{s}"
            );
        }
        for s in ["1e30", "31536000.5"] {
            assert_eq!(
                seconds(s),
                Err(format!("{s} seconds is more than one year: {rule}")),
                "{s}"
            );
        }
        let err = Args::try_parse_from(["ue-tail", "-d", "1e30", "P"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("'1e30' for '--duration <S>': 1e30 seconds is more than one year"),
            "{err}"
        );
    }

    #[test]
    fn ring_buffers_are_a_power_of_two_number_of_pages() {
        let rule = "a CPU's ring buffer is a power-of-two number of 4 KiB pages \
                    (4, 8, 16, ... 1048576 KiB)";
        for ok in [4, 8, 16, 1024, 1_048_576] {
            assert_eq!(buffer_kb_for(&ok.to_string(), 4), Ok(ok));
        }
        assert_eq!(
            buffer_kb_for("0", 4),
            Err(format!("0 KiB is less than one page: {rule}; use 4"))
        );
        assert_eq!(
            buffer_kb_for("3", 4),
            Err(format!("3 KiB is less than one page: {rule}; use 4"))
        );
        assert_eq!(
            buffer_kb_for("6", 4),
            Err(format!(
                "6 KiB is not a power-of-two number of pages: {rule}; use 4 or 8"
            ))
        );
        assert_eq!(
            buffer_kb_for("100", 4),
            Err(format!(
                "100 KiB is not a power-of-two number of pages: {rule}; use 64 or 128"
            ))
        );
        assert_eq!(
            buffer_kb_for("1000000", 4),
            Err(format!(
                "1000000 KiB is not a power-of-two number of pages: {rule}; use 524288 or 1048576"
            ))
        );
        assert_eq!(
            buffer_kb_for("99999999", 4),
            Err(format!(
                "99999999 KiB is more than the largest ring buffer: {rule}; use 1048576 or less"
            ))
        );
        for s in ["-4", "1.5", "lots", ""] {
            assert_eq!(
                buffer_kb_for(s, 4),
                Err(format!("{s:?} is not a whole number of KiB: {rule}")),
                "{s}"
            );
        }
        // 64 KiB pages (arm64, ppc64): 64, 128, ...
        assert_eq!(buffer_kb_for("1024", 64), Ok(1024));
        let err = buffer_kb_for("96", 64).unwrap_err();
        assert!(err.ends_with("; use 64 or 128"), "{err}");
        assert!(
            err.contains("power-of-two number of 64 KiB pages (64, 128, 256, ..."),
            "{err}"
        );
        let err = buffer_kb_for("32", 64).unwrap_err();
        assert!(
            err.starts_with("32 KiB is less than one page") && err.ends_with("use 64"),
            "{err}"
        );
        // The default is one of them, whatever the page size.
        let args = Args::try_parse_from(["ue-tail", "P"]).unwrap();
        assert_eq!(args.buffer_kb, 1024);
        let err = Args::try_parse_from(["ue-tail", "--buffer-kb", "3", "P"]).unwrap_err();
        assert!(
            err.to_string().contains("3 KiB is less than one page"),
            "{err}"
        );
    }
}
