use super::Lang;
use crate::report::{human_bytes, Finding, Report, Severity, Verdict};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn pick<'a>(lang: Lang, en: &'a str, zh: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

fn verdict_word(v: Verdict, lang: Lang) -> &'static str {
    match (v, lang) {
        (Verdict::Pass, Lang::En) => "PASS: the package will import",
        (Verdict::Warn, Lang::En) => "WARN: it imports, with warnings",
        (Verdict::Fail, Lang::En) => "FAIL: the import will fail",
        (Verdict::Pass, Lang::Zh) => "通过：可以导入",
        (Verdict::Warn, Lang::Zh) => "警告：可以导入，但有警告",
        (Verdict::Fail, Lang::Zh) => "失败：导入会失败",
    }
}

fn group_title(s: Severity, lang: Lang) -> &'static str {
    match (s, lang) {
        (Severity::Error, Lang::En) => "Errors",
        (Severity::Warning, Lang::En) => "Warnings",
        (Severity::Info, Lang::En) => "Info",
        (Severity::Error, Lang::Zh) => "错误",
        (Severity::Warning, Lang::Zh) => "警告",
        (Severity::Info, Lang::Zh) => "信息",
    }
}

fn summary_line(r: &Report, lang: Lang) -> String {
    let s = &r.summary;
    let name = format!("{} {}", s.template.as_deref().unwrap_or("?"), s.version.as_deref().unwrap_or("?"));
    let exporter = match (&s.exporter, lang) {
        (Some(e), Lang::En) => format!("\n  exported by Rainbond of {e}"),
        (Some(e), Lang::Zh) => format!("\n  导出版本：{}", e.replace(" or later (has ", " 或更新（含有 ").replace(')', "）")),
        (None, _) => String::new(),
    };
    let line = match lang {
        Lang::En => format!(
            "{name} · {} components · {} plugins · {} images · {} unpacked · needs about {} of disk to import",
            s.components,
            s.plugins,
            s.images,
            human_bytes(s.uncompressed_bytes),
            human_bytes(s.disk_needed_bytes)
        ),
        Lang::Zh => format!(
            "{name} · {} 个组件 · {} 个插件 · {} 个镜像 · 解压后 {} · 导入约需 {} 磁盘空间",
            s.components,
            s.plugins,
            s.images,
            human_bytes(s.uncompressed_bytes),
            human_bytes(s.disk_needed_bytes)
        ),
    };
    line + &exporter
}

/// A human report, one block per file; `color` adds ANSI colours.
pub fn text(r: &Report, lang: Lang, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    let vcode = match r.verdict {
        Verdict::Pass => "1;32",
        Verdict::Warn => "1;33",
        Verdict::Fail => "1;31",
    };
    out.push_str(&format!("{}  {}  ({})\n", st.paint("1", &r.file), st.paint(vcode, verdict_word(r.verdict, lang)), human_bytes(r.size)));
    if r.summary.template.is_some() {
        out.push_str(&format!("  {}\n", summary_line(r, lang)));
    }
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == severity && f.code != "SUM001").collect();
        if group.is_empty() {
            continue;
        }
        let (mark, code) = match severity {
            Severity::Error => ("✖", "31"),
            Severity::Warning => ("▲", "33"),
            Severity::Info => ("ℹ", "36"),
        };
        out.push_str(&format!("\n  {} ({})\n", st.paint("1", group_title(severity, lang)), group.len()));
        for f in group {
            out.push_str(&format!("  {} {} {}\n", st.paint(code, mark), st.paint(code, &f.code), f.name));
            out.push_str(&format!("    {} {}\n", pick(lang, "at", "位置"), st.paint("2", &f.location)));
            out.push_str(&format!("    {}\n", pick(lang, &f.message, &f.message_zh)));
            out.push_str(&format!("    {} {}\n", st.paint("1", pick(lang, "fix:", "修复：")), pick(lang, &f.hint, &f.hint_zh)));
        }
    }
    if r.findings.iter().all(|f| f.severity == Severity::Info) {
        out.push_str(&format!("\n  {}\n", pick(lang, "No problems found.", "未发现问题。")));
    }
    out
}

/// A Markdown report (for issues, chat and the clipboard).
pub fn markdown(r: &Report, lang: Lang) -> String {
    let mut out = format!("### {} — {}\n\n", r.file, verdict_word(r.verdict, lang));
    if r.summary.template.is_some() {
        out.push_str(&format!("{}\n\n", summary_line(r, lang)));
    }
    for f in r.findings.iter().filter(|f| f.code != "SUM001") {
        out.push_str(&format!(
            "- **{}** `{}` ({}) at `{}`: {}\n  - {} {}\n",
            f.code,
            f.name,
            f.severity.as_str(),
            f.location,
            pick(lang, &f.message, &f.message_zh),
            pick(lang, "Fix:", "修复："),
            pick(lang, &f.hint, &f.hint_zh)
        ));
    }
    out
}
