//! The rule catalog. Every rule is declared once, as a [`Rule`] in the module
//! of its family; `--explain`, the docs page, SARIF and the report all read
//! that one declaration. The checks that fire them run over the facts of one
//! pass (`Context`).

use crate::target::Targets;

mod context;
mod finding;
pub(crate) mod img;
pub(crate) mod lay;
pub(crate) mod met;
pub(crate) mod pkg;
pub(crate) mod repairable;
pub(crate) mod sum;
pub(crate) mod xrf;

pub(crate) use context::Context;
pub(crate) use finding::Listed;
pub use finding::{Finding, Severity, END_POSITION};
pub use repairable::Repairable;

/// A text in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// English.
    pub en: &'static str,
    /// Chinese.
    pub zh: &'static str,
}

/// One rule of the catalog: what it detects, why the import fails, the fix
/// and the evidence, in both languages.
#[derive(Debug)]
pub struct Rule {
    /// Its stable code: `PKG001`.
    pub code: &'static str,
    /// Its name: `not-gzip`.
    pub name: &'static str,
    /// Its worst severity (on the targets it fails on).
    pub severity: Severity,
    /// One line: what the rule detects.
    pub title: Text,
    /// Why the import fails (or what it loses) when this is found.
    pub why: Text,
    /// The fix, when a finding does not give a more precise one.
    pub fix: Text,
    /// A short example of what fires it.
    pub example: &'static str,
    /// Where the claim comes from: the upstream code (repository, path,
    /// function, the releases it holds for) or the real component that
    /// showed it, or "a ramcheck safety limit".
    pub evidence: &'static str,
    /// The targets on which a finding of this rule makes the import fail,
    /// unless the check narrows it (an archive only some lines load). Empty
    /// for a rule that warns or informs only.
    pub fails_on: Targets,
    /// Whether `ramcheck fix` answers its findings, or why not.
    pub repair: Repairable,
}

impl Rule {
    /// A finding of this rule at `location`, with the rule's severity and fix.
    pub fn at(&'static self, location: impl Into<String>, position: u64, en: String, zh: String) -> Finding {
        Finding {
            code: self.code.to_string(),
            name: self.name.to_string(),
            severity: self.severity,
            location: location.into(),
            message: en,
            message_zh: zh,
            hint: self.fix.en.to_string(),
            hint_zh: self.fix.zh.to_string(),
            position,
            fails_on: if self.severity == Severity::Error { self.fails_on } else { Targets::NONE },
        }
    }
}

impl Finding {
    /// Whether `rule` made this finding.
    pub fn is(&self, rule: &Rule) -> bool {
        self.code == rule.code
    }

    /// Replaces the rule's generic fix with one for this finding.
    pub fn fix(mut self, en: impl Into<String>, zh: impl Into<String>) -> Finding {
        self.hint = en.into();
        self.hint_zh = zh.into();
        self
    }

    /// A finding milder than its rule: it fails nowhere.
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        if severity != Severity::Error {
            self.fails_on = Targets::NONE;
        }
        self
    }

    /// Narrows the targets this finding fails on (to those that load the
    /// archive it is about, say); one that fails nowhere is a warning.
    pub fn only_on(mut self, targets: Targets) -> Finding {
        self.fails_on = self.fails_on.and(targets);
        if self.fails_on.is_empty() && self.severity == Severity::Error {
            self.severity = Severity::Warning;
        }
        self
    }
}

