//! PKG: the uploaded file itself: its name, its compression, its integrity.

use super::repairable::{Repairable, CUT_OR_DAMAGED, NEEDS_A_DECISION, NOT_A_PACKAGE};
use super::{Context, Rule, Text};
use crate::lang::{human_bytes, quoted, Describe};
use crate::limits::MAX_IMAGES;
use crate::limits::{BOMB_MAX_RATIO, BOMB_MIN_INFLATED, MAX_ARCHIVE_MEMBERS, MAX_IMAGE_ARCHIVES, MAX_MEMBERS_KEPT, MAX_SHALLOW_MEMBERS};
use crate::rules::{Finding, Severity, END_POSITION};
use crate::scan::{Container, Held, Stop};
use crate::target::{Line, Targets};

pub static PKG001: Rule = Rule {
    code: "PKG001",
    name: "not-gzip",
    severity: Severity::Error,
    title: Text { en: "The package is not gzip-compressed", zh: "安装包不是 gzip 压缩格式" },
    why: Text {
        en: "The importer unpacks every upload whose name does not end in .zip with `tar -xzf`. gzip refuses anything that is not gzip (\"gzip: stdin: not in gzip format\") and the import fails after the whole upload.",
        zh: "文件名不以 .zip 结尾的安装包，导入时一律用 `tar -xzf` 解压。不是 gzip 格式的内容会被 gzip 拒绝（\"gzip: stdin: not in gzip format\"），上传完成后导入失败。",
    },
    fix: Text {
        en: "Compress the package directory with gzip: `tar -czf <app>-<version>-ram.tar.gz <app>-<version>-ram`. If the file really is a zip, give it a name ending in .zip.",
        zh: "用 gzip 压缩安装包目录：`tar -czf <应用>-<版本>-ram.tar.gz <应用>-<版本>-ram`。如果文件确实是 zip，请把文件名改为以 .zip 结尾。",
    },
    example: "a plain tar named app-1.0-ram.tar.gz (packed with `tar -cf`)",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import runs `tar -xzf` (pkg/util/common.go:Untar) on every name not ending in .zip, v5.15.1 and later; GNU tar+gzip and busybox tar exit non-zero on a non-gzip file (tested)",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: NOT_A_PACKAGE },
};

pub static PKG003: Rule = Rule {
    code: "PKG003",
    name: "truncated",
    severity: Severity::Error,
    title: Text { en: "The package is cut short or damaged", zh: "安装包不完整或已损坏" },
    why: Text {
        en: "gzip or tar stops at the damage and the import fails; nothing after it can be unpacked. This is what an interrupted copy or download, a full disk or a failing USB stick leaves behind.",
        zh: "解压到损坏处时 gzip 或 tar 会报错，导入失败，之后的内容都无法解出。复制或下载中断、磁盘写满、U 盘损坏都会造成这种情况。",
    },
    fix: Text {
        en: "Copy the package again from the exporting cluster and compare its size (and `sha256sum`) with the original; if the original is damaged too, export the app again.",
        zh: "从导出集群重新复制安装包，并与原文件核对大小（以及 `sha256sum`）；如果原文件也已损坏，请重新导出应用。",
    },
    example: "a 2 GB package whose copy stopped at 1.3 GB",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import and pkg/util/common.go:Untar: GNU tar/gzip and busybox fail on a cut stream, a bad CRC or a bad header checksum (tested), all lines",
    fails_on: Targets::ALL,
    repair: Repairable::No(CUT_OR_DAMAGED),
};

