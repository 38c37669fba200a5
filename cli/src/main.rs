//! `ue-tail`: watch a user_events provider's EventHeader events live and
//! decode them, or decode a perf.data file. See `ue-tail --help`.
//!
//! Linux only: elsewhere it builds (so that a workspace using it does) into
//! a program that says so and fails.

#[cfg(target_os = "linux")]
use std::io::{self, BufWriter};
use std::process::ExitCode;

#[cfg(target_os = "linux")]
use ue_tail::{
    args::{Args, Command},
    error::Error,
    file,
    filter::Filter,
    live,
    output::Output,
    precreate, serve_fd,
};

/// Off Linux: there are no user_events to read.
#[cfg(not(target_os = "linux"))]
fn main() -> ExitCode {
    eprintln!("ue-tail reads Linux user_events; it runs only on Linux");
    ExitCode::FAILURE
}

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    match run(Args::parse_checked()) {
        Ok(Complete::Yes) => ExitCode::SUCCESS,
        // What could be shown was; the warnings said what could not.
        Ok(Complete::No) => ExitCode::FAILURE,
        // A closed pipe (`ue-tail X | head`) is how a reader says it has enough.
        Err(Error::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ue-tail: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a perf.data file was decoded whole.
#[cfg(target_os = "linux")]
enum Complete {
    Yes,
    /// Some records could not be decoded, or the file ends early.
    No,
}

#[cfg(target_os = "linux")]
fn run(args: Args) -> Result<Complete, Error> {
    if let Some(Command::Precreate(precreate)) = &args.command {
        let action = match (precreate.list, precreate.delete) {
            (true, _) => precreate::Action::List,
            (false, true) => precreate::Action::Delete,
            (false, false) => precreate::Action::Create,
        };
        let command = precreate::Precreate {
            action,
            providers: &precreate.providers,
            group: precreate.group.as_deref(),
            keywords: &precreate.keywords,
        };
        return precreate::run(&command, &mut io::stdout().lock()).map(|()| Complete::Yes);
    }
    if let Some(Command::ServeFd(serve)) = &args.command {
        let serve = serve_fd::Serve {
            socket: &serve.socket,
            mode: serve.mode,
            group: serve.group,
            count: serve.count,
        };
        return serve_fd::run(&serve).map(|()| Complete::Yes);
    }
    let filter = Filter {
        providers: args.providers.clone(),
        group: args.group.clone(),
        max_level: args.level,
        keywords: args.keywords,
        events: args.events,
        activities: args.activities,
        traces: args.traces,
    };
    let stdout = BufWriter::new(io::stdout().lock());
    let mut out = Output::new(stdout, args.json, filter, args.count);
    let result = match (&args.file, args.providers.is_empty()) {
        (Some(path), _) => file::run(path, &mut out).map(|summary| {
            if summary.undecodable == 0 && summary.truncation.is_none() {
                Complete::Yes
            } else {
                Complete::No
            }
        }),
        (None, false) => live::Stop::install(args.duration).and_then(|stop| {
            let watch = live::Watch {
                providers: &args.providers,
                group: args.group.as_deref(),
                no_wait: args.no_wait,
                // At most 1 GiB (the parser's limit).
                buffer_bytes_per_cpu: usize::try_from(args.buffer_kb * 1024).unwrap_or(usize::MAX),
            };
            live::run(&watch, &mut out, &stop).map(|()| Complete::Yes)
        }),
        // The parser requires one or the other.
        (None, true) => Ok(Complete::Yes),
    };
    let flushed = out.flush().map_err(Error::Output);
    if out.undecodable() > 0 {
        let what = if args.file.is_some() {
            "records"
        } else {
            "events"
        };
        eprintln!(
            "ue-tail: {} {what} could not be decoded (see the warnings above)",
            out.undecodable()
        );
    }
    result.and_then(|complete| flushed.map(|()| complete))
}