/// A check: looks at the facts and adds findings.
pub type Check = fn(&Context<'_>, &mut Vec<Finding>);

/// Every rule, in catalog order.
#[rustfmt::skip]
pub static RULES: &[&Rule] = &[
    &pkg::PKG001,
    &pkg::PKG002,
    &pkg::PKG003,
    &pkg::PKG004,
    &pkg::PKG005,
    &pkg::PKG006,
    &pkg::PKG007,
    &pkg::PKG008,
    &pkg::PKG009,
    &pkg::PKG010,
    &lay::LAY001,
    &lay::LAY002,
    &lay::LAY003,
    &lay::LAY004,
    &lay::LAY005,
    &lay::LAY006,
    &lay::LAY007,
    &lay::LAY008,
    &lay::LAY009,
    &lay::LAY010,
    &lay::LAY011,
    &met::MET001,
    &met::MET002,
    &met::MET003,
    &met::MET004,
    &met::MET005,
    &met::MET006,
    &met::MET007,
    &met::MET008,
    &met::MET009,
    &met::MET010,
    &met::MET011,
    &met::MET012,
    &img::IMG001,
    &img::IMG002,
    &img::IMG003,
    &img::IMG004,
    &img::IMG005,
    &img::IMG006,
    &img::IMG007,
    &img::IMG008,
    &img::IMG009,
    &img::IMG010,
    &img::IMG011,
    &img::IMG012,
    &img::IMG013,
    &img::IMG014,
    &xrf::XRF001,
    &xrf::XRF002,
    &xrf::XRF003,
    &xrf::XRF004,
    &sum::SUM001,
    &sum::SUM002,
];

/// Every check, run in this order after the pass.
pub static CHECKS: &[Check] = &[pkg::check, lay::check, met::check, img::check, xrf::check, sum::check];

/// The rule with this code, in any case.
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// Where a rule makes the import fail, for people.
fn failing_targets(rule: &Rule, lang: crate::lang::Lang) -> String {
    match (rule.fails_on, lang) {
        (t, crate::lang::Lang::En) if t.is_empty() => "nowhere (it warns or informs)".into(),
        (t, crate::lang::Lang::Zh) if t.is_empty() => "任何目标都不会失败（仅警告或提示）".into(),
        (Targets::ALL, crate::lang::Lang::En) => "every target (all release lines, containerd and Docker)".into(),
        (Targets::ALL, crate::lang::Lang::Zh) => "所有目标（所有版本线，containerd 和 Docker）".into(),
        (t, lang) => format!("{} ({})", t.describe(lang), t.names().join(", ")),
    }
}

/// The long explanation of a rule, as `--explain` prints it and the docs
/// page shows it.
pub fn explain(rule: &Rule, lang: crate::lang::Lang) -> String {
    let t = |text: &Text| match lang {
        crate::lang::Lang::En => text.en,
        crate::lang::Lang::Zh => text.zh,
    };
    let (what, why, fix, example, fails, evidence, repair) = match lang {
        crate::lang::Lang::En => ("Detects", "Why the import fails", "Fix", "Example", "Fails on", "Evidence", "Repair"),
        crate::lang::Lang::Zh => ("检测内容", "导入为何失败", "修复方法", "示例", "导入失败的目标", "依据", "自动修复"),
    };
    format!(
        "{} {} ({})\n\n{what}: {}\n\n{why}: {}\n\n{fix}: {}\n\n{example}: {}\n\n{fails}: {}\n\n{evidence}: {}\n\n{repair}: {}\n",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        t(&rule.title),
        t(&rule.why),
        t(&rule.fix),
        rule.example,
        failing_targets(rule, lang),
        rule.evidence,
        rule.repair.describe(lang)
    )
}

/// The rule documentation page (`docs/rules.md`), generated from the
/// registry: one section per rule, in English and Chinese.
pub fn catalog_markdown() -> String {
    let mut out = String::from(
        "# ramcheck rules\n\n\
         Generated from the rule registry (`src/rules/`) by `RAMCHECK_BLESS=1 cargo test --test suite docs::`; do not edit by hand.\n\
         `ramcheck --explain CODE` prints the same text.\n\n\
         Severity is per target (a Rainbond release line and its image runtime, `shared/spec/targets.md`): \
         **error**: the import fails, or installs something that cannot run, on that target; \
         **warning**: it succeeds but loses or changes something, or fails only on other targets; **info**: worth knowing. \
         The severity below is the worst case; \"fails on\" lists the targets where it is an error \
         (a finding about an archive that a line skips fails on fewer).\n\n\
         | code | name | severity | fails on | detects |\n|---|---|---|---|---|\n",
    );
    for r in RULES {
        let fails = match r.fails_on {
            t if t.is_empty() => "—".to_string(),
            Targets::ALL => "all".to_string(),
            t => t.names().join(", "),
        };
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {fails} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.severity.as_str(),
            r.title.en
        ));
    }
    for r in RULES {
        out.push_str(&format!(
            "\n## {}\n\n**{}** · {} · {} / {}\n\n**Why the import fails.** {}\n\n**Example.** {}\n\n**Fix.** {}\n\n**Fails on.** {}\n\n**Evidence.** {}\n\n**Repair.** {}\n\n> **为何导入失败。** {}\n>\n> **修复方法。** {}\n>\n> **自动修复。** {}\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.title.en,
            r.title.zh,
            r.why.en,
            r.example,
            r.fix.en,
            failing_targets(r, crate::lang::Lang::En),
            r.evidence,
            r.repair.describe(crate::lang::Lang::En),
            r.why.zh,
            r.fix.zh,
            r.repair.describe(crate::lang::Lang::Zh)
        ));
    }
    out
}
