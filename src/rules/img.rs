//! IMG: the image archives inside the package.

use std::collections::{BTreeMap, HashSet};

use super::context::ArchiveView;
use super::repairable::{Repairable, CHANGES_THE_APP, DAMAGED_IMAGE_ARCHIVE, DIGEST_MISMATCH};
use super::{Context, Rule, Text};
use crate::container::paths;
use crate::container::tarwalk::{Kind, BLOCK};
use crate::facts::metadata::{self, get_str};
use crate::facts::reference;
use crate::lang::Describe;
use crate::rules::{Finding, Listed, Severity};
use crate::scan::archive::ImageArchive;
use crate::scan::images::{self, Doc, Image};
use crate::target::Targets;

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
    evidence: "moby image/tarexport/load.go:validateManifest refuses manifest.json = null since Docker 23 (accepts []); containerd v1.5.13 ImportIndex answers \"unrecognized image format\", which every importer since v5.15.1 ignores (tested with containerd 1.6; Docker 20.10 loads nothing)",
    fails_on: Targets::DOCKER,
    repair: Repairable::Yes { unless: CHANGES_THE_APP },
};

pub static IMG002: Rule = Rule {
    code: "IMG002",
    name: "empty-oci-index",
    severity: Severity::Error,
    title: Text { en: "An OCI index lists no image", zh: "OCI 索引中没有任何镜像" },
    why: Text {
        en: "An OCI image archive names its images in index.json. With `manifests` null or empty and no usable manifest.json, containerd imports nothing and Docker refuses the archive, so every image it should carry is missing.",
        zh: "OCI 镜像包在 index.json 中列出镜像。`manifests` 为 null 或空、且没有可用的 manifest.json 时，containerd 什么也不会导入，Docker 会拒绝该镜像包，应有的镜像全部缺失。",
    },
    fix: Text {
        en: "Export the app again; if you made the archive yourself, save the images again (`docker save -o x.tar IMAGE…` or `ctr export`).",
        zh: "重新导出应用；如果镜像包是自己制作的，请重新保存镜像（`docker save -o x.tar 镜像…` 或 `ctr export`）。",
    },
    example: "index.json `{\"schemaVersion\":2,\"manifests\":[]}` and no manifest.json",
    evidence: "moby image/tarexport/load.go:Load needs manifest.json (Docker 20.10 tested); containerd v1.5.13 Client.Import walks an empty index without error",
    fails_on: Targets::DOCKER,
    repair: Repairable::Yes { unless: CHANGES_THE_APP },
};

