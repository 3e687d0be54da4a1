//! The rule catalog. Every rule is declared once, as a [`Rule`] in the module
//! of its family; `--explain`, the docs page, SARIF and the report all read
//! that one declaration. The checks that fire them run over the facts of one
//! pass ([`Context`]).

use crate::report::{Finding, Severity};

pub mod context;
pub mod img;
pub mod lay;
pub mod met;
pub mod pkg;
pub mod sum;
pub mod xrf;

pub use context::Context;

/// A text in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub en: &'static str,
    pub zh: &'static str,
}

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule detects.
    pub title: Text,
    /// Why the import fails (or what it loses) when this is found.
    pub why: Text,
    /// The fix, when a finding does not give a more precise one.
    pub fix: Text,
    /// A short example of what fires it.
    pub example: &'static str,
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
        }
    }
}

impl Finding {
    /// Replaces the rule's generic fix with one for this finding.
    pub fn fix(mut self, en: impl Into<String>, zh: impl Into<String>) -> Finding {
        self.hint = en.into();
        self.hint_zh = zh.into();
        self
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
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
    &xrf::XRF001,
    &xrf::XRF002,
    &xrf::XRF003,
    &xrf::XRF004,
    &sum::SUM001,
    &sum::SUM002,
];

/// Every check, run in this order after the pass.
pub static CHECKS: &[Check] = &[pkg::check, lay::check, met::check, img::check, xrf::check, sum::check];

pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// The long explanation of a rule, as `--explain` prints it and the docs
/// page shows it.
pub fn explain(rule: &Rule, lang: crate::format::Lang) -> String {
    let t = |text: &Text| match lang {
        crate::format::Lang::En => text.en,
        crate::format::Lang::Zh => text.zh,
    };
    let (what, why, fix, example) = match lang {
        crate::format::Lang::En => ("Detects", "Why the import fails", "Fix", "Example"),
        crate::format::Lang::Zh => ("检测内容", "导入为何失败", "修复方法", "示例"),
    };
    format!(
        "{} {} ({})\n\n{what}: {}\n\n{why}: {}\n\n{fix}: {}\n\n{example}: {}\n",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        t(&rule.title),
        t(&rule.why),
        t(&rule.fix),
        rule.example
    )
}

/// The rule documentation page (`docs/rules.md`), generated from the
/// registry: one section per rule, in English and Chinese.
pub fn catalog_markdown() -> String {
    let mut out = String::from(
        "# ramcheck rules\n\n\
         Generated from the rule registry (`src/rules/`) by `RAMCHECK_BLESS=1 cargo test --test docs`; do not edit by hand.\n\
         `ramcheck --explain CODE` prints the same text.\n\n\
         Severity: **error**: the import fails or installs something broken on current Rainbond versions; \
         **warning**: it fails on some supported versions or runtimes, or silently loses data; **info**: worth knowing.\n\n\
         | code | name | severity | detects |\n|---|---|---|---|\n",
    );
    for r in RULES {
        out.push_str(&format!("| [{}](#{}) | {} | {} | {} |\n", r.code, r.code.to_lowercase(), r.name, r.severity.as_str(), r.title.en));
    }
    for r in RULES {
        out.push_str(&format!(
            "\n## {}\n\n**{}** · {} · {} / {}\n\n**Why the import fails.** {}\n\n**Example.** {}\n\n**Fix.** {}\n\n> **为何导入失败。** {}\n>\n> **修复方法。** {}\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.title.en,
            r.title.zh,
            r.why.en,
            r.example,
            r.fix.en,
            r.why.zh,
            r.fix.zh
        ));
    }
    out
}
