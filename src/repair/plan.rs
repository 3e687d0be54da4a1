//! What a repair will do, decided from the check's facts and findings.
//!
//! Each repair answers findings of one rule; the error findings no repair
//! answers are listed with the reason they are not repairable.

use serde::{Deserialize, Serialize};

use crate::container::paths;
use crate::facts::metadata::ParseError;
use crate::report::Report;
use crate::rules::img::{IMG001, IMG002};
use crate::rules::lay::{LAY002, LAY005, LAY009};
use crate::rules::met::MET001;
use crate::rules::pkg::{PKG001, PKG002, PKG004, PKG005, PKG006, PKG007};
use crate::rules::repairable::NEEDS_A_DECISION;
use crate::rules::xrf::XRF003;
use crate::rules::Context;
use crate::rules::{self, Rule};
use crate::rules::{Finding, Severity};
use crate::scan::{Container, Package};

/// What pass 2 does with the input's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Mode {
    /// Copy the first `len` bytes as they are: the gzip stream is sound and
    /// nothing inside it changes (only the name, or bytes after the stream).
    Copy {
        /// Bytes copied.
        len: u64,
    },
    /// Compress the tar stream as it is, byte for byte (a plain tar, or the
    /// inner stream of a double-gzipped one).
    Recompress,
    /// Walk the tar (or the zip) and write a new tar member by member.
    Rewrite,
    /// Nothing can be written: the package cannot be read to its end.
    Refused,
}

/// What a repair did, for the list shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A member (and everything under it) is left out.
    Drop,
    /// The byte-order mark at the start of metadata.json is removed.
    StripBom,
    /// A plain tar is compressed with gzip.
    Compress,
    /// The second gzip layer is removed.
    Decompress,
    /// Bytes after the gzip stream are left out.
    Trim,
    /// A zip is written as a tar.gz.
    Convert,
    /// The top directory gets a new name.
    RenameTop,
    /// The output gets a safe file name.
    Name,
}

/// One change the repair makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// The rule whose findings this repair answers; none when it only comes
    /// with another (a sound zip written as tar.gz).
    pub code: Option<String>,
    /// What it does.
    pub action: Action,
    /// The member or file name it applies to.
    pub target: String,
    /// What it does, in English.
    pub message: String,
    /// The same in Chinese.
    pub message_zh: String,
}

/// An error finding that no repair answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unrepaired {
    /// The finding's rule.
    pub code: String,
    /// The finding's location.
    pub location: String,
    /// The finding's message.
    pub message: String,
    /// Why no repair answers it, in English.
    pub reason: String,
    /// The same in Chinese.
    pub reason_zh: String,
}

/// The top directory's new name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rename {
    /// Its name in the input.
    pub from: String,
    /// Its name in the output.
    pub to: String,
}

/// What a repair will do, decided from the check (pass 1) before a byte is
/// written (pass 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The input's length when it was checked: pass 2 refuses a changed file.
    pub input_size: u64,
    /// The name the corrected package gets (chosen by the caller, or proposed).
    pub output_name: String,
    /// How the output is written.
    pub mode: Mode,
    /// Normalised paths left out; a directory takes everything under it.
    pub drop: Vec<String>,
    /// metadata.json whose byte-order mark is removed.
    pub strip_bom: Option<String>,
    /// The top directory renamed.
    pub rename_top: Option<Rename>,
    /// Every change, for the user.
    pub repairs: Vec<Repair>,
    /// The error findings that stay.
    pub unrepaired: Vec<Unrepaired>,
}

/// What becomes of one member in pass 2.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct MemberEdit {
    pub path: Option<String>,
    pub link: Option<String>,
    pub strip_bom: bool,
}

impl Plan {
    /// Whether the member at `path` (as stored) is left out.
    pub(super) fn drops(&self, path: &str) -> bool {
        let path = paths::normalize(path);
        self.drop.iter().any(|d| path == *d || path.strip_prefix(d.as_str()).is_some_and(|rest| rest.starts_with('/')))
    }

    /// How a kept member changes: a new path or hard-link target under the
    /// renamed top directory, a metadata.json without its byte-order mark.
    pub(super) fn edit(&self, path: &str, hardlink: Option<&str>) -> MemberEdit {
        let rename = |p: &str| self.rename_top.as_ref().and_then(|r| rename_top(p, &r.from, &r.to));
        MemberEdit {
            path: rename(path),
            link: hardlink.and_then(rename),
            strip_bom: self.strip_bom.as_deref() == Some(paths::normalize(path).as_str()),
        }
    }

