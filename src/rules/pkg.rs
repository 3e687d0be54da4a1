//! PKG: the uploaded file itself: its name, its compression, its integrity.

use super::{Context, Rule, Text};
use crate::report::{human_bytes, Finding, Severity};
use crate::scan::{Container, Stop};

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
    if let Some(stop) = &pkg.stop {
        out.push(damaged(cx, stop));
    }
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
        Stop::Damaged { pos, member, what } => {
            let at = pos.map(|p| format!(" at byte {p} of {}", pkg.size)).unwrap_or_default();
            let at_zh = pos.map(|p| format!("（第 {p} 字节，共 {} 字节）", pkg.size)).unwrap_or_default();
            let (loc, inside, inside_zh) = match member {
                Some(m) => (m.clone(), format!(" while reading {m}"), format!("，读取 {m} 时出错")),
                None => (file.to_string(), String::new(), String::new()),
            };
            PKG003.at(
                loc,
                u64::MAX,
                format!("The package ({size}) is damaged{at}{inside}: {what}. Unpacking stops there and the import fails."),
                format!("安装包（{size}）已损坏{at_zh}{inside_zh}：{}。解压会在此处中断，导入失败。", zh_damage(what)),
            )
        }
        Stop::TarDamaged { pos, member, what } => {
            let loc = member.clone().unwrap_or_else(|| file.to_string());
            PKG003.at(
                loc,
                *pos,
                format!("The package ({size}) is damaged: {what} (at byte {pos} of the unpacked stream). tar stops there and the import fails."),
                format!("安装包（{size}）已损坏：{}（位于解压后数据的第 {pos} 字节）。tar 会在此处中断，导入失败。", zh_damage(what)),
            )
        }
        Stop::InflateLimit { inflated, compressed } => PKG003.at(
            file,
            u64::MAX,
            format!(
                "The check stopped: {} of compressed data inflated to more than {}, far beyond any real package. This is a decompression bomb or a damaged file, not an export.",
                human_bytes(*compressed),
                human_bytes(*inflated)
            ),
            format!("检查已停止：{} 压缩数据解压后超过 {}，远超任何真实安装包。这是解压炸弹或损坏的文件，而不是导出的安装包。", human_bytes(*compressed), human_bytes(*inflated)),
        ),
        Stop::Io(e) => PKG003.at(
            file,
            u64::MAX,
            format!("Reading the file failed ({e}); the check could not finish. The disk or USB stick holding it may be failing."),
            format!("读取文件失败（{e}），检查未能完成。存放该文件的磁盘或 U 盘可能有故障。"),
        ),
    }
}

/// The Chinese for the damage descriptions the walk produces.
fn zh_damage(what: &str) -> String {
    let known: &[(&str, &str)] = &[
        ("the compressed stream ends early", "压缩数据提前结束"),
        ("the package ends inside a member: it was cut short", "数据在某个文件中间中断：文件被截断"),
        ("a tar header's checksum is wrong", "tar 文件头校验和错误"),
        ("the compressed stream is damaged", "压缩数据已损坏"),
        ("the zip directory cannot be read", "无法读取 zip 目录"),
        ("the member's data is damaged", "文件数据已损坏"),
    ];
    for (en, zh) in known {
        if let Some(rest) = what.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    what.to_string()
}
