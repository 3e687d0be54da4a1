//! LAY: the layout inside the package.

use super::{Context, Rule, Text};
use crate::paths;
use crate::report::{Finding, Severity};

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
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if !cx.pkg.walked {
        return;
    }
    let flat_metadata = cx.pkg.metadata.iter().find(|m| !m.path.contains('/'));
    let has_dir = cx.top.values().any(|(_, is_dir)| *is_dir);
    if let Some(m) = flat_metadata.filter(|m| cx.metadata.is_some_and(|chosen| chosen.path == m.path)) {
        out.push(LAY001.at(
            m.path.clone(),
            m.pos,
            "metadata.json sits at the root of the package instead of inside one app directory. The importer opens the first top-level entry as the app directory, finds a file, and fails.".into(),
            "metadata.json 位于压缩包根部，而不是在唯一的应用目录中。导入程序会把第一个顶层条目当作应用目录，发现它是文件，导入失败。".into(),
        ));
        return;
    }
    if !has_dir && !cx.top.is_empty() {
        let (first, (pos, _)) = cx.top.iter().next().expect("not empty");
        out.push(LAY001.at(
            first.clone(),
            *pos,
            format!("The package has no top-level directory: its first entry, {first}, is a file. The importer opens it as the app directory and fails."),
            format!("安装包没有顶层目录：第一个条目 {first} 是文件。导入程序会把它当作应用目录打开，导入失败。"),
        ));
        return;
    }
    if cx.metadata.is_none() && cx.pkg.complete() && has_dir {
        let expected = cx.metadata_location();
        let near: Vec<&str> = cx
            .pkg
            .shallow
            .iter()
            .filter(|m| paths::file_name(&m.path).eq_ignore_ascii_case("metadata.json") || paths::file_name(&m.path) == "metadata.json")
            .map(|m| m.path.as_str())
            .collect();
        let (also, also_zh) = match near.first() {
            Some(p) => {
                (format!(" A file {p} exists, but not under that exact name and place."), format!("存在文件 {p}，但名称或位置不符。"))
            }
            None => (String::new(), String::new()),
        };
        out.push(LAY003.at(
            expected.clone(),
            0,
            format!("{expected} does not exist, so the importer cannot read the app template and fails before loading any image.{also}"),
            format!("{expected} 不存在，导入程序无法读取应用模板，会在加载镜像之前失败。{also_zh}"),
        ));
    }
}
