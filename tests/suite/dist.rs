//! What ships around the check (issue 19): the progress line on a terminal
//! (a pseudo-terminal made by `script`), none when piped or with --quiet,
//! plain lines with --progress; `--version`, completions and man pages.
//! The static binaries and the release set: scripts/test-dist.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::cli::{dir, seed, valid, write};
use crate::fixtures::{null_manifest_archive, Package, Shape};

const BIN: &str = env!("CARGO_BIN_EXE_ramcheck");

/// The seed case (an empty plugin-images.tar, repairable) with 24 MiB of
/// incompressible bytes.
fn seed_big() -> PathBuf {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24)
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes())
        .with_file("extra/noise.bin", noise(24));
    write("seed-big", "app-1.0-ram.tar.gz", &p.tar_gz())
}

fn noise(mib: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..mib << 17)
        .flat_map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()
        })
        .collect()
}

/// A valid package with 24 MiB of incompressible bytes in it, so that the
/// core reports progress (every 4 MiB) while a check takes a while.
fn big() -> PathBuf {
    let p = Package::valid("big", "1.0", 1, 0, Shape::Docker24).with_file("extra/noise.bin", noise(24));
    write("big", "big-1.0-ram.tar.gz", &p.tar_gz())
}

/// A valid package with a member of exactly `ramcheck::LARGE_MEMBER` bytes
/// (64 MiB), the smallest the progress line names. Its gzip stores the
/// bytes (deflate's stored blocks, as `gzip` does with data that does not
/// compress): as slow to read as noise, and quick to make and inflate.
fn large() -> PathBuf {
    let p = Package::valid("large", "1.0", 1, 0, Shape::Docker24).with_file("data/volume.img", vec![0; ramcheck::LARGE_MEMBER as usize]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    std::io::Write::write_all(&mut gz, &p.tar_bytes()).unwrap();
    write("large", "large-1.0-ram.tar.gz", &gz.finish().unwrap())
}

/// The seed case (repairable: fix rewrites it) with a 64 MiB member, its
/// gzip storing the bytes like [`large`]'s.
fn seed_large() -> PathBuf {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24)
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes())
        .with_file("data/volume.img", vec![0; ramcheck::LARGE_MEMBER as usize]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    std::io::Write::write_all(&mut gz, &p.tar_bytes()).unwrap();
    write("seed-large", "app-1.0-ram.tar.gz", &gz.finish().unwrap())
}

fn ramcheck(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(BIN).args(args.iter().map(|a| a.as_ref())).env("LANG", "C").env_remove("LC_ALL").output().unwrap()
}

