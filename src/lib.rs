//! ramcheck: tells a Rainbond user, before the upload, whether an
//! application-model offline package will import.
//!
//! The core takes a [`ByteSource`] and the upload's file name and returns a
//! [`Report`]; it knows nothing of terminals or browsers. The command line
//! (`src/main.rs`) and the wasm bindings (`wasm`, built only for wasm32) are
//! thin shells over [`check()`].

pub mod archive;
pub mod check;
pub mod format;
pub mod gzip;
pub mod images;
pub mod metadata;
pub mod model;
pub mod paths;
pub mod reference;
pub mod repair;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod target;
pub mod tarwalk;
#[cfg(target_arch = "wasm32")]
mod wasm;
mod zipwalk;

pub use check::check;
pub use report::{Finding, Report, Severity, Verdict};
pub use scan::Options;
pub use source::ByteSource;
pub use target::{Target, Targets};
