//! IMG: the image archives inside the package.

use super::context::ArchiveView;
use super::{Context, Rule, Text};
use crate::images::Doc;
use crate::paths;
use crate::report::{Finding, Severity};

pub static IMG001: Rule = Rule {
    code: "IMG001",
    name: "empty-image-archive",
    severity: Severity::Error,
    title: Text { en: "An image archive holds no image", zh: "镜像包中没有任何镜像" },
    why: Text {
        en: "`docker save` of zero images wrote `manifest.json` = `null` up to Docker 24, and exporters of v5.17.1 wrote exactly that as plugin-images.tar for apps without plugins. Docker 23 and later refuse it (\"invalid manifest, manifest cannot be null (but can be [])\") and the import fails after the whole upload.",
        zh: "Docker 24 及以前版本对零个镜像执行 `docker save` 时会写出内容为 `null` 的 `manifest.json`；v5.17.1 的导出程序在应用没有插件时正是这样生成 plugin-images.tar 的。Docker 23 及以后版本会拒绝它（\"invalid manifest, manifest cannot be null (but can be [])\"），整个包上传完后导入失败。",
    },
    fix: Text {
        en: "Delete the empty archive and pack the directory again with `tar -czf`, or run `ramcheck fix`, or export again from Rainbond v5.17.3 or later.",
        zh: "删除这个空的镜像包，再用 `tar -czf` 重新打包目录；或执行 `ramcheck fix`；或在 Rainbond v5.17.3 及以上版本重新导出。",
    },
    example: "app-1.0-ram/plugin-images.tar whose manifest.json is `null`",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for view in &cx.archives {
        empty_archive(cx, view, out);
    }
}

fn empty_archive(cx: &Context<'_>, view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let (archive, a) = (view.archive, &view.analysis);
    if archive.compression.is_some() || archive.not_tar || archive.damage.is_some() || !a.is_empty() {
        return;
    }
    let (doc_name, state, state_zh) = match (&a.manifest, &a.index) {
        (Doc::Null, _) => ("manifest.json", "manifest.json is null", "manifest.json 的内容为 null"),
        (Doc::Present(_), _) => ("manifest.json", "manifest.json is an empty list", "manifest.json 是空列表"),
        // An empty OCI index without manifest.json is IMG002's.
        (Doc::Absent, Doc::Present(_) | Doc::Null) => return,
        _ => return,
    };
    let name = paths::file_name(&archive.path);
    let loc = archive.location(doc_name);
    let pos = archive.pos + archive.member(doc_name).map_or(0, |m| m.pos);
    let finding = IMG001.at(
        loc,
        pos,
        format!("{name} holds no image: {state}. Docker refuses it (\"invalid manifest, manifest cannot be null (but can be [])\") and the import fails."),
        format!("{name} 中没有任何镜像：{state_zh}。Docker 会拒绝加载（\"invalid manifest, manifest cannot be null (but can be [])\"），导入失败。"),
    );
    let dir = cx.app_dir.clone().unwrap_or_else(|| "<app>-<version>-ram".into());
    let finding = if name == "plugin-images.tar" && cx.plugins().is_empty() {
        finding.fix(
            format!("The app has no plugins: delete {name} and pack the directory again with `tar -czf {dir}.tar.gz {dir}` (or run `ramcheck fix`), or export again from Rainbond v5.17.3 or later."),
            format!("该应用没有插件：删除 {name}，再执行 `tar -czf {dir}.tar.gz {dir}` 重新打包（或执行 `ramcheck fix`），也可以在 Rainbond v5.17.3 及以上版本重新导出。"),
        )
    } else {
        finding
    };
    out.push(finding);
}
