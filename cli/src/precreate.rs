//! `ue-tail precreate`: providers' tracepoints as persistent user events.
//!
//! A collector agent that starts before the application cannot attach to
//! tracepoints that do not exist yet, and `ue-tail`'s own ahead registration
//! ([`crate::ahead`]) lasts only while it runs. Written to
//! `<tracefs>/dynamic_events` with the `u:` prefix, a user event persists: it
//! stays, enabled or not, until it is deleted, and an application that
//! registers the same name with the same field list (the EventHeader one, as
//! every writer of this project does) joins it. Deleting needs the same full
//! field list, and fails while a process has the event registered or a
//! listener is attached.
//!
//! The kernel shows every user event in `dynamic_events`, persistent or
//! registered by a running process, without saying which; and creating a name
//! that a process registered already succeeds without making it persistent.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use otel_user_events_abi::EVENTHEADER_FIELDS;
use otel_user_events_listen::names::{ProviderName, TracepointName};
use otel_user_events_listen::tracefs::Tracefs;

use crate::error::Error;

/// The prefix of user events in `dynamic_events`, in commands and listings.
const USER_PREFIX: &str = "u:";

/// The EventHeader levels: critical (1) to verbose (5).
const LEVELS: std::ops::RangeInclusive<u8> = 1..=5;

/// What `ue-tail precreate` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create the tracepoints as persistent events.
    Create,
    /// Delete them.
    Delete,
    /// List the user events (persistent or registered by a process), of
    /// `providers` if any.
    List,
}

/// One `ue-tail precreate` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precreate<'a> {
    pub action: Action,
    /// The providers, each once; for [`Action::List`], none means all.
    pub providers: &'a [String],
    /// Their group (the same for each), if any.
    pub group: Option<&'a str>,
    /// The keywords (tracepoint name's `K` part); empty means keyword 1.
    pub keywords: &'a [u64],
}

/// A user event, as `dynamic_events` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persistent<'a> {
    /// The tracepoint name, without the `u:` prefix.
    pub name: &'a str,
    /// The field list, as the kernel shows it (`u8 version; u16 id; ...`).
    pub fields: &'a str,
}

/// The `dynamic_events` command that creates `name` with the EventHeader fields.
pub fn create_command(name: &str) -> String {
    format!("{USER_PREFIX}{name} {EVENTHEADER_FIELDS}\n")
}

/// The `dynamic_events` command that deletes `name`: the kernel matches the
/// whole field list, not the name alone.
pub fn delete_command(name: &str) -> String {
    format!("!{USER_PREFIX}{name} {EVENTHEADER_FIELDS}\n")
}

/// The user event of one `dynamic_events` line (`u:NAME FIELDS`); `None` for
/// other dynamic events (kprobes `p:`, synthetic `s:`, ...).
pub fn parse_line(line: &str) -> Option<Persistent<'_>> {
    let rest = line.strip_prefix(USER_PREFIX)?;
    let (name, fields) = rest.split_once(' ').unwrap_or((rest, ""));
    (!name.is_empty()).then(|| Persistent {
        name,
        fields: fields.trim(),
    })
}

/// Whether `name` is a tracepoint of one of `providers` (any group unless
/// `group`).
pub fn is_of(name: &str, providers: &[impl AsRef<str>], group: Option<&str>) -> bool {
    TracepointName::parse(name).is_some_and(|parsed| {
        providers.iter().any(|p| p.as_ref() == parsed.provider)
            && group.is_none_or(|g| parsed.group() == Some(g))
    })
}

/// The tracepoint names of every level for each keyword (keyword 1 when
/// none), of each provider in turn.
pub fn names(providers: &[impl AsRef<str>], group: Option<&str>, keywords: &[u64]) -> Vec<String> {
    let keywords = if keywords.is_empty() {
        &[1][..]
    } else {
        keywords
    };
    let mut names = Vec::new();
    for provider in providers {
        // The parser checked the name and group, together too.
        let provider = ProviderName::with_optional_group(provider.as_ref(), group)
            .expect("provider name and group were checked");
        names.extend(
            (keywords.iter())
                .flat_map(|&keyword| LEVELS.map(move |level| (level, keyword)))
                .map(|(level, keyword)| provider.tracepoint_name(level, keyword)),
        );
    }
    names
}