    /// Whether pass 2 reads the input member by member.
    fn edits_members(&self) -> bool {
        !self.drop.is_empty() || self.strip_bom.is_some() || self.rename_top.is_some()
    }
}

/// `path` with its first component `from` replaced by `to`, keeping a
/// leading `./` as stored.
fn rename_top(path: &str, from: &str, to: &str) -> Option<String> {
    let mut rest = path;
    while let Some(r) = rest.strip_prefix("./") {
        rest = r.trim_start_matches('/');
    }
    let lead = &path[..path.len() - rest.len()];
    let (first, tail) = rest.split_once('/').map_or((rest, None), |(f, t)| (f, Some(t)));
    (first == from).then(|| match tail {
        Some(t) => format!("{lead}{to}/{t}"),
        None => format!("{lead}{to}"),
    })
}

/// Plans the repair of the package `pkg` that `report` judged. `output_name`
/// is the caller's choice of name; without one a safe name is proposed.
pub fn plan(pkg: &Package, report: &Report, output_name: Option<&str>) -> Plan {
    let mut p = Planner {
        cx: Context::new(pkg),
        findings: &report.findings,
        covered: vec![false; report.findings.len()],
        plan: Plan {
            input_size: pkg.size,
            output_name: String::new(),
            mode: Mode::Refused,
            drop: Vec::new(),
            strip_bom: None,
            rename_top: None,
            repairs: Vec::new(),
            unrepaired: Vec::new(),
        },
    };
    if pkg.complete() {
        p.container();
        p.strays();
        p.empty_archives();
        p.bom();
        p.plugin_dir();
        p.name(output_name);
        p.plan.mode = p.mode();
    } else {
        p.plan.output_name = output_name.map_or_else(|| safe_name(&pkg.file_name, false), str::to_string);
    }
    let Planner { findings, covered, mut plan, .. } = p;
    plan.unrepaired = findings.iter().zip(&covered).filter(|(_, c)| !**c).filter_map(|(f, _)| unrepaired(f)).collect();
    plan
}

/// The error findings of `report`, each with why no repair answers it.
pub fn not_repairable(report: &Report) -> Vec<Unrepaired> {
    report.findings.iter().filter_map(unrepaired).collect()
}

struct Planner<'a> {
    cx: Context<'a>,
    findings: &'a [Finding],
    covered: Vec<bool>,
    plan: Plan,
}

