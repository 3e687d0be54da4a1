//! Repair: writes a corrected package for the failures that have a safe,
//! mechanical fix, streaming the input without unpacking it.
//!
//! Pass 1 is the check ([`check_and_plan`]): its facts and findings give a
//! [`Plan`], which says what will be done and what stays broken. Pass 2
//! ([`apply`]) streams the input once more and writes the corrected package,
//! as `tar -czf` writes one, to any `Write` sink. A repair never changes what
//! the application is: metadata fields, images and layers are copied as they
//! are, and kept members keep their headers byte for byte.

mod from_zip;
mod header;
mod plan;
mod tar_out;
mod write;

pub use plan::{not_repairable, plan, Action, Mode, Plan, Rename, Repair, Unrepaired};
pub use write::apply;

use crate::check;
use crate::container::source::{ByteSource, Progress};
use crate::report::Report;
use crate::scan::{self, Options};
use crate::target::Target;

/// Pass 1: checks the package and plans its repair. `output_name` is the name
/// the corrected package will have when the caller chose one; otherwise the
/// plan proposes a safe one ([`Plan::output_name`]).
pub fn check_and_plan<'a>(
    source: &'a dyn ByteSource,
    file_name: &str,
    output_name: Option<&str>,
    options: &Options,
    target: &Target,
    progress: Option<Progress<'a>>,
) -> (Report, Plan) {
    let pkg = scan::scan(source, file_name, options, progress);
    let mut report = check::report(&pkg, options);
    // The plan answers what fails on the target (any target for `all`).
    check::retarget(&mut report, target);
    let plan = plan(&pkg, &report, output_name);
    (report, plan)
}
