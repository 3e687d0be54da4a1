//! The report: one shape for the page, the npm API and the command line
//! (`shared/spec/report.md`).

use serde::{Deserialize, Serialize};

use crate::target::{Target, Targets};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

/// The position of findings about the stream as a whole (damage, trailing
/// data): after every member. The largest integer JavaScript holds exactly,
/// so the report means the same in the browser.
pub const END_POSITION: u64 = (1 << 53) - 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub location: String,
    pub message: String,
    pub message_zh: String,
    pub hint: String,
    pub hint_zh: String,
    /// Offset in the (inflated) package stream, for ordering.
    pub position: u64,
    /// The targets on which this finding makes the import fail (empty for
    /// one that fails nowhere).
    pub fails_on: Targets,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub template: Option<String>,
    pub version: Option<String>,
    pub components: usize,
    pub plugins: usize,
    pub images: usize,
    pub uncompressed_bytes: u64,
    /// Disk the import needs: the server keeps the upload, unpacks it and
    /// loads the images (about 3 to 4 times the package).
    pub disk_needed_bytes: u64,
    pub container: String,
    pub exporter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub size: u64,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The images found in one image archive, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveImages {
    pub archive: String,
    pub format: String,
    pub images: Vec<ImageInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageInfo {
    pub tags: Vec<String>,
    pub layers: usize,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub bytes_read: u64,
    pub millis: u64,
}

/// The verdict on one line × runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetVerdict {
    pub target: String,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub file: String,
    pub size: u64,
    /// The normalised target the verdict and severities are for.
    pub target: String,
    /// Set when the asked Rainbond version could not be read and `all` was
    /// used: the version as it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_note: Option<String>,
    /// The architectures of the cluster's nodes, when known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_arch: Vec<String>,
    pub verdict: Verdict,
    /// The verdict on every line × runtime, in a fixed order.
    pub targets: Vec<TargetVerdict>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub entries: Vec<Entry>,
    /// Set when `entries` was cut to its bound: how many there were in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_note: Option<String>,
    pub images: Vec<ArchiveImages>,
    pub stats: Stats,
    pub deep: bool,
}

impl Report {
    /// Makes the severities and the verdict those of `target`, and orders
    /// findings (severity, then position). The facts do not depend on the
    /// target, so a report can be re-targeted without reading the file again.
    pub fn retarget(&mut self, target: &Target) {
        for f in &mut self.findings {
            if !f.fails_on.is_empty() {
                f.severity = if f.fails_on.intersects(target.set) { Severity::Error } else { Severity::Warning };
            } else if f.severity == Severity::Error {
                f.severity = Severity::Warning; // an error fails somewhere, or it is no error
            }
        }
        self.target = target.name.clone();
        self.target_note = target.note.clone();
        self.target_arch = target.arch.clone();
        self.targets = Targets::ALL
            .pairs()
            .map(|(line, runtime)| {
                let one = Targets::one(line, runtime);
                let verdict = if self.findings.iter().any(|f| f.fails_on.intersects(one)) {
                    Verdict::Fail
                } else if self.findings.iter().any(|f| f.severity == Severity::Warning || !f.fails_on.is_empty()) {
                    Verdict::Warn
                } else {
                    Verdict::Pass
                };
                TargetVerdict { target: one.names().remove(0), verdict }
            })
            .collect();
        self.findings.sort_by_key(|f| (f.severity, f.position));
        self.verdict = verdict(&self.findings);
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

pub fn verdict(findings: &[Finding]) -> Verdict {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        Verdict::Fail
    } else if findings.iter().any(|f| f.severity == Severity::Warning) {
        Verdict::Warn
    } else {
        Verdict::Pass
    }
}

/// Bytes for people: `1.8 GB` (decimal units, as file managers show them).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
