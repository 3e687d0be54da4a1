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
pub static RULES: &[&Rule] =
    &[&pkg::PKG001, &pkg::PKG003, &lay::LAY001, &lay::LAY003, &met::MET001, &met::MET002, &img::IMG001, &xrf::XRF001, &sum::SUM001];

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
