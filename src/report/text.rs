use crate::lang::{Describe, Lang};
use crate::report::{human_bytes, Finding, Report, Severity, Verdict};
use crate::rules::sum::{Exporter, SUM001};
use crate::target::{Target, Targets};

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
        (Some(e), Lang::Zh) => format!("\n  导出版本：{}", Exporter::parse(e).map_or_else(|| e.clone(), |e| e.zh())),
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

/// The target the verdict is for, for people.
fn target_phrase(r: &Report, lang: Lang) -> String {
    let set = Target::parse(&r.target).map_or(Targets::ALL, |t| t.set);
    let mut phrase = match (set, lang) {
        (Targets::ALL, Lang::En) => "for any Rainbond from 5.15.1 on, containerd or Docker".to_string(),
        (Targets::ALL, Lang::Zh) => "适用于 5.15.1 起的任意 Rainbond（containerd 或 Docker）".to_string(),
        (t, Lang::En) => format!("for {}", t.describe(lang)),
        (t, Lang::Zh) => format!("适用于{}", t.describe(lang)),
    };
    if let Some(asked) = &r.target_note {
        phrase += &match lang {
            Lang::En => format!(" (the version {asked:?} could not be read, so every target was checked)"),
            Lang::Zh => format!("（无法识别版本 {asked:?}，因此检查了所有目标）"),
        };
    }
    phrase
}

/// One line per group of other targets whose verdict differs from the one
/// shown: "Fails on Rainbond 5.15.1 to 5.17.3 with Docker: IMG001".
pub fn other_targets(r: &Report, lang: Lang) -> Vec<String> {
    let chosen = Target::parse(&r.target).map_or(Targets::ALL, |t| t.set);
    let mut groups: Vec<(Verdict, Vec<&str>, Targets)> = Vec::new();
    for (row, pair) in r.targets.iter().zip(Targets::ALL.pairs()) {
        let one = Targets::one(pair.0, pair.1);
        // For one target: the others whose verdict differs from its own.
        if chosen != Targets::ALL && (chosen.intersects(one) || row.verdict == r.verdict) {
            continue;
        }
        let mut codes: Vec<&str> = r.findings.iter().filter(|f| f.fails_on.intersects(one)).map(|f| f.code.as_str()).collect();
        codes.dedup();
        match groups.iter_mut().find(|(v, c, _)| *v == row.verdict && *c == codes) {
            Some(g) => g.2 = g.2.or(one),
            None => groups.push((row.verdict, codes, one)),
        }
    }
    if chosen == Targets::ALL && groups.len() < 2 {
        return Vec::new(); // the same everywhere
    }
    groups.sort_by_key(|(verdict, _, _)| std::cmp::Reverse(*verdict as u8));
    groups
        .into_iter()
        .map(|(verdict, codes, set)| {
            let on = set.describe(lang);
            match (verdict, lang) {
                (Verdict::Fail, Lang::En) => format!("Fails on {on}: {}", codes.join(", ")),
                (Verdict::Fail, Lang::Zh) => format!("在{on}上导入失败：{}", codes.join("、")),
                (Verdict::Warn, Lang::En) => format!("Imports with warnings on {on}"),
                (Verdict::Warn, Lang::Zh) => format!("在{on}上可以导入，但有警告"),
                (Verdict::Pass, Lang::En) => format!("Imports on {on}"),
                (Verdict::Pass, Lang::Zh) => format!("在{on}上可以导入"),
            }
        })
        .collect()
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
    out.push_str(&format!("  {}\n", target_phrase(r, lang)));
    for line in other_targets(r, lang) {
        out.push_str(&format!("  · {line}\n"));
    }
    if r.summary.template.is_some() {
        out.push_str(&format!("  {}\n", summary_line(r, lang)));
    }
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == severity && !f.is(&SUM001)).collect();
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
            out.push_str(&format!("    {} {}\n", lang.pick("at", "位置"), st.paint("2", &f.location)));
            out.push_str(&format!("    {}\n", lang.pick(&f.message, &f.message_zh)));
            out.push_str(&format!("    {} {}\n", st.paint("1", lang.pick("fix:", "修复：")), lang.pick(&f.hint, &f.hint_zh)));
        }
    }
    if r.findings.iter().all(|f| f.severity == Severity::Info) {
        out.push_str(&format!("\n  {}\n", lang.pick("No problems found.", "未发现问题。")));
    }
    out
}

/// A Markdown report (for issues, chat and the clipboard).
pub fn markdown(r: &Report, lang: Lang) -> String {
    let mut out = format!("### {} — {}\n\n{}\n\n", r.file, verdict_word(r.verdict, lang), target_phrase(r, lang));
    let others = other_targets(r, lang);
    for line in &others {
        out.push_str(&format!("- {line}\n"));
    }
    if !others.is_empty() {
        out.push('\n');
    }
    if r.summary.template.is_some() {
        out.push_str(&format!("{}\n\n", summary_line(r, lang)));
    }
    for f in r.findings.iter().filter(|f| !f.is(&SUM001)) {
        out.push_str(&format!(
            "- **{}** `{}` ({}) at `{}`: {}\n  - {} {}\n",
            f.code,
            f.name,
            f.severity.as_str(),
            f.location,
            lang.pick(&f.message, &f.message_zh),
            lang.pick("Fix:", "修复："),
            lang.pick(&f.hint, &f.hint_zh)
        ));
    }
    out
}