pub static IMG003: Rule = Rule {
    code: "IMG003",
    name: "no-docker-manifest",
    severity: Severity::Error,
    title: Text { en: "An OCI-only image archive without manifest.json", zh: "只有 OCI 格式、没有 manifest.json 的镜像包" },
    why: Text {
        en: "containerd reads index.json, but `docker load` before Docker 25 needs manifest.json: clusters whose importer runs on Docker (Rainbond v5.16 to v5.17, or Docker runtimes) reject the archive.",
        zh: "containerd 读取 index.json，但 Docker 25 之前的 `docker load` 需要 manifest.json：导入程序运行在 Docker 上的集群（Rainbond v5.16 到 v5.17，或 Docker 运行时）会拒绝该镜像包。",
    },
    fix: Text {
        en: "Save the images with `docker save` (which writes both) or with `ctr export` from containerd 1.5 or later, or import only on containerd clusters.",
        zh: "用 `docker save`（会同时写出两种格式）或 containerd 1.5 及以上版本的 `ctr export` 保存镜像，或只在 containerd 集群中导入。",
    },
    example: "an archive written by `skopeo copy … oci-archive:`",
    evidence: "moby image/tarexport/load.go:Load reads manifest.json; Docker before 25 has no OCI index loader (Docker 20.10 tested); containerd reads index.json",
    fails_on: Targets::DOCKER,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG004: Rule = Rule {
    code: "IMG004",
    name: "missing-member",
    severity: Severity::Error,
    title: Text { en: "An image archive lacks a file its manifest names", zh: "镜像包缺少清单中引用的文件" },
    why: Text {
        en: "manifest.json and the OCI manifests name each image's config and layers by path or digest; a file that is absent, or a symlink that points nowhere, fails `docker load` (\"no such file\") and containerd's import (\"not found\").",
        zh: "manifest.json 和 OCI 清单按路径或摘要引用每个镜像的配置和层；文件缺失或符号链接指向不存在的文件时，`docker load`（\"no such file\"）和 containerd 导入（\"not found\"）都会失败。",
    },
    fix: Text {
        en: "The archive was changed after `docker save`: save the images again or export the app again.",
        zh: "镜像包在 `docker save` 之后被改动过：请重新保存镜像或重新导出应用。",
    },
    example: "manifest.json lists `abc/layer.tar` but the archive has no such member",
    evidence: "containerd v1.5.13 images/archive/importer.go:ImportIndex (\"not found\", \"no target for symlink layer\"); moby image/tarexport/load.go (\"no such file\")",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG005: Rule = Rule {
    code: "IMG005",
    name: "layer-count-mismatch",
    severity: Severity::Error,
    title: Text { en: "An image's layers do not match its config", zh: "镜像层数与配置不符" },
    why: Text {
        en: "An image config lists one `rootfs.diff_ids` entry per layer; when the manifest names a different number of layers, the runtime refuses the image (\"layers from manifest don't match image configuration\").",
        zh: "镜像配置中 `rootfs.diff_ids` 与层一一对应；清单列出的层数不同时，运行时会拒绝该镜像（\"layers from manifest don't match image configuration\"）。",
    },
    fix: Text {
        en: "Save the image again with `docker save`, or export the app again.",
        zh: "用 `docker save` 重新保存镜像，或重新导出应用。",
    },
    example: "3 layers in manifest.json, 2 diff_ids in the config",
    evidence: "moby image/tarexport/load.go:Load \"layers length mismatch\"; containerd imports it and the image fails to unpack at run time",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG006: Rule = Rule {
    code: "IMG006",
    name: "bad-repo-tag",
    severity: Severity::Error,
    title: Text { en: "An image has no usable name", zh: "镜像没有可用的名称" },
    why: Text {
        en: "Images are found by name after loading. containerd names an imported image only from `RepoTags` (or, in an OCI archive, the `io.containerd.image.name` annotation, else the raw `org.opencontainers.image.ref.name`); an image without one is not created, and an invalid tag fails the load (\"normalize image ref\").",
        zh: "镜像加载后按名称查找。containerd 只根据 `RepoTags`（OCI 镜像包中为 `io.containerd.image.name` 注解，其次是原样使用的 `org.opencontainers.image.ref.name`）为导入的镜像命名；没有名称的镜像不会被创建，不合法的标签会使加载失败（\"normalize image ref\"）。",
    },
    fix: Text {
        en: "Save the image by its full name and tag (`docker save -o x.tar goodrain.me/app/web:v1`), not by image ID, or export the app again.",
        zh: "按完整名称和标签保存镜像（`docker save -o x.tar goodrain.me/app/web:v1`），而不是按镜像 ID 保存，或重新导出应用。",
    },
    example: "`\"RepoTags\": null` from `docker save <image id>`",
    evidence: "containerd v1.5.13 images/archive/importer.go:ImportIndex fails on a reference it cannot normalise; moby image/tarexport/load.go:Load \"invalid tag\" on a RepoTags entry without a tag, which containerd names :latest (tested both)",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG007: Rule = Rule {
    code: "IMG007",
    name: "corrupt-image-archive",
    severity: Severity::Error,
    title: Text { en: "An image archive is damaged", zh: "镜像包已损坏" },
    why: Text {
        en: "The image archive inside the package is cut short, has a bad tar header, or its manifest.json, index.json or an image config is not valid JSON of the right shape; loading it fails and so does the import.",
        zh: "安装包中的镜像包被截断、tar 文件头损坏，或其 manifest.json、index.json、镜像配置不是格式正确的 JSON；加载失败，导入随之失败。",
    },
    fix: Text {
        en: "Export the app again; the package was damaged after the export.",
        zh: "重新导出应用；安装包在导出后已损坏。",
    },
    example: "component-images.tar whose manifest.json was cut in half",
    evidence: "containerd v1.5.13 ImportIndex and moby image/tarexport/load.go fail on a damaged tar or malformed JSON; an archive the v6 importer skips is never read",
    fails_on: Targets::ALL,
    repair: Repairable::No(DAMAGED_IMAGE_ARCHIVE),
};

pub static IMG008: Rule = Rule {
    code: "IMG008",
    name: "digest-mismatch",
    severity: Severity::Error,
    title: Text { en: "A blob or layer does not match its digest (--deep)", zh: "数据块或镜像层与其摘要不符（--deep）" },
    why: Text {
        en: "Blobs are named by the sha256 of their content and layers are checked against the config's `diff_ids`; a difference means the bytes changed after the export (a bad copy, a failing disk) and the runtime refuses the image.",
        zh: "数据块以内容的 sha256 命名，镜像层要与配置中的 `diff_ids` 一致；不一致说明导出后数据发生了变化（复制出错、磁盘故障），运行时会拒绝该镜像。",
    },
    fix: Text {
        en: "Copy the package again from the exporting cluster and compare `sha256sum`, or export the app again.",
        zh: "从导出集群重新复制安装包并核对 `sha256sum`，或重新导出应用。",
    },
    example: "a layer with one flipped bit",
    evidence: "moby image/tarexport/load.go:Load \"invalid diffID\"; containerd stores the blobs by their declared digest and the image fails at push or run",
    fails_on: Targets::ALL,
    repair: Repairable::No(DIGEST_MISMATCH),
};

pub static IMG009: Rule = Rule {
    code: "IMG009",
    name: "tag-collision",
    severity: Severity::Error,
    title: Text { en: "One tag names two different images", zh: "同一个标签指向两个不同的镜像" },
    why: Text {
        en: "Image archives are loaded one after another into one image store; when the same name is carried by two different images, the one loaded last wins and a component may run the wrong image.",
        zh: "镜像包依次加载到同一个镜像存储中；同一名称对应两个不同的镜像时，最后加载的会覆盖前者，组件可能运行错误的镜像。",
    },
    fix: Text {
        en: "Give each image its own tag and export again.",
        zh: "为每个镜像设置不同的标签后重新导出。",
    },
    example: "`web:latest` in component-images.tar and a different `web:latest` in plugin-images.tar",
    evidence: "moby image/tarexport/load.go:setLoadedTag and containerd Client.Import (is.Update) move the name to the image loaded last: a component runs another image",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG010: Rule = Rule {
    code: "IMG010",
    name: "platform",
    severity: Severity::Warning,
    title: Text { en: "An image's platform does not fit", zh: "镜像的平台不匹配" },
    why: Text {
        en: "Rainbond runs Linux images; an image whose config says another `os`, or whose `architecture` differs from its component's `arch`, imports but fails to start (\"exec format error\").",
        zh: "Rainbond 运行 Linux 镜像；配置中 `os` 不是 linux，或 `architecture` 与组件的 `arch` 不同的镜像可以导入，但无法启动（\"exec format error\"）。",
    },
    fix: Text {
        en: "Export from a cluster of the component's architecture, or rebuild the image for it.",
        zh: "在与组件架构一致的集群中导出，或为该架构重新构建镜像。",
    },
    example: "an arm64 image for a component whose arch is amd64",
    evidence: "containerd v1.5.13 Client.Import labels only manifests of its platform (images.FilterPlatforms); an image of another arch fails with \"exec format error\"",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG011: Rule = Rule {
    code: "IMG011",
    name: "unsafe-member",
    severity: Severity::Error,
    title: Text { en: "An image archive has a member that leaves it, or a device file", zh: "镜像包中有指向包外的条目或设备文件" },
    why: Text {
        en: "A member of an image archive with an absolute path, a `..` component, a link whose target leaves the archive, or a device or FIFO is what a path-traversal attack on the image loader looks like. `docker save` and containerd never write one; Docker and containerd refuse such archives, and ramcheck reports them without following them.",
        zh: "镜像包中含绝对路径、`..`、指向包外的链接，或设备文件、FIFO 的条目，正是针对镜像加载程序的路径穿越攻击的特征。`docker save` 和 containerd 从不生成这类条目；Docker 和 containerd 会拒绝此类镜像包，ramcheck 只报告而不跟随它们。",
    },
    fix: Text { en: "Do not upload this package. Export the app again from the source cluster.", zh: "不要上传此安装包。请从源集群重新导出应用。" },
    example: "component-images.tar!/../../../etc/cron.d/x",
    evidence: "a ramcheck safety limit: docker save and containerd export never write such a member; ramcheck reports it without following it",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG012: Rule = Rule {
    code: "IMG012",
    name: "oci-layout",
    severity: Severity::Error,
    title: Text { en: "An OCI image archive has no usable oci-layout", zh: "OCI 镜像包缺少可用的 oci-layout" },
    why: Text {
        en: "containerd recognises an OCI archive by its `oci-layout` file. Without it (and without manifest.json) containerd answers \"unrecognized image format\", which the importer ignores, so none of the archive's images exist and re-tagging them fails; with an `imageLayoutVersion` other than 1.0.0 it fails with \"unsupported OCI version\".",
        zh: "containerd 依据 `oci-layout` 文件识别 OCI 镜像包。缺少它（且没有 manifest.json）时，containerd 返回 \"unrecognized image format\"，导入程序会忽略该错误，于是镜像包中的镜像都不存在，重新打标签时失败；`imageLayoutVersion` 不是 1.0.0 时则直接以 \"unsupported OCI version\" 失败。",
    },
    fix: Text {
        en: "Save the images again with `docker save` or `ctr export` (both write `oci-layout` with version 1.0.0), or export the app again.",
        zh: "用 `docker save` 或 `ctr export` 重新保存镜像（两者都会写出版本为 1.0.0 的 `oci-layout`），或重新导出应用。",
    },
    example: "component-images.tar with index.json and blobs/ but no oci-layout",
    evidence: "containerd v1.5.13 images/archive/importer.go:ImportIndex: without oci-layout and manifest.json \"unrecognized image format\" (ignored by the importer, so no image exists); an imageLayoutVersion other than 1.0.0 \"unsupported OCI version\" (tested with containerd 1.6)",
    fails_on: Targets::CONTAINERD,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG013: Rule = Rule {
    code: "IMG013",
    name: "raw-ref-name",
    severity: Severity::Error,
    title: Text { en: "An OCI image is named only by a short ref.name", zh: "OCI 镜像只有简短的 ref.name 名称" },
    why: Text {
        en: "containerd names an image of an OCI archive by its `io.containerd.image.name` annotation, else by the raw `org.opencontainers.image.ref.name`, without normalising it: `web:1.0` is stored as `web:1.0`, while the importer looks up `docker.io/library/web:1.0` and does not find it.",
        zh: "containerd 用 OCI 镜像包中的 `io.containerd.image.name` 注解为镜像命名，没有时原样使用 `org.opencontainers.image.ref.name`，不做规范化：`web:1.0` 就以 `web:1.0` 保存，而导入程序查找的是 `docker.io/library/web:1.0`，因此找不到。",
    },
    fix: Text {
        en: "Save the image by its full name (`docker save goodrain.me/app/web:1.0`, or `skopeo copy … oci-archive:x.tar:docker.io/library/web:1.0`), or export the app again.",
        zh: "按完整名称保存镜像（`docker save goodrain.me/app/web:1.0`，或 `skopeo copy … oci-archive:x.tar:docker.io/library/web:1.0`），或重新导出应用。",
    },
    example: "index.json whose only name is `org.opencontainers.image.ref.name: web:1.0`",
    evidence: "containerd v1.5.13 images/archive/importer.go:ImportIndex names an OCI image by io.containerd.image.name, else the raw org.opencontainers.image.ref.name, unnormalised; the importer looks up the normalised share_image (tested with containerd 1.6)",
    fails_on: Targets::CONTAINERD,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static IMG014: Rule = Rule {
    code: "IMG014",
    name: "hard-link-member",
    severity: Severity::Error,
    title: Text { en: "An image archive stores a needed file as a hard link", zh: "镜像包把需要的文件存为硬链接" },
    why: Text {
        en: "containerd's importer reads only regular files of the archive: a layer or config stored as a hard link is \"not found\" and the load fails. Docker follows hard links and loads it.",
        zh: "containerd 的导入程序只读取镜像包中的普通文件：以硬链接存放的镜像层或配置会报 \"not found\"，加载失败。Docker 会跟随硬链接，可以加载。",
    },
    fix: Text {
        en: "Save the images again with `docker save` (which writes symlinks or regular files), or pack the archive with `tar --hard-dereference`.",
        zh: "用 `docker save` 重新保存镜像（它写出的是符号链接或普通文件），或用 `tar --hard-dereference` 重新打包镜像包。",
    },
    example: "`abc/layer.tar` stored as a hard link to `def/layer.tar`",
    evidence: "containerd v1.5.13 images/archive/importer.go:ImportIndex reads regular files only: a layer stored as a hard link is \"not found\"; moby's untar follows hard links (tested both)",
    fails_on: Targets::CONTAINERD,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let wanted = cx.wanted_images();
    let images_missing = cx.images_missing_from(|v| v.loaded_path && v.archive.damage.is_none());
    for view in cx.archives.iter().filter(|v| v.archive.compression.is_none() && !v.archive.not_tar && !v.apple_double()) {
        // An archive a target does not load cannot fail its import.
        let mut found = Vec::new();
        empty_archive(cx, view, &mut found);
        empty_index(view, &mut found);
        oci_only(view, &mut found);
        oci_layout(view, &wanted, &mut found);
        damaged(view, images_missing, &mut found);
        missing_members(view, &mut found);
        hardlinked_members(view, &mut found);
        layer_counts(view, &mut found);
        names(view, &wanted, &mut found);
        digests(view, &mut found);
        out.extend(found.into_iter().map(|f| f.only_on(view.loaded_on())));
    }
    for view in &cx.archives {
        unsafe_members(view, out);
    }
    tag_collisions(cx, out);
    platforms(cx, out);
}

/// Offset of a member of an archive in the package stream.
fn position(view: &ArchiveView<'_>, member: &str) -> u64 {
    in_archive(view.archive, view.archive.member(member).map_or(0, |m| m.pos))
}

/// Offset in the package stream of a position inside an archive (after its
/// 512-byte header). Zip offsets come from the central directory, which is
/// untrusted: saturate rather than wrap.
fn in_archive(archive: &ImageArchive, pos: u64) -> u64 {
    archive.pos.saturating_add(BLOCK).saturating_add(pos)
}

fn push_limited(out: &mut Vec<Finding>, found: impl IntoIterator<Item = Finding>) {
    let mut listed = Listed::default();
    found.into_iter().for_each(|f| listed.push(f));
    listed.flush(out);
}

/// IMG011: members of an archive that leave it, devices and FIFOs.
fn unsafe_members(view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let archive = view.archive;
    let name = paths::file_name(&archive.path);
    push_limited(
        out,
        archive.unsafe_members.iter().map(|u| {
            let (en, zh) = match (u.kind, &u.link) {
                (Kind::Device | Kind::Fifo, _) => ("is a device file or FIFO".to_string(), "是设备文件或 FIFO".to_string()),
                (_, Some(target)) if !paths::leaves_archive(&u.path, Kind::File, None) => {
                    (format!("links to {target}, outside the archive"), format!("链接到包外的 {target}"))
                }
                _ => ("is an absolute path or climbs out with `..`".to_string(), "是绝对路径或用 `..` 跳出目录".to_string()),
            };
            IMG011.at(
                archive.location(&u.path),
                in_archive(archive, u.pos),
                format!("{} in {name} {en}: no image exporter writes this, and the runtimes refuse the archive.", u.path),
                format!("{name} 中的 {} {zh}：镜像导出工具从不生成此类条目，运行时会拒绝该镜像包。", u.path),
            )
        }),
    );
}

/// IMG002.
fn empty_index(view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let a = &view.analysis;
    let empty = matches!(&a.index, Doc::Null) || matches!(&a.index, Doc::Present(d) if d.is_empty());
    if empty && a.manifest == Doc::Absent {
        let name = paths::file_name(&view.archive.path);
        out.push(IMG002.at(
            view.archive.location("index.json"),
            position(view, "index.json"),
            format!("{name} holds no image: its index.json lists no manifests and there is no manifest.json. `docker load` refuses an archive without manifest.json; containerd imports nothing from it."),
            format!("{name} 中没有任何镜像：index.json 没有列出任何清单，也没有 manifest.json。`docker load` 会拒绝没有 manifest.json 的镜像包；containerd 不会从中导入任何镜像。"),
        ));
    }
}

/// IMG003.
fn oci_only(view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let a = &view.analysis;
    if a.manifest == Doc::Absent && a.oci_images() > 0 {
        let name = paths::file_name(&view.archive.path);
        out.push(IMG003.at(
            view.archive.location("index.json"),
            position(view, "index.json"),
            format!("{name} is an OCI archive without manifest.json: containerd imports it, but `docker load` before Docker 25 rejects it, so the import fails on Docker-based clusters."),
            format!("{name} 是没有 manifest.json 的 OCI 镜像包：containerd 可以导入，但 Docker 25 之前的 `docker load` 会拒绝它，在基于 Docker 的集群中导入会失败。"),
        ));
    }
}

/// IMG007: the archive's tar is damaged, or a JSON document is malformed.
/// `images_missing`: some share_image is carried by no intact archive.
fn damaged(view: &ArchiveView<'_>, images_missing: bool, out: &mut Vec<Finding>) {
    let archive = view.archive;
    let name = paths::file_name(&archive.path);
    if let Some(d) = &archive.damage {
        let loc = d.member.as_deref().map_or_else(|| archive.path.clone(), |m| archive.location(m));
        let finding = IMG007.at(
            loc,
            in_archive(archive, d.pos),
            format!("{name} is damaged: {} (at byte {} of the archive). Loading it fails.", d.fault.en(), d.pos),
            format!("{name} 已损坏：{}（位于镜像包第 {} 字节）。加载会失败。", d.fault.zh(), d.pos),
        );
        // containerd reads a cut archive to a clean end; with no manifest
        // before the cut it answers "unrecognized image format" (ignored):
        // the import fails there only when images are then missing.
        let unrecognized = d.truncated && ["manifest.json", "index.json", "oci-layout"].iter().all(|m| archive.member(m).is_none());
        out.push(if unrecognized && !images_missing { finding.only_on(Targets::DOCKER) } else { finding });
    }
    let found: Vec<Finding> = view
        .analysis
        .malformed
        .iter()
        .map(|(member, what)| {
            IMG007.at(
                archive.location(member),
                position(view, member),
                format!("{name}: {member} is malformed: {}. Loading the archive fails.", what.en()),
                format!("{name}：{member} 格式错误：{}。加载该镜像包会失败。", what.zh()),
            )
        })
        .collect();
    push_limited(out, found);
}

/// IMG004: members named by a manifest, and symlinks, that point nowhere.
fn missing_members(view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let archive = view.archive;
    if archive.damage.is_some() || archive.members_cut {
        return; // the walk stopped early: absence proves nothing
    }
    let name = paths::file_name(&archive.path);
    let missing = view.analysis.missing.iter().map(|m| {
        IMG004.at(
            archive.location(&m.member),
            position(view, &m.named_in),
            format!("{} names the {} {}, which {name} does not contain: loading fails.", m.named_in, m.what.en(), m.member),
            format!("{} 引用的{} {} 不在 {name} 中：加载会失败。", m.named_in, m.what.zh(), m.member),
        )
    });
    // containerd's importer fails on any symlink without a target; Docker
    // only on one a manifest names (reported above).
    let dangling = archive.members.iter().filter(|m| m.kind == Kind::Symlink && images::resolve(archive, &m.path).is_none()).map(|m| {
        let target = m.link.as_deref().unwrap_or("");
        IMG004
            .at(
                archive.location(&m.path),
                in_archive(archive, m.pos),
                format!("{} is a symlink to {target}, which {name} does not contain: containerd's importer fails on it (\"no target for symlink layer\"); Docker loads the archive when no manifest names it.", m.path),
                format!("{} 是指向 {target} 的符号链接，但 {name} 中没有该文件：containerd 的导入程序会因此失败（\"no target for symlink layer\"）；没有清单引用它时 Docker 可以加载该镜像包。", m.path),
            )
            .only_on(Targets::CONTAINERD)
    });
    push_limited(out, missing.chain(dangling));
}

/// IMG005.
fn layer_counts(view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let found: Vec<Finding> = view
        .analysis
        .images
        .iter()
        .filter_map(|image| {
            let ids = image.diff_ids.as_ref()?;
            (ids.len() != image.layers.len()).then(|| {
                let config = image.config.clone().unwrap_or_default();
                let who = image.tags.first().cloned().unwrap_or_else(|| config.clone());
                IMG005.at(
                    view.archive.location(&config),
                    position(view, &config),
                    format!(
                        "Image {who}: the manifest names {} layers but its config lists {} diff_ids. The runtime refuses the image.",
                        image.layers.len(),
                        ids.len()
                    ),
                    format!("镜像 {who}：清单列出 {} 个层，而配置中有 {} 个 diff_ids。运行时会拒绝该镜像。", image.layers.len(), ids.len()),
                )
            })
        })
        .collect();
    push_limited(out, found);
}

/// IMG006: RepoTags entries that fail a load; IMG013: OCI images that
/// containerd stores under a short raw name the importer never looks up.
/// An image without any name is a problem only when a component needs it
/// (then XRF001 says so).
fn names(view: &ArchiveView<'_>, wanted: &HashSet<String>, out: &mut Vec<Finding>) {
    let a = &view.analysis;
    let archive = view.archive;
    let mut found = Listed::default();
    if let Doc::Present(entries) = &a.manifest {
        for (i, e) in entries.iter().enumerate() {
            let config = e.config.clone().unwrap_or_else(|| format!("manifest.json[{i}]"));
            for tag in &e.repo_tags {
                let quoted = metadata::quote(tag, 80);
                let finding = match reference::parse(tag) {
                    Ok(r) if r.digest.is_some() => IMG006.at(
                        archive.location("manifest.json"),
                        position(view, "manifest.json"),
                        format!("The tag {quoted} of image {config} carries a digest: loading fails (\"normalize image ref\")."),
                        format!("镜像 {config} 的标签 {quoted} 带有摘要：加载会失败（\"normalize image ref\"）。"),
                    ),
                    Ok(r) if r.tag.is_none() => IMG006
                        .at(
                            archive.location("manifest.json"),
                            position(view, "manifest.json"),
                            format!("The RepoTags entry {quoted} of image {config} has no tag: `docker load` fails with \"invalid tag\"; containerd names it {quoted}:latest."),
                            format!("镜像 {config} 的 RepoTags 条目 {quoted} 没有标签：`docker load` 会以 \"invalid tag\" 失败；containerd 会把它命名为 {quoted}:latest。"),
                        )
                        .only_on(Targets::DOCKER),
                    Ok(_) => continue,
                    Err(e) => IMG006.at(
                        archive.location("manifest.json"),
                        position(view, "manifest.json"),
                        format!("The tag {quoted} of image {config} is not a valid name:tag ({}): loading fails (\"normalize image ref\").", e.en()),
                        format!("镜像 {config} 的标签 {quoted} 不是合法的 名称:标签（{}）：加载会失败（\"normalize image ref\"）。", e.zh()),
                    ),
                };
                found.push(finding);
            }
        }
    }
    if a.has_oci_layout() {
        if let Doc::Present(descriptors) = &a.index {
            for d in descriptors.iter().filter(|d| d.names.is_empty()) {
                let Some(raw) = &d.ref_name else { continue };
                // containerd stores the raw name: only a full, normalised
                // reference is the name the importer looks up.
                let Some(normal) = reference::normalize(raw).filter(|n| n != raw && wanted.contains(n)) else { continue };
                found.push(IMG013.at(
                    archive.location("index.json"),
                    position(view, "index.json"),
                    format!(
                        "index.json entry {} is named only by {} = {}: containerd stores the image as {}, but the importer looks up {normal} and the import fails.",
                        d.digest,
                        images::OCI_REF_NAME,
                        metadata::quote(raw, 40),
                        metadata::quote(raw, 40)
                    ),
                    format!(
                        "index.json 中的条目 {} 只有名称 {} = {}：containerd 会以 {} 保存该镜像，而导入程序查找的是 {normal}，导入失败。",
                        d.digest,
                        images::OCI_REF_NAME,
                        metadata::quote(raw, 40),
                        metadata::quote(raw, 40)
                    ),
                ));
            }
        }
    }
    found.flush(out);
}

/// IMG012: an OCI archive containerd does not recognise, or whose layout
/// version it refuses.
fn oci_layout(view: &ArchiveView<'_>, wanted: &HashSet<String>, out: &mut Vec<Finding>) {
    let a = &view.analysis;
    let name = paths::file_name(&view.archive.path);
    match &a.oci_layout {
        Doc::Present(version) if version.as_deref() != Some(OCI_LAYOUT_VERSION) => {
            let version = version.as_deref().map_or_else(|| "(none)".to_string(), |v| metadata::quote(v, 20));
            out.push(IMG012.at(
                view.archive.location("oci-layout"),
                position(view, "oci-layout"),
                format!("{name}: oci-layout says imageLayoutVersion {version}, not {OCI_LAYOUT_VERSION}: containerd refuses the archive (\"unsupported OCI version\") and the import fails."),
                format!("{name}：oci-layout 中的 imageLayoutVersion 为 {version}，不是 {OCI_LAYOUT_VERSION}：containerd 会拒绝该镜像包（\"unsupported OCI version\"），导入失败。"),
            ))
        }
        Doc::Absent if a.manifest == Doc::Absent && a.oci_images() > 0 => {
            let needed = a.images.iter().any(|i| i.normalized_names().iter().any(|n| wanted.contains(n)));
            let finding = IMG012.at(
                view.archive.location("index.json"),
                position(view, "index.json"),
                format!("{name} has index.json but neither oci-layout nor manifest.json: containerd answers \"unrecognized image format\", which the importer ignores, so none of its images will exist."),
                format!("{name} 有 index.json，但既没有 oci-layout 也没有 manifest.json：containerd 会返回 \"unrecognized image format\"，导入程序忽略该错误，其中的镜像都不会存在。"),
            );
            out.push(if needed { finding } else { finding.severity(Severity::Warning) });
        }
        _ => {}
    }
}

/// The only OCI image layout version containerd accepts.
const OCI_LAYOUT_VERSION: &str = "1.0.0";

/// IMG014: a config or layer a manifest names that is stored as a hard link.
fn hardlinked_members(view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let archive = view.archive;
    let name = paths::file_name(&archive.path);
    let mut found = Listed::default();
    for image in &view.analysis.images {
        for path in image.config.iter().chain(&image.layers) {
            let Some(m) = archive.member(&paths::normalize(path)).filter(|m| m.kind == Kind::Hardlink) else { continue };
            found.push(IMG014.at(
                archive.location(&m.path),
                in_archive(archive, m.pos),
                format!("{} in {name} is stored as a hard link to {}: containerd's importer does not follow hard links and fails (\"not found\"); Docker loads it.", m.path, m.link.as_deref().unwrap_or("")),
                format!("{name} 中的 {} 以硬链接形式指向 {}：containerd 的导入程序不跟随硬链接，会以 \"not found\" 失败；Docker 可以加载。", m.path, m.link.as_deref().unwrap_or("")),
            ));
        }
    }
    found.flush(out);
}

/// IMG008 (only with --deep, when digests were computed).
fn digests(view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let archive = view.archive;
    let name = paths::file_name(&archive.path);
    let mut found = Listed::default();
    for m in &archive.members {
        let Some(d) = &m.digests else { continue };
        let named = m.path.strip_prefix("blobs/sha256/").or_else(|| m.path.strip_suffix(".json").filter(|h| h.len() == 64));
        if let Some(hex) = named.filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())) {
            if d.stored != hex {
                found.push(IMG008.at(
                    archive.location(&m.path),
                    in_archive(archive, m.pos),
                    format!(
                        "{} in {name} is named by sha256 {hex}, but its content hashes to {}: the bytes changed after the export.",
                        m.path, d.stored
                    ),
                    format!("{name} 中的 {} 以 sha256 {hex} 命名，但其内容的摘要为 {}：导出后数据已变化。", m.path, d.stored),
                ));
            }
        }
    }
    for image in &view.analysis.images {
        let Some(ids) = &image.diff_ids else { continue };
        for (layer, id) in image.layers.iter().zip(ids) {
            let Some(m) = images::resolve(archive, layer) else { continue };
            let Some(d) = &m.digests else { continue };
            // A compressed layer that does not inflate has no content digest:
            // its blob's own digest (above) reports the damage.
            let content = match (m.compression, &d.content) {
                (None, _) => &d.stored,
                (Some(_), Some(c)) => c,
                (Some(_), None) => continue,
            };
            if id.strip_prefix("sha256:") != Some(content) {
                found.push(IMG008.at(
                    archive.location(layer),
                    in_archive(archive, m.pos),
                    format!("Layer {layer} in {name} hashes to sha256:{content}, but the image config expects {id}: the layer changed after the export."),
                    format!("{name} 中的镜像层 {layer} 摘要为 sha256:{content}，而镜像配置要求 {id}：导出后该层已变化。"),
                ));
            }
        }
    }
    found.flush(out);
}

/// The identity of an image: its config's digest (or path).
fn identity(image: &Image) -> String {
    let config = image.config.as_deref().unwrap_or("");
    let file = paths::file_name(config);
    file.strip_suffix(".json").unwrap_or(file).to_string()
}

/// IMG009: one normalised name, two different images.
fn tag_collisions(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut owners: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut found = Listed::default();
    for view in cx.archives.iter().filter(|v| v.loaded()) {
        for image in &view.analysis.images {
            let id = identity(image);
            for name in image.normalized_names() {
                match owners.get(&name) {
                    Some((other, where_)) if *other != id && !other.is_empty() && !id.is_empty() => found.push(IMG009.at(
                        view.archive.path.clone(),
                        view.archive.pos,
                        format!(
                            "{name} names two different images: {} in {where_} and {} in {}. The one loaded last wins.",
                            short(other),
                            short(&id),
                            view.archive.path
                        ),
                        format!(
                            "{name} 同时指向两个不同的镜像：{where_} 中的 {} 和 {} 中的 {}。最后加载的会覆盖前者。",
                            short(other),
                            view.archive.path,
                            short(&id)
                        ),
                    )),
                    Some(_) => {}
                    None => {
                        owners.insert(name, (id.clone(), view.archive.path.clone()));
                    }
                }
            }
        }
    }
    found.flush(out);
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// The architecture names Docker and Go use for the same platform.
fn same_arch(a: &str, b: &str) -> bool {
    let canon = |s: &str| match s {
        "x86_64" | "x86-64" => "amd64".to_string(),
        "aarch64" => "arm64".to_string(),
        other => other.to_ascii_lowercase(),
    };
    canon(a) == canon(b)
}

/// IMG010: non-Linux images and images of another architecture than their
/// component's.
fn platforms(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut found = Listed::default();
    let wanted: Vec<(String, String)> = cx
        .components()
        .iter()
        .filter_map(|c| {
            let image = reference::normalize(get_str(c, "share_image")?)?;
            let arch = get_str(c, "arch").filter(|a| !a.is_empty()).unwrap_or("amd64");
            Some((image, arch.to_string()))
        })
        .collect();
    for view in cx.archives.iter().filter(|v| v.loaded()) {
        for image in &view.analysis.images {
            let who = image.tags.first().cloned().unwrap_or_else(|| identity(image));
            let config = image.config.clone().unwrap_or_default();
            if let Some(os) = image.os.as_deref().filter(|os| *os != "linux") {
                found.push(IMG010.at(
                    view.archive.location(&config),
                    position(view, &config),
                    format!("Image {who} is built for the OS \"{os}\", not linux: it cannot run on Rainbond."),
                    format!("镜像 {who} 是为操作系统 \"{os}\" 构建的，不是 linux：无法在 Rainbond 上运行。"),
                ));
            }
            let Some(arch) = image.architecture.as_deref() else { continue };
            let names = image.normalized_names();
            if let Some((_, want)) = wanted.iter().find(|(n, a)| names.contains(n) && !same_arch(a, arch)) {
                found.push(IMG010.at(
                    view.archive.location(&config),
                    position(view, &config),
                    format!("Image {who} is built for {arch}, but its component's arch is {want}: it imports but fails to start (\"exec format error\")."),
                    format!("镜像 {who} 是为 {arch} 构建的，而其组件的 arch 为 {want}：可以导入，但无法启动（\"exec format error\"）。"),
                ));
            }
        }
    }
    found.flush(out);
}

fn empty_archive(cx: &Context<'_>, view: &ArchiveView<'_>, out: &mut Vec<Finding>) {
    let (archive, a) = (view.archive, &view.analysis);
    if archive.damage.is_some() || !a.is_empty() {
        return;
    }
    // `[]` loads everywhere; an empty OCI index without manifest.json is IMG002's.
    if a.manifest != Doc::Null {
        return;
    }
    let doc_name = "manifest.json";
    let name = paths::file_name(&archive.path);
    let loc = archive.location(doc_name);
    let pos = archive.pos.saturating_add(archive.member(doc_name).map_or(0, |m| m.pos));
    let finding = IMG001.at(
        loc,
        pos,
        format!("{name} holds no image: its manifest.json is null. Docker 23 and later refuse it (\"invalid manifest, manifest cannot be null (but can be [])\") and the import fails; containerd and Docker 20.10 load nothing from it and go on."),
        format!("{name} 中没有任何镜像：其 manifest.json 的内容为 null。Docker 23 及以后版本会拒绝加载（\"invalid manifest, manifest cannot be null (but can be [])\"），导入失败；containerd 和 Docker 20.10 不会从中加载任何内容，导入继续。"),
    );
    let dir = cx.app_dir.clone().unwrap_or_else(|| "<app>-<version>-ram".into());
    let finding = if name == "plugin-images.tar" && cx.plugins().is_empty() {
        finding.fix(
            format!("The app has no plugins: delete {name} and pack the directory again with `tar -czf {dir}.tar.gz {dir}` (or run `ramcheck fix`), or export again from Rainbond v5.17.3 or later."),
            format!("该应用没有插件：删除 {name}，再执行 `tar -czf {dir}.tar.gz {dir}` 重新打包（或执行 `ramcheck fix`），也可以在 Rainbond v5.17.3 及以上版本重新导出。"),
        )
    } else if name == "plugin-images.tar" || name == "component-images.tar" {
        let what = if name == "plugin-images.tar" { "plugins" } else { "components" };
        let what_zh = if name == "plugin-images.tar" { "插件" } else { "组件" };
        finding.fix(
            format!("The template has {what}, so {name} should carry their images: the export did not save them. Export the app again from a cluster running Rainbond v5.17.3 or later."),
            format!("模板中有{what_zh}，{name} 本应包含它们的镜像：导出时没有保存。请在 Rainbond v5.17.3 及以上版本的集群中重新导出应用。"),
        )
    } else {
        finding
    };
    out.push(finding);
}