/// Runs `ue-tail precreate`, saying on stdout what it did.
pub fn run(command: &Precreate<'_>, out: &mut impl Write) -> Result<(), Error> {
    let tracefs = Tracefs::find().map_err(Error::Tracefs)?;
    let path = tracefs.root().join("dynamic_events");
    match command.action {
        Action::List => {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| dynamic_events_error(&path, source))?;
            for event in text.lines().filter_map(parse_line) {
                let wanted = command.providers.is_empty()
                    || is_of(event.name, command.providers, command.group);
                if wanted {
                    writeln!(out, "{} {}", event.name, event.fields).map_err(Error::Output)?;
                }
            }
        }
        Action::Create | Action::Delete => {
            let delete = command.action == Action::Delete;
            // Appending: opened with O_TRUNC, dynamic_events deletes every
            // dynamic event (kprobes too).
            let mut file = OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(|source| dynamic_events_error(&path, source))?;
            for name in names(command.providers, command.group, command.keywords) {
                let line = if delete {
                    delete_command(&name)
                } else {
                    create_command(&name)
                };
                // One write per event: the kernel runs it as one command and
                // its errno is this event's.
                let done = match file.write_all(line.as_bytes()) {
                    Ok(()) if delete => "deleted",
                    Ok(()) => "created",
                    // Deleting what is not there is done already: a second
                    // --delete (e.g. after one stopped at a busy event) finishes
                    // the rest.
                    Err(e) if delete && e.raw_os_error() == Some(libc::ENOENT) => {
                        "not found (none with the EventHeader field list):"
                    }
                    Err(source) => {
                        return Err(Error::Precreate {
                            name,
                            delete,
                            source,
                        });
                    }
                };
                writeln!(out, "{done} {name}").map_err(Error::Output)?;
            }
        }
    }
    out.flush().map_err(Error::Output)
}

/// Opening or reading `dynamic_events` failed.
fn dynamic_events_error(path: &Path, source: io::Error) -> Error {
    Error::DynamicEvents {
        path: PathBuf::from(path),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_commands_with_the_eventheader_fields() {
        assert_eq!(
            create_command("MyService_L4K1"),
            "u:MyService_L4K1 u8 eventheader_flags; u8 version; u16 id; u16 tag; \
             u8 opcode; u8 level\n"
        );
        assert_eq!(
            delete_command("MyService_L4K1Gteam"),
            "!u:MyService_L4K1Gteam u8 eventheader_flags; u8 version; u16 id; u16 tag; \
             u8 opcode; u8 level\n"
        );
    }

    #[test]
    fn reads_the_user_events_of_dynamic_events() {
        // As the kernel's user_event_show writes them, among other dynamic events.
        let listing = "p:kprobes/myprobe do_sys_open\n\
             u:MyService_L4K1 u8 eventheader_flags; u8 version; u16 id; u16 tag; u8 opcode; u8 level\n\
             u:Bare\n";
        let events: Vec<_> = listing.lines().filter_map(parse_line).collect();
        assert_eq!(
            events,
            [
                Persistent {
                    name: "MyService_L4K1",
                    fields: EVENTHEADER_FIELDS
                },
                Persistent {
                    name: "Bare",
                    fields: ""
                },
            ]
        );
        assert_eq!(parse_line("u:"), None);
        // What is written is what is listed back.
        let created = create_command("P_L1K1");
        assert_eq!(
            parse_line(created.trim_end()),
            Some(Persistent {
                name: "P_L1K1",
                fields: EVENTHEADER_FIELDS
            })
        );
    }

    #[test]
    fn names_every_level_of_each_keyword() {
        assert_eq!(
            names(&["MyService"], None, &[]),
            [
                "MyService_L1K1",
                "MyService_L2K1",
                "MyService_L3K1",
                "MyService_L4K1",
                "MyService_L5K1"
            ]
        );
        let named = names(&["P"], Some("team"), &[1, 0x10]);
        assert_eq!(named.len(), 10);
        assert_eq!(named[0], "P_L1K1Gteam");
        assert_eq!(named[9], "P_L5K10Gteam");
    }

    #[test]
    fn names_every_providers_tracepoints_in_turn() {
        let named = names(&["A", "Bee", "C"], None, &[0x10]);
        let expected: Vec<String> = ["A", "Bee", "C"]
            .iter()
            .flat_map(|p| (1..=5).map(move |level| format!("{p}_L{level}K10")))
            .collect();
        assert_eq!(named, expected);
        // The group is every provider's.
        let named = names(&["A", "B"], Some("g"), &[]);
        assert_eq!(named.len(), 10);
        assert!(
            named[..5]
                .iter()
                .all(|n| n.starts_with("A_L") && n.ends_with("K1Gg"))
        );
        assert!(
            named[5..]
                .iter()
                .all(|n| n.starts_with("B_L") && n.ends_with("K1Gg"))
        );
        assert!(names(&[] as &[&str], None, &[]).is_empty());
    }

    #[test]
    fn lists_a_providers_tracepoints_only() {
        let my_service = ["MyService"];
        assert!(is_of("MyService_L4K1", &my_service, None));
        assert!(is_of("MyService_L4K1Gteam", &my_service, None));
        assert!(is_of("MyService_L4K1Gteam", &my_service, Some("team")));
        assert!(!is_of("MyService_L4K1", &my_service, Some("team")));
        assert!(!is_of("MyServiceX_L4K1", &my_service, None));
        assert!(!is_of("NotEventHeader", &my_service, None));
    }

    #[test]
    fn lists_the_tracepoints_of_several_providers() {
        let named = ["A", "Bee"];
        assert!(is_of("A_L4K1", &named, None));
        assert!(is_of("Bee_L1K10Gteam", &named, None));
        assert!(is_of("Bee_L1K10Gteam", &named, Some("team")));
        assert!(!is_of("A_L1K1", &named, Some("team")));
        for other in ["Be_L4K1", "B_L4K1", "AB_L4K1", "C_L4K1", "A", "Bee"] {
            assert!(!is_of(other, &named, None), "{other}");
        }
    }
}
