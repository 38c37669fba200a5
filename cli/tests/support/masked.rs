//! `ue-tail`'s output with what changes from run to run masked: times, cpu,
//! tid, and the writer's pid.

use std::time::SystemTime;

/// Replaces the value of each `"key":` in compact JSON with `X`.
pub fn mask(json: &str, key: &str) -> String {
    let pattern = format!("\"{key}\":");
    let mut out = String::new();
    let mut rest = json;
    while let Some(i) = rest.find(&pattern) {
        let (head, tail) = rest.split_at(i + pattern.len());
        out.push_str(head);
        out.push('X');
        rest = &tail[tail.find([',', '}']).unwrap()..];
    }
    out.push_str(rest);
    out
}

/// `ue-tail --json` lines with times, cpu and tid masked (`X`) and `pid` as
/// `PID`.
pub fn masked_json(stdout: &str, pid: u32) -> Vec<String> {
    stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            let line = ["time", "cpu", "tid"]
                .iter()
                .fold(line.to_owned(), |l, key| mask(&l, key));
            line.replace(&format!("\"pid\":{pid},"), "\"pid\":PID,")
        })
        .collect()
}

/// `ue-tail` lines for people after the time, with the tid masked (`X`) and
/// `pid` as `PID`; checks that each time is a UTC time within a few minutes
/// of now.
pub fn masked_lines(stdout: &str, pid: u32) -> Vec<String> {
    stdout
        .lines()
        .map(|line| {
            let (time, rest) = line.split_once(' ').unwrap();
            let time = chrono::DateTime::parse_from_rfc3339(time)
                .unwrap_or_else(|e| panic!("bad time {time:?} ({e}): {line}"));
            let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
            let skew = (now.timestamp() - time.timestamp()).abs();
            assert!(skew < 300, "time {time} is {skew} s away from now ({now})");
            let rest = rest.replace(&format!("pid={pid} "), "pid=PID ");
            let tid_start = rest.find(" tid=").unwrap() + " tid=".len();
            let tid_end = tid_start + rest[tid_start..].find(' ').unwrap();
            format!("{}X{}", &rest[..tid_start], &rest[tid_end..])
        })
        .collect()
}
