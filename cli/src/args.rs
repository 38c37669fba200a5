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

/// Watch user_events providers' EventHeader events and decode them, live or
/// from a perf.data file.
///
/// Live, ue-tail attaches to every tracepoint of each PROVIDER named
/// (`PROVIDER_L<level>K<keyword>`, or `...G<group>` with --group) listed in
/// user_events_status, and to new ones as they appear; the events of all of
/// them come out in one stream, each line naming its provider
/// (`Provider:Event`, in JSON `"n"`). Tracepoints an application has not
/// registered yet (every level with keyword 1, or with each --keyword) are
/// registered ahead of it for each provider, so its first events are seen when
/// it starts. Needs root (tracefs and perf_event_open).
#[derive(Debug, Parser)]
#[command(name = "ue-tail", version, about, long_about)]
#[command(after_help = "Examples:\n  \
    sudo ue-tail MyService\n  \
    sudo ue-tail MyService Billing Inventory\n  \
    sudo ue-tail --level warning --keyword 0x10 MyService\n  \
    sudo ue-tail --json --count 10 MyService\n  \
    sudo ue-tail --group myteam MyService\n  \
    sudo ue-tail --activity 4bf92f35-77b3-4da6-00f0-67aa0ba902b7 MyService\n  \
    sudo ue-tail --trace 4bf92f3577b34da6a3ce929d0e0e4736 MyService\n  \
    ue-tail --file perf.data\n  \
    ue-tail --file perf.data MyService Billing\n  \
    sudo ue-tail precreate --keyword 1 --keyword 0x10 MyService Billing")]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    /// Another command instead of watching.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The providers whose events to show (ASCII letters, digits and `_`),
    /// each named once; with --file, optional: only these providers' events
    /// (none named: every event in the file).
    #[arg(
        value_name = "PROVIDER",
        value_parser = provider_name,
        required_unless_present = "file"
    )]
    pub providers: Vec<String>,

    /// The provider group (lowercase ASCII letters and digits), for every
    /// PROVIDER named: only tracepoints `PROVIDER_L<level>K<keyword>G<GROUP>`,
    /// and those are the ones registered ahead. Without it, live: every group
    /// of each PROVIDER and none; with --file: any group.
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

    /// Fail when a PROVIDER named has no tracepoint registered (the error
    /// names each such one), instead of registering them and waiting for the
    /// applications.
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

/// Create providers' tracepoints as persistent user events, list or delete
/// them.
///
/// For agents that start before the application, or keep a fixed
/// subscription list: the tracepoints of each PROVIDER named
/// (`PROVIDER_L1K<k>` .. `PROVIDER_L5K<k>` for each --keyword, keyword 1
/// without one; `...G<group>` with --group, for every PROVIDER) are created in
/// `<tracefs>/dynamic_events` with the EventHeader field list, so a listener
/// can attach before the application starts; the application joins them when
/// it registers. They stay until deleted (--delete), also after ue-tail and the
/// application exit. Create them before the application starts: a name a
/// running process registered already is joined, not made persistent. Needs
/// root (CAP_PERFMON).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    sudo ue-tail precreate --keyword 1 --keyword 0x10 MyService\n  \
    sudo ue-tail precreate MyService Billing Inventory\n  \
    sudo ue-tail precreate --list MyService Billing\n  \
    sudo ue-tail precreate --delete --keyword 1 --keyword 0x10 MyService")]
pub struct PrecreateArgs {
    /// The providers whose tracepoints to create or delete, each named once;
    /// with --list, optional: only these providers'.
    #[arg(
        value_name = "PROVIDER",
        value_parser = provider_name,
        required_unless_present = "list"
    )]
    pub providers: Vec<String>,

    /// The provider group, for every PROVIDER named: tracepoints
    /// `PROVIDER_L<level>K<keyword>G<GROUP>`. With --list, only this group's.
    #[arg(short, long, value_name = "GROUP", value_parser = group)]
    pub group: Option<String>,

    /// The keyword of the tracepoints (decimal or 0x hex); repeat for
    /// several. Without it, keyword 1.
    #[arg(short, long = "keyword", value_parser = keyword)]
    pub keywords: Vec<u64>,

    /// List the user events (of the PROVIDERs, if given) with their field lists,
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

/// The name of the command [`Command::Precreate`].
const PRECREATE: &str = "precreate";

