//! SUM: what the user should know about the package.

use serde_json::Value;

use super::repairable::{Repairable, NEEDS_A_DECISION};
use super::{Context, Rule, Text};
use crate::facts::metadata::{get, get_list, get_str};
use crate::lang::{human_bytes, Describe};
use crate::rules::{Finding, Severity, END_POSITION};
use crate::target::Targets;

pub static SUM001: Rule = Rule {
    code: "SUM001",
    name: "summary",
    severity: Severity::Info,
    title: Text { en: "What the package holds", zh: "安装包内容概要" },
    why: Text {
        en: "Not a problem: the template's name and version, its components, plugins and images, and the size the import will unpack, so you can confirm that this is the package you mean to upload.",
        zh: "这不是问题：列出模板名称和版本、组件、插件、镜像数量以及导入时解压后的大小，便于确认这是要上传的安装包。",
    },
    fix: Text { en: "Nothing to fix.", zh: "无需处理。" },
    example: "crm 5.1: 2 components, 0 plugins, 2 images, 1.9 GB unpacked",
    evidence: "a summary of the package",
    fails_on: Targets::NONE,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static SUM002: Rule = Rule {
    code: "SUM002",
    name: "large-package",
    severity: Severity::Warning,
    title: Text { en: "A large package or image", zh: "安装包或镜像很大" },
    why: Text {
        en: "The server keeps the upload, unpacks it and loads every image into the runtime, so the import needs about 3 to 4 times the package in free disk; uploads this large also take long and fail more often on unstable links.",
        zh: "服务器会保存上传的文件、解压它，并把所有镜像加载到容器运行时中，导入大约需要安装包 3 到 4 倍的空闲磁盘；这么大的上传耗时长，在不稳定的网络上也更容易失败。",
    },
    fix: Text {
        en: "Make sure the cluster's builder node has the disk space given before uploading; consider leaving out unused images.",
        zh: "上传前确认集群构建节点有足够的磁盘空间；可考虑去掉未使用的镜像。",
    },
    example: "a 14 GB package",
    evidence: "rainbond builder/exector/import_app.go keeps the upload, unpacks it and loads its images: about 3 to 4 times the package on disk",
    fails_on: Targets::NONE,
    repair: Repairable::No(NEEDS_A_DECISION),
};

/// A package over this size gets SUM002.
pub const LARGE_PACKAGE: u64 = 10_000_000_000;
/// An image over this size gets SUM002.
pub const LARGE_IMAGE: u64 = 5_000_000_000;

/// Fields that date the exporter: (field, found in, since). The dates are
/// those of the rainbond-oam change that added the field.
const MARKERS: &[(&str, &str, &str)] = &[
    ("vm", "apps", "2026-05"),
    ("platform_plugin", "", "2026-02"),
    ("group_dev_status", "", "2026-02"),
    ("report", "apps", "2023-10"),
    ("arch", "apps", "2023-06"),
    ("k8s_component_name", "apps", "2023-01"),
    ("helm_chart", "", "2022-12"),
    ("k8s_resources", "", "2022-08"),
];

/// The console generation that exported a package, as the summary says it:
/// the newest field marker its template carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exporter {
    /// The month the marker field was added.
    pub since: String,
    /// The marker field.
    pub field: String,
}

impl Exporter {
    /// Reads back what `en` wrote (`Summary.exporter` in a
    /// report that crossed into JavaScript and back).
    pub fn parse(en: &str) -> Option<Exporter> {
        let (since, rest) = en.split_once(" or later (has `")?;
        let field = rest.strip_suffix("`)")?;
        Some(Exporter { since: since.to_string(), field: field.to_string() })
    }
}

impl Describe for Exporter {
    fn en(&self) -> String {
        format!("{} or later (has `{}`)", self.since, self.field)
    }
    fn zh(&self) -> String {
        format!("{} 或更新（含有 `{}`）", self.since, self.field)
    }
}

/// The newest field marker the template carries: (field, since).
pub fn exporter_generation(template: &Value) -> Option<(&'static str, &'static str)> {
    MARKERS.iter().find_map(|(field, within, since)| {
        let present = if within.is_empty() {
            get(template, field).is_some()
        } else {
            get_list(template, within).iter().any(|item| get(item, field).is_some())
        };
        present.then_some((*field, *since))
    })
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(template) = &cx.template else { return };
    let name = get_str(template, "group_name").unwrap_or("?");
    let version = get_str(template, "group_version").unwrap_or("?");
    let components = cx.components().len();
    let plugins = cx.plugins().len();
    let images: usize = cx.archives.iter().map(|v| v.analysis.images.len()).sum();
    let size = human_bytes(cx.pkg.uncompressed_bytes);
    let (gen, gen_zh) = match exporter_generation(template) {
        Some((field, since)) => (
            format!(" Exported by a Rainbond release of {since} or later (it has `{field}`)."),
            format!("由 {since} 或之后的 Rainbond 版本导出（含有 `{field}` 字段）。"),
        ),
        None => (String::new(), String::new()),
    };
    out.push(SUM001.at(
        cx.metadata_location(),
        cx.metadata_position(),
        format!("{name} {version}: {components} components, {plugins} plugins, {images} images, {size} unpacked.{gen}"),
        format!("{name} {version}：{components} 个组件，{plugins} 个插件，{images} 个镜像，解压后 {size}。{gen_zh}"),
    ));
    large(cx, out);
}

/// SUM002.
fn large(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let pkg = cx.pkg;
    let disk = human_bytes(pkg.size.saturating_add(pkg.uncompressed_bytes.saturating_mul(3)));
    if pkg.size > LARGE_PACKAGE {
        out.push(SUM002.at(
            pkg.file_name.clone(),
            END_POSITION,
            format!(
                "The package is {}: the import needs about {disk} of free disk on the builder node, and the upload takes long.",
                human_bytes(pkg.size)
            ),
            format!("安装包大小为 {}：导入时构建节点大约需要 {disk} 的空闲磁盘，上传也会耗时较长。", human_bytes(pkg.size)),
        ));
    }
    for v in &cx.archives {
        for image in v.analysis.images.iter().filter(|i| i.size > LARGE_IMAGE) {
            let (who, who_zh) = match image.tags.first() {
                Some(tag) => (tag.as_str(), format!("镜像 {tag} ")),
                None => ("an unnamed image", "未命名的镜像".to_string()),
            };
            out.push(SUM002.at(
                v.archive.path.clone(),
                v.archive.pos,
                format!(
                    "Image {who} is {}: loading it needs about twice that in free disk and takes several minutes.",
                    human_bytes(image.size)
                ),
                format!("{who_zh}大小为 {}：加载它大约需要两倍的空闲磁盘，耗时数分钟。", human_bytes(image.size)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exporter_reads_back_from_its_english_and_says_it_in_chinese() {
        let e = Exporter { since: "2023-06".into(), field: "arch".into() };
        assert_eq!(e.en(), "2023-06 or later (has `arch`)");
        assert_eq!(Exporter::parse(&e.en()), Some(e.clone()));
        assert_eq!(e.zh(), "2023-06 或更新（含有 `arch`）");
        assert_eq!(Exporter::parse("exporter"), None);
    }
}
