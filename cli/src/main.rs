//! `ue-tail`: watch a user_events provider's EventHeader events live and
//! decode them, or decode a perf.data file. See `ue-tail --help`.
//!
//! Linux only: elsewhere it builds (so that a workspace using it does) into
//! a program that says so and fails.

#[cfg(target_os = "linux")]
mod ahead;
#[cfg(target_os = "linux")]
mod args;
#[cfg(target_os = "linux")]
mod error;
#[cfg(target_os = "linux")]
mod file;
#[cfg(target_os = "linux")]
mod filter;
#[cfg(target_os = "linux")]
mod human;
#[cfg(target_os = "linux")]
mod json;
#[cfg(target_os = "linux")]
mod live;
#[cfg(target_os = "linux")]
mod output;
#[cfg(target_os = "linux")]
mod precreate;

#[cfg(target_os = "linux")]
use std::io::{self, BufWriter};
use std::process::ExitCode;

#[cfg(target_os = "linux")]
use crate::args::{Args, Command};
#[cfg(target_os = "linux")]
use crate::error::Error;
#[cfg(target_os = "linux")]
use crate::filter::Filter;
#[cfg(target_os = "linux")]
use crate::output::Output;

/// Off Linux: there are no user_events to read.
#[cfg(not(target_os = "linux"))]
fn main() -> ExitCode {
    eprintln!("ue-tail reads Linux user_events; it runs only on Linux");
    ExitCode::FAILURE
}

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    match run(Args::parse_checked()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`ue-tail X | head`) is how a reader says it has enough.
        Err(Error::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ue-tail: error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(target_os = "linux")]
fn run(args: Args) -> Result<(), Error> {
    if let Some(Command::Precreate(precreate)) = &args.command {
        let action = match (precreate.list, precreate.delete) {
            (true, _) => precreate::Action::List,
            (false, true) => precreate::Action::Delete,
            (false, false) => precreate::Action::Create,
        };
        let command = precreate::Precreate {
            action,
            provider: precreate.provider.as_deref(),
            group: precreate.group.as_deref(),
            keywords: &precreate.keywords,
        };
        return precreate::run(&command, &mut io::stdout().lock());
    }
    let filter = Filter {
        provider: args.provider.clone(),
        group: args.group.clone(),
        max_level: args.level,
        keywords: args.keywords,
        events: args.events,
        activities: args.activities,
        traces: args.traces,
    };
    let stdout = BufWriter::new(io::stdout().lock());
    let mut out = Output::new(stdout, args.json, filter, args.count);
    let result = match (&args.file, &args.provider) {
        (Some(path), _) => file::run(path, &mut out),
        (None, Some(provider)) => live::Stop::install(args.duration).and_then(|stop| {
            let watch = live::Watch {
                provider,
                group: args.group.as_deref(),
                no_wait: args.no_wait,
                buffer_bytes_per_cpu: args.buffer_kb.saturating_mul(1024),
            };
            live::run(&watch, &mut out, &stop)
        }),
        // The parser requires one or the other.
        (None, None) => Ok(()),
    };
    let flushed = out.flush().map_err(Error::Output);
    if out.undecodable() > 0 {
        eprintln!(
            "ue-tail: {} events could not be decoded (see the warnings above)",
            out.undecodable()
        );
    }
    result.and(flushed)
}