impl Args {
    /// Parses the command line, exiting with a usage error as clap does, also
    /// when a provider is named twice or a provider name and the group are
    /// together too long.
    pub fn parse_checked() -> Self {
        let args = Self::parse();
        if let Err(e) = args.check_providers() {
            Self::command().error(ErrorKind::ValueValidation, e).exit();
        }
        args
    }

    /// Each provider is named once, and each with the group follows
    /// [`ProviderName`]'s rule; watching, none is `precreate`, the command
    /// out of place.
    fn check_providers(&self) -> Result<(), String> {
        let (providers, group) = match &self.command {
            Some(Command::Precreate(precreate)) => (&precreate.providers, &precreate.group),
            Some(Command::ServeFd(_)) => return Ok(()),
            None => (&self.providers, &self.group),
        };
        // After an option or a provider, clap takes a command's name for a
        // provider's: `ue-tail --json precreate P` would watch "precreate".
        if self.command.is_none() && providers.iter().any(|p| p == PRECREATE) {
            return Err(format!(
                "{PRECREATE} is a command, not a provider here: put it first, before its \
                 options (ue-tail {PRECREATE} [OPTIONS] <PROVIDER>...)"
            ));
        }
        for (i, provider) in providers.iter().enumerate() {
            if providers[..i].contains(provider) {
                return Err(format!(
                    "the provider {provider} is named twice: name each provider once"
                ));
            }
            if let Some(group) = group {
                ProviderName::with_optional_group(provider, Some(group)).map_err(|e| {
                    // The group's limit depends on the name: say which one.
                    if providers.len() > 1 {
                        format!("with provider {provider}: {e}")
                    } else {
                        e.to_string()
                    }
                })?;
            }
        }
        Ok(())
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
        assert_eq!(args.providers, ["MyService"]);
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
        assert_eq!(args.check_providers(), Ok(()));
        let err = Args::try_parse_from(["ue-tail", "-g", "Team", "MyService"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("'T' is not allowed in a provider group"),
            "{err}"
        );
        let long = "P".repeat(230);
        let args = Args::try_parse_from(["ue-tail", "--group", "team", &long]).unwrap();
        assert_eq!(
            args.check_providers(),
            Err(ProviderGroupError::TooLong { len: 4, max: 3 }.to_string())
        );
        let args = Args::try_parse_from(["ue-tail", "--file", "x", "--group", "g"]).unwrap();
        assert_eq!(args.check_providers(), Ok(()));
    }

    #[test]
    fn provider_is_optional_with_a_file_only() {
        let args = Args::try_parse_from(["ue-tail", "--file", "perf.data"]).unwrap();
        assert!(args.providers.is_empty());
        let err = Args::try_parse_from(["ue-tail"]).unwrap_err();
        assert!(err.to_string().contains("<PROVIDER>"), "{err}");
        let err = Args::try_parse_from(["ue-tail", "-f", "x", "-d", "1"]).unwrap_err();
        assert!(err.to_string().contains("cannot be used with"), "{err}");
    }

    fn precreate(args: &[&str]) -> PrecreateArgs {
        let args = Args::try_parse_from(args).unwrap();
        assert_eq!(args.check_providers(), Ok(()));
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
        assert_eq!(created.providers, ["MyService"]);
        assert_eq!(created.keywords, [1, 0x10]);
        assert_eq!(created.group.as_deref(), Some("team"));
        assert!(!created.list && !created.delete);

        let listed = precreate(&["ue-tail", "precreate", "--list"]);
        assert!(listed.list);
        assert!(listed.providers.is_empty());
        let listed = precreate(&["ue-tail", "precreate", "--list", "MyService"]);
        assert_eq!(listed.providers, ["MyService"]);

        let deleted = precreate(&["ue-tail", "precreate", "--delete", "MyService"]);
        assert!(deleted.delete);
        assert!(deleted.keywords.is_empty());

        // Several providers, each action.
        let created = precreate(&["ue-tail", "precreate", "A", "-k", "0x10", "B", "C"]);
        assert_eq!(created.providers, ["A", "B", "C"]);
        assert_eq!(created.keywords, [0x10]);
        let deleted = precreate(&["ue-tail", "precreate", "--delete", "A", "B"]);
        assert!(deleted.delete);
        assert_eq!(deleted.providers, ["A", "B"]);
        let listed = precreate(&["ue-tail", "precreate", "--list", "-g", "g", "A", "B"]);
        assert!(listed.list);
        assert_eq!(listed.providers, ["A", "B"]);

        // Watching is as before.
        let args = Args::try_parse_from(["ue-tail", "MyService"]).unwrap();
        assert!(args.command.is_none());
        assert_eq!(args.providers, ["MyService"]);
    }

    #[test]
    fn watches_several_providers() {
        let args =
            Args::try_parse_from(["ue-tail", "-g", "team", "A", "--json", "B", "C"]).unwrap();
        assert_eq!(args.providers, ["A", "B", "C"]);
        assert_eq!(args.group.as_deref(), Some("team"));
        assert!(args.json);
        assert_eq!(args.check_providers(), Ok(()));
        let args = Args::try_parse_from(["ue-tail", "--file", "perf.data", "A", "B"]).unwrap();
        assert_eq!(args.providers, ["A", "B"]);
        // A command's name after an option or a provider is no provider's.
        for args in [
            &["ue-tail", "A", "precreate"][..],
            &["ue-tail", "--json", "precreate"],
        ] {
            let args = Args::try_parse_from(args).unwrap();
            assert!(args.command.is_none());
            assert_eq!(
                args.check_providers(),
                Err(
                    "precreate is a command, not a provider here: put it first, before its \
                     options (ue-tail precreate [OPTIONS] <PROVIDER>...)"
                        .into()
                )
            );
        }
    }

    #[test]
    fn each_provider_is_checked_and_named_once() {
        let err = Args::try_parse_from(["ue-tail", "A", "My-Service", "C"]).unwrap_err();
        assert!(
            err.to_string().contains(
                "'-' is not allowed in a provider name (only ASCII letters, digits and '_')"
            ),
            "{err}"
        );
        let err = Args::try_parse_from(["ue-tail", "precreate", "A", ""]).unwrap_err();
        assert!(
            err.to_string().contains("the provider name is empty"),
            "{err}"
        );
        for args in [
            &["ue-tail", "A", "B", "A"][..],
            &["ue-tail", "precreate", "-k", "1", "B", "A", "B"],
            &["ue-tail", "precreate", "--list", "B", "B"],
            &["ue-tail", "--file", "x", "B", "B"],
        ] {
            let args = Args::try_parse_from(args).unwrap();
            let twice = if args.providers.first().is_some_and(|p| p == "A") {
                "A"
            } else {
                "B"
            };
            assert_eq!(
                args.check_providers(),
                Err(format!(
                    "the provider {twice} is named twice: name each provider once"
                )),
                "{args:?}"
            );
        }
        // Names differ in case only: two providers.
        let args = Args::try_parse_from(["ue-tail", "Shop", "shop"]).unwrap();
        assert_eq!(args.check_providers(), Ok(()));
        // The group's limit depends on each name: the message says whose.
        let long = "P".repeat(230);
        for command in [&["ue-tail"][..], &["ue-tail", "precreate"]] {
            let mut args = command.to_vec();
            args.extend(["-g", "team", "Short", &long]);
            let args = Args::try_parse_from(args).unwrap();
            assert_eq!(
                args.check_providers(),
                Err(format!(
                    "with provider {long}: {}",
                    ProviderGroupError::TooLong { len: 4, max: 3 }
                ))
            );
        }
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
        let err = fails(&["ue-tail", "precreate", "A", "My-Service"]);
        assert!(err.contains("'-' is not allowed"), "{err}");
        // Watching options are not precreate's.
        let args = Args::try_parse_from(["ue-tail", "--json", "precreate", "P"]).unwrap();
        let err = args.check_providers().unwrap_err();
        assert!(err.starts_with("precreate is a command"), "{err}");
        let long = "P".repeat(230);
        let args = Args::try_parse_from(["ue-tail", "precreate", "-g", "team", &long]).unwrap();
        assert_eq!(
            args.check_providers(),
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
        // The values' rules: args/values.rs.
        let err = serve(&["ue-tail", "serve-fd", "--mode", "0800", "/s"]).unwrap_err();
        assert!(err.contains("is not a socket mode"), "{err}");
        let err = serve(&["ue-tail", "serve-fd", "--count", "0", "/s"]).unwrap_err();
        assert!(err.contains("0 is not in 1.."), "{err}");
        let err = serve(&["ue-tail", "serve-fd"]).unwrap_err();
        assert!(err.contains("<SOCKET>"), "{err}");
    }
}
