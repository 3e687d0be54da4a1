//! XRF: metadata.json against the images the package carries.

use serde_json::Value;

use super::{Context, Rule, Text};
use crate::metadata::get_str;
use crate::reference;
use crate::report::{Finding, Severity};

pub static XRF001: Rule = Rule {
    code: "XRF001",
    name: "image-not-found",
    severity: Severity::Error,
    title: Text { en: "A share_image is carried by no image archive", zh: "share_image 指向的镜像不在任何镜像包中" },
    why: Text {
        en: "After loading the image archives, the importer re-tags each component's and plugin's `share_image` for the local registry. A name that no loaded image carries (compared after Docker normalisation: `docker.io/library/`, default tag `latest`) fails the import (\"not found\" / \"No such image\").",
        zh: "加载镜像包后，导入程序会把每个组件和插件的 `share_image` 重新打标签并推送到本地镜像仓库。如果没有任何已加载的镜像带有该名称（按 Docker 规则规范化后比较：补全 `docker.io/library/`，默认标签 `latest`），导入失败（\"not found\" / \"No such image\"）。",
    },
    fix: Text {
        en: "Export the app again so that its images are saved with it; if you rebuilt an image archive by hand, save the image under exactly the share_image name (`docker save -o component-images.tar <share_image> …`).",
        zh: "重新导出应用，使镜像随应用一起保存；如果手工重建过镜像包，请用与 share_image 完全相同的名称保存镜像（`docker save -o component-images.tar <share_image> …`）。",
    },
    example: "share_image `goodrain.me/web:v2` while component-images.tar holds `goodrain.me/web:v1`",
};

/// Candidate names compared when suggesting the closest one.
const MAX_SUGGESTION_CANDIDATES: usize = 1_000;

/// One component or plugin that names an image.
pub struct ImageUser<'a> {
    /// `apps[2]` or `plugins[0]`.
    pub path: String,
    /// The component's service_cname or the plugin's plugin_alias.
    pub label: String,
    pub share_image: &'a str,
    pub is_plugin: bool,
}

/// Every component and plugin with its share_image.
pub fn image_users<'a>(cx: &'a Context<'_>) -> Vec<ImageUser<'a>> {
    let mut users = Vec::new();
    let mut add = |list: &'a [Value], field: &str, label: &str, is_plugin: bool| {
        for (i, item) in list.iter().enumerate() {
            if let Some(share_image) = get_str(item, "share_image") {
                let label = get_str(item, label).unwrap_or("").to_string();
                users.push(ImageUser { path: format!("{field}[{i}]"), label, share_image, is_plugin });
            }
        }
    };
    add(cx.components(), "apps", "service_cname", false);
    add(cx.plugins(), "plugins", "plugin_alias", true);
    users
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let loaded: Vec<_> = cx.archives.iter().filter(|v| v.loaded()).collect();
    if !cx.pkg.complete() || loaded.is_empty() {
        return;
    }
    let names: Vec<String> = loaded.iter().flat_map(|v| v.analysis.images.iter().flat_map(|i| i.normalized_names())).collect();
    let searched: Vec<String> = loaded.iter().map(|v| v.archive.path.clone()).collect();
    let searched = searched.join(", ");
    for user in image_users(cx) {
        let Some(wanted) = reference::normalize(user.share_image) else { continue };
        if names.contains(&wanted) {
            continue;
        }
        let who = if user.is_plugin { "Plugin" } else { "Component" };
        let who_zh = if user.is_plugin { "插件" } else { "组件" };
        let (closest, closest_zh) = match closest(&wanted, &names) {
            Some(c) => (format!(" The closest name there is {c}."), format!("其中最接近的名称是 {c}。")),
            None => (" They carry no named image.".to_string(), "其中没有任何带名称的镜像。".to_string()),
        };
        out.push(XRF001.at(
            format!("{}#{}.share_image", cx.metadata_location(), user.path),
            cx.metadata_position(),
            format!(
                "{who} \"{}\" ({}) uses the image {}, but no image archive carries it (searched {searched}).{closest} The import fails when it re-tags this image.",
                user.label, user.path, user.share_image
            ),
            format!("{who_zh}“{}”（{}）使用的镜像 {} 不在任何镜像包中（已查找 {searched}）。{closest_zh}导入程序为该镜像重新打标签时会失败。", user.label, user.path, user.share_image),
        ));
    }
}

/// The carried name closest to `wanted`: the same repository first, then the
/// smallest edit distance.
fn closest(wanted: &str, names: &[String]) -> Option<String> {
    let repo = wanted.rsplit_once(':').map_or(wanted, |(r, _)| r);
    if let Some(same_repo) = names.iter().find(|n| n.rsplit_once(':').is_some_and(|(r, _)| r == repo)) {
        return Some(same_repo.clone());
    }
    names.iter().take(MAX_SUGGESTION_CANDIDATES).min_by_key(|n| edit_distance(wanted, n)).cloned()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
