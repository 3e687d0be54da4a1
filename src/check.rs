//! One check of one package: the pass, the rules, the report.

use crate::container::source::{ByteSource, Progress};
use crate::facts::metadata::get_str;
use crate::lang::Describe;
use crate::limits::MAX_DISPLAY_ENTRIES;
use crate::report::{self, ArchiveImages, ImageInfo, Report, Severity, Stats, Summary, TargetVerdict, Verdict};
use crate::rules::met::MET007;
use crate::rules::sum::Exporter;
use crate::rules::{Context, CHECKS};
use crate::scan::{self, Options, Package, Refill};
use crate::target::{Target, Targets};

/// The components' architectures, each once, as the console reads them (a
/// missing or empty `arch` is amd64).
fn component_arch(cx: &Context<'_>) -> Vec<String> {
    let mut arch: Vec<String> = Vec::new();
    for c in cx.components() {
        let a = get_str(c, "arch").filter(|a| !a.is_empty()).unwrap_or("amd64");
        if !arch.iter().any(|x| x == a) {
            arch.push(a.to_string());
        }
    }
    arch
}

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
/// `scan::scan_with`).
pub fn check_with(source: &dyn ByteSource, file_name: &str, options: &Options, inflater: Refill<'_>) -> Report {
    report(&scan::scan_with(source, file_name, options, None, Some(inflater)), options)
}

/// The report on the facts of one pass (the repair plans from both), for
/// every target: [`retarget`] narrows it to one.
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
        arch: component_arch(&cx),
        plugins: cx.plugins().len(),
        images: images.iter().map(|a| a.images.len()).sum(),
        uncompressed_bytes: pkg.uncompressed_bytes,
        disk_needed_bytes: pkg.size.saturating_add(pkg.uncompressed_bytes.saturating_mul(DISK_FACTOR - 1)),
        container: pkg.container.map_or("unknown", |c| c.name()).to_string(),
        exporter: template
            .and_then(crate::rules::sum::exporter_generation)
            .map(|(field, since)| Exporter { since: since.into(), field: field.into() }.en()),
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
    retarget(&mut report, &Target::all());
    report
}

/// Makes the severities and the verdict those of `target`, and orders
/// findings (severity, then position). The facts do not depend on the
/// target, so a report can be re-targeted without reading the file again.
pub fn retarget(report: &mut Report, target: &Target) {
    for f in &mut report.findings {
        if !f.fails_on.is_empty() {
            f.severity = if f.fails_on.intersects(target.set) { Severity::Error } else { Severity::Warning };
        } else if f.severity == Severity::Error {
            f.severity = Severity::Warning; // an error fails somewhere, or it is no error
        }
    }
    check_cluster_arch(report, target);
    report.target = target.name.clone();
    report.target_note = target.note.clone();
    report.target_arch = target.arch.clone();
    report.targets = Targets::ALL
        .pairs()
        .map(|(line, runtime)| {
            let one = Targets::one(line, runtime);
            let verdict = if report.findings.iter().any(|f| f.fails_on.intersects(one)) {
                Verdict::Fail
            } else if report.findings.iter().any(|f| f.severity == Severity::Warning || !f.fails_on.is_empty()) {
                Verdict::Warn
            } else {
                Verdict::Pass
            };
            TargetVerdict { target: one.names().remove(0), verdict }
        })
        .collect();
    report.findings.sort_by_key(|f| (f.severity, f.position));
    report.verdict = report::verdict(&report.findings);
}

/// MET007 against the nodes of the cluster, when the target knows them:
/// the console installs a template only on build nodes of its arch. A
/// MET007 that fails is this one (the template's own MET007 only warns),
/// so it is replaced when the report is re-targeted.
fn check_cluster_arch(report: &mut Report, target: &Target) {
    report.findings.retain(|f| f.code != MET007.code || f.fails_on.is_empty());
    let arch = &report.summary.arch;
    if target.arch.is_empty() || arch.is_empty() || arch.iter().any(|a| target.arch.contains(a)) {
        return;
    }
    let location = report.entries.iter().find(|e| e.path.ends_with("/metadata.json")).map_or("metadata.json", |e| e.path.as_str());
    let (template, nodes) = (arch.join(", "), target.arch.join(", "));
    let mut finding = MET007
        .at(
            format!("{location}#apps"),
            0,
            format!("The template's components are built for {template}, but the nodes of the cluster you import into are {nodes}: the import succeeds, but the console refuses to install the app (\"应用架构与构建节点架构不匹配\")."),
            format!("模板中的组件是为 {template} 构建的，而要导入的集群节点是 {nodes}：导入可以成功，但控制台会拒绝安装该应用（“应用架构与构建节点架构不匹配”）。"),
        )
        .fix(
            format!("Import it into a cluster with {template} nodes (or add such nodes to this one), or export the app again from a cluster of {nodes} nodes."),
            format!("导入到有 {template} 节点的集群（或为此集群添加此类节点），或在 {nodes} 节点的集群中重新导出应用。"),
        );
    finding.severity = Severity::Error;
    finding.fails_on = Targets::ALL;
    report.findings.push(finding);
}
