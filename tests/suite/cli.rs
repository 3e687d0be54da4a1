//! The command line as a user runs it: formats, exit codes, --explain.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::fixtures::{null_manifest_archive, Package, Shape};

/// A directory of its own for `case`, under the tests' temporary folder.
pub(crate) fn dir(case: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixtures").join(case);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes a fixture file for the command line to read (this suite's and
/// dist's); atomically, since tests run in parallel and several write the
/// same fixture.
pub(crate) fn write(case: &str, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir(case).join(name);
    let tmp = dir(case).join(format!("{name}.{:?}.tmp", std::thread::current().id()));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// The seed case: an empty plugin-images.tar (IMG001, repairable).
pub(crate) fn seed() -> PathBuf {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24).with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    write("seed", "app-1.0-ram.tar.gz", &p.tar_gz())
}

/// A valid package.
pub(crate) fn valid() -> PathBuf {
    write("valid", "crm-5.1-ram.tar.gz", &Package::valid("crm", "5.1", 3, 1, Shape::Docker25).tar_gz())
}

fn ramcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ramcheck")).args(args).env("LANG", "C").env_remove("LC_ALL").output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn the_seed_case_prints_img001_with_its_fix_and_exits_1() {
    let o = ramcheck(&[seed().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("FAIL: the import will fail"), "{out}");
    assert!(out.contains("IMG001 empty-image-archive"), "{out}");
    assert!(out.contains("at app-1.0-ram/plugin-images.tar!/manifest.json"), "{out}");
    assert!(out.contains("fix: The app has no plugins: delete plugin-images.tar"), "{out}");
    assert!(!out.contains("\x1b["), "no colour when stdout is not a terminal");
}

#[test]
fn a_valid_package_passes_and_exits_0() {
    let o = ramcheck(&[valid().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("PASS: the package will import"), "{out}");
    assert!(out.contains("crm 5.1 · 3 components · 1 plugins · 4 images"), "{out}");
    assert!(out.contains("No problems found."), "{out}");
}

#[test]
fn chinese_text_report() {
    let o = ramcheck(&["--lang", "zh", seed().to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains("失败：导入会失败"), "{out}");
    assert!(out.contains("plugin-images.tar 中没有任何镜像"), "{out}");
}

#[test]
fn json_prints_one_report_per_line_and_nothing_else() {
    let o = ramcheck(&["--format", "json", valid().to_str().unwrap(), seed().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    let a: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let b: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(a["verdict"], "pass");
    assert_eq!(b["verdict"], "fail");
    assert_eq!(b["findings"][0]["code"], "IMG001");
    for key in ["file", "size", "verdict", "findings", "summary", "entries", "stats"] {
        assert!(b.get(key).is_some(), "report lacks {key}");
    }
    for key in ["code", "name", "severity", "location", "message", "message_zh", "hint"] {
        assert!(b["findings"][0].get(key).is_some(), "finding lacks {key}");
    }
    assert!(b["stats"]["bytes_read"].as_u64().unwrap() > 0);
}

#[test]
fn sarif_has_one_run_with_the_rules_and_one_result_per_finding() {
    let o = ramcheck(&["--format", "sarif", seed().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), ramcheck::rules::RULES.len());
    let results = runs[0]["results"].as_array().unwrap();
    let codes: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["IMG001", "SUM001"]);
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[1]["level"], "note");
    let index = results[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "IMG001");
    assert_eq!(results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "app-1.0-ram/plugin-images.tar!/manifest.json");
}

#[test]
fn explain_and_list_rules() {
    let o = ramcheck(&["--explain", "img001"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let rule = ramcheck::rules::find("IMG001").unwrap();
    assert!(out.starts_with("IMG001 empty-image-archive (error)"), "{out}");
    assert!(out.contains(rule.why.en) && out.contains(rule.fix.en), "{out}");
    let o = ramcheck(&["--explain", "NOPE01"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ramcheck(&["--list-rules"]);
    assert_eq!(stdout(&o).lines().count(), ramcheck::rules::RULES.len());
}

#[test]
fn unreadable_paths_exit_2_with_a_message_and_the_others_are_still_checked() {
    let missing = dir("missing").join("nope.tar.gz");
    let o = ramcheck(&["--format", "json", missing.to_str().unwrap(), valid().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.tar.gz"));
    assert_eq!(stdout(&o).lines().count(), 1, "the readable file is still reported");
    let o = ramcheck(&[dir("a-directory").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
}

#[test]
fn damaged_input_yields_a_report_not_a_crash() {
    let gz = Package::valid("app", "1.0", 1, 0, Shape::Docker24).tar_gz();
    for (name, bytes) in [
        ("empty.tar.gz", Vec::new()),
        ("random.tar.gz", (0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect()),
        ("cut.tar.gz", gz[..gz.len() / 3].to_vec()),
    ] {
        let o = ramcheck(&["--format", "json", write("damaged", name, &bytes).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r["verdict"], "fail", "{name}");
    }
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(ramcheck(&["--format", "xml", "x"]).status.code(), Some(2));
    assert_eq!(ramcheck(&[]).status.code(), Some(2));
}

#[test]
fn the_target_decides_the_verdict_and_the_other_targets_are_listed() {
    let seed = seed();
    let seed = seed.to_str().unwrap();
    let o = ramcheck(&["--target", "5.16/docker", seed]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("for Rainbond 5.15.1 to 5.17.3 with Docker"), "{out}");
    assert!(out.contains("Imports with warnings on Rainbond 5.15.1 to 5.17.3 with containerd; Rainbond 6.0 and later"), "{out}");
    let o = ramcheck(&["--target", "v6.9.8/containerd", seed]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("Fails on Rainbond 5.15.1 to 5.17.3 with Docker: IMG001"), "{}", stdout(&o));
    // Without a runtime, both runtimes of the line: the worse verdict.
    assert_eq!(ramcheck(&["--target", "5.17.1", seed]).status.code(), Some(1));
    let o = ramcheck(&["--format", "json", "--target", "6.1", seed]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["target"], "6.0");
    assert_eq!(json["verdict"], "warn");
    assert_eq!(json["targets"].as_array().unwrap().len(), 8);
    assert_eq!(json["targets"][1], serde_json::json!({ "target": "5.16/docker", "verdict": "fail" }));
    assert_eq!(json["findings"][0]["fails_on"], serde_json::json!(["5.16/docker"]));
    let o = ramcheck(&["--format", "sarif", "--target", "5.16/docker", seed]);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!((result["level"].as_str(), result["properties"]["fails_on"][0].as_str()), (Some("error"), Some("5.16/docker")));
    assert_eq!(sarif["runs"][0]["properties"]["targets"][0]["target"], "5.16/docker");
}

#[test]
fn an_unknown_target_exits_2_with_the_lines() {
    for bad in ["5.14", "6.9/cri-o", "soon"] {
        let o = ramcheck(&["--target", bad, valid().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("5.16, 6.0, 6.7, 6.9"), "{bad}: {err}");
    }
}

#[test]
fn explain_shows_evidence_and_failing_targets() {
    let out = stdout(&ramcheck(&["--explain", "IMG001"]));
    assert!(out.contains("Fails on: Rainbond 5.15.1 and later with Docker"), "{out}");
    assert!(out.contains("Evidence: moby image/tarexport/load.go"), "{out}");
}
