//! The choice of outputs: what user_events registration gave, the mode asked
//! for, and whether there is a logger provider to fall back to, make one
//! decision and its sentence.

use std::path::PathBuf;

use otel_user_events_abi::DataFileError;

use super::mode::OutputMode;
use crate::output::TracepointStatus;

/// What happened with user_events, for the decision and its sentence.
pub(super) enum KernelStatus {
    NotTried,
    /// Every tracepoint of a call site registered (`tracepoints` of them
    /// registered in all).
    Ready {
        tracepoints: usize,
        /// Why some tracepoints without a call site did not register.
        standby: Option<String>,
    },
    /// Some tracepoints of call sites registered, some did not.
    Partial(String),
    /// No tracepoint of a call site can be written.
    Unavailable(String),
}

impl KernelStatus {
    /// Sums up the registration of `tracepoints` through `data_file` (`None`:
    /// user_events was not tried). Only the tracepoints of call sites decide:
    /// one registered for a collector's sake alone (no call site) carries no
    /// event, so its failure is told in the sentence but changes no output.
    pub(super) fn new(
        data_file: &Option<Result<PathBuf, DataFileError>>,
        tracepoints: &[TracepointStatus],
        any_registered: bool,
    ) -> KernelStatus {
        match data_file {
            None => KernelStatus::NotTried,
            Some(Err(DataFileError { errno, .. })) => KernelStatus::Unavailable(format!(
                "user_events is unavailable ({}: {})",
                errno.name(),
                errno.explain()
            )),
            Some(Ok(_)) => {
                let (used, standby): (Vec<&TracepointStatus>, Vec<&TracepointStatus>) =
                    tracepoints.iter().partition(|t| t.call_sites > 0);
                match failures(&used) {
                    None => KernelStatus::Ready {
                        tracepoints: tracepoints.iter().filter(|t| t.result.is_ok()).count(),
                        standby: failures(&standby),
                    },
                    Some(problem) if any_registered => KernelStatus::Partial(problem),
                    Some(problem) => KernelStatus::Unavailable(problem),
                }
            }
        }
    }
}

/// "`n` of `m` tracepoints did not register (first: ..)", or `None` when all of
/// `tracepoints` registered.
fn failures(tracepoints: &[&TracepointStatus]) -> Option<String> {
    let failed: Vec<&&TracepointStatus> =
        tracepoints.iter().filter(|t| t.result.is_err()).collect();
    let first = failed.first()?;
    Some(format!(
        "{} of {} tracepoints did not register (first: {}: {})",
        failed.len(),
        tracepoints.len(),
        first.name,
        first
            .result
            .as_ref()
            .err()
            .map_or(String::new(), |e| e.to_string())
    ))
}

/// The outputs to use and why, in one sentence.
pub(super) struct Decision {
    pub(super) user_events: bool,
    pub(super) opentelemetry: bool,
    pub(super) reason: String,
}

const DROPPED: &str = "are dropped and counted (dropped_unavailable)";
const NO_LOGGER: &str = "no OpenTelemetry logger provider was given to fall back to \
     (.logger_provider(..) or .stdout_logger_provider())";

