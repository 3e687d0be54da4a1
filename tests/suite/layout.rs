//! The library's layout is its pipeline (CONTRIBUTING.md, "Which folder may
//! use which"): a module uses only the folders before it, so there is no
//! cycle between them. The compiler cannot say this; the source can.

use std::path::Path;

use crate::sources;

/// The pipeline, in order; each may use the ones before it.
const PIPELINE: &[&str] = &["container", "facts", "scan", "rules", "report", "check", "repair"];
/// Leaves any module may use, and what each of them may use.
const LEAVES: &[(&str, &[&str])] = &[("lang", &[]), ("limits", &[]), ("target", &["lang"])];

/// The top-level modules `text` names through `crate::…`, outside comments.
fn uses(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines().map(str::trim_start).filter(|l| !l.starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let name: String = line[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn each_folder_uses_only_the_folders_before_it_in_the_pipeline() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut checked = 0;
    for (path, text) in &files {
        let rel = path.strip_prefix(src.to_str().unwrap()).unwrap().trim_start_matches('/');
        let top = rel.split(['/', '.']).next().unwrap();
        if top == "bin" {
            assert!(uses(text).is_empty(), "{rel}: the command line uses the library's public API (`ramcheck::…`), not `crate::`");
            continue;
        }
        let allowed: Vec<&str> = if let Some(at) = PIPELINE.iter().position(|p| *p == top) {
            PIPELINE[..at].iter().copied().chain(LEAVES.iter().map(|l| l.0)).collect()
        } else if let Some((_, may)) = LEAVES.iter().find(|l| l.0 == top) {
            may.to_vec()
        } else {
            assert_eq!(top, "lib", "{rel}: a top-level module missing from PIPELINE or LEAVES");
            continue;
        };
        for used in uses(text) {
            assert!(used == top || allowed.contains(&used.as_str()), "{rel} uses crate::{used}, which comes later in the pipeline");
        }
        checked += 1;
    }
    assert!(checked > 30, "{checked} files checked");
}

#[test]
fn a_use_of_a_later_folder_is_seen() {
    assert_eq!(uses("use crate::report::Report;\n// crate::check in a comment\nlet x = crate::rules::find(c);"), ["report", "rules"]);
}
