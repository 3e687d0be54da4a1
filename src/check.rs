//! One check of one package: the pass, the rules, the report.

use crate::metadata::get_str;
use crate::report::{ArchiveImages, ImageInfo, Report, Stats, Summary, Verdict};
use crate::rules::{Context, CHECKS};
use crate::scan::{self, Options, Package, Refill, MAX_DISPLAY_ENTRIES};
use crate::source::{ByteSource, Progress};
use crate::target::Target;

/// Disk the import needs per byte of package: the upload is kept, unpacked,
/// and its images loaded into the runtime.
const DISK_FACTOR: u64 = 4;

/// Checks one package. `file_name` is the upload's name as the browser or the
/// command line gives it (the name rules judge it). Never fails: a damaged
/// package yields findings. `stats.millis` is left for the caller to fill,
/// so the core needs no clock.
pub fn check<'a>(source: &'a dyn ByteSource, file_name: &str, options: &Options, progress: Option<Progress<'a>>) -> Report {
    report(&scan::scan(source, file_name, options, progress), options)
}

/// [`check`], with the gzip layer of a gzip package run elsewhere (see
/// [`scan::scan_with`]).
pub fn check_with(source: &dyn ByteSource, file_name: &str, options: &Options, inflater: Refill<'_>) -> Report {
    report(&scan::scan_with(source, file_name, options, None, Some(inflater)), options)
}

/// The report on the facts of one pass (the repair plans from both), for
/// every target: [`Report::retarget`] narrows it to one.
pub fn report(pkg: &Package, options: &Options) -> Report {
    let cx = Context::new(pkg);
    let mut findings = Vec::new();
    for check in CHECKS {
        check(&cx, &mut findings);
    }
    let template = cx.template.as_ref();
    let images: Vec<ArchiveImages> = cx
        .archives
        .iter()
        .map(|v| ArchiveImages {
            archive: v.archive.path.clone(),
            format: v.analysis.format().to_string(),
            images: v
                .analysis
                .images
                .iter()
                .map(|i| ImageInfo { tags: i.tags.clone(), layers: i.layers.len(), size: i.size, platform: i.platform() })
                .collect(),
        })
        .collect();
    let summary = Summary {
        template: template.and_then(|t| get_str(t, "group_name")).map(str::to_string),
        version: template.and_then(|t| get_str(t, "group_version")).map(str::to_string),
        components: cx.components().len(),
        plugins: cx.plugins().len(),
        images: images.iter().map(|a| a.images.len()).sum(),
        uncompressed_bytes: pkg.uncompressed_bytes,
        disk_needed_bytes: pkg.size.saturating_add(pkg.uncompressed_bytes.saturating_mul(DISK_FACTOR - 1)),
        container: pkg.container.map_or("unknown", |c| c.name()).to_string(),
        exporter: template
            .and_then(crate::rules::sum::exporter_generation)
            .map(|(field, since)| format!("{since} or later (has `{field}`)")),
    };
    let entries_note = (pkg.entry_count > pkg.entries.len() as u64)
        .then(|| format!("{} of {} entries listed (at most {MAX_DISPLAY_ENTRIES})", pkg.entries.len(), pkg.entry_count));
    let mut report = Report {
        file: pkg.file_name.clone(),
        size: pkg.size,
        target: String::new(),
        target_note: None,
        target_arch: Vec::new(),
        verdict: Verdict::Pass,
        targets: Vec::new(),
        findings,
        summary,
        entries: pkg.entries.clone(),
        entries_note,
        images,
        stats: Stats { bytes_read: pkg.bytes_read, millis: 0 },
        deep: options.deep,
    };
    report.retarget(&Target::all());
    report
}
