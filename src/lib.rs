//! ramcheck: tells a Rainbond user, before the upload, whether an
//! application-model offline package will import.
//!
//! The core is one streaming pass, and its modules read in that order:
//!
//! ```text
//! bytes ─ container ─▶ members ─ scan ─▶ facts ─ rules ─▶ findings ─ check ─▶ report
//!         source, gzip,          the pass, image       one declaration        verdict per target,
//!         tar, paths             archives, images;     per rule               text, markdown, SARIF
//!                                facts: metadata,
//!                                Go types, references
//! ```
//!
//! [`check()`] takes a [`ByteSource`] and the upload's file name and returns
//! a [`Report`]; the core knows nothing of terminals or browsers. The command
//! line (`src/bin/ramcheck`) and the wasm bindings (the `wasm/` crate) are thin
//! shells over this API. [`repair`] writes a corrected package; [`limits`]
//! holds every bound on what one check may cost.

#![warn(missing_docs)]

mod check;
mod container;
pub mod facts;
mod lang;
pub mod limits;
pub mod repair;
pub mod report;
pub mod rules;
mod scan;
pub mod target;

pub use check::{check, retarget};
pub use container::source::{ByteSource, Progress, ProgressInfo, LARGE_MEMBER, PROGRESS_STEP};
pub use lang::Lang;
pub use report::{Finding, Report, Severity, Verdict};
pub use scan::Options;
pub use target::{Target, Targets};

/// The check with the inflating done elsewhere: the browser's two-worker
/// pipeline inflates in one worker and walks in another (`wasm/src/jobs.rs`).
/// Whichever side inflates, the report is the same as [`check()`]'s.
pub mod stream {
    pub use crate::check::check_with;
    pub use crate::container::gzip::{fill, Fill, GzipStream, StreamError, FILL_BUFFER, WINDOW};
    pub use crate::container::source::SourceReader;
    pub use crate::scan::Refill;
}
