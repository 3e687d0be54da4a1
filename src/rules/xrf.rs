//! XRF: metadata.json against the images the package carries.

use std::collections::HashSet;

use super::context::ArchiveView;
use super::lay::{LAY005, LAY007};
use super::repairable::{Repairable, CHANGES_THE_APP};
use super::{Context, Rule, Text};
use crate::facts::reference;
use crate::lang::human_bytes;
use crate::lang::Lang;
use crate::limits::{MAX_SUGGESTION_CANDIDATES, MAX_UNUSED_LISTED};
use crate::rules::{Finding, Listed, Severity};
use crate::scan::images::{Analysis, Doc};
use crate::target::{Line, Runtime, Targets};

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
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import re-tags every share_image after loading (containerd: the normalised reference; Docker: also the pre-5.3 save name on \"No such image\", v5.16); a missing image fails the import",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static XRF002: Rule = Rule {
    code: "XRF002",
    name: "image-archive-missing",
    severity: Severity::Error,
    title: Text { en: "Images are needed but the package has no image archive", zh: "需要镜像，但安装包中没有镜像包" },
    why: Text {
        en: "Components and plugins name their images in `share_image`; the exporter saves them into component-images.tar and plugin-images.tar. Without an image archive there is nothing to load and the import fails at the first re-tag.",
        zh: "组件和插件在 `share_image` 中指明镜像，导出程序会把它们保存到 component-images.tar 和 plugin-images.tar。没有镜像包就没有可加载的镜像，导入会在第一次重新打标签时失败。",
    },
    fix: Text {
        en: "Export the app again; if you repacked the package, put component-images.tar (and plugin-images.tar) back into the app directory.",
        zh: "重新导出应用；如果重新打包过，请把 component-images.tar（以及 plugin-images.tar）放回应用目录。",
    },
    example: "app-1.0-ram/ with metadata.json only",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import: with no image archive nothing is loaded and the first ImageTag fails",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static XRF003: Rule = Rule {
    code: "XRF003",
    name: "superfluous-archive",
    severity: Severity::Warning,
    title: Text { en: "plugin-images.tar in an app without plugins", zh: "应用没有插件，却带有 plugin-images.tar" },
    why: Text {
        en: "Exporters up to v5.15.0 always wrote plugin-images.tar. Importers since v6.0 skip it when the template has no plugins, older ones load it: harmless when it holds valid images, but it makes the upload larger (an empty one is IMG001, an error).",
        zh: "v5.15.0 及以前的导出程序总会生成 plugin-images.tar。模板中没有插件时，v6.0 起的导入程序会跳过它，更早的版本会加载它：其中镜像有效时无害，但会增大上传体积（为空时报 IMG001，属于错误）。",
    },
    fix: Text {
        en: "Nothing is required; to make the upload smaller, delete plugin-images.tar and pack the directory again (or run `ramcheck fix`).",
        zh: "无需处理；如需减小上传体积，可删除 plugin-images.tar 后重新打包（或执行 `ramcheck fix`）。",
    },
    example: "plugin-images.tar with one image, `\"plugins\": []`",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import: the v6 importer skips plugin-images.tar when there are no plugins, v5.16 loads it",
    fails_on: Targets::NONE,
    repair: Repairable::Yes { unless: CHANGES_THE_APP },
};

pub static XRF004: Rule = Rule {
    code: "XRF004",
    name: "unused-image",
    severity: Severity::Info,
    title: Text { en: "An image that no component or plugin uses", zh: "没有组件或插件使用的镜像" },
    why: Text {
        en: "Every image in the archives is loaded and stored on the cluster; one that no `share_image` names only costs upload time and disk.",
        zh: "镜像包中的每个镜像都会被加载并存储到集群中；没有任何 `share_image` 使用的镜像只会增加上传时间和磁盘占用。",
    },
    fix: Text {
        en: "Nothing to fix. Leave it out when you rebuild the archive yourself.",
        zh: "无需处理。自行重建镜像包时可以去掉它。",
    },
    example: "a `busybox:latest` image left in component-images.tar",
    evidence: "an image that no share_image names is loaded and never used",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if !cx.pkg.complete() {
        return;
    }
    superfluous(cx, out);
    if cx.archives.iter().all(|v| !v.loaded_path) {
        no_archive(cx, out);
        return;
    }
    let archives: Vec<&ArchiveView<'_>> = cx.archives.iter().filter(|v| v.loaded_path && !v.apple_double()).collect();
    if archives.iter().any(|v| v.archive.damage.is_some() || v.archive.compression.is_some() || v.analysis.names_unreadable()) {
        return; // an archive could not be read whole: absence proves nothing
    }
    if cx.template.is_some() {
        let everywhere: Vec<_> = archives.iter().copied().filter(|v| v.loaded()).collect();
        unused(cx, &everywhere, out);
    }
    // Where loading an archive already fails, the import never reaches the
    // re-tagging: those findings (IMG, LAY005, LAY007) say why.
    let load_fails =
        out.iter().filter(|f| f.code.starts_with("IMG") || f.is(&LAY005) || f.is(&LAY007)).fold(Targets::NONE, |set, f| set.or(f.fails_on));
    let stores: Vec<Store> = Targets::ALL
        .pairs()
        .filter(|&(line, runtime)| !load_fails.contains(line, runtime))
        .map(|(line, runtime)| Store::after_loading(&archives, line, runtime))
        .collect();
    let names: Vec<String> = archives.iter().flat_map(|v| v.analysis.images.iter().flat_map(|i| i.normalized_names())).collect();
    let searched = archives.iter().map(|v| v.archive.path.as_str()).collect::<Vec<_>>().join(", ");
    let users = cx.image_users();
    let not_found = users.iter().filter_map(|user| {
        // Invalid and digest-pinned references are MET005's.
        let wanted = reference::parse(user.share_image).ok().filter(|r| r.digest.is_none()).map(|r| r.normalized())?;
        let legacy = legacy_name(user.share_image);
        let fails =
            stores.iter().filter(|store| !store.finds(&wanted, legacy.as_deref())).fold(Targets::NONE, |set, store| set.or(store.target));
        (!fails.is_empty()).then_some((user, wanted, legacy, fails))
    });
    let mut listed = Listed::default();
    for (user, wanted, legacy, fails) in not_found {
        // Each finding searches for the closest name: only the listed ones are built.
        listed.add(|| {
        let who = if user.is_plugin { "Plugin" } else { "Component" };
        let who_zh = if user.is_plugin { "插件" } else { "组件" };
        let carried = names.contains(&wanted);
        let legacy = legacy.filter(|l| names.contains(l));
        let (hint, hint_zh) = match (carried, legacy, closest(&wanted, &names)) {
            (true, _, _) => (
                " The image is in the package, but the runtime of these targets does not store it under that name (see the IMG findings)."
                    .to_string(),
                "镜像在安装包中，但这些目标的运行时不会以该名称保存它（见 IMG 类问题）。".to_string(),
            ),
            (false, Some(l), _) => (
                format!(" Only its pre-v5.3 save name {l} is there: importers on Docker fall back to it, those on containerd do not."),
                format!("其中只有它在 v5.3 之前的保存名称 {l}：使用 Docker 的导入程序会回退使用它，使用 containerd 的不会。"),
            ),
            (false, None, Some(c)) => (format!(" The closest name there is {c}."), format!("其中最接近的名称是 {c}。")),
            (false, None, None) => (" They carry no named image.".to_string(), "其中没有任何带名称的镜像。".to_string()),
        };
        let (on, on_zh) = (fails.on(Lang::En), fails.on(Lang::Zh));
            XRF001
                .at(
                    format!("{}#{}.share_image", cx.metadata_location(), user.path),
                    cx.metadata_position(),
                    format!(
                        "{who} \"{}\" ({}) uses the image {}, which will not be found after loading the image archives ({searched}).{hint} The import fails{on} when it re-tags this image.",
                        user.label, user.path, user.share_image
                    ),
                    format!(
                        "{who_zh}“{}”（{}）使用的镜像 {} 在加载镜像包（{searched}）后将找不到。{hint_zh}导入程序{on_zh}为该镜像重新打标签时会失败。",
                        user.label, user.path, user.share_image
                    ),
                )
                .only_on(fails)
        });
    }
    listed.flush(out);
}

/// The image names one target's runtime holds after the importer of its
/// line loaded the package's archives, as the importer looks them up.
struct Store {
    target: Targets,
    /// Every archive is skipped on this line (PKG007 says why): nothing is
    /// judged here.
    skipped: bool,
    names: HashSet<String>,
    /// Every importer on Docker retries the pre-5.3 save name on "No such
    /// image" (Import at each line's oam commit).
    legacy_fallback: bool,
}

impl Store {
    fn after_loading(archives: &[&ArchiveView<'_>], line: Line, runtime: Runtime) -> Store {
        let target = Targets::one(line, runtime);
        let loaded: Vec<_> = archives.iter().filter(|v| v.loaded_on().intersects(target)).collect();
        let mut names = HashSet::new();
        for v in &loaded {
            names.extend(match runtime {
                Runtime::Docker => docker_names(&v.analysis),
                Runtime::Containerd => containerd_names(&v.analysis),
            });
        }
        Store { target, skipped: loaded.is_empty() && !archives.is_empty(), names, legacy_fallback: runtime == Runtime::Docker }
    }

    fn finds(&self, wanted: &str, legacy: Option<&str>) -> bool {
        self.skipped || self.names.contains(wanted) || (self.legacy_fallback && legacy.is_some_and(|l| self.names.contains(l)))
    }
}

/// `docker load` reads manifest.json (Docker before 25 has no OCI loader)
/// and names images by their normalised RepoTags.
fn docker_names(a: &Analysis) -> Vec<String> {
    match &a.manifest {
        Doc::Present(entries) => entries.iter().flat_map(|e| &e.repo_tags).filter_map(|t| reference::normalize(t)).collect(),
        _ => Vec::new(),
    }
}

/// containerd's importer reads an OCI layout when there is one, naming each
/// image by its annotation as written; else manifest.json, with normalised
/// RepoTags (a tagless one becomes `:latest`); else nothing.
fn containerd_names(a: &Analysis) -> Vec<String> {
    match (&a.oci_layout, &a.index) {
        (Doc::Present(Some(v)), Doc::Present(descriptors)) if v == "1.0.0" => {
            descriptors.iter().filter_map(|d| d.names.first().or(d.ref_name.as_ref()).cloned()).collect()
        }
        (Doc::Present(_), _) => Vec::new(),
        _ => docker_names(a),
    }
}

/// The name packages before v5.3 saved an image under, which Docker-based
/// importers retry: the path without its first component, and the tag
/// (`goodrain.me/team/app:v1` → `app:v1`), normalised.
fn legacy_name(share_image: &str) -> Option<String> {
    let r = reference::parse(share_image).ok()?;
    let rest = r.path.split_once('/').map_or(r.path.as_str(), |(_, rest)| rest);
    reference::normalize(&format!("{rest}:{}", r.tag.as_deref().unwrap_or("latest")))
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

/// XRF002: images are named, but no archive would be loaded.
fn no_archive(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let users = cx.image_users();
    let Some(dir) = cx.app_dir.clone().filter(|_| !users.is_empty()) else { return };
    let n = users.len();
    out.push(XRF002.at(
        format!("{dir}/component-images.tar"),
        cx.metadata_position(),
        format!("{n} components and plugins name images (e.g. {}), but {dir}/ holds no image archive: nothing can be loaded and the import fails.", users[0].share_image),
        format!("{n} 个组件和插件需要镜像（例如 {}），但 {dir}/ 中没有任何镜像包：没有可加载的镜像，导入会失败。", users[0].share_image),
    ));
}

/// XRF003: a plugin archive in a template without plugins.
fn superfluous(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if cx.template.is_none() || !cx.plugins().is_empty() {
        return;
    }
    for v in cx.archives.iter().filter(|v| v.loaded_path && crate::container::paths::file_name(&v.archive.path) == "plugin-images.tar") {
        if v.analysis.is_empty() || v.archive.damage.is_some() || v.archive.compression.is_some() {
            continue; // IMG001, IMG007 or LAY007 speak for it
        }
        out.push(XRF003.at(
            v.archive.path.clone(),
            v.archive.pos,
            format!("The template has no plugins, yet {} holds {} images: v6 importers skip it, older ones load it. It only adds {} to the upload.", v.archive.path, v.analysis.images.len(), human_bytes(v.archive.size)),
            format!("模板中没有插件，但 {} 中有 {} 个镜像：v6 导入程序会跳过它，旧版本会加载它。它只会使上传增加 {}。", v.archive.path, v.analysis.images.len(), human_bytes(v.archive.size)),
        ));
    }
}

/// XRF004: images that no share_image names.
fn unused(cx: &Context<'_>, loaded: &[&ArchiveView<'_>], out: &mut Vec<Finding>) {
    let wanted = cx.wanted_images();
    let mut listed = 0;
    for v in loaded {
        for image in &v.analysis.images {
            let names = image.normalized_names();
            if names.is_empty() || names.iter().any(|n| wanted.contains(n)) {
                continue; // unnamed images are IMG006's
            }
            listed += 1;
            if listed > MAX_UNUSED_LISTED {
                continue;
            }
            let name = &image.tags[0];
            out.push(XRF004.at(
                v.archive.path.clone(),
                v.archive.pos,
                format!("{} carries {name} ({}), which no component or plugin uses.", v.archive.path, human_bytes(image.size)),
                format!("{} 中的镜像 {name}（{}）没有被任何组件或插件使用。", v.archive.path, human_bytes(image.size)),
            ));
        }
    }
}
