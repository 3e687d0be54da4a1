//! What a rule gives: a finding, its severity and its targets.

use serde::{Deserialize, Serialize};

use crate::limits::MAX_LISTED;
use crate::target::Targets;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// How much a finding matters on the report's target.
pub enum Severity {
    /// The import fails.
    Error,
    /// The import goes through but something is lost or at risk.
    Warning,
    /// Worth knowing; nothing fails.
    Info,
}

impl Severity {
    /// The name as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The position of findings about the stream as a whole (damage, trailing
/// data): after every member. The largest integer JavaScript holds exactly,
/// so the report means the same in the browser.
pub const END_POSITION: u64 = (1 << 53) - 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// One problem found, in both languages.
pub struct Finding {
    /// The rule's stable code (`PKG001`).
    pub code: String,
    /// The rule's name (`not-gzip`).
    pub name: String,
    /// Its severity on the report's target.
    pub severity: Severity,
    /// The member or field it is about.
    pub location: String,
    /// What is wrong and what the import will do, in English.
    pub message: String,
    /// The same in Chinese.
    pub message_zh: String,
    /// The fix, in English.
    pub hint: String,
    /// The fix, in Chinese.
    pub hint_zh: String,
    /// Offset in the (inflated) package stream, for ordering.
    pub position: u64,
    /// The targets on which this finding makes the import fail (empty for
    /// one that fails nowhere).
    pub fails_on: Targets,
}

/// Findings of one rule about one thing: the first [`MAX_LISTED`] are kept,
/// the rest only counted, never built or held (a crafted package can repeat
/// a problem a million times), and the last kept one says how many more.
#[derive(Default)]
pub(crate) struct Listed {
    kept: Vec<Finding>,
    more: usize,
}

impl Listed {
    /// Adds a finding.
    pub fn push(&mut self, f: Finding) {
        self.add(|| f);
    }

    /// Adds the finding `make` builds, or past the bound only counts it.
    pub fn add(&mut self, make: impl FnOnce() -> Finding) {
        if self.kept.len() <= MAX_LISTED {
            self.kept.push(make());
        } else {
            self.more += 1;
        }
    }

    /// Adds the kept findings to `out`, and one line for the rest.
    pub fn flush(mut self, out: &mut Vec<Finding>) {
        if self.kept.len() > MAX_LISTED {
            let next = self.kept.pop().expect("more than MAX_LISTED");
            let more = 1 + self.more;
            out.append(&mut self.kept);
            out.push(Finding {
                message: format!("{more} more like this are not listed."),
                message_zh: format!("另有 {more} 个同类问题未列出。"),
                ..next
            });
        } else {
            out.append(&mut self.kept);
        }
    }
}