impl Planner<'_> {
    /// Marks the findings of `code` that `pred` accepts as answered; returns
    /// how many there were.
    fn cover(&mut self, rule: &Rule, pred: impl Fn(&Finding) -> bool) -> usize {
        let mut n = 0;
        for (f, c) in self.findings.iter().zip(self.covered.iter_mut()) {
            if f.is(rule) && pred(f) {
                *c = true;
                n += 1;
            }
        }
        n
    }

    fn has(&self, rule: &Rule) -> bool {
        self.findings.iter().any(|f| f.is(rule))
    }

    fn push(&mut self, rule: Option<&Rule>, action: Action, target: &str, en: String, zh: String) {
        self.plan.repairs.push(Repair {
            code: rule.map(|r| r.code.to_string()),
            action,
            target: target.to_string(),
            message: en,
            message_zh: zh,
        });
    }

    /// PKG001 (plain tar, zip under another name), PKG002, PKG004, LAY009.
    fn container(&mut self) {
        let pkg = self.cx.pkg;
        let file = pkg.file_name.clone();
        match pkg.container {
            Some(Container::Tar) => {
                let code = (self.cover(&PKG001, |_| true) > 0).then_some(&PKG001);
                self.push(
                    code,
                    Action::Compress,
                    &file,
                    "Compressed the plain tar with gzip, as `tar -czf` does.".into(),
                    "用 gzip 压缩了未压缩的 tar 包（与 `tar -czf` 相同）。".into(),
                );
            }
            Some(Container::Zip) => {
                let code = [&PKG001, &LAY009].into_iter().find(|c| self.cover(c, |_| true) > 0);
                self.push(
                    code,
                    Action::Convert,
                    &file,
                    "Wrote the zip as a gzip-compressed tar, with an entry for every directory; names, modes and times are kept.".into(),
                    "把 zip 写成了 gzip 压缩的 tar 包，并为每个目录补上目录条目；名称、权限和时间保持不变。".into(),
                );
            }
            _ => {}
        }
        if pkg.inner_container == Some(Container::Gzip) && self.cover(&PKG002, |_| true) > 0 {
            self.push(
                Some(&PKG002),
                Action::Decompress,
                &file,
                "Removed the second gzip layer: the output is one gzip stream holding the tar.".into(),
                "去掉了多余的一层 gzip 压缩：输出是只含 tar 的单层 gzip 数据。".into(),
            );
        }
        if let Some(t) = pkg.trailing.clone() {
            self.cover(&PKG004, |_| true);
            self.push(
                Some(&PKG004),
                Action::Trim,
                &file,
                format!("Left out the {} bytes that followed the end of the gzip stream (from byte {}).", t.len, t.offset),
                format!("去掉了 gzip 数据结束后（自第 {} 字节起）的 {} 字节。", t.offset, t.len),
            );
        }
    }

    fn drop_member(&mut self, rule: &Rule, path: &str, en: String, zh: String) {
        if self.plan.drops(path) {
            return;
        }
        self.plan.drop.push(path.to_string());
        self.push(Some(rule), Action::Drop, path, en, zh);
    }

    /// IMG001, IMG002: image archives with no image; XRF003: plugin-images.tar
    /// in an app without plugins.
    fn empty_archives(&mut self) {
        let archive_of = |f: &Finding| f.location.split("!/").next().unwrap_or_default().to_string();
        let known: Vec<String> = self.cx.pkg.archives.iter().map(|a| a.path.clone()).collect();
        for code in [&IMG001, &IMG002, &XRF003] {
            let targets: Vec<String> = self.findings.iter().filter(|f| f.is(code)).map(archive_of).filter(|a| known.contains(a)).collect();
            for path in targets {
                self.cover(code, |f| archive_of(f) == path);
                let (en, zh) = if code.code == XRF003.code {
                    (
                        format!("Left out {path}: the app has no plugins, so no importer needs it."),
                        format!("去掉了 {path}：该应用没有插件，任何导入程序都不需要它。"),
                    )
                } else {
                    (format!("Left out {path}: it holds no image."), format!("去掉了 {path}：其中没有任何镜像。"))
                };
                self.drop_member(code, &path, en, zh);
            }
        }
    }

    /// LAY002: every top-level entry beside the app directory; LAY005: `.tar`
    /// files the importer would load that are not image archives.
    fn strays(&mut self) {
        if let Some(app) = self.cx.app_dir.clone().filter(|_| self.has(&LAY002)) {
            self.cover(&LAY002, |_| true);
            let extras: Vec<(String, bool)> =
                self.cx.top.iter().filter(|(name, _)| **name != app).map(|(name, (_, is_dir))| (name.clone(), *is_dir)).collect();
            for (name, is_dir) in extras {
                let shown = if is_dir { format!("{name}/") } else { name.clone() };
                self.drop_member(
                    &LAY002,
                    &name,
                    format!("Left out {shown}: it sat beside the app directory {app}/ and is not part of an export."),
                    format!("去掉了 {shown}：它与应用目录 {app}/ 并列，不属于导出内容。"),
                );
            }
        }
        let strays: Vec<String> = self.findings.iter().filter(|f| f.is(&LAY005)).map(|f| f.location.clone()).collect();
        for path in strays {
            self.cover(&LAY005, |f| f.location == path);
            self.drop_member(
                &LAY005,
                &path,
                format!("Left out {path}: it ends in .tar but is not an image archive, so loading it would fail."),
                format!("去掉了 {path}：它以 .tar 结尾但不是镜像包，加载时会失败。"),
            );
        }
    }

    /// MET001 when the only fault is a byte-order mark.
    fn bom(&mut self) {
        let Some(meta) = self.cx.metadata.filter(|_| self.cx.parse_error == Some(ParseError::Bom)) else { return };
        let path = meta.path.clone();
        if self.cover(&MET001, |f| f.location == path) > 0 {
            self.plan.strip_bom = Some(path.clone());
            self.push(
                Some(&MET001),
                Action::StripBom,
                &path,
                format!("Removed the UTF-8 byte-order mark (EF BB BF) at the start of {path}; the rest of the file is unchanged."),
                format!("去掉了 {path} 开头的 UTF-8 字节序标记（EF BB BF），文件其余内容不变。"),
            );
        }
    }

    /// PKG007 when the top directory's name holds "plugin".
    fn plugin_dir(&mut self) {
        let Some(app) = self.cx.app_dir.clone().filter(|a| a.contains("plugin") && self.has(&PKG007)) else { return };
        let to = app.replace("plugin", "plug-in");
        self.push(
            Some(&PKG007),
            Action::RenameTop,
            &app,
            format!("Renamed the top directory {app}/ to {to}/, so that v6 importers no longer skip its image archives."),
            format!("把顶层目录 {app}/ 改名为 {to}/，v6 导入程序不再跳过其中的镜像包。"),
        );
        self.plan.rename_top = Some(Rename { from: app, to });
    }

    /// PKG005, PKG006, PKG007: the file name. A name the caller chose is
    /// kept; the findings it still fires stay unanswered.
    fn name(&mut self, chosen: Option<&str>) {
        let file = self.cx.pkg.file_name.clone();
        let no_plugins = self.cx.template.is_some() && self.cx.plugins().is_empty();
        let name = match chosen {
            Some(name) => name.to_string(),
            None => {
                let name = safe_name(&file, no_plugins && self.has(&PKG007));
                if name != file {
                    let code = [&PKG007, &PKG006, &PKG005].into_iter().find(|c| self.has(c));
                    self.push(
                        code,
                        Action::Name,
                        &file,
                        format!("Named the output {name}: the console and the importer handle that name."),
                        format!("将输出文件命名为 {name}：控制台和导入程序都能正确处理该名称。"),
                    );
                }
                name
            }
        };
        if !name.contains([',', ':']) {
            self.cover(&PKG006, |_| true);
        }
        if !name.ends_with(".zip") {
            self.cover(&PKG005, |_| true);
        }
        let top_clean = self.cx.app_dir.as_deref().is_none_or(|a| !a.contains("plugin")) || self.plan.rename_top.is_some();
        if (!no_plugins || !name.contains("plugin")) && top_clean {
            self.cover(&PKG007, |_| true);
        }
        self.plan.output_name = name;
    }

    fn mode(&self) -> Mode {
        let pkg = self.cx.pkg;
        if pkg.container == Some(Container::Zip) || self.plan.edits_members() {
            Mode::Rewrite
        } else if pkg.container == Some(Container::Tar) || pkg.inner_container == Some(Container::Gzip) {
            Mode::Recompress
        } else {
            Mode::Copy { len: pkg.trailing.as_ref().map_or(pkg.size, |t| t.offset) }
        }
    }
}

