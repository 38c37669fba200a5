//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use otel_user_events_listen::names::{
    PROVIDER_NAME_MAX, ProviderGroup, ProviderGroupError, ProviderName, ProviderNameError,
};

/// Watch a user_events provider's EventHeader events and decode them, live or
/// from a perf.data file.
///
/// Live, ue-tail attaches to every tracepoint of PROVIDER
/// (`PROVIDER_L<level>K<keyword>`, or `...G<group>` with --group) listed in
/// user_events_status, and to new ones
/// as they appear. Tracepoints the application has not registered yet (every
/// level with keyword 1, or with each --keyword) are registered ahead of it, so
/// its first events are seen when it starts. Needs root (tracefs and
/// perf_event_open).
#[derive(Debug, Parser)]
#[command(name = "ue-tail", version, about, long_about)]
#[command(after_help = "Examples:\n  \
    sudo ue-tail MyService\n  \
    sudo ue-tail --level warning --keyword 0x10 MyService\n  \
    sudo ue-tail --json --count 10 MyService\n  \
    sudo ue-tail --group myteam MyService\n  \
    sudo ue-tail --activity 4bf92f35-77b3-4da6-00f0-67aa0ba902b7 MyService\n  \
    sudo ue-tail --trace 4bf92f3577b34da6a3ce929d0e0e4736 MyService\n  \
    ue-tail --file perf.data\n  \
    sudo ue-tail precreate --keyword 1 --keyword 0x10 MyService")]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    /// Another command instead of watching.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The provider whose events to show (ASCII letters, digits and `_`);
    /// with --file, optional: only this provider's events.
    #[arg(value_parser = provider_name, required_unless_present = "file")]
    pub provider: Option<String>,

    /// The provider group (lowercase ASCII letters and digits): only
    /// tracepoints `PROVIDER_L<level>K<keyword>G<GROUP>`, and those are the
    /// ones registered ahead. Without it, live: every group of PROVIDER and
    /// none; with --file: any group.
    #[arg(short, long, value_name = "GROUP", value_parser = group)]
    pub group: Option<String>,

    /// Only events at this level or more severe: critical (1), error (2),
    /// warning (3), info (4), verbose (5); by name or number.
    #[arg(short, long, value_parser = level)]
    pub level: Option<u8>,

    /// Only tracepoints with this keyword (as in the tracepoint name: 0x10 is
    /// `K10`; decimal or 0x hex). Repeat for several. Without it, every
    /// keyword in use.
    #[arg(short, long = "keyword", value_parser = keyword)]
    pub keywords: Vec<u64>,

    /// Only events with this name. Repeat for several.
    #[arg(short, long = "event", value_name = "NAME")]
    pub events: Vec<String>,

    /// Only events of this activity: whose EventHeader activity id is ID (as
    /// decoders show it, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, or 32 hex
    /// digits). An OpenTelemetry span's live start and stop, its span events
    /// and the events written while it is current share one. Repeat for several.
    #[arg(short, long = "activity", value_name = "ID", value_parser = activity_id)]
    pub activities: Vec<[u8; 16]>,

    /// Only events of this trace: whose PartA `ext_dt_traceId` is ID (32 hex
    /// digits). Repeat for several.
    #[arg(short, long = "trace", value_name = "ID", value_parser = trace_id)]
    pub traces: Vec<String>,

    /// One JSON object per line, as `tracepoint_decode` writes it.
    #[arg(long)]
    pub json: bool,

    /// Stop after N events.
    #[arg(short = 'n', long, value_name = "N")]
    pub count: Option<u64>,

    /// Stop after S seconds (e.g. 2.5): 0 < S <= 31536000 (one year).
    #[arg(short, long, value_name = "S", value_parser = seconds, conflicts_with = "file")]
    pub duration: Option<Duration>,

    /// Decode this perf.data file (e.g. from `perf record -e user_events:...`)
    /// instead of watching live.
    #[arg(short, long, value_name = "PERF_DATA")]
    pub file: Option<PathBuf>,

    /// Fail when PROVIDER has no tracepoint registered, instead of registering
    /// them and waiting for the application.
    #[arg(long, conflicts_with = "file")]
    pub no_wait: bool,

    /// Size of each CPU's ring buffer in KiB: a power-of-two number of pages
    /// (with 4 KiB pages: 4, 8, 16, ... 1048576); raise it when events are
    /// lost.
    #[arg(
        long,
        value_name = "KIB",
        default_value_t = 1024,
        value_parser = buffer_kb,
        conflicts_with = "file"
    )]
    pub buffer_kb: u64,
}