pub static PKG002: Rule = Rule {
    code: "PKG002",
    name: "double-compressed",
    severity: Severity::Error,
    title: Text { en: "The package is compressed twice", zh: "安装包被重复压缩" },
    why: Text {
        en: "The gzip stream inflates to another gzip stream instead of a tar (a .tar.gz compressed again, often by a transfer tool or by `gzip` run on a .tar.gz). `tar -xzf` removes one layer only, finds no tar and the import fails.",
        zh: "gzip 解压后得到的仍是 gzip 数据而不是 tar（.tar.gz 又被压缩了一次，常见于传输工具或对 .tar.gz 再次执行 `gzip`）。`tar -xzf` 只解一层，找不到 tar，导入失败。",
    },
    fix: Text {
        en: "Remove the extra layer: `gzip -dc PACKAGE > fixed.tar.gz` (the result is the original .tar.gz), or run `ramcheck fix`.",
        zh: "去掉多余的一层压缩：`gzip -dc 安装包 > fixed.tar.gz`（得到的就是原来的 .tar.gz），或执行 `ramcheck fix`。",
    },
    example: "app-1.0-ram.tar.gz.gz renamed to app-1.0-ram.tar.gz",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import and pkg/util/common.go:Untar: the inflated stream is no tar (\"This does not look like a tar archive\"), all lines; tested with GNU tar and busybox",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static PKG004: Rule = Rule {
    code: "PKG004",
    name: "trailing-data",
    severity: Severity::Warning,
    title: Text { en: "Bytes follow the end of the gzip stream", zh: "gzip 数据结束后还有多余字节" },
    why: Text {
        en: "gzip reports \"decompression OK, trailing garbage ignored\" with exit status 2, which `tar -xzf` turns into a failure, so the import fails. Trailing zeros (left by some copy tools and disk images) are ignored by gzip, so zero padding is only a warning.",
        zh: "gzip 会提示 \"decompression OK, trailing garbage ignored\" 并以状态码 2 退出，`tar -xzf` 因此报错，导入失败。末尾全是零字节（某些复制工具或磁盘镜像会留下）时 gzip 会忽略，因此只给出警告。",
    },
    fix: Text {
        en: "Cut the file at the end of the gzip stream: `head -c OFFSET PACKAGE > fixed.tar.gz` with the offset given, or run `ramcheck fix`.",
        zh: "在 gzip 数据结束处截断文件：用给出的偏移量执行 `head -c 偏移量 安装包 > fixed.tar.gz`，或执行 `ramcheck fix`。",
    },
    example: "a package with a second file appended by `cat`",
    evidence: "Untar spawns whichever gzip is on PATH: GNU gzip exits 2 on trailing bytes, busybox gzip (rbd-chaos is Alpine based, hack/contrib/docker/chaos/Dockerfile) ignores them (tested both); no source shows which the importer has",
    fails_on: Targets::NONE,
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static PKG005: Rule = Rule {
    code: "PKG005",
    name: "zip-mismatch",
    severity: Severity::Error,
    title: Text { en: "The name ends in .zip but the file is not a zip", zh: "文件名以 .zip 结尾，但内容不是 zip" },
    why: Text {
        en: "The importer chooses how to unpack by the name alone: a name ending in .zip is unzipped. A tar.gz renamed to .zip fails with \"zip: not a valid zip file\".",
        zh: "导入程序只根据文件名决定解压方式：以 .zip 结尾的文件会按 zip 解压。改名为 .zip 的 tar.gz 会以 \"zip: not a valid zip file\" 失败。",
    },
    fix: Text {
        en: "Give the file the name that matches its content (for a gzip-compressed tar: `<app>-<version>-ram.tar.gz`).",
        zh: "按实际内容命名文件（gzip 压缩的 tar 应命名为 `<应用>-<版本>-ram.tar.gz`）。",
    },
    example: "app-1.0-ram.tar.gz renamed to app-1.0-ram.zip",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import unzips a name ending in .zip (path.Ext, case-sensitive); pkg/util/zip/reader.go returns ErrFormat on a non-zip, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static PKG006: Rule = Rule {
    code: "PKG006",
    name: "bad-file-name",
    severity: Severity::Error,
    title: Text { en: "The file name contains ',' or ':'", zh: "文件名包含 ',' 或 ':'" },
    why: Text {
        en: "The console splits the names of uploaded files on ',' and ':'. A name containing either is cut into pieces that name no file, so the import cannot find the package and fails.",
        zh: "控制台会按 ',' 和 ':' 切分上传文件的名称。文件名中含有这两个字符时会被切成不对应任何文件的片段，导入找不到安装包而失败。",
    },
    fix: Text {
        en: "Rename the file before uploading, e.g. replace ',' and ':' with '-'.",
        zh: "上传前重命名文件，例如把 ',' 和 ':' 换成 '-'。",
    },
    example: "app-1.0,final-ram.tar.gz",
    evidence: "goodrain/rainbond-console console/views/center_pool/app_import.py:CenterAppImportView.post splits file_name on ','; ':' only garbles the status text (rainbond builder/exector/import_app.go:str2map), all releases",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static PKG007: Rule = Rule {
    code: "PKG007",
    name: "plugin-in-path",
    severity: Severity::Error,
    title: Text { en: "\"plugin\" in the file or directory name hides the images", zh: "文件名或目录名中的 \"plugin\" 会让镜像被跳过" },
    why: Text {
        en: "Since v6.0 the importer skips every image archive whose path contains the text \"plugin\" when the template has no plugins. The path it tests starts with the upload's name (`<upload name>-cache/<top directory>/…`), so a name like `my-plugin-app-1.0-ram.tar.gz` makes it skip component-images.tar too, and every component's image is then missing.",
        zh: "从 v6.0 起，模板中没有插件时，导入程序会跳过路径中含有 \"plugin\" 的所有镜像包。它检查的路径以上传文件名开头（`<上传文件名>-cache/<顶层目录>/…`），因此像 `my-plugin-app-1.0-ram.tar.gz` 这样的名称会让 component-images.tar 也被跳过，所有组件的镜像都会缺失。",
    },
    fix: Text {
        en: "Rename the file (and the top directory, if it contains \"plugin\") so that neither contains \"plugin\", then pack again.",
        zh: "重命名文件（如果顶层目录名也含有 \"plugin\"，一并重命名），使二者都不含 \"plugin\"，然后重新打包。",
    },
    example: "mesh-plugin-demo-1.0-ram.tar.gz for an app without plugins",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import skips every *.tar whose path contains \"plugin\" when the template has no plugins (oam c9417f7, v6.0 and later); the path holds the upload's name (builder/exector/import_app.go:importApp)",
    fails_on: Targets::from_line(Line::V6_0),
    repair: Repairable::Yes { unless: NEEDS_A_DECISION },
};

pub static PKG008: Rule = Rule {
    code: "PKG008",
    name: "not-tar",
    severity: Severity::Error,
    title: Text { en: "The gzip stream does not hold a tar archive", zh: "gzip 压缩的内容不是 tar 包" },
    why: Text {
        en: "The importer runs `tar -xzf`: after gzip, tar expects a tar archive. A single compressed file (a gzipped JSON, image or disk) fails with \"This does not look like a tar archive\".",
        zh: "导入程序执行 `tar -xzf`：gzip 解压后 tar 需要一个 tar 包。单个被压缩的文件（gzip 压缩的 JSON、镜像或磁盘文件）会以 \"This does not look like a tar archive\" 失败。",
    },
    fix: Text {
        en: "Upload the package exported as \"rainbond-app\"; if you packed it yourself, pack the app directory with `tar -czf`.",
        zh: "上传以“rainbond-app”格式导出的安装包；如果是自己打包的，请用 `tar -czf` 打包应用目录。",
    },
    example: "metadata.json.gz renamed to app-1.0-ram.tar.gz",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import and pkg/util/common.go:Untar: a gzip of something that is no tar extracts nothing, all lines (tested)",
    fails_on: Targets::ALL,
    repair: Repairable::No(NOT_A_PACKAGE),
};

pub static PKG009: Rule = Rule {
    code: "PKG009",
    name: "limit-exceeded",
    severity: Severity::Warning,
    title: Text { en: "The package exceeds a limit ramcheck sets to stay safe", zh: "安装包超出了 ramcheck 为自身安全设定的上限" },
    why: Text {
        en: "ramcheck bounds the time and memory of a check so that a damaged or crafted package cannot exhaust the machine or the browser tab. A package past one of these limits is far outside what an exporter writes: a decompression bomb, a tar header announcing megabytes of file name, archives of hundreds of thousands of members. When the check had to stop, the package is not checked (error); when it could go on, what lies past the limit is not judged (warning). On the server, such a package fills the disk or the import fails.",
        zh: "ramcheck 限制检查所用的时间和内存，以免损坏或恶意构造的安装包耗尽机器或浏览器页面的资源。超出这些上限的安装包远超导出程序生成的范围：解压炸弹、声明数 MB 文件名的 tar 文件头、含数十万个条目的镜像包。检查因此中止时，安装包未被检查（错误）；检查可以继续时，超出上限的部分未被判断（警告）。在服务器上，这样的安装包会占满磁盘或导致导入失败。",
    },
    fix: Text {
        en: "Do not upload a package you cannot account for: export the app again. If it really is an export this large, report it with the limit named in the finding.",
        zh: "不要上传来源不明的安装包：请重新导出应用。如果它确实是这么大的导出包，请连同发现中给出的上限一起反馈。",
    },
    example: "a 50 MB .tar.gz that inflates to 10 TB of zeros",
    evidence: "a ramcheck safety limit (inflated size and ratio); no upstream limit exists",
    fails_on: Targets::NONE,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub static PKG010: Rule = Rule {
    code: "PKG010",
    name: "zip-method",
    severity: Severity::Error,
    title: Text { en: "A zip member uses a compression method the importer cannot read", zh: "zip 中的文件使用了导入程序无法读取的压缩方法" },
    why: Text {
        en: "The importer unzips a `.zip` upload with a reader that knows Store and Deflate only; a member compressed with bzip2, LZMA, Deflate64, zstd or another method fails the import with \"unsupported compression algorithm\". The file is not damaged: it was zipped with another setting.",
        zh: "导入程序解压 `.zip` 安装包时只支持 Store 和 Deflate 两种方法；用 bzip2、LZMA、Deflate64、zstd 等其他方法压缩的文件会使导入以 \"unsupported compression algorithm\" 失败。文件本身并没有损坏，只是压缩设置不同。",
    },
    fix: Text {
        en: "Zip the directory again with Deflate (`zip -r -Z deflate <app>-<version>-ram.zip <app>-<version>-ram`; in 7-Zip choose the Deflate method), or pack it as `tar -czf <app>-<version>-ram.tar.gz <app>-<version>-ram`.",
        zh: "用 Deflate 方法重新压缩目录（`zip -r -Z deflate <应用>-<版本>-ram.zip <应用>-<版本>-ram`；7-Zip 中选择 Deflate 方法），或打包为 `tar -czf <应用>-<版本>-ram.tar.gz <应用>-<版本>-ram`。",
    },
    example: "app-1.0-ram.zip made by 7-Zip with the Deflate64 or BZip2 method",
    evidence: "goodrain/rainbond-oam pkg/util/zip/reader.go registers Store and Deflate only (a copy of Go's archive/zip): another method is ErrAlgorithm \"zip: unsupported compression algorithm\" in util.Unzip, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::No(NEEDS_A_DECISION),
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let pkg = cx.pkg;
    let file = pkg.file_name.as_str();
    let zip_name = file.ends_with(".zip");
    match pkg.container {
        Some(Container::Gzip) | None => {}
        Some(Container::Zip) if zip_name => {}
        Some(container) if !zip_name => out.push(not_gzip(file, container)),
        Some(_) => {}
    }
    if zip_name && pkg.container.is_some_and(|c| c != Container::Zip && c != Container::Empty) {
        let kind = pkg.container.map_or("unknown", |c| c.name());
        out.push(PKG005.at(
            file,
            0,
            format!("{file} ends in .zip, so the importer unzips it, but its content is {kind}: the import fails with \"zip: not a valid zip file\"."),
            format!("{file} 以 .zip 结尾，导入程序会按 zip 解压，但其内容是 {kind}：导入会以 \"zip: not a valid zip file\" 失败。"),
        ));
    }
    match pkg.inner_container {
        Some(Container::Gzip) => out.push(PKG002.at(
            file,
            0,
            format!("{file} is compressed twice: its gzip stream holds another gzip stream, not a tar. `tar -xzf` removes one layer only and the import fails."),
            format!("{file} 被压缩了两次：gzip 解压后仍是 gzip 数据而不是 tar。`tar -xzf` 只解一层，导入失败。"),
        )),
        Some(inner) => out.push(PKG008.at(
            file,
            0,
            format!("{file} is gzip-compressed, but what it holds is not a tar archive ({}); `tar -xzf` fails on it.", Held(inner).en()),
            format!("{file} 是 gzip 压缩文件，但其中不是 tar 包（{}）；`tar -xzf` 会失败。", Held(inner).zh()),
        )),
        None => {}
    }
    if let Some(t) = &pkg.trailing {
        out.push(trailing(file, t));
    }
    if file.contains(',') {
        out.push(PKG006.at(
            file,
            0,
            format!("The file name {file} contains ',': the console splits the list of file names on it, so the import looks for files that do not exist and fails."),
            format!("文件名 {file} 含有 ','：控制台会按它切分文件名列表，导入程序会查找并不存在的文件，导入失败。"),
        ));
    } else if file.contains(':') {
        out.push(
            PKG006
                .at(
                    file,
                    0,
                    format!("The file name {file} contains ':': the import succeeds, but the import status splits on it and shows the name garbled."),
                    format!("文件名 {file} 含有 ':'：导入可以成功，但导入状态会按它切分，显示的文件名是乱的。"),
                )
                .severity(Severity::Warning),
        );
    }
    for (path, method, pos) in &pkg.zip_methods {
        out.push(PKG010.at(
            path.clone(),
            *pos,
            format!("{path} in {file} is compressed with {method}: the importer's unzip knows only Store and Deflate and fails (\"zip: unsupported compression algorithm\"). The file is not damaged."),
            format!("{file} 中的 {path} 使用 {method} 压缩：导入程序的解压只支持 Store 和 Deflate，会以 \"zip: unsupported compression algorithm\" 失败。文件本身没有损坏。"),
        ));
    }
    plugin_in_path(cx, out);
    limits(cx, out);
    if let Some(stop) = &pkg.stop {
        out.push(damaged(cx, stop));
    }
}

/// PKG009 warnings: limits past which the check went on without judging
/// everything. (Limits that stop the check are reported with the stop.)
fn limits(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for v in &cx.archives {
        let path = v.archive.path.as_str();
        if v.archive.members_cut {
            out.push(PKG009.at(
                path,
                v.archive.pos,
                format!("{path} has more members than ramcheck records ({MAX_ARCHIVE_MEMBERS} per image archive, {MAX_MEMBERS_KEPT} in a package): the members past the limit were walked but not recorded, so missing files (IMG004) are not judged in it."),
                format!("{path} 的条目数超过 ramcheck 记录的上限（每个镜像包 {MAX_ARCHIVE_MEMBERS} 个，整个安装包 {MAX_MEMBERS_KEPT} 个）：超出部分已遍历但未记录，因此不判断其中的文件缺失（IMG004）。"),
            ).severity(Severity::Warning));
        }
        if v.analysis.images_cut {
            out.push(
                PKG009
                    .at(
                        path,
                        v.archive.pos,
                        format!(
                            "{path} lists more than {MAX_IMAGES} images, the most ramcheck judges per archive: the others are not checked."
                        ),
                        format!("{path} 列出的镜像超过 {MAX_IMAGES} 个，即 ramcheck 对每个镜像包判断的上限：其余镜像未被检查。"),
                    )
                    .severity(Severity::Warning),
            );
        }
    }
    if cx.pkg.shallow_cut {
        let file = cx.pkg.file_name.as_str();
        out.push(PKG009.at(
            file,
            END_POSITION,
            format!("The package has more than {MAX_SHALLOW_MEMBERS} entries in its top three levels, the most ramcheck keeps for the layout checks: the layout past them (LAY rules) is not judged."),
            format!("安装包前三层的条目超过 {MAX_SHALLOW_MEMBERS} 个，即 ramcheck 为布局检查保留的上限：超出部分的布局（LAY 规则）未被判断。"),
        ).severity(Severity::Warning));
    }
    let skipped = cx.pkg.archives_skipped;
    if skipped > 0 {
        let file = cx.pkg.file_name.as_str();
        out.push(PKG009.at(
            file,
            END_POSITION,
            format!("The package holds more than {MAX_IMAGE_ARCHIVES} .tar files near its top, the most ramcheck reads: {skipped} were not read, and their images are not checked."),
            format!("安装包顶层附近的 .tar 文件超过 {MAX_IMAGE_ARCHIVES} 个，即 ramcheck 读取的上限：有 {skipped} 个未读取，其中的镜像未被检查。"),
        ).severity(Severity::Warning));
    }
}

fn trailing(file: &str, t: &crate::container::gzip::Trailing) -> Finding {
    let n = human_bytes(t.len);
    if t.zeros_only {
        PKG004
            .at(
                file,
                END_POSITION,
                format!("{n} of zero bytes follow the end of the gzip stream (from byte {}). gzip ignores zero padding, so the import works, but the file is not exactly what was exported.", t.offset),
                format!("gzip 数据结束后（自第 {} 字节起）还有 {n} 的零字节。gzip 会忽略零填充，导入可以进行，但文件与导出时并不完全相同。", t.offset),
            )
            .severity(Severity::Warning)
    } else {
        PKG004.at(
            file,
            END_POSITION,
            format!("{n} of other data follow the end of the gzip stream (from byte {}). GNU gzip reports \"trailing garbage ignored\" and exits with status 2, which fails `tar -xzf`; busybox gzip, which the importer's Alpine image has unless GNU gzip was added, ignores them.", t.offset),
            format!("gzip 数据结束后（自第 {} 字节起）还有 {n} 的其他数据。GNU gzip 会提示 \"trailing garbage ignored\" 并以状态码 2 退出，使 `tar -xzf` 失败；导入程序的 Alpine 镜像默认使用的 busybox gzip 会忽略它们。", t.offset),
        )
        .fix(
            format!("Keep only the gzip stream: `head -c {} {file} > fixed.tar.gz`, or run `ramcheck fix {file}`.", t.offset),
            format!("只保留 gzip 数据：`head -c {} {file} > fixed.tar.gz`，或执行 `ramcheck fix {file}`。", t.offset),
        )
    }
}

/// The v6 importer's substring test on the real extraction path: a "plugin"
/// that comes from the upload's name or the top directory (not from the
/// archive's own name) hides the component images.
fn plugin_in_path(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if cx.template.is_none() || !cx.plugins().is_empty() {
        return;
    }
    let hidden: Vec<&str> = cx
        .archives
        .iter()
        .filter(|v| v.loaded_path && v.plugin_skipped && !crate::container::paths::file_name(&v.archive.path).contains("plugin"))
        .map(|v| v.archive.path.as_str())
        .collect();
    if hidden.is_empty() {
        return;
    }
    let file = cx.pkg.file_name.as_str();
    let (loc, culprit, culprit_zh) = if file.contains("plugin") {
        (file.to_string(), format!("the file name {file}"), format!("文件名 {file} "))
    } else {
        let dir = cx.app_dir.clone().unwrap_or_default();
        (dir.clone(), format!("the directory name {dir}"), format!("目录名 {dir} "))
    };
    let list = hidden.join(", ");
    out.push(PKG007.at(
        loc,
        0,
        format!("The template has no plugins and {culprit} contains \"plugin\": importers since v6.0 skip every image archive whose path contains \"plugin\", so {list} will not be loaded and every component's image will be missing."),
        format!("模板中没有插件，而{culprit_zh}含有 \"plugin\"：v6.0 起的导入程序会跳过路径中含 \"plugin\" 的所有镜像包，因此 {list} 不会被加载，所有组件的镜像都会缺失。"),
    ));
}

fn not_gzip(file: &str, container: Container) -> Finding {
    let (en, zh, fix_en, fix_zh) = match container {
        Container::Tar => (
            format!("{file} is a plain tar archive without gzip compression. The importer runs `tar -xzf` on it, which fails with \"gzip: stdin: not in gzip format\"."),
            format!("{file} 是未经 gzip 压缩的普通 tar 包。导入时会执行 `tar -xzf`，报错 \"gzip: stdin: not in gzip format\" 并失败。"),
            format!("Compress it without unpacking: `gzip -c {file} > fixed.tar.gz` (then give it its usual name), or run `ramcheck fix {file}`."),
            format!("无需解包，直接压缩：`gzip -c {file} > fixed.tar.gz`（再改回原来的文件名），或执行 `ramcheck fix {file}`。"),
        ),
        Container::Zip => (
            format!("{file} is a zip archive, but its name does not end in .zip, so the importer runs `tar -xzf` on it and fails."),
            format!("{file} 实际是 zip 压缩包，但文件名不以 .zip 结尾，导入时会执行 `tar -xzf` 并失败。"),
            "Rename the file so that it ends in .zip; the importer unzips such uploads.".to_string(),
            "把文件名改为以 .zip 结尾，导入时会按 zip 解压。".to_string(),
        ),
        Container::Compressed(c) => (
            format!("{file} is compressed with {}, not gzip. The importer runs `tar -xzf`, which only understands gzip, and fails.", c.name()),
            format!("{file} 使用 {} 压缩而不是 gzip。导入时执行的 `tar -xzf` 只支持 gzip，导入会失败。", c.name()),
            format!("Recompress it with gzip: `{} -dc {file} | gzip > fixed.tar.gz`.", decompressor(c.name())),
            format!("改用 gzip 重新压缩：`{} -dc {file} | gzip > fixed.tar.gz`。", decompressor(c.name())),
        ),
        Container::Empty => (
            format!("{file} is empty (0 bytes): the export or the copy did not finish."),
            format!("{file} 是空文件（0 字节）：导出或复制没有完成。"),
            "Copy the package again from the exporting cluster, or export the app again.".to_string(),
            "从导出集群重新复制安装包，或重新导出应用。".to_string(),
        ),
        Container::Gzip | Container::Unknown => (
            format!("{file} is not a gzip-compressed tar archive (nor a zip): it is not a Rainbond application package."),
            format!("{file} 既不是 gzip 压缩的 tar 包，也不是 zip 包：它不是 Rainbond 应用模型安装包。"),
            "Choose the file exported as \"rainbond-app\" (named <app>-<version>-ram.tar.gz).".to_string(),
            "请选择以“rainbond-app”格式导出的文件（文件名为 <应用>-<版本>-ram.tar.gz）。".to_string(),
        ),
    };
    PKG001.at(file, 0, en, zh).fix(fix_en, fix_zh)
}

fn decompressor(name: &str) -> &'static str {
    match name {
        "bzip2" => "bzip2",
        "xz" => "xz",
        "zstd" => "zstd",
        _ => "gzip",
    }
}

fn damaged(cx: &Context<'_>, stop: &Stop) -> Finding {
    let pkg = cx.pkg;
    let file = pkg.file_name.as_str();
    let size = human_bytes(pkg.size);
    match stop {
        Stop::Damaged { pos, member, fault } => {
            let at = pos.map(|p| format!(" at byte {p} of {}", pkg.size)).unwrap_or_default();
            let at_zh = pos.map(|p| format!("（第 {p} 字节，共 {} 字节）", pkg.size)).unwrap_or_default();
            // A member may have an empty name: the file is then the place.
            let (loc, inside, inside_zh) = match member.as_ref().filter(|m| !m.is_empty()) {
                Some(m) => (m.clone(), format!(" while reading {m}"), format!("，读取 {m} 时出错")),
                None => (file.to_string(), String::new(), String::new()),
            };
            PKG003.at(
                loc,
                END_POSITION,
                format!("The package ({size}) is damaged{at}{inside}: {}. Unpacking stops there and the import fails.", fault.en()),
                format!("安装包（{size}）已损坏{at_zh}{inside_zh}：{}。解压会在此处中断，导入失败。", fault.zh()),
            )
        }
        Stop::TarDamaged { pos, member, fault } => {
            let loc = member.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| file.to_string());
            PKG003.at(
                loc,
                *pos,
                format!(
                    "The package ({size}) is damaged: {} (at byte {pos} of the unpacked stream). tar stops there and the import fails.",
                    fault.en()
                ),
                format!("安装包（{size}）已损坏：{}（位于解压后数据的第 {pos} 字节）。tar 会在此处中断，导入失败。", fault.zh()),
            )
        }
        Stop::InflateLimit { inflated, compressed } => PKG009.at(
            file,
            END_POSITION,
            format!(
                "The check stopped: {} of compressed data inflate to more than {}, over {BOMB_MAX_RATIO} times as much past {} (ramcheck's decompression bomb guard). No real package does this: it is a decompression bomb or a damaged file, not an export.",
                human_bytes(*compressed),
                human_bytes(*inflated),
                human_bytes(BOMB_MIN_INFLATED)
            ),
            format!(
                "检查已停止：{} 压缩数据解压后超过 {}，在超过 {} 后膨胀倍数大于 {BOMB_MAX_RATIO}（ramcheck 的解压炸弹防护）。真实安装包不会如此：这是解压炸弹或损坏的文件，而不是导出的安装包。",
                human_bytes(*compressed),
                human_bytes(*inflated),
                human_bytes(BOMB_MIN_INFLATED)
            ),
        ),
        Stop::Limit { pos, fault } => PKG009.at(
            file,
            *pos,
            format!(
                "The check stopped at byte {pos} of the unpacked stream: {} (real ones are a few hundred bytes). The rest of the package is not checked.",
                fault.en()
            ),
            format!("检查在解压后数据的第 {pos} 字节处停止：{}（真实的只有几百字节）。安装包的其余部分未被检查。", fault.zh()),
        ),
        Stop::Io(e) => PKG003.at(
            file,
            END_POSITION,
            format!("Reading the file failed ({e}); the check could not finish. The disk or USB stick holding it may be failing."),
            format!("读取文件失败（{}），检查未能完成。存放该文件的磁盘或 U 盘可能有故障。", quoted(e)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{Package, Stop};

    /// A real bomb takes 16 GiB of inflating to reach the guard; the stop it
    /// leaves is made here instead (SECURITY.md's limits table).
    #[test]
    fn the_bomb_guard_stop_is_pkg009_naming_the_guard() {
        let mut pkg = Package::default();
        pkg.file_name = "bomb-ram.tar.gz".into();
        pkg.walked = true;
        pkg.stop = Some(Stop::InflateLimit { inflated: 17 << 30, compressed: 50 << 20 });
        let mut out = Vec::new();
        check(&Context::new(&pkg), &mut out);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!((out[0].code.as_str(), out[0].severity), ("PKG009", Severity::Warning));
        assert!(out[0].message.contains("over 200 times as much past 17.2 GB"), "{}", out[0].message);
    }
}
