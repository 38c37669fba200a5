//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use otel_user_events_listen::names::ProviderName;

mod values;

pub use values::{BUFFER_KB_MAX, DURATION_MAX_SECS, page_kib};
use values::{
    activity_id, buffer_kb, group, keyword, level, mode, provider_name, seconds, socket_group,
    trace_id,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use otel_user_events_listen::names::ProviderGroupError;

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
}
