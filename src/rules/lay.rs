//! LAY: the layout inside the package.

use super::{Context, Rule, Text};
use crate::target::Targets;
use std::collections::HashMap;

use super::repairable::{Repairable, NEEDS_A_DECISION, NOT_A_PACKAGE};
use crate::container::paths;
use crate::container::tarwalk::Kind;
use crate::rules::{Finding, Listed, Severity};
use crate::scan::Shallow;

pub static LAY001: Rule = Rule {
    code: "LAY001",
    name: "no-single-root",
    severity: Severity::Error,
    title: Text { en: "The package is not rooted in one directory", zh: "安装包没有唯一的顶层目录" },
    why: Text {
        en: "After unpacking, the importer takes the first top-level entry (in name order) as the app directory and opens metadata.json inside it. When metadata.json and the image archives sit at the root (a \"flat\" repack), that entry is a file and the import fails (\"Failed to read files in tmp dir\").",
        zh: "解压后，导入程序按名称顺序取第一个顶层条目作为应用目录，并打开其中的 metadata.json。如果 metadata.json 和镜像包直接位于压缩包根部（“平铺”重新打包），第一个条目是文件，导入失败（\"Failed to read files in tmp dir\"）。",
    },
    fix: Text {
        en: "Put everything in one directory named like the package and pack that directory: `mkdir app-1.0-ram && mv metadata.json *.tar app-1.0-ram/ && tar -czf app-1.0-ram.tar.gz app-1.0-ram`.",
        zh: "把所有文件放进一个与安装包同名的目录，再打包该目录：`mkdir app-1.0-ram && mv metadata.json *.tar app-1.0-ram/ && tar -czf app-1.0-ram.tar.gz app-1.0-ram`。",
    },
    example: "a package made with `tar -czf app.tar.gz -C app-1.0-ram .`",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import opens ioutil.ReadDir(dir)[0]/metadata.json: a flat archive's first entry is a file, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static LAY003: Rule = Rule {
    code: "LAY003",
    name: "metadata-missing",
    severity: Severity::Error,
    title: Text { en: "metadata.json is missing from the app directory", zh: "应用目录中缺少 metadata.json" },
    why: Text {
        en: "The importer opens exactly `<app directory>/metadata.json` (the name is case-sensitive). Without it the import fails with \"Failed to read files in tmp dir\" before any image is loaded.",
        zh: "导入程序只打开 `<应用目录>/metadata.json`（文件名区分大小写）。缺少该文件时，导入在加载任何镜像之前就以 \"Failed to read files in tmp dir\" 失败。",
    },
    fix: Text {
        en: "Export the app again; if you repacked the package by hand, make sure metadata.json sits directly in the app directory under exactly that name.",
        zh: "重新导出应用；如果是手工重新打包的，请确保 metadata.json 直接位于应用目录下，且文件名完全一致。",
    },
    example: "app-1.0-ram/ holding component-images.tar only",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import opens exactly <first dir>/metadata.json, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static LAY002: Rule = Rule {
    code: "LAY002",
    name: "extra-top-level",
    severity: Severity::Error,
    title: Text { en: "Entries beside the app directory at the top level", zh: "应用目录之外还有其他顶层条目" },
    why: Text {
        en: "The importer takes the first top-level entry in name order as the app directory. An entry that sorts before it (`._app-1.0-ram` and `__MACOSX` from macOS, a README, a second package) is opened instead and the import fails. Entries that sort after it are ignored today, but they are not part of an export.",
        zh: "导入程序按名称顺序取第一个顶层条目作为应用目录。排在应用目录之前的条目（macOS 生成的 `._app-1.0-ram` 和 `__MACOSX`、README、另一个安装包）会被当作应用目录打开，导入失败。排在其后的条目目前会被忽略，但它们不属于导出内容。",
    },
    fix: Text {
        en: "Pack only the app directory: `tar -czf app-1.0-ram.tar.gz app-1.0-ram` (on macOS set `COPYFILE_DISABLE=1` first so that no `._*` files are added), or run `ramcheck fix`.",
        zh: "只打包应用目录：`tar -czf app-1.0-ram.tar.gz app-1.0-ram`（在 macOS 上先设置 `COPYFILE_DISABLE=1`，避免加入 `._*` 文件），或执行 `ramcheck fix`。",
    },
    example: "__MACOSX/ and ._app-1.0-ram beside app-1.0-ram/",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import takes the first entry of the bytewise-sorted listing (ioutil.ReadDir) as the app directory, all lines; an entry sorting after it is ignored",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static LAY004: Rule = Rule {
    code: "LAY004",
    name: "wrong-package-kind",
    severity: Severity::Error,
    title: Text { en: "Not an application-model package", zh: "不是应用模型安装包" },
    why: Text {
        en: "The export dialog also writes docker-compose, slug and Helm packages; none of them has metadata.json, so offline import fails with \"Failed to read files in tmp dir\".",
        zh: "导出对话框还会生成 docker-compose 包、slug 包和 Helm 包，它们都没有 metadata.json，离线导入会以 \"Failed to read files in tmp dir\" 失败。",
    },
    fix: Text {
        en: "Export the app again choosing the \"rainbond-app\" format and upload the file named <app>-<version>-ram.tar.gz.",
        zh: "重新导出应用并选择“rainbond-app”格式，上传名为 <应用>-<版本>-ram.tar.gz 的文件。",
    },
    example: "app-1.0-dockercompose.tar.gz (docker-compose.yaml, run.sh, images)",
    evidence: "goodrain/rainbond-oam pkg/export/export.go:New writes -dockercompose, -slug and -helm packages without metadata.json; the importer needs it, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::No(NOT_A_PACKAGE),
};

pub static LAY005: Rule = Rule {
    code: "LAY005",
    name: "stray-tar",
    severity: Severity::Error,
    title: Text { en: "A .tar the importer loads is not an image archive", zh: "导入程序会加载的 .tar 文件不是镜像包" },
    why: Text {
        en: "The importer loads every file ending in .tar one or two levels below the app directory as an image archive. One that is not (a macOS `._*.tar` AppleDouble file, a backup, a nested package) makes `docker load` fail and the import with it; containerd importers tolerate only a few such files.",
        zh: "导入程序会把应用目录下一到两层中所有以 .tar 结尾的文件当作镜像包加载。不是镜像包的文件（macOS 的 `._*.tar` AppleDouble 文件、备份、嵌套的安装包）会使 `docker load` 失败，导入随之失败；containerd 导入程序只容忍其中少数情况。",
    },
    fix: Text {
        en: "Delete the file from the app directory and pack again with `tar -czf` (or run `ramcheck fix`).",
        zh: "从应用目录中删除该文件，再用 `tar -czf` 重新打包（或执行 `ramcheck fix`）。",
    },
    example: "app-1.0-ram/._component-images.tar",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import loads every *.tar at depth 1 and 2 and tolerates exactly \"unrecognized image format\" (oam dd668a6); containerd v1.5.13 images/archive/importer.go:ImportIndex returns that for a tar without manifest.json or oci-layout, moby image/tarexport/load.go fails; a file that is no tar fails both (tested with containerd 1.6 and Docker 20.10)",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static LAY006: Rule = Rule {
    code: "LAY006",
    name: "unsafe-path",
    severity: Severity::Error,
    title: Text { en: "A path or link leaves the archive", zh: "路径或链接指向压缩包之外" },
    why: Text {
        en: "An absolute path, a `..` component or a link whose target leaves the archive would write or point outside the extraction directory on the server. GNU tar refuses such members (\"Removing leading `/'\", \"Member name contains '..'\") and no exporter writes them: the package was altered.",
        zh: "绝对路径、含 `..` 的路径或指向压缩包之外的链接，会在服务器上写到或指向解压目录之外。GNU tar 会拒绝这类条目，导出程序也从不生成：安装包已被修改。",
    },
    fix: Text {
        en: "Do not upload this package. Export the app again from the source cluster.",
        zh: "不要上传此安装包。请从源集群重新导出应用。",
    },
    example: "app-1.0-ram/../../etc/cron.d/x",
    evidence: "a ramcheck safety limit: GNU tar refuses `..` members (tested, exit 2), busybox strips them and goes on, both strip a leading `/`; a package must never write outside its folder",
    fails_on: Targets::ALL,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static LAY007: Rule = Rule {
    code: "LAY007",
    name: "compressed-image-archive",
    severity: Severity::Error,
    title: Text { en: "An image archive is compressed or misnamed", zh: "镜像包被压缩或命名不正确" },
    why: Text {
        en: "The importer loads only files whose name ends in `.tar`, and loads them as plain tars. `component-images.tar.gz` is ignored, so its images are missing; a gzip-compressed file named `.tar` is refused by containerd and by older Docker.",
        zh: "导入程序只加载文件名以 `.tar` 结尾的文件，并按未压缩的 tar 读取。`component-images.tar.gz` 会被忽略，其中的镜像因此缺失；以 `.tar` 命名但经过 gzip 压缩的文件会被 containerd 和旧版 Docker 拒绝。",
    },
    fix: Text {
        en: "Decompress the archive and name it `.tar`: `gunzip -c component-images.tar.gz > component-images.tar`, delete the compressed one, and pack the directory again.",
        zh: "解压该镜像包并以 `.tar` 命名：`gunzip -c component-images.tar.gz > component-images.tar`，删除压缩文件后重新打包目录。",
    },
    example: "app-1.0-ram/component-images.tar.gz",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import loads only names ending in .tar (GetFileList + HasSuffix); containerd v1.5.13 Client.Import reads the raw stream without decompressing it",
    fails_on: Targets::CONTAINERD,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static LAY008: Rule = Rule {
    code: "LAY008",
    name: "legacy-layout",
    severity: Severity::Warning,
    title: Text { en: "The package has the v5.0–v5.2 layout", zh: "安装包是 v5.0–v5.2 的旧版布局" },
    why: Text {
        en: "Packages from Rainbond v5.0 to v5.2 keep one directory per component holding `<name>TAG<tag>.image.tar` or a slug `.tgz`. Current importers still load image tars one level down, but not slug components, and they find legacy image names only on the Docker runtime.",
        zh: "Rainbond v5.0 到 v5.2 的安装包为每个组件建一个目录，其中是 `<名称>TAG<标签>.image.tar` 或 slug `.tgz` 文件。当前的导入程序仍会加载下一层目录中的镜像 tar，但不会导入 slug 组件，且只有 Docker 运行时能找到旧式镜像名称。",
    },
    fix: Text {
        en: "Import the package on a v5.x cluster and export it again from there, or export it again from the source cluster after upgrading it.",
        zh: "先在 v5.x 集群导入，再从那里重新导出；或将源集群升级后重新导出。",
    },
    example: "app-1.0-ram/web/webTAGv1.image.tar",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import: the v5.0 to v5.2 layout is not read; the pre-5.3 save name is retried only on Docker's \"No such image\"",
    fails_on: Targets::NONE,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static LAY009: Rule = Rule {
    code: "LAY009",
    name: "zip-without-directories",
    severity: Severity::Error,
    title: Text { en: "A zip member's directory has no entry of its own", zh: "zip 中文件所在目录没有对应的目录条目" },
    why: Text {
        en: "The importer's unzip creates a directory only for a directory entry and opens each file without creating its parents. A zip made without directory entries (`zip -D`, some GUI tools, many libraries) fails with \"targetFile; error opening file: … no such file or directory\".",
        zh: "导入程序解压 zip 时只为目录条目创建目录，打开文件时不会创建其父目录。没有目录条目的 zip（`zip -D`、部分图形工具和程序库生成的）会以 \"targetFile; error opening file: … no such file or directory\" 失败。",
    },
    fix: Text {
        en: "Upload the .tar.gz the exporter wrote, or make the zip with directory entries: `zip -r app-1.0-ram.zip app-1.0-ram` (or run `ramcheck fix`, which writes a .tar.gz).",
        zh: "上传导出程序生成的 .tar.gz，或制作带目录条目的 zip：`zip -r app-1.0-ram.zip app-1.0-ram`（或执行 `ramcheck fix`，它会生成 .tar.gz）。",
    },
    example: "a zip holding app-1.0-ram/metadata.json but no app-1.0-ram/ entry",
    evidence: "goodrain/rainbond-oam pkg/util/common.go:Unzip creates directories only for directory entries and opens files without creating parents, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static LAY010: Rule = Rule {
    code: "LAY010",
    name: "special-file",
    severity: Severity::Error,
    title: Text { en: "A device file or FIFO in the package", zh: "安装包中有设备文件或 FIFO" },
    why: Text {
        en: "The importer unpacks as root, and tar creates device nodes and FIFOs as written: a device node gives access to the server's hardware or memory, and reading a FIFO blocks the import forever. No exporter writes them: the package was altered.",
        zh: "导入程序以 root 身份解压，tar 会按原样创建设备节点和 FIFO：设备节点可访问服务器的硬件或内存，读取 FIFO 会使导入永远阻塞。导出程序从不生成这类文件：安装包已被修改。",
    },
    fix: Text { en: "Do not upload this package. Export the app again from the source cluster.", zh: "不要上传此安装包。请从源集群重新导出应用。" },
    example: "app-1.0-ram/disk, a block device",
    evidence: "a ramcheck safety limit: GNU tar as root creates device nodes and FIFOs (tested); a FIFO named *.tar blocks the image load",
    fails_on: Targets::ALL,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static LAY011: Rule = Rule {
    code: "LAY011",
    name: "duplicate-entry",
    severity: Severity::Warning,
    title: Text { en: "The same path appears twice in the package", zh: "同一路径在安装包中出现了两次" },
    why: Text {
        en: "When a path is in the archive twice, extraction writes the first copy and then overwrites it with the last, so the first is silently lost (ramcheck judges the last, as the importer sees it). No exporter writes a path twice: the package was appended to (`tar -rf`) or altered.",
        zh: "同一路径在压缩包中出现两次时，解压会先写入第一份，再用最后一份覆盖，第一份被悄悄丢弃（ramcheck 按导入程序所见判断最后一份）。导出程序从不重复写入同一路径：安装包被追加过（`tar -rf`）或被修改过。",
    },
    fix: Text {
        en: "Unpack the package, check that the files are the ones you mean to import, and pack the app directory again with `tar -czf`; or export the app again.",
        zh: "解压安装包，确认其中的文件正是要导入的，再用 `tar -czf` 重新打包应用目录；或重新导出应用。",
    },
    example: "app-1.0-ram/metadata.json twice, the second added by `tar -rf`",
    evidence: "GNU tar and busybox overwrite a path written twice: the last copy wins (tested)",
    fails_on: Targets::NONE,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if !cx.pkg.walked {
        return;
    }
    unsafe_paths(cx, out);
    special_files(cx, out);
    duplicates(cx, out);
    zip_orphans(cx, out);
    if no_single_root(cx, out) {
        return;
    }
    match other_kind(cx) {
        Some(kind) => wrong_kind(cx, kind, out),
        None => missing_metadata(cx, out),
    }
    extra_top_level(cx, out);
    stray_and_compressed(cx, out);
    legacy_layout(cx, out);
}

/// LAY001. Returns whether the package is flat (the other layout rules then
/// have no app directory to speak of).
fn no_single_root(cx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let flat_metadata = cx.pkg.metadata.iter().find(|m| !m.path.contains('/'));
    if let Some(m) = flat_metadata.filter(|m| cx.metadata.is_some_and(|chosen| chosen.path == m.path)) {
        out.push(LAY001.at(
            m.path.clone(),
            m.pos,
            "metadata.json sits at the root of the package instead of inside one app directory. The importer opens the first top-level entry as the app directory, finds a file, and fails.".into(),
            "metadata.json 位于压缩包根部，而不是在唯一的应用目录中。导入程序会把第一个顶层条目当作应用目录，发现它是文件，导入失败。".into(),
        ));
        return true;
    }
    let has_dir = cx.top.values().any(|(_, is_dir)| *is_dir);
    if let Some((first, (pos, _))) = cx.top.iter().next().filter(|_| !has_dir) {
        out.push(LAY001.at(
            first.clone(),
            *pos,
            format!("The package has no top-level directory: its first entry, {first}, is a file. The importer opens it as the app directory and fails."),
            format!("安装包没有顶层目录：第一个条目 {first} 是文件。导入程序会把它当作应用目录打开，导入失败。"),
        ));
        return true;
    }
    false
}

/// The kind of a package that is not an app model: (English, Chinese).
fn other_kind(cx: &Context<'_>) -> Option<(&'static str, &'static str)> {
    if !cx.pkg.metadata.is_empty() || !cx.pkg.complete() {
        return None;
    }
    let file = cx.pkg.file_name.as_str();
    let has = |pred: &dyn Fn(&str) -> bool| cx.pkg.shallow.iter().any(|m| pred(paths::file_name(&m.path)));
    if file.contains("-dockercompose") || has(&|n| n == "docker-compose.yaml" || n == "docker-compose.yml") {
        Some((
            "a docker-compose package (docker-compose.yaml, run.sh and images)",
            "docker-compose 包（docker-compose.yaml、run.sh 和镜像）",
        ))
    } else if file.contains("-helm") || has(&|n| n == "Chart.yaml") {
        Some(("a Helm chart package", "Helm Chart 包"))
    } else if file.contains("-slug") || (cx.archives.is_empty() && has(&|n| n.ends_with(".tgz"))) {
        Some(("a slug package (compiled source-code components)", "slug 包（源码构建组件的编译产物）"))
    } else if cx.archives.is_empty() {
        Some(("an archive with neither metadata.json nor image archives", "既没有 metadata.json 也没有镜像包的压缩包"))
    } else {
        None
    }
}

fn wrong_kind(cx: &Context<'_>, (kind, kind_zh): (&str, &str), out: &mut Vec<Finding>) {
    let file = cx.pkg.file_name.as_str();
    out.push(LAY004.at(
        file,
        0,
        format!("{file} is {kind}, not an application-model package: it has no metadata.json, so offline import fails."),
        format!("{file} 是{kind_zh}，不是应用模型安装包：其中没有 metadata.json，离线导入会失败。"),
    ));
}

/// LAY003.
fn missing_metadata(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if cx.metadata.is_some() || !cx.pkg.complete() {
        return;
    }
    let expected = cx.metadata_location();
    let near = cx.pkg.shallow.iter().find(|m| paths::file_name(&m.path).eq_ignore_ascii_case("metadata.json"));
    let (also, also_zh) = match near {
        Some(m) => (
            format!(" A file {} exists, but not under that exact name and place.", m.path),
            format!("存在文件 {}，但名称或位置不符。", m.path),
        ),
        None => (String::new(), String::new()),
    };
    out.push(LAY003.at(
        expected.clone(),
        0,
        format!("{expected} does not exist, so the importer cannot read the app template and fails before loading any image.{also}"),
        format!("{expected} 不存在，导入程序无法读取应用模板，会在加载镜像之前失败。{also_zh}"),
    ));
}

/// What a stray top-level entry usually is, for the message.
fn describe_stray(name: &str) -> (&'static str, &'static str) {
    if name.starts_with("._") {
        (" (a macOS AppleDouble file)", "（macOS 生成的 AppleDouble 文件）")
    } else if name == "__MACOSX" {
        (" (macOS resource forks added by Finder's Compress)", "（macOS 访达“压缩”时加入的资源分支）")
    } else if name == ".DS_Store" {
        (" (macOS Finder metadata)", "（macOS 访达的元数据文件）")
    } else {
        ("", "")
    }
}

/// LAY002.
fn extra_top_level(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(app) = cx.app_dir.as_deref() else { return };
    let extras: Vec<_> = cx.top.iter().filter(|(name, _)| name.as_str() != app).collect();
    let mut listed = Listed::default();
    for (name, (pos, is_dir)) in extras {
        let (what, what_zh) = describe_stray(name);
        let shown = if *is_dir { format!("{name}/") } else { name.to_string() };
        let finding = if name.as_str() < app {
            LAY002.at(
                shown.clone(),
                *pos,
                format!("{shown}{what} sits beside the app directory {app}/ and sorts before it: the importer opens {shown} as the app directory and the import fails."),
                format!("{shown}{what_zh}与应用目录 {app}/ 并列且排在它之前：导入程序会把 {shown} 当作应用目录打开，导入失败。"),
            )
        } else {
            LAY002
                .at(
                    shown.clone(),
                    *pos,
                    format!("{shown}{what} sits beside the app directory {app}/. It sorts after it, so today's importers ignore it, but it is not part of an export."),
                    format!("{shown}{what_zh}与应用目录 {app}/ 并列。它排在应用目录之后，目前的导入程序会忽略它，但它不属于导出内容。"),
                )
                .severity(Severity::Warning)
        };
        listed.push(finding);
    }
    listed.flush(out);
}

/// LAY005 and LAY007: `.tar` files the importer loads that are not plain
/// image archives, and image archives under names it does not load.
fn stray_and_compressed(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // A compressed archive is not walked: it is needed when a share_image is
    // carried by none of the plain archives.
    let needed = cx.images_missing_from(|v| v.loaded_path && v.archive.compression.is_none());
    for v in cx.archives.iter().filter(|v| v.loaded_path) {
        let a = v.archive;
        let name = paths::file_name(&a.path);
        if v.apple_double() {
            out.push(
                LAY005
                    .at(
                        a.path.clone(),
                        a.pos,
                        format!("{} is a macOS AppleDouble file (metadata that macOS writes beside a copied file), not an image archive. It ends in .tar, so the importer tries to load it and fails.", a.path),
                        format!("{} 是 macOS 的 AppleDouble 文件（macOS 复制文件时附带写出的元数据），不是镜像包。它以 .tar 结尾，导入程序会尝试加载它并失败。", a.path),
                    )
                    .fix(
                        "Delete the `._` files (`find . -name '._*' -delete`, or pack with `COPYFILE_DISABLE=1 tar -czf …` on macOS), or run `ramcheck fix`.",
                        "删除 `._` 开头的文件（`find . -name '._*' -delete`；在 macOS 上打包时使用 `COPYFILE_DISABLE=1 tar -czf …`），或执行 `ramcheck fix`。",
                    )
                    .only_on(v.loaded_on()),
            );
            continue;
        }
        if let Some(c) = a.compression {
            let finding = LAY007.at(
                a.path.clone(),
                a.pos,
                format!("{name} is {}-compressed, but image archives must be plain tars: containerd's importer reads the raw stream and does not recognise it (\"unrecognized image format\", ignored), so its images are not loaded; `docker load` decompresses it.", c.name()),
                format!("{name} 经过 {} 压缩，但镜像包必须是未压缩的 tar：containerd 的导入程序直接读取原始数据，无法识别它（\"unrecognized image format\"，会被忽略），其中的镜像不会被加载；`docker load` 会先解压再加载。", c.name()),
            );
            out.push(if needed { finding.only_on(Targets::CONTAINERD.and(v.loaded_on())) } else { finding.severity(Severity::Warning) });
            continue;
        }
        let holds_images = ["manifest.json", "index.json", "oci-layout"].iter().any(|m| a.member(m).is_some());
        if a.not_tar {
            out.push(
                LAY005
                    .at(
                        a.path.clone(),
                        a.pos,
                        format!("{} ends in .tar, so the importer loads it as an image archive, but it is not even a tar archive: both Docker and containerd fail on it and so does the import.", a.path),
                        format!("{} 以 .tar 结尾，导入程序会把它当作镜像包加载，但它根本不是 tar 包：Docker 和 containerd 都会加载失败，导入随之失败。", a.path),
                    )
                    .only_on(v.loaded_on()),
            );
        } else if !holds_images && a.damage.is_none() {
            out.push(
                LAY005
                    .at(
                        a.path.clone(),
                        a.pos,
                        format!("{} ends in .tar, so the importer loads it as an image archive, but it holds no manifest.json, index.json or oci-layout: `docker load` fails on it; containerd answers \"unrecognized image format\", which the importer ignores.", a.path),
                        format!("{} 以 .tar 结尾，导入程序会把它当作镜像包加载，但其中没有 manifest.json、index.json 或 oci-layout：`docker load` 会失败；containerd 返回 \"unrecognized image format\"，导入程序会忽略该错误。", a.path),
                    )
                    .fix(
                        format!("Move {name} out of the app directory, or rename it so that it no longer ends in .tar, then pack the directory again."),
                        format!("把 {name} 移出应用目录，或改名使其不再以 .tar 结尾，然后重新打包目录。"),
                    )
                    .only_on(Targets::DOCKER.and(v.loaded_on())),
            );
        }
    }
    let Some(app) = cx.app_dir.as_deref() else { return };
    const COMPRESSED_TAR: [&str; 6] = [".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar.zstd"];
    for m in cx.pkg.shallow.iter().filter(|m| m.depth() == 2 && m.path.starts_with(app)) {
        let name = paths::file_name(&m.path);
        if COMPRESSED_TAR.iter().any(|ext| name.ends_with(ext)) {
            // Its content is not walked: whether a component needs it shows
            // as XRF001 when the images are missing from every loaded archive.
            out.push(
                LAY007
                    .at(
                        m.path.clone(),
                        m.pos,
                        format!("{name} looks like a compressed image archive, but the importer loads only files ending in .tar: it ignores this one. If it holds images a component needs, they will be missing (XRF001)."),
                        format!("{name} 看起来是压缩过的镜像包，但导入程序只加载以 .tar 结尾的文件：它会被忽略。如果其中有组件需要的镜像，这些镜像将会缺失（XRF001）。"),
                    )
                    .severity(Severity::Warning),
            );
        }
    }
}

/// LAY008: per-component directories with `*.image.tar` or slug `.tgz`.
fn legacy_layout(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(app) = cx.app_dir.as_deref() else { return };
    let legacy = cx.pkg.shallow.iter().find(|m| {
        let name = paths::file_name(&m.path);
        m.depth() == 3 && m.path.starts_with(app) && (name.ends_with(".image.tar") || name.ends_with(".tgz"))
    });
    if let Some(m) = legacy {
        out.push(LAY008.at(
            m.path.clone(),
            m.pos,
            format!("{} is laid out as packages of Rainbond v5.0 to v5.2 were (one directory per component with `*.image.tar` or slug `.tgz`): current importers load the image tars but not slug components, and find legacy image names only on Docker.", m.path),
            format!("{} 是 Rainbond v5.0 到 v5.2 的旧版布局（每个组件一个目录，内含 `*.image.tar` 或 slug `.tgz`）：当前导入程序会加载镜像 tar，但不会导入 slug 组件，且只有 Docker 运行时能找到旧式镜像名称。", m.path),
        ));
    }
}

/// LAY006: absolute paths, `..` and links that leave the archive.
fn unsafe_paths(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut listed = Listed::default();
    for u in &cx.pkg.unsafe_paths {
        let (en, zh) = match &u.link {
            Some(target) => (
                format!("{} links to {target}, outside the archive. GNU tar and the runtimes refuse such members; no exporter writes them.", u.path),
                format!("{} 链接到压缩包之外的 {target}。GNU tar 和容器运行时会拒绝此类条目，导出程序也从不生成。", u.path),
            ),
            None => (
                format!("{} is an absolute path or climbs out with `..`: extracted as written it would land outside the extraction directory. No exporter writes such paths.", u.path),
                format!("{} 是绝对路径或用 `..` 跳出目录：按原样解压会写到解压目录之外。导出程序从不生成这种路径。", u.path),
            ),
        };
        listed.push(LAY006.at(u.path.clone(), u.pos, en, zh));
    }
    listed.flush(out);
}

/// LAY010: device nodes and FIFOs.
fn special_files(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut listed = Listed::default();
    for s in &cx.pkg.special_files {
        let (what, what_zh) =
            if s.kind == Kind::Fifo { ("a FIFO (named pipe)", "FIFO（命名管道）") } else { ("a device file", "设备文件") };
        listed.push(LAY010.at(
            s.path.clone(),
            s.pos,
            format!("{} is {what}: extracted as root it would be created on the server. No exporter writes one.", s.path),
            format!("{} 是{what_zh}：以 root 身份解压时会在服务器上被创建。导出程序从不生成此类文件。", s.path),
        ));
    }
    listed.flush(out);
}

/// LAY011: a file (not a directory) at the same path twice, near the top
/// where everything the importer reads lies.
fn duplicates(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut repeated: Vec<&Shallow> = Vec::new();
    for m in cx.pkg.shallow.iter().filter(|m| m.kind != Kind::Dir) {
        let count = seen.entry(m.path.as_str()).or_insert(0);
        *count += 1;
        if *count == 2 {
            repeated.push(m);
        }
    }
    let mut listed = Listed::default();
    for m in repeated {
        let n = seen[m.path.as_str()];
        listed.push(LAY011.at(
            m.path.clone(),
            m.pos,
            format!("{} appears {n} times in the package: extraction keeps only the last copy, which is the one judged here.", m.path),
            format!("{} 在安装包中出现了 {n} 次：解压只保留最后一份，此处判断的也是最后一份。", m.path),
        ));
    }
    listed.flush(out);
}

/// LAY009: the importer's unzip does not create parent directories.
fn zip_orphans(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if let Some((path, pos)) = cx.pkg.unzip_orphans.first() {
        let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
        let count = cx.pkg.unzip_orphans.len();
        out.push(LAY009.at(
            path.clone(),
            *pos,
            format!("{path} comes before any entry for its directory {parent}/ ({count} such members): the importer's unzip does not create parent directories, so it fails with \"no such file or directory\"."),
            format!("{path} 之前没有其所在目录 {parent}/ 的目录条目（共 {count} 个此类文件）：导入程序解压 zip 时不会创建父目录，会以 \"no such file or directory\" 失败。"),
        ));
    }
}
