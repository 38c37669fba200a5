//! The contents of tracefs's `user_events_status`: the registered tracepoints
//! and who listens to them.

/// One line of `user_events_status`: a registered tracepoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// Tracepoint name, e.g. `MyProvider_L4K1`.
    pub name: String,
    /// Who has it enabled, from the `# Used by ...` suffix: any of `ftrace`,
    /// `perf`, `other`. Empty when nothing is attached.
    pub used_by: Vec<String>,
}

/// Parsed contents of `user_events_status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserEventsStatus {
    /// Registered tracepoints, in the kernel's (hash table) order.
    pub entries: Vec<StatusEntry>,
    /// The `Active:` count (number of registered tracepoints).
    pub active: u32,
    /// The `Busy:` count (tracepoints that something has enabled).
    pub busy: u32,
}

impl UserEventsStatus {
    /// Parses the text of `user_events_status`:
    /// one `Name[ # Used by ftrace perf other]` line per tracepoint, a blank
    /// line, then `Active: N` and `Busy: N`.
    pub fn parse(text: &str) -> Self {
        let mut status = Self::default();
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(n) = line.strip_prefix("Active:") {
                status.active = n.trim().parse().unwrap_or(0);
            } else if let Some(n) = line.strip_prefix("Busy:") {
                status.busy = n.trim().parse().unwrap_or(0);
            } else {
                let (name, rest) = line.split_once(" #").unwrap_or((line, ""));
                let used_by = rest
                    .trim()
                    .strip_prefix("Used by")
                    .map(|s| s.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default();
                status.entries.push(StatusEntry {
                    name: name.trim().to_owned(),
                    used_by,
                });
            }
        }
        status
    }

    /// The registered tracepoint names.
    pub fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name.clone()).collect()
    }

    /// The entry for `name`, if registered.
    pub fn get(&self, name: &str) -> Option<&StatusEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// True when `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status() {
        let text = "Prov_L4K1 # Used by perf\nProv_L5K1\nOther_L2K3 # Used by ftrace perf\n\nActive: 3\nBusy: 2\n";
        let status = UserEventsStatus::parse(text);
        assert_eq!(status.active, 3);
        assert_eq!(status.busy, 2);
        assert_eq!(status.names(), ["Prov_L4K1", "Prov_L5K1", "Other_L2K3"]);
        assert_eq!(status.get("Prov_L4K1").unwrap().used_by, ["perf"]);
        assert!(status.get("Prov_L5K1").unwrap().used_by.is_empty());
        assert_eq!(
            status.get("Other_L2K3").unwrap().used_by,
            ["ftrace", "perf"]
        );
        assert!(!status.contains("Prov"));
    }

    #[test]
    fn parses_empty_status() {
        let status = UserEventsStatus::parse("\nActive: 0\nBusy: 0\n");
        assert!(status.entries.is_empty());
        assert_eq!((status.active, status.busy), (0, 0));
    }
}
