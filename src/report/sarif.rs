use serde_json::{json, Value};

use crate::report::{Report, Severity};
use crate::rules::RULES;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF 2.1.0: one run, the rule catalog as the driver's rules, one result
/// per finding of every report.
pub fn sarif(reports: &[Report]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.title.en },
                "fullDescription": { "text": r.why.en },
                "help": { "text": r.fix.en },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "title_zh": r.title.zh, "why_zh": r.why.zh, "fix_zh": r.fix.zh, "evidence": r.evidence, "fails_on": r.fails_on },
            })
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|report| {
            report.findings.iter().map(move |f| {
                json!({
                    "ruleId": f.code,
                    "ruleIndex": RULES.iter().position(|r| r.code == f.code),
                    "level": level(f.severity),
                    "message": { "text": format!("{} Fix: {}", f.message, f.hint) },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": { "uri": report.file } },
                        "logicalLocations": [{ "fullyQualifiedName": f.location, "kind": "member" }],
                    }],
                    "properties": { "message_zh": f.message_zh, "hint_zh": f.hint_zh, "target": report.target, "fails_on": f.fails_on },
                })
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ramcheck",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "results": results,
            "properties": {
                "targets": reports.iter().map(|r| json!({ "file": r.file, "target": r.target, "verdict": r.verdict, "targets": r.targets })).collect::<Vec<_>>(),
            },
        }],
    })
}