/// Runs ramcheck with stdout and stderr on a pseudo-terminal; what the
/// terminal got, control codes included.
fn on_terminal(args: &[&str]) -> String {
    let quoted: Vec<String> = std::iter::once(BIN).chain(args.iter().copied()).map(|a| format!("'{a}'")).collect();
    // A terminal 120 columns wide (`script`'s own has no size).
    let o = Command::new("script")
        .args(["-qfec", &format!("stty cols 120 rows 40; exec {}", quoted.join(" ")), "/dev/null"])
        .env("LANG", "C")
        .env("TERM", "xterm")
        .env_remove("LC_ALL")
        .env_remove("NO_COLOR")
        .output()
        .expect("script (util-linux) runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// Erasing the line: indicatif (console) moves to its start and clears it.
const CLEAR_LINE: &str = "\r\x1b[2K";

/// The CLI's output on a terminal for `file` (a passing package named
/// `name`), from its first progress line on, and where the report starts.
fn drawn_on_terminal(file: &Path, name: &str) -> (String, usize) {
    let out = on_terminal(&[file.to_str().unwrap()]);
    let line = out.find(&format!("checking {name} [")).unwrap_or_else(|| panic!("no progress line: {out:?}"));
    let report = out.find("PASS: the package will import").unwrap_or_else(|| panic!("no report: {out:?}"));
    assert!(line < report, "{out:?}");
    (out[line..].to_string(), report - line)
}

#[test]
fn a_terminal_shows_the_progress_line_and_clears_it_before_the_report() {
    let (out, report) = drawn_on_terminal(&big(), "big-1.0-ram.tar.gz");
    let drawn = &out[..report];
    // First drawn when the core first reports: after 4 MiB (4.19 MB) of
    // about 25 MB, with the rate (its unit depends on the machine: MB/s or
    // GB/s) and the time left.
    assert!(drawn.starts_with("checking big-1.0-ram.tar.gz [===>"), "{drawn:?}");
    assert!(drawn.contains("] 4.19 MB of 25.") && drawn.contains("B/s · ") && drawn.contains(" left"), "{drawn:?}");
    assert!(drawn.contains(CLEAR_LINE), "the line is cleared: {out:?}");
    assert!(!out[report..].contains("checking big"), "nothing drawn after the report: {out:?}");
    // Its members are all under 64 MiB (the noise is 24): none is named.
    assert!(!drawn.contains(" left · ") && !drawn.contains("noise.bin"), "{drawn:?}");
}

#[test]
fn the_line_names_a_large_member_while_it_is_read() {
    let (out, report) = drawn_on_terminal(&large(), "large-1.0-ram.tar.gz");
    let drawn = &out[..report];
    // At the first report (4 MiB read) the walk is inside the 64 MiB member.
    let named = drawn.find("B/s · ").and_then(|at| drawn[at..].find(" left · large-1.0-ram/data/volume.img"));
    assert!(named.is_some(), "the member is named: {drawn:?}");
    assert!(drawn.contains(CLEAR_LINE) && !out[report..].contains("volume.img"), "{out:?}");
}

#[test]
fn a_package_read_before_the_first_report_draws_nothing() {
    let out = on_terminal(&[valid().to_str().unwrap()]);
    assert!(out.contains("PASS"), "{out:?}");
    assert!(!out.contains("checking") && !out.contains(CLEAR_LINE), "a 5 KB package: {out:?}");
}

#[test]
fn nothing_when_stderr_is_not_a_terminal_or_with_quiet() {
    let o = ramcheck(&[&big()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stderr), "", "nothing on a piped stderr");
    let out = on_terminal(&["--quiet", big().to_str().unwrap()]);
    assert!(out.contains("PASS"), "{out:?}");
    assert!(!out.contains("checking") && !out.contains(CLEAR_LINE), "--quiet draws nothing: {out:?}");
}

#[test]
fn forced_progress_prints_plain_lines_when_stderr_is_not_a_terminal() {
    let o = ramcheck(&[&"--progress", &valid(), &seed()]);
    let err = text(&o.stderr);
    assert!(!err.contains('\x1b') && !err.contains('\r'), "no control codes in a log: {err:?}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "one line per file when it is done (checks under 5 s): {err:?}");
    assert!(lines[0].starts_with("ramcheck: checking crm-5.1-ram.tar.gz: ") && lines[0].contains(" kB in "), "{err:?}");
    assert!(lines[1].starts_with("ramcheck: checking app-1.0-ram.tar.gz: "), "{err:?}");
    let o = ramcheck(&[&"--progress", &"--quiet", &valid()]);
    assert_eq!(o.status.code(), Some(2), "--progress and --quiet conflict");
}

#[test]
fn fix_shows_its_passes_on_a_terminal() {
    let out_dir = dir("fix-out");
    let output = out_dir.join("app-1.0-ram.tar.gz");
    let _ = std::fs::remove_file(&output);
    let out = on_terminal(&["fix", "--output", output.to_str().unwrap(), seed_big().to_str().unwrap()]);
    let first = out.find("pass 1/2: checking app-1.0-ram.tar.gz [").unwrap_or_else(|| panic!("{out:?}"));
    let second = out.find("pass 2/2: writing app-1.0-ram.tar.gz [").unwrap_or_else(|| panic!("{out:?}"));
    let result = out.find("Repairs made").unwrap_or_else(|| panic!("{out:?}"));
    assert!(first < second && second < result, "{out:?}");
    assert!(output.exists());
    let o = Command::new(BIN).args(["fix", "--force", "--output"]).arg(&output).arg(seed()).output().unwrap();
    assert_eq!(text(&o.stderr), "", "fix piped: no progress");
}

#[test]
fn fix_names_the_large_member_in_both_passes() {
    let output = dir("fix-large-out").join("app-1.0-ram.tar.gz");
    let _ = std::fs::remove_file(&output);
    let out = on_terminal(&["fix", "--output", output.to_str().unwrap(), seed_large().to_str().unwrap()]);
    let first = out.find("pass 1/2: checking app-1.0-ram.tar.gz [").unwrap_or_else(|| panic!("{out:?}"));
    let second = out.find("pass 2/2: writing app-1.0-ram.tar.gz [").unwrap_or_else(|| panic!("{out:?}"));
    let result = out.find("Repairs made").unwrap_or_else(|| panic!("{out:?}"));
    assert!(first < second && second < result, "{out:?}");
    for drawn in [&out[first..second], &out[second..result]] {
        assert!(drawn.contains(" left · app-1.0-ram/data/volume.img"), "{drawn:?}");
    }
    assert!(output.exists() && !out[result..].contains("volume.img"), "{out:?}");
}

#[test]
fn version_names_the_rule_catalog_and_agrees_with_package_json() {
    let o = ramcheck(&[&"--version"]);
    let want = format!("ramcheck {} ({} rules)\n", env!("CARGO_PKG_VERSION"), ramcheck::rules::RULES.len());
    assert_eq!(text(&o.stdout), want);
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("package.json")).unwrap()).unwrap();
    assert_eq!(package["version"], env!("CARGO_PKG_VERSION"), "package.json and Cargo.toml give one version");
}

#[test]
fn completions_for_bash_zsh_and_fish_know_the_options() {
    for (shell, marker) in [("bash", "complete -F _ramcheck"), ("zsh", "#compdef ramcheck"), ("fish", "complete -c ramcheck")] {
        let o = ramcheck(&[&"completions", &shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = text(&o.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        for option in ["deep", "list-rules", "dry-run", "quiet", "progress"] {
            assert!(script.contains(option), "{shell} completes --{option}");
        }
    }
    assert_eq!(ramcheck(&[&"completions", &"tcsh"]).status.code(), Some(2));
}

#[test]
fn man_pages_from_the_same_definitions() {
    let o = ramcheck(&[&"man"]);
    let page = text(&o.stdout);
    assert!(page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH ramcheck 1"), "{page}");
    assert!(page.contains(&format!("ramcheck {}", env!("CARGO_PKG_VERSION"))), "the version: {page}");
    assert!(page.contains("list\\-rules") && page.contains("completions"), "{page}");
    let out = dir("man");
    let o = ramcheck(&[&"man", &out]);
    assert_eq!(o.status.code(), Some(0));
    let fix = std::fs::read_to_string(out.join("ramcheck-fix.1")).unwrap();
    assert!(fix.contains("dry\\-run"), "{fix}");
    assert!(out.join("ramcheck.1").exists() && out.join("ramcheck-completions.1").exists());
    assert!(!out.join("ramcheck-man.1").exists(), "the man subcommand stays hidden");
    let help = text(&ramcheck(&[&"--help"]).stdout);
    assert!(help.contains("completions") && !help.contains("\n  man"), "{help}");
}
