//! MET: metadata.json, judged as the importer's Go code decodes it.

use super::{Context, Rule, Text};
use crate::metadata::{self, ParseError, MAX_TYPE_ERRORS};
use crate::report::{human_bytes, Finding, Severity};
use crate::scan::MAX_METADATA_BYTES;

pub static MET001: Rule = Rule {
    code: "MET001",
    name: "invalid-json",
    severity: Severity::Error,
    title: Text { en: "metadata.json is not valid JSON", zh: "metadata.json 不是有效的 JSON" },
    why: Text {
        en: "The importer decodes metadata.json with Go's encoding/json. A byte-order mark, a syntax error, a truncated file or a top level that is not an object fails the import with \"Failed to read meta file\".",
        zh: "导入程序用 Go 的 encoding/json 解析 metadata.json。字节序标记（BOM）、语法错误、文件被截断或顶层不是对象，都会使导入以 \"Failed to read meta file\" 失败。",
    },
    fix: Text {
        en: "Export the app again. If you edited metadata.json by hand, fix it at the line and column given and save it as UTF-8 without a byte-order mark.",
        zh: "重新导出应用。如果手工修改过 metadata.json，请按给出的行号和列号修正，并保存为不带 BOM 的 UTF-8。",
    },
    example: "metadata.json saved by Windows Notepad with a BOM, or cut off in the middle",
};

pub static MET002: Rule = Rule {
    code: "MET002",
    name: "type-mismatch",
    severity: Severity::Error,
    title: Text { en: "A metadata.json value has the wrong JSON type", zh: "metadata.json 中的值类型错误" },
    why: Text {
        en: "Go's encoding/json refuses a non-null value whose JSON type does not fit the importer's struct field (a string for an integer, a number with a fraction for an integer, a list for a map). The import fails with \"Failed to read meta file: json: cannot unmarshal …\".",
        zh: "Go 的 encoding/json 会拒绝与导入程序结构体字段类型不符的非 null 值（整数字段写成字符串、整数字段带小数、需要对象的地方写成列表等），导入以 \"Failed to read meta file: json: cannot unmarshal …\" 失败。",
    },
    fix: Text {
        en: "Correct the value at the path given (for example write `\"memory\": 512`, not `\"memory\": \"512\"`), or export the app again from the source cluster.",
        zh: "按给出的字段路径修正该值（例如写 `\"memory\": 512`，而不是 `\"memory\": \"512\"`），或从源集群重新导出应用。",
    },
    example: "`\"memory\": \"512\"` or `\"cpu\": 0.5` in a component",
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(meta) = cx.metadata else { return };
    let loc = meta.path.as_str();
    let pos = meta.pos;
    if meta.bytes.is_none() {
        out.push(MET001.at(
            loc,
            pos,
            format!(
                "metadata.json is {}, larger than the {} ramcheck reads; a real template is far smaller, so this file is not one.",
                human_bytes(meta.size),
                human_bytes(MAX_METADATA_BYTES)
            ),
            format!(
                "metadata.json 大小为 {}，超过 ramcheck 读取的上限 {}；真实的应用模板远小于此，该文件不是应用模板。",
                human_bytes(meta.size),
                human_bytes(MAX_METADATA_BYTES)
            ),
        ));
        return;
    }
    if let Some(error) = &cx.parse_error {
        out.push(invalid(loc, pos, error));
    }
    if let Some(template) = &cx.template {
        let (errors, count) = metadata::type_errors(template);
        for e in &errors {
            out.push(MET002.at(
                format!("{loc}#{}", e.path),
                pos,
                format!("{}: expected {}, found {}. The import fails with \"json: cannot unmarshal\".", e.path, e.expected, e.found),
                format!(
                    "{}：应为{}，实际为{}。导入会以 \"json: cannot unmarshal\" 失败。",
                    e.path,
                    zh_type(e.expected),
                    zh_value(&e.found)
                ),
            ));
        }
        if count > errors.len() {
            let more = count - MAX_TYPE_ERRORS;
            out.push(MET002.at(
                loc,
                pos,
                format!("{more} more values have the wrong type (only the first {MAX_TYPE_ERRORS} are listed)."),
                format!("另有 {more} 个值类型错误（只列出前 {MAX_TYPE_ERRORS} 个）。"),
            ));
        }
    }
}

fn invalid(loc: &str, pos: u64, error: &ParseError) -> Finding {
    match error {
        ParseError::Bom => MET001
            .at(
                loc,
                pos,
                "metadata.json starts with a UTF-8 byte-order mark (EF BB BF). Go's JSON decoder fails on it (\"invalid character 'ï' looking for beginning of value\").".into(),
                "metadata.json 以 UTF-8 字节序标记（EF BB BF，BOM）开头，Go 的 JSON 解析器会报错（\"invalid character 'ï' looking for beginning of value\"）。".into(),
            )
            .fix(
                "Save metadata.json as UTF-8 without BOM (or run `ramcheck fix`, which strips it).",
                "将 metadata.json 另存为不带 BOM 的 UTF-8（或执行 `ramcheck fix` 自动去除）。",
            ),
        ParseError::Empty => MET001.at(
            loc,
            pos,
            "metadata.json is empty: the import fails with \"Failed to read meta file : EOF\".".into(),
            "metadata.json 是空文件，导入会以 \"Failed to read meta file : EOF\" 失败。".into(),
        ),
        ParseError::Syntax { line, column, message } => MET001.at(
            format!("{loc}:{line}:{column}"),
            pos,
            format!("metadata.json is not valid JSON at line {line}, column {column}: {message}."),
            format!("metadata.json 在第 {line} 行第 {column} 列不是有效的 JSON：{message}。"),
        ),
        ParseError::NotObject(kind) => MET001.at(
            loc,
            pos,
            format!("The top level of metadata.json is {kind}, not an object: the import fails with \"cannot unmarshal\"."),
            format!("metadata.json 的顶层是{}而不是对象，导入会以 \"cannot unmarshal\" 失败。", zh_kind(kind)),
        ),
    }
}

fn zh_kind(kind: &str) -> &'static str {
    match kind {
        "a boolean" => "布尔值",
        "a number" => "数字",
        "a string" => "字符串",
        "an array" => "数组",
        "an object" => "对象",
        _ => "null",
    }
}

fn zh_type(expected: &str) -> &'static str {
    match expected {
        "a string" => "字符串",
        "an integer" => "整数",
        "a 32-bit integer" => "32 位整数",
        "an integer from 0 to 4294967295" => "0 到 4294967295 之间的整数",
        "true or false" => "布尔值 true 或 false",
        "a list" => "列表（数组）",
        "an object (a map)" => "对象（键值映射）",
        _ => "对象",
    }
}

fn zh_value(found: &str) -> String {
    for (en, zh) in [("the string ", "字符串 "), ("the number ", "数字 "), ("the boolean ", "布尔值 ")] {
        if let Some(rest) = found.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    zh_kind(found).to_string()
}
