//! Watching providers live: attach perf to their tracepoints (registering the
//! missing ones ahead of the applications), follow new ones as they appear,
//! and show every sample until a stop condition. Several providers share one
//! listener: their events come out in one stream, as for one provider.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use otel_user_events_listen::names::TracepointName;
use otel_user_events_listen::perf::{self, Listener, ListenerOptions};
use otel_user_events_listen::tracefs::Tracefs;
use tracepoint_decode::{PerfByteReader, PerfEventDesc, PerfSampleEventInfo, PerfSessionInfo};

use crate::ahead::Ahead;
use crate::error::{Error, RingFailure, providers_in_group};
use crate::output::Output;

/// How long to wait for samples before looking for new tracepoints again.
const POLL: Duration = Duration::from_millis(100);

/// When to stop: Ctrl-C (or SIGTERM), or `--duration`.
pub struct Stop {
    interrupted: Arc<AtomicBool>,
    deadline: Option<Instant>,
}

impl Stop {
    /// Installs the Ctrl-C handler; `duration` counts from now.
    pub fn install(duration: Option<Duration>) -> Result<Self, Error> {
        let interrupted = Arc::new(AtomicBool::new(false));
        let flag = interrupted.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))
            .map_err(|e| Error::Signal(e.to_string()))?;
        Ok(Self {
            interrupted,
            deadline: duration.map(|d| Instant::now() + d),
        })
    }

    /// True once Ctrl-C was pressed or the duration is over.
    pub(crate) fn now(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// What to watch and how.
pub struct Watch<'a> {
    /// The providers: at least one, each once.
    pub providers: &'a [String],
    /// Their provider group (the same for each), if they have one.
    pub group: Option<&'a str>,
    /// Fail instead of registering and waiting when nothing is registered.
    pub no_wait: bool,
    /// Each CPU's ring buffer size.
    pub buffer_bytes_per_cpu: usize,
}

/// Shows the providers' events on `out` until `stop` or the output's count.
pub fn run<W: Write>(watch: &Watch, out: &mut Output<W>, stop: &Stop) -> Result<(), Error> {
    let tracefs = Tracefs::find().map_err(Error::Tracefs)?;
    let mut tracepoints = Tracepoints {
        listener: Listener::new(&ListenerOptions {
            buffer_bytes_per_cpu: watch.buffer_bytes_per_cpu,
            tracefs: tracefs.clone(),
            clock_id: Some(libc::CLOCK_MONOTONIC),
        })?,
        tracefs,
        ahead: (watch.providers.iter())
            .map(|provider| (provider.clone(), Ahead::new(provider, watch.group)))
            .collect(),
        ahead_failed: false,
        attached: BTreeSet::new(),
        buffer_bytes: watch.buffer_bytes_per_cpu,
    };
    let registered = tracepoints.registered(out)?;
    if watch.no_wait {
        let unknown: Vec<String> = (watch.providers.iter())
            .filter(|provider| keywords_of(&registered, provider).is_empty())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(Error::UnknownProviders {
                providers: unknown,
                group: watch.group.map(str::to_owned),
            });
        }
    }
    let added = tracepoints.refresh(registered, out)?;
    let waiting = tracepoints.waiting();
    let waiting_for = || {
        let their = if waiting.len() == 1 { "its" } else { "their" };
        let names = providers_in_group(&waiting, watch.group);
        format!("ue-tail: waiting for {names} to register {their} tracepoints")
    };
    if added.is_empty() {
        eprintln!("{} (Ctrl-C to stop)", waiting_for());
    } else {
        eprintln!("ue-tail: watching {} (Ctrl-C to stop)", added.join(" "));
        if !waiting.is_empty() {
            eprintln!("{}", waiting_for());
        }
    }

    // Samples carry monotonic time; the decoder turns it into wall time.
    let session = session_info();
    let desc = PerfEventDesc::new(
        tracepoints.listener.event_attr(0),
        String::new(),
        None,
        Box::new([]),
    );
    let mut lost_reported = 0;
    // Prints what the rings hold now.
    let show = |listener: &mut Listener, out: &mut Output<W>| -> Result<(), Error> {
        for sample in listener.drain() {
            let mut info = PerfSampleEventInfo::new(&[0; 8], &session, &desc);
            (info.pid, info.tid, info.time, info.cpu) =
                (sample.pid, sample.tid, sample.time, sample.cpu);
            out.eventheader(&sample.tracepoint, &sample.event_data, &info)
                .map_err(Error::Output)?;
        }
        out.flush().map_err(Error::Output)
    };
    while !stop.now() && !out.done() {
        tracepoints.listener.wait(POLL);
        show(&mut tracepoints.listener, out)?;
        let lost = tracepoints.listener.lost();
        if lost > lost_reported {
            eprintln!(
                "ue-tail: warning: {} events lost: a CPU's ring buffer was full \
                 (raise --buffer-kb)",
                lost - lost_reported
            );
            lost_reported = lost;
        }
        if out.done() {
            break;
        }
        let registered = tracepoints.registered(out)?;
        let added = tracepoints.refresh(registered, out)?;
        if !added.is_empty() {
            eprintln!("ue-tail: watching {} too", added.join(" "));
        }
    }
    if !out.done() {
        // Stopped (Ctrl-C, --duration): events written before the stop and
        // still in the rings are shown, not lost.
        show(&mut tracepoints.listener, out)?;
    }
    if lost_reported > 0 {
        eprintln!("ue-tail: {lost_reported} events were lost in all");
    }
    Ok(())
}

