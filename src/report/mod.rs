//! The report: one shape for the page, the npm API and the command line
//! (`shared/spec/report.md`).

mod sarif;
mod text;

use serde::{Deserialize, Serialize};

pub use sarif::sarif;
pub use text::{markdown, text};

pub use crate::lang::Lang;

pub use crate::lang::human_bytes;
pub use crate::rules::{Finding, Severity, END_POSITION};
pub use crate::scan::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// The answer to "will this package import?".
pub enum Verdict {
    /// It will import.
    Pass,
    /// It will import, with warnings.
    Warn,
    /// The import fails.
    Fail,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
/// What the package holds, as far as it could be read.
pub struct Summary {
    /// The template's name in metadata.json.
    pub template: Option<String>,
    /// The template's version.
    pub version: Option<String>,
    /// Components in the template.
    pub components: usize,
    /// Plugins in the template.
    pub plugins: usize,
    /// Images found in the image archives.
    pub images: usize,
    /// Bytes of the package once inflated.
    pub uncompressed_bytes: u64,
    /// Disk the import needs: the server keeps the upload, unpacks it and
    /// loads the images (about 3 to 4 times the package).
    pub disk_needed_bytes: u64,
    /// What the upload is: `tar.gz`, `tar`, `zip` …
    pub container: String,
    /// The console generation that exported it, when its marks tell.
    pub exporter: Option<String>,
    /// The components' architectures as the console reads them (a missing
    /// `arch` is amd64), each once.
    #[serde(default)]
    pub arch: Vec<String>,
}

/// The images found in one image archive, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveImages {
    /// The archive's path in the package.
    pub archive: String,
    /// Its layout: `docker`, `oci` or both.
    pub format: String,
    /// Its images.
    pub images: Vec<ImageInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// One image of an image archive.
pub struct ImageInfo {
    /// Its names (`repo:tag`).
    pub tags: Vec<String>,
    /// Its layer count.
    pub layers: usize,
    /// Its layers' bytes.
    pub size: u64,
    /// `os/arch` from its config, when read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
/// What the check cost.
pub struct Stats {
    /// Bytes of the file read.
    pub bytes_read: u64,
    /// Wall time of the check.
    pub millis: u64,
}

/// The verdict on one line × runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetVerdict {
    /// `6.9/containerd` …
    pub target: String,
    /// The verdict there.
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Everything one check found (`shared/spec/report.md`).
pub struct Report {
    /// The upload's file name.
    pub file: String,
    /// Its size in bytes.
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
    /// The verdict on the target.
    pub verdict: Verdict,
    /// The verdict on every line × runtime, in a fixed order.
    pub targets: Vec<TargetVerdict>,
    /// The findings, in package order.
    pub findings: Vec<Finding>,
    /// What the package holds.
    pub summary: Summary,
    /// Its members, up to a bound.
    pub entries: Vec<Entry>,
    /// Set when `entries` was cut to its bound: how many there were in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_note: Option<String>,
    /// The images of each image archive.
    pub images: Vec<ArchiveImages>,
    /// What the check cost.
    pub stats: Stats,
    /// Whether every layer digest was verified (`--deep`).
    pub deep: bool,
}

impl Report {
    /// Whether any finding fails the import on the target.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// The verdict a set of findings gives.
pub fn verdict(findings: &[Finding]) -> Verdict {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        Verdict::Fail
    } else if findings.iter().any(|f| f.severity == Severity::Warning) {
        Verdict::Warn
    } else {
        Verdict::Pass
    }
}