/// A name the console and the importer handle, for a gzip-compressed tar:
/// no ',' or ':', no "plugin" when it would hide images, ending in `.tar.gz`.
fn safe_name(file: &str, hide_plugin: bool) -> String {
    let stem = [".tar.gz", ".tgz", ".zip", ".tar", ".gz"].iter().find_map(|ext| file.strip_suffix(ext)).unwrap_or(file);
    let ext = if file.ends_with(".tgz") { ".tgz" } else { ".tar.gz" };
    let mut name = format!("{}{ext}", stem.replace([',', ':'], "-"));
    if hide_plugin {
        name = name.replace("plugin", "plug-in");
    }
    name
}

/// An error finding with the reason no repair answers it (None for
/// warnings and information), as its rule declares it.
fn unrepaired(f: &Finding) -> Option<Unrepaired> {
    if f.severity != Severity::Error {
        return None;
    }
    let reason = rules::find(&f.code).map_or(NEEDS_A_DECISION, |r| r.repair.reason());
    Some(Unrepaired {
        code: f.code.clone(),
        location: f.location.clone(),
        message: f.message.clone(),
        reason: reason.en.into(),
        reason_zh: reason.zh.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_only_the_top_directory() {
        assert_eq!(rename_top("mesh-plugin-1.0-ram/metadata.json", "mesh-plugin-1.0-ram", "x").as_deref(), Some("x/metadata.json"));
        assert_eq!(rename_top("./mesh-plugin-1.0-ram/", "mesh-plugin-1.0-ram", "x").as_deref(), Some("./x/"));
        assert_eq!(rename_top("mesh-plugin-1.0-ram", "mesh-plugin-1.0-ram", "x").as_deref(), Some("x"));
        assert_eq!(rename_top("other/mesh-plugin-1.0-ram", "mesh-plugin-1.0-ram", "x"), None);
        assert_eq!(rename_top("../mesh-plugin-1.0-ram/x", "mesh-plugin-1.0-ram", "x"), None);
    }

    #[test]
    fn proposes_safe_names() {
        assert_eq!(safe_name("app-1.0,final-ram.tar.gz", false), "app-1.0-final-ram.tar.gz");
        assert_eq!(safe_name("mesh-plugin-1.0-ram.tar.gz", true), "mesh-plug-in-1.0-ram.tar.gz");
        assert_eq!(safe_name("app-1.0-ram.zip", false), "app-1.0-ram.tar.gz");
        assert_eq!(safe_name("app-1.0-ram.tar", false), "app-1.0-ram.tar.gz");
    }
}