/// Picks the outputs for `mode` (the table in [`OutputMode`]'s docs).
pub(super) fn decide(mode: OutputMode, kernel: &KernelStatus, has_logger: bool) -> Decision {
    let decision = |user_events, opentelemetry, reason: String| Decision {
        user_events,
        opentelemetry,
        reason,
    };
    let ready = |tracepoints: usize, standby: &Option<String>| match standby {
        _ if tracepoints == 0 && standby.is_none() => {
            "user_events is available (this program has no call sites to register)".to_owned()
        }
        None => format!("every tracepoint registered with user_events ({tracepoints})"),
        Some(problem) => format!(
            "the tracepoints of every call site registered with user_events ({tracepoints} \
             in all), but of those without a call site {problem}: collectors that list them \
             will not open"
        ),
    };
    match (mode, kernel) {
        (OutputMode::OpenTelemetry, _) | (_, KernelStatus::NotTried) => decision(
            false,
            true,
            "OpenTelemetry was requested, so user_events was not tried".to_owned(),
        ),
        (
            OutputMode::Both,
            KernelStatus::Ready {
                tracepoints,
                standby,
            },
        ) => decision(
            true,
            true,
            format!(
                "both outputs were requested and {}",
                ready(*tracepoints, standby)
            ),
        ),
        (OutputMode::Both, KernelStatus::Partial(problem)) => decision(
            true,
            true,
            format!(
                "both outputs were requested but {problem}: call sites of the tracepoints that \
                 did not register write to OpenTelemetry only"
            ),
        ),
        (OutputMode::Both, KernelStatus::Unavailable(problem)) => decision(
            false,
            true,
            format!("both outputs were requested but {problem}: OpenTelemetry only"),
        ),
        (
            OutputMode::UserEvents,
            KernelStatus::Ready {
                tracepoints,
                standby,
            },
        ) => decision(
            true,
            false,
            format!(
                "user_events was requested and {}",
                ready(*tracepoints, standby)
            ),
        ),
        (OutputMode::UserEvents, KernelStatus::Partial(problem)) => decision(
            true,
            false,
            format!(
                "user_events was requested but {problem}: events of their call sites {DROPPED}"
            ),
        ),
        (OutputMode::UserEvents, KernelStatus::Unavailable(problem)) => decision(
            false,
            false,
            format!("user_events was requested but {problem}: events {DROPPED}"),
        ),
        (
            OutputMode::Auto,
            KernelStatus::Ready {
                tracepoints,
                standby,
            },
        ) => {
            let mut reason = ready(*tracepoints, standby);
            if has_logger {
                reason.push_str("; the OpenTelemetry logger provider is not used");
            }
            decision(true, false, reason)
        }
        (OutputMode::Auto, KernelStatus::Partial(problem) | KernelStatus::Unavailable(problem))
            if has_logger =>
        {
            decision(
                false,
                true,
                format!("{problem}: falling back to OpenTelemetry"),
            )
        }
        // Nothing to fall back to: keep what registered rather than nothing.
        (OutputMode::Auto, KernelStatus::Partial(problem)) => decision(
            true,
            false,
            format!(
                "{problem}, and {NO_LOGGER}: events of the call sites of the tracepoints that \
                 did not register {DROPPED}"
            ),
        ),
        (OutputMode::Auto, KernelStatus::Unavailable(problem)) => decision(
            false,
            false,
            format!("{problem}, and {NO_LOGGER}: events {DROPPED}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otel_user_events_abi::Errno;

    fn outcome(kernel: KernelStatus, mode: OutputMode, has_logger: bool) -> (bool, bool) {
        let d = decide(mode, &kernel, has_logger);
        (d.user_events, d.opentelemetry)
    }

    /// Every cell of the table in `OutputMode`'s docs, with and without a logger.
    #[test]
    fn each_mode_and_kernel_outcome_picks_the_documented_outputs() {
        use KernelStatus::{Partial, Ready, Unavailable};
        use OutputMode::{Auto, Both, UserEvents};
        let p = || Partial("1 of 2 tracepoints did not register".to_owned());
        let u = || Unavailable("user_events is unavailable".to_owned());
        let r = || Ready {
            tracepoints: 2,
            standby: None,
        };
        let cases = [
            (Auto, r(), true, (true, false)),
            (Auto, r(), false, (true, false)),
            (Auto, p(), true, (false, true)),
            (Auto, p(), false, (true, false)),
            (Auto, u(), true, (false, true)),
            (Auto, u(), false, (false, false)),
            (UserEvents, r(), true, (true, false)),
            (UserEvents, p(), true, (true, false)),
            (UserEvents, u(), true, (false, false)),
            (Both, r(), true, (true, true)),
            (Both, p(), true, (true, true)),
            (Both, u(), true, (false, true)),
            (
                OutputMode::OpenTelemetry,
                KernelStatus::NotTried,
                true,
                (false, true),
            ),
        ];
        for (mode, kernel, has_logger, expected) in cases {
            let label = format!(
                "{mode:?} {} logger",
                if has_logger { "with" } else { "without" }
            );
            assert_eq!(outcome(kernel, mode, has_logger), expected, "{label}");
        }
    }

    #[test]
    fn partial_registration_reasons_say_what_happens_to_the_rest() {
        let p = || {
            KernelStatus::Partial(
                "1 of 2 tracepoints did not register (first: P_L4K1: EINVAL)".to_owned(),
            )
        };
        assert_eq!(
            decide(OutputMode::Both, &p(), true).reason,
            "both outputs were requested but 1 of 2 tracepoints did not register (first: \
             P_L4K1: EINVAL): call sites of the tracepoints that did not register write to \
             OpenTelemetry only"
        );
        assert_eq!(
            decide(OutputMode::UserEvents, &p(), false).reason,
            "user_events was requested but 1 of 2 tracepoints did not register (first: \
             P_L4K1: EINVAL): events of their call sites are dropped and counted \
             (dropped_unavailable)"
        );
        assert_eq!(
            decide(OutputMode::Auto, &p(), true).reason,
            "1 of 2 tracepoints did not register (first: P_L4K1: EINVAL): falling back to \
             OpenTelemetry"
        );
        assert_eq!(
            decide(OutputMode::Auto, &p(), false).reason,
            "1 of 2 tracepoints did not register (first: P_L4K1: EINVAL), and no OpenTelemetry \
             logger provider was given to fall back to (.logger_provider(..) or \
             .stdout_logger_provider()): events of the call sites of the tracepoints that did \
             not register are dropped and counted (dropped_unavailable)"
        );
        let ready = KernelStatus::Ready {
            tracepoints: 0,
            standby: None,
        };
        assert_eq!(
            decide(OutputMode::Auto, &ready, false).reason,
            "user_events is available (this program has no call sites to register)"
        );
    }

    #[test]
    fn kernel_outcome_names_the_first_failed_tracepoint() {
        let ok = |name: &str| TracepointStatus::of(name, 1, Ok(()));
        let failed = |name: &str| TracepointStatus::of(name, 2, Err(Errno(libc::EINVAL)));
        let file = Some(Ok(PathBuf::from("/sys/kernel/tracing/user_events_data")));
        let tracepoints = [ok("P_L2K1"), failed("P_L4K1"), failed("P_L5K1")];
        let KernelStatus::Partial(problem) = KernelStatus::new(&file, &tracepoints, true) else {
            panic!("some registered: partial");
        };
        assert_eq!(
            problem,
            "2 of 3 tracepoints did not register (first: P_L4K1: EINVAL (22): the kernel \
             rejected the tracepoint definition)"
        );
        assert!(matches!(
            KernelStatus::new(&file, &tracepoints[1..], false),
            KernelStatus::Unavailable(_)
        ));
        assert!(matches!(
            KernelStatus::new(&file, &tracepoints[..1], true),
            KernelStatus::Ready {
                tracepoints: 1,
                standby: None
            }
        ));
        let missing = Some(Err(DataFileError {
            errno: Errno(libc::ENOENT),
            path: PathBuf::from("/x/user_events_data"),
        }));
        let KernelStatus::Unavailable(problem) = KernelStatus::new(&missing, &[], false) else {
            panic!("no data file: unavailable");
        };
        assert_eq!(
            problem,
            "user_events is unavailable (ENOENT: this kernel has no user_events \
             (CONFIG_USER_EVENTS, Linux 6.4+))"
        );
        assert!(matches!(
            KernelStatus::new(&None, &[], false),
            KernelStatus::NotTried
        ));
    }

    #[test]
    fn a_tracepoint_without_call_sites_that_fails_changes_no_output() {
        let tp = TracepointStatus::of;
        let file = Some(Ok(PathBuf::from("/sys/kernel/tracing/user_events_data")));
        let tracepoints = [
            tp("P_L1K1", 0, Ok(())),
            tp("P_L4K1", 2, Ok(())),
            tp("P_L5K1", 0, Err(Errno(libc::EINVAL))),
        ];
        let status = KernelStatus::new(&file, &tracepoints, true);
        let KernelStatus::Ready {
            tracepoints: 2,
            standby: Some(problem),
        } = &status
        else {
            panic!("call sites all registered: ready");
        };
        assert_eq!(
            problem,
            "1 of 2 tracepoints did not register (first: P_L5K1: EINVAL (22): the kernel \
             rejected the tracepoint definition)"
        );
        let d = decide(OutputMode::Auto, &status, true);
        assert_eq!((d.user_events, d.opentelemetry), (true, false));
        assert_eq!(
            d.reason,
            "the tracepoints of every call site registered with user_events (2 in all), but of \
             those without a call site 1 of 2 tracepoints did not register (first: P_L5K1: \
             EINVAL (22): the kernel rejected the tracepoint definition): collectors that list \
             them will not open; the OpenTelemetry logger provider is not used"
        );
        // Registered for collectors only, with no call site at all.
        let only_standby = [tp("P_L1K20", 0, Ok(())), tp("P_L2K20", 0, Ok(()))];
        let status = KernelStatus::new(&file, &only_standby, false);
        assert_eq!(
            decide(OutputMode::UserEvents, &status, false).reason,
            "user_events was requested and every tracepoint registered with user_events (2)"
        );
    }
}
