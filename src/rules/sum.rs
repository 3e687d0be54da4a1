//! SUM: what the user should know about the package.

use super::{Context, Rule, Text};
use crate::metadata::get_str;
use crate::report::{human_bytes, Finding, Severity};

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
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(template) = &cx.template else { return };
    let name = get_str(template, "group_name").unwrap_or("?");
    let version = get_str(template, "group_version").unwrap_or("?");
    let components = cx.components().len();
    let plugins = cx.plugins().len();
    let images: usize = cx.archives.iter().map(|v| v.analysis.images.len()).sum();
    let size = human_bytes(cx.pkg.uncompressed_bytes);
    out.push(SUM001.at(
        cx.metadata_location(),
        cx.metadata_position(),
        format!("{name} {version}: {components} components, {plugins} plugins, {images} images, {size} unpacked."),
        format!("{name} {version}：{components} 个组件，{plugins} 个插件，{images} 个镜像，解压后 {size}。"),
    ));
}