/// The commands besides watching.
#[derive(Debug, Subcommand)]
pub enum Command {
    Precreate(PrecreateArgs),
    ServeFd(ServeFdArgs),
}

/// Create a provider's tracepoints as persistent user events, list or delete
/// them.
///
/// For agents that start before the application, or keep a fixed
/// subscription list: the tracepoints (`PROVIDER_L1K<k>` .. `PROVIDER_L5K<k>`
/// for each --keyword, keyword 1 without one) are created in
/// `<tracefs>/dynamic_events` with the EventHeader field list, so a listener
/// can attach before the application starts; the application joins them when
/// it registers. They stay until deleted (--delete), also after ue-tail and the
/// application exit. Create them before the application starts: a name a
/// running process registered already is joined, not made persistent. Needs
/// root (CAP_PERFMON).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    sudo ue-tail precreate --keyword 1 --keyword 0x10 MyService\n  \
    sudo ue-tail precreate --list MyService\n  \
    sudo ue-tail precreate --delete --keyword 1 --keyword 0x10 MyService")]
pub struct PrecreateArgs {
    /// The provider whose tracepoints to create or delete; with --list,
    /// optional: only this provider's.
    #[arg(value_parser = provider_name, required_unless_present = "list")]
    pub provider: Option<String>,

    /// The provider group: tracepoints `PROVIDER_L<level>K<keyword>G<GROUP>`.
    /// With --list, only this group's.
    #[arg(short, long, value_name = "GROUP", value_parser = group)]
    pub group: Option<String>,

    /// The keyword of the tracepoints (decimal or 0x hex); repeat for
    /// several. Without it, keyword 1.
    #[arg(short, long = "keyword", value_parser = keyword)]
    pub keywords: Vec<u64>,

    /// List the user events (of PROVIDER, if given) with their field lists,
    /// from dynamic_events: the kernel lists the persistent ones and those a
    /// running process registered alike.
    #[arg(long, conflicts_with_all = ["delete", "keywords"])]
    pub list: bool,

    /// Delete the tracepoints instead; fails while a process has one
    /// registered or a listener is attached.
    #[arg(long)]
    pub delete: bool,
}

/// Hand an open user_events_data descriptor to each process that connects
/// to a Unix socket, so applications need no access to tracefs.
///
/// ue-tail opens `<tracefs>/user_events_data` once and sends its descriptor
/// (SCM_RIGHTS) to every process that connects to SOCKET; the application
/// receives it with `otel_user_events::output::handoff::receive(SOCKET)` and
/// gives it to its builder (`with_user_events_data`). Whoever may connect may
/// register tracepoints and write events: the socket's mode and group are the
/// access control. Each descriptor handed out is logged with the peer's pid
/// and uid. Runs until Ctrl-C (or --count connections), then removes the
/// socket; a socket a killed server left is replaced. Needs write access to
/// user_events_data (root, or a group that may write it).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    sudo ue-tail serve-fd --group tracing --mode 0660 /run/user_events.sock\n  \
    sudo ue-tail serve-fd --count 1 /tmp/ue.sock")]
pub struct ServeFdArgs {
    /// Where to create the socket.
    pub socket: PathBuf,

    /// The socket's permission bits, octal (e.g. 0660): who may connect.
    #[arg(long, value_name = "OCTAL", default_value = "0600", value_parser = mode)]
    pub mode: u32,

    /// The socket's group (a name or a gid), for a --mode that lets a group
    /// connect.
    #[arg(long, value_name = "GROUP", value_parser = socket_group)]
    pub group: Option<u32>,

    /// Stop after handing out N descriptors.
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
}

/// `--mode`: permission bits in octal, at most 0777 (no set-id or sticky bit:
/// they mean nothing on a socket).
fn mode(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix("0o").unwrap_or(s);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 => Ok(mode),
        _ => Err(format!(
            "{s:?} is not a socket mode: use octal permission bits from 0 to 0777, e.g. 0660"
        )),
    }
}

