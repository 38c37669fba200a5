//! A `ue-tail` running in the background, for the kernel tests: its stdout
//! and stderr read line by line as it prints them (to wait for a line, and so
//! that a full pipe never stops it), Ctrl-C, and what it printed once it
//! exits.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a wait for ue-tail may take: generous, as the VM is slow.
const WAIT: Duration = Duration::from_secs(60);

/// One of the child's output pipes, read line by line on a thread.
struct Lines {
    received: Receiver<String>,
    seen: Vec<String>,
    reader: JoinHandle<()>,
}

impl Lines {
    fn read(pipe: impl Read + Send + 'static) -> Lines {
        let (send, received) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        Lines {
            received,
            seen: Vec::new(),
            reader,
        }
    }

    /// Waits up to `wait` for a line that `wanted` accepts.
    fn wait_for(&mut self, wait: Duration, wanted: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let line = self.received.recv_timeout(left).ok()?;
            self.seen.push(line.clone());
            if wanted(&line) {
                return Some(line);
            }
        }
        None
    }

    /// Every line, once the pipe is closed (the child exited).
    fn all(mut self) -> String {
        self.reader.join().unwrap();
        self.seen.extend(self.received.try_iter());
        let mut text = self.seen.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }
}

/// A running `ue-tail`.
pub struct Tail {
    child: Child,
    stdout: Lines,
    stderr: Lines,
}

impl Tail {
    /// Starts `ue-tail ARGS` and waits until it says it is watching.
    pub fn start(args: &[&str]) -> Tail {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ue-tail"));
        command.args(args);
        Tail::spawn(command, "ue-tail: watching ")
    }

    /// Starts `command` (a `ue-tail` however it is run) and waits for a
    /// stderr line that starts with `ready`.
    pub fn spawn(mut command: Command, ready: &str) -> Tail {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Lines::read(child.stdout.take().unwrap());
        let stderr = Lines::read(child.stderr.take().unwrap());
        let mut tail = Tail {
            child,
            stdout,
            stderr,
        };
        tail.wait_for_stderr(ready);
        tail
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The stderr lines read so far (the last one, right after a wait, is
    /// the line waited for).
    pub fn stderr_seen(&self) -> &[String] {
        &self.stderr.seen
    }

    /// Waits for a stderr line that starts with `prefix` and returns it.
    pub fn wait_for_stderr(&mut self, prefix: &str) -> String {
        match self.stderr.wait_for(WAIT, |line| line.starts_with(prefix)) {
            Some(line) => line,
            None => {
                let _ = self.child.kill();
                panic!(
                    "ue-tail did not print {prefix:?}; stderr: {:?}",
                    self.stderr.seen
                );
            }
        }
    }

    /// Waits up to `wait` for a stdout line that contains `text`.
    pub fn wait_for_stdout(&mut self, wait: Duration, text: &str) -> Option<String> {
        self.stdout.wait_for(wait, |line| line.contains(text))
    }

    /// Waits for ue-tail to exit; returns its status, stdout and stderr
    /// (all of each, the lines waited for included).
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("ue-tail did not stop; stderr: {:?}", self.stderr.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status, self.stdout.all(), self.stderr.all())
    }

    /// Ctrl-C.
    pub fn interrupt(&self) {
        // SAFETY: kill has no memory preconditions.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
    }
}