/// The providers' tracepoints and ue-tail's hold on them.
struct Tracepoints {
    tracefs: Tracefs,
    listener: Listener,
    /// Each provider's registration ahead, in the order they were named.
    ahead: Vec<(String, Ahead)>,
    ahead_failed: bool,
    /// The providers with a tracepoint attached.
    attached: BTreeSet<String>,
    /// Each CPU's ring buffer size.
    buffer_bytes: usize,
}

impl Tracepoints {
    /// The registered tracepoints of the providers that the filter lets through.
    fn registered<W: Write>(&self, out: &Output<W>) -> Result<Vec<String>, Error> {
        let status = self.tracefs.user_events_status().map_err(Error::Status)?;
        Ok(status
            .entries
            .into_iter()
            .map(|e| e.name)
            .filter(|name| TracepointName::parse(name).is_some_and(|n| out.filter().tracepoint(&n)))
            .collect())
    }

    /// Registers what is missing ahead of the application, attaches to what
    /// is not attached yet; returns the names newly attached.
    fn refresh<W: Write>(
        &mut self,
        registered: Vec<String>,
        out: &Output<W>,
    ) -> Result<Vec<String>, Error> {
        let mut ahead = Vec::new();
        for (provider, provider_ahead) in &mut self.ahead {
            // The keywords this provider's application uses, not another's.
            let seen = keywords_of(&registered, provider);
            for (level, keyword) in out.filter().to_register(seen) {
                match provider_ahead.register(level, keyword) {
                    Ok(Some(name)) => ahead.push(name),
                    Ok(None) => {}
                    Err(e) if !self.ahead_failed => {
                        self.ahead_failed = true;
                        eprintln!(
                            "ue-tail: warning: cannot register tracepoints ahead of the \
                             application ({e}): events it writes right after it starts may \
                             be missed"
                        );
                    }
                    Err(_) => {}
                }
            }
        }
        let mut names = registered;
        for name in ahead {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let mut added = Vec::new();
        for name in names {
            if self.listener.contains(&name) {
                continue;
            }
            match self.listener.add(&name) {
                Ok(()) => {
                    if let Some(parsed) = TracepointName::parse(&name) {
                        self.attached.insert(parsed.provider.to_owned());
                    }
                    added.push(name);
                }
                // Gone since user_events_status listed it (its process exited).
                Err(perf::Error::Tracepoint { .. }) => {}
                // Said with what the system allows (root, mlock limit, memory).
                Err(perf::Error::RingBuffer { cpu, source }) => {
                    let kib = self.buffer_bytes as u64 / 1024;
                    return Err(Error::RingBuffer(RingFailure::gather(cpu, source, kib)));
                }
                Err(e) => return Err(e.into()),
            }
        }
        added.sort();
        Ok(added)
    }

    /// The providers without a tracepoint attached yet, in the order named.
    fn waiting(&self) -> Vec<&str> {
        (self.ahead.iter())
            .map(|(provider, _)| provider.as_str())
            .filter(|provider| !self.attached.contains(*provider))
            .collect()
    }
}

/// The keywords of `provider`'s tracepoints among `names`.
fn keywords_of(names: &[String], provider: &str) -> BTreeSet<u64> {
    (names.iter())
        .filter_map(|name| TracepointName::parse(name))
        .filter(|name| name.provider == provider)
        .map(|name| name.keyword)
        .collect()
}

/// A session whose clock is `CLOCK_MONOTONIC`, with its offset to wall time.
fn session_info() -> PerfSessionInfo {
    let mut session = PerfSessionInfo::new(PerfByteReader::new(cfg!(target_endian = "big")));
    let monotonic = clock_ns(libc::CLOCK_MONOTONIC);
    let wall = clock_ns(libc::CLOCK_REALTIME);
    session.set_clock_data(libc::CLOCK_MONOTONIC as u32, wall, monotonic);
    session
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec; both clocks always exist on Linux.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_registers_ahead_the_keywords_it_uses() {
        let registered: Vec<String> = ["A_L4K1", "A_L3K10", "Bee_L4K20Gg", "B_L1K40", "plain"]
            .map(str::to_owned)
            .into();
        assert_eq!(keywords_of(&registered, "A"), BTreeSet::from([1, 0x10]));
        assert_eq!(keywords_of(&registered, "Bee"), BTreeSet::from([0x20]));
        assert_eq!(keywords_of(&registered, "B"), BTreeSet::from([0x40]));
        assert!(keywords_of(&registered, "C").is_empty());
    }
}