/// `--group` of serve-fd: a gid, or a group name from the group database.
fn socket_group(group: &str) -> Result<u32, String> {
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
fn provider_name(s: &str) -> Result<String, String> {
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

/// The EventHeader levels by name or number, 1 (critical) to 5 (verbose): the
/// ones EventHeader defines and every writer of this project uses.
impl Args {
    /// Parses the command line, exiting with a usage error as clap does, also
    /// when the provider name and the group are together too long.
    pub fn parse_checked() -> Self {
        let args = Self::parse();
        if let Err(e) = args.check_name() {
            Self::command().error(ErrorKind::ValueValidation, e).exit();
        }
        args
    }

    /// The provider name and group together follow [`ProviderName`]'s rule.
    fn check_name(&self) -> Result<(), String> {
        let (provider, group) = match &self.command {
            Some(Command::Precreate(precreate)) => (&precreate.provider, &precreate.group),
            Some(Command::ServeFd(_)) => return Ok(()),
            None => (&self.provider, &self.group),
        };
        match (provider, group) {
            (Some(provider), Some(group)) => {
                ProviderName::with_optional_group(provider, Some(group))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            _ => Ok(()),
        }
    }
}

/// Provider groups as EventHeader allows them ([`ProviderGroup`]'s rule, the
/// runtime's), said for the command line.
fn group(s: &str) -> Result<String, String> {
    match ProviderGroup::new(s) {
        Ok(group) => Ok(group.as_str().to_owned()),
        Err(ProviderGroupError::Empty) => Err("the provider group is empty".into()),
        Err(ProviderGroupError::InvalidChar { ch, .. }) => Err(format!(
            "{ch:?} is not allowed in a provider group (only lowercase ASCII letters and digits)"
        )),
        Err(e @ ProviderGroupError::TooLong { .. }) => Err(e.to_string()),
    }
}

fn level(s: &str) -> Result<u8, String> {
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

fn keyword(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("{s:?} is not a keyword: use a number like 0x10 or 16"))
}

/// An activity id: 16 bytes as 32 hex digits, with the GUID form's dashes or without.
fn activity_id(s: &str) -> Result<[u8; 16], String> {
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
fn trace_id(s: &str) -> Result<String, String> {
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
fn seconds(s: &str) -> Result<Duration, String> {
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
fn buffer_kb(s: &str) -> Result<u64, String> {
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
    use clap::CommandFactory;

    #[test]
    fn command_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn parses_a_live_command() {
        let args = Args::try_parse_from([
            "ue-tail",
            "-l",
            "warn",
            "-k",
            "0x10",
            "-k",
            "1",
            "-e",
            "Retry",
            "--json",
            "-n",
            "5",
            "-d",
            "1.5",
            "MyService",
        ])
        .unwrap();
        assert_eq!(args.provider.as_deref(), Some("MyService"));
        assert_eq!(args.level, Some(3));
        assert_eq!(args.keywords, [0x10, 1]);
        assert_eq!(args.events, ["Retry"]);
        assert!(args.json);
        assert_eq!(args.count, Some(5));
        assert_eq!(args.duration, Some(Duration::from_millis(1500)));
        assert_eq!(args.buffer_kb, 1024);
    }

    #[test]
    fn takes_a_provider_group_by_the_rule() {
        let args = Args::try_parse_from(["ue-tail", "--group", "team7", "MyService"]).unwrap();
        assert_eq!(args.group.as_deref(), Some("team7"));
        assert_eq!(args.check_name(), Ok(()));
        let err = Args::try_parse_from(["ue-tail", "-g", "Team", "MyService"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("'T' is not allowed in a provider group"),
            "{err}"
        );
        assert_eq!(
            group("my_team"),
            Err(
                "'_' is not allowed in a provider group (only lowercase ASCII letters and digits)"
                    .into()
            )
        );
        assert_eq!(group(""), Err("the provider group is empty".into()));
        let long = "P".repeat(230);
        let args = Args::try_parse_from(["ue-tail", "--group", "team", &long]).unwrap();
        assert_eq!(
            args.check_name(),
            Err(ProviderGroupError::TooLong { len: 4, max: 3 }.to_string())
        );
        let args = Args::try_parse_from(["ue-tail", "--file", "x", "--group", "g"]).unwrap();
        assert_eq!(args.check_name(), Ok(()));
    }

    #[test]
    fn provider_is_optional_with_a_file_only() {
        let args = Args::try_parse_from(["ue-tail", "--file", "perf.data"]).unwrap();
        assert_eq!(args.provider, None);
        let err = Args::try_parse_from(["ue-tail"]).unwrap_err();
        assert!(err.to_string().contains("<PROVIDER>"), "{err}");
        let err = Args::try_parse_from(["ue-tail", "-f", "x", "-d", "1"]).unwrap_err();
        assert!(err.to_string().contains("cannot be used with"), "{err}");
    }

    fn precreate(args: &[&str]) -> PrecreateArgs {
        let args = Args::try_parse_from(args).unwrap();
        assert_eq!(args.check_name(), Ok(()));
        match args.command {
            Some(Command::Precreate(precreate)) => precreate,
            _ => panic!("no precreate command: {args:?}"),
        }
    }

    #[test]
    fn parses_precreate() {
        let created = precreate(&[
            "ue-tail",
            "precreate",
            "-k",
            "1",
            "--keyword",
            "0x10",
            "--group",
            "team",
            "MyService",
        ]);
        assert_eq!(created.provider.as_deref(), Some("MyService"));
        assert_eq!(created.keywords, [1, 0x10]);
        assert_eq!(created.group.as_deref(), Some("team"));
        assert!(!created.list && !created.delete);

        let listed = precreate(&["ue-tail", "precreate", "--list"]);
        assert!(listed.list);
        assert_eq!(listed.provider, None);
        let listed = precreate(&["ue-tail", "precreate", "--list", "MyService"]);
        assert_eq!(listed.provider.as_deref(), Some("MyService"));

        let deleted = precreate(&["ue-tail", "precreate", "--delete", "MyService"]);
        assert!(deleted.delete);
        assert!(deleted.keywords.is_empty());

        // Watching is as before.
        let args = Args::try_parse_from(["ue-tail", "MyService"]).unwrap();
        assert!(args.command.is_none());
        assert_eq!(args.provider.as_deref(), Some("MyService"));
    }

    #[test]
    fn precreate_rejects_what_makes_no_sense() {
        let fails = |args: &[&str]| Args::try_parse_from(args).unwrap_err().to_string();
        let err = fails(&["ue-tail", "precreate"]);
        assert!(err.contains("<PROVIDER>"), "{err}");
        let err = fails(&["ue-tail", "precreate", "--delete"]);
        assert!(err.contains("<PROVIDER>"), "{err}");
        let err = fails(&["ue-tail", "precreate", "--list", "--delete", "P"]);
        assert!(err.contains("cannot be used with"), "{err}");
        let err = fails(&["ue-tail", "precreate", "--list", "-k", "1"]);
        assert!(err.contains("cannot be used with"), "{err}");
        let err = fails(&["ue-tail", "precreate", "My-Service"]);
        assert!(err.contains("'-' is not allowed"), "{err}");
        // Watching options are not precreate's.
        let err = fails(&["ue-tail", "--json", "precreate", "P"]);
        assert!(!err.is_empty());
        let long = "P".repeat(230);
        let args = Args::try_parse_from(["ue-tail", "precreate", "-g", "team", &long]).unwrap();
        assert_eq!(
            args.check_name(),
            Err(ProviderGroupError::TooLong { len: 4, max: 3 }.to_string())
        );
    }

    #[test]
    fn parses_serve_fd() {
        let serve = |args: &[&str]| match Args::try_parse_from(args).map(|a| a.command) {
            Ok(Some(Command::ServeFd(serve))) => Ok(serve),
            Ok(other) => panic!("no serve-fd command: {other:?}"),
            Err(e) => Err(e.to_string()),
        };
        let plain = serve(&["ue-tail", "serve-fd", "/run/ue.sock"]).unwrap();
        assert_eq!(plain.socket, PathBuf::from("/run/ue.sock"));
        // Owner only unless told otherwise.
        assert_eq!((plain.mode, plain.group, plain.count), (0o600, None, None));
        let shared = serve(&[
            "ue-tail", "serve-fd", "--mode", "660", "--group", "4242", "-n", "3", "/s",
        ])
        .unwrap();
        assert_eq!(shared.mode, 0o660);
        assert_eq!(shared.group, Some(4242));
        assert_eq!(shared.count, Some(3));
        assert_eq!(
            serve(&["ue-tail", "serve-fd", "--mode", "0o640", "/s"])
                .unwrap()
                .mode,
            0o640
        );

        for bad in ["0800", "1777", "rw", ""] {
            let err = serve(&["ue-tail", "serve-fd", "--mode", bad, "/s"]).unwrap_err();
            assert!(
                err.contains("is not a socket mode: use octal permission bits from 0 to 0777"),
                "{bad}: {err}"
            );
        }
        // Names come from the group database: root's group is in every one.
        assert_eq!(
            serve(&["ue-tail", "serve-fd", "--group", "root", "/s"])
                .unwrap()
                .group,
            Some(0)
        );
        let err =
            serve(&["ue-tail", "serve-fd", "--group", "no-such-group-here", "/s"]).unwrap_err();
        assert!(
            err.contains("no group named \"no-such-group-here\""),
            "{err}"
        );
        let err = serve(&["ue-tail", "serve-fd", "--count", "0", "/s"]).unwrap_err();
        assert!(err.contains("0 is not in 1.."), "{err}");
        let err = serve(&["ue-tail", "serve-fd"]).unwrap_err();
        assert!(err.contains("<SOCKET>"), "{err}");
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
