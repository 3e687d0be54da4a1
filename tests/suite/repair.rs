//! Repair: every repairable rule has a fixture; the output is checked again,
//! unpacked by GNU tar without a warning, and every kept member compared
//! byte for byte (header and data) with the input's.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::fixtures::{component_image, gzip, image_archive, null_manifest_archive, zip_of, Image, Node, Package, Shape, Tar};
use ramcheck::repair::{self, Action, Mode, Plan};
use ramcheck::{Options, Report, Severity, Target};

const OPTIONS: Options = Options { deep: false };

fn app() -> Package {
    Package::valid("app", "1.0", 2, 0, Shape::Docker24)
}

fn case_dir(case: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("repair").join(case);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Fixed {
    plan: Plan,
    out: Vec<u8>,
    report: Report,
}

impl Fixed {
    /// (code, action, target) of every repair.
    fn repairs(&self) -> Vec<(Option<&str>, Action, &str)> {
        self.plan.repairs.iter().map(|r| (r.code.as_deref(), r.action, r.target.as_str())).collect()
    }

    /// The output's tar, inflated.
    fn tar(&self) -> Vec<u8> {
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(self.out.as_slice()).read_to_end(&mut tar).unwrap();
        tar
    }
}

/// Plans and applies the repair of `input` named `name`, and checks the
/// output again: it must have no error.
fn fix(input: &[u8], name: &str) -> Fixed {
    let source = input.to_vec();
    let (_, plan) = repair::check_and_plan(&source, name, None, &OPTIONS, &Target::all(), None);
    let mut out = Vec::new();
    let done = repair::apply(&source, &plan, &mut out, None).unwrap();
    assert_eq!(done, plan.repairs);
    let report = ramcheck::check(&out, &plan.output_name, &OPTIONS, None);
    let errors: Vec<_> = report.findings.iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{name}: errors remain after the repair: {errors:#?}");
    assert!(plan.unrepaired.is_empty(), "{:#?}", plan.unrepaired);
    Fixed { plan, out, report }
}

/// Unpacks `tar_gz` with GNU tar: it must succeed without a word on stderr.
fn untar(case: &str, tar_gz: &[u8]) -> PathBuf {
    let dir = case_dir(case);
    let file = dir.join("package.tar.gz");
    std::fs::write(&file, tar_gz).unwrap();
    let into = dir.join("x");
    std::fs::create_dir(&into).unwrap();
    let o = Command::new("tar").arg("-xzf").arg(&file).arg("-C").arg(&into).output().unwrap();
    assert!(o.status.success(), "{case}: tar -xzf failed: {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stderr), "", "{case}: tar -xzf warned");
    into
}

/// Every member of a tar: path, header block, data.
fn members(tar: &[u8]) -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let mut archive = tar::Archive::new(tar);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let header = e.header().as_bytes().to_vec();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (path, header, data)
        })
        .collect()
}

/// The output holds exactly the input's members minus `dropped` (paths and
/// everything under them), each with the same header and data, in order;
/// and it ends as GNU tar ends an archive.
fn assert_kept(input_tar: &[u8], fixed: &Fixed, dropped: &[&str]) {
    let gone = |p: &str| dropped.iter().any(|d| p == *d || p.starts_with(&format!("{}/", d.trim_end_matches('/'))));
    let want: Vec<_> = members(input_tar).into_iter().filter(|(p, _, _)| !gone(p)).collect();
    let tar = fixed.tar();
    assert_eq!(members(&tar), want);
    assert_eq!(tar.len() % 10240, 0, "records of 20 blocks");
    assert!(tar[tar.len() - 1024..].iter().all(|&b| b == 0), "end-of-archive blocks");
}

/// Each file unpacked in `dir` has the fixture's bytes.
fn assert_unpacked(dir: &Path, tar: &Tar, dropped: &[&str]) {
    for (path, node) in &tar.members {
        let on_disk = dir.join(path);
        if dropped.iter().any(|d| path.starts_with(d)) {
            assert!(!on_disk.exists(), "{path} was not dropped");
        } else if let Node::File(data) = node {
            assert_eq!(&std::fs::read(&on_disk).unwrap(), data, "{path}");
        }
    }
}

/// The common round: repair, unpack with GNU tar, compare.
fn round(case: &str, p: &Package, input: &[u8], name: &str, dropped: &[&str]) -> Fixed {
    let fixed = fix(input, name);
    assert_kept(&p.tar_bytes(), &fixed, dropped);
    let dir = untar(case, &fixed.out);
    assert_unpacked(&dir, &p.tar, dropped);
    fixed
}

// ---- image archives --------------------------------------------------------

#[test]
fn img001_empty_plugin_archive_is_dropped() {
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let fixed = round("img001", &p, &p.tar_gz(), &p.file_name(), &["app-1.0-ram/plugin-images.tar"]);
    assert_eq!(fixed.repairs(), vec![(Some("IMG001"), Action::Drop, "app-1.0-ram/plugin-images.tar")]);
    assert_eq!(fixed.plan.mode, Mode::Rewrite);
    assert_eq!(fixed.plan.output_name, "app-1.0-ram.tar.gz");
}

#[test]
fn img002_empty_oci_index_is_dropped() {
    let empty =
        Tar::new().file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#).file("index.json", r#"{"schemaVersion":2,"manifests":[]}"#);
    let p = app().with_file("extra-images.tar", empty.go_bytes());
    let fixed = round("img002", &p, &p.tar_gz(), &p.file_name(), &["app-1.0-ram/extra-images.tar"]);
    assert_eq!(fixed.repairs(), vec![(Some("IMG002"), Action::Drop, "app-1.0-ram/extra-images.tar")]);
}

#[test]
fn xrf003_plugin_archive_without_plugins_is_dropped() {
    let p = app().with_file("plugin-images.tar", image_archive(Shape::Docker24, &[Image::new("goodrain.me/app/mesh:v1")]).go_bytes());
    let fixed = round("xrf003", &p, &p.tar_gz(), &p.file_name(), &["app-1.0-ram/plugin-images.tar"]);
    assert_eq!(fixed.repairs(), vec![(Some("XRF003"), Action::Drop, "app-1.0-ram/plugin-images.tar")]);
    assert!(fixed.report.findings.iter().all(|f| f.severity != Severity::Warning), "{:#?}", fixed.report.findings);
}

// ---- layout ----------------------------------------------------------------

#[test]
fn lay002_macos_leftovers_and_stray_top_level_entries_are_dropped() {
    let mut p = app();
    p.tar = p
        .tar
        .file("._app-1.0-ram", vec![0u8; 4096])
        .file(".DS_Store", vec![0u8; 6148])
        .dir("__MACOSX/")
        .dir("__MACOSX/app-1.0-ram/")
        .file("__MACOSX/app-1.0-ram/._metadata.json", vec![0u8; 82])
        .file("zz-README.txt", "hi");
    let dropped = ["._app-1.0-ram", ".DS_Store", "__MACOSX", "zz-README.txt"];
    let fixed = round("lay002", &p, &p.tar_gz(), &p.file_name(), &dropped);
    let mut targets: Vec<_> = fixed.repairs().into_iter().map(|(c, a, t)| (c.unwrap(), a, t.to_string())).collect();
    targets.sort_by(|a, b| a.2.cmp(&b.2));
    let want: Vec<_> =
        [".DS_Store", "._app-1.0-ram", "__MACOSX", "zz-README.txt"].iter().map(|t| ("LAY002", Action::Drop, t.to_string())).collect();
    assert_eq!(targets, want);
}

#[test]
fn lay005_appledouble_and_backup_tars_are_dropped() {
    let backup = Tar::new().file("notes.txt", "old").go_bytes();
    let p = app().with_file("._component-images.tar", vec![0u8; 4096]).with_file("old/backup.tar", backup);
    let dropped = ["app-1.0-ram/._component-images.tar", "app-1.0-ram/old/backup.tar"];
    let fixed = round("lay005", &p, &p.tar_gz(), &p.file_name(), &dropped);
    assert_eq!(fixed.repairs(), dropped.iter().map(|d| (Some("LAY005"), Action::Drop, *d)).collect::<Vec<_>>());
}

// ---- compression and trailing bytes -----------------------------------------

#[test]
fn pkg001_plain_tar_is_compressed_as_it_is() {
    let p = app();
    let fixed = round("pkg001", &p, &p.tar_bytes(), &p.file_name(), &[]);
    assert_eq!(fixed.repairs(), vec![(Some("PKG001"), Action::Compress, "app-1.0-ram.tar.gz")]);
    assert_eq!(fixed.plan.mode, Mode::Recompress);
    assert_eq!(fixed.tar(), p.tar_bytes(), "the tar is compressed byte for byte");
}

#[test]
fn pkg002_double_gzip_loses_its_second_layer() {
    let p = app();
    let fixed = round("pkg002", &p, &gzip(&p.tar_gz()), &p.file_name(), &[]);
    assert_eq!(fixed.repairs(), vec![(Some("PKG002"), Action::Decompress, "app-1.0-ram.tar.gz")]);
    assert_eq!(fixed.tar(), p.tar_bytes());
    // With a member to drop, the inner tar is rewritten.
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let fixed = round("pkg002-img001", &p, &gzip(&p.tar_gz()), &p.file_name(), &["app-1.0-ram/plugin-images.tar"]);
    let codes: Vec<_> = fixed.repairs().into_iter().map(|r| r.0.unwrap()).collect();
    assert_eq!(codes, vec!["PKG002", "IMG001"]);
}

#[test]
fn pkg004_trailing_bytes_are_cut_and_the_stream_copied_as_it_is() {
    let p = app();
    let gz = p.tar_gz();
    for (case, tail) in [("garbage", b"BACKUP-COPY-2024".to_vec()), ("zeros", vec![0u8; 4096])] {
        let mut input = gz.clone();
        input.extend(&tail);
        let fixed = round(&format!("pkg004-{case}"), &p, &input, &p.file_name(), &[]);
        assert_eq!(fixed.repairs(), vec![(Some("PKG004"), Action::Trim, "app-1.0-ram.tar.gz")]);
        assert_eq!(fixed.plan.mode, Mode::Copy { len: gz.len() as u64 });
        assert_eq!(fixed.out, gz, "{case}: the gzip stream is copied byte for byte");
    }
}

// ---- zip ---------------------------------------------------------------------

#[test]
fn zip_without_directory_entries_becomes_a_tar_gz() {
    let p = app();
    let mut files = Tar::new();
    for (path, node) in &p.tar.members {
        if !matches!(node, Node::Dir) {
            files.push(path, node.clone());
        }
    }
    let fixed = fix(&zip_of(&files), "app-1.0-ram.zip");
    assert_eq!(fixed.repairs(), vec![(Some("LAY009"), Action::Convert, "app-1.0-ram.zip"), (None, Action::Name, "app-1.0-ram.zip")]);
    assert_eq!(fixed.plan.output_name, "app-1.0-ram.tar.gz");
    let dir = untar("lay009", &fixed.out);
    assert_unpacked(&dir, &p.tar, &[]);
    // The missing directory entry comes first, as tar -czf writes it.
    let names: Vec<_> = members(&fixed.tar()).into_iter().map(|m| m.0).collect();
    assert_eq!(names[0], "app-1.0-ram/");
    assert_eq!(names.len(), p.tar.members.len());
}

#[test]
fn zip_under_a_tar_gz_name_is_converted_with_the_zip_s_modes() {
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let fixed = fix(&p.zip(), &p.file_name());
    let codes: Vec<_> = fixed.repairs().into_iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(codes, vec![(Some("PKG001"), Action::Convert), (Some("IMG001"), Action::Drop)]);
    let dir = untar("zip-as-tar-gz", &fixed.out);
    assert_unpacked(&dir, &p.tar, &["app-1.0-ram/plugin-images.tar"]);
    let out = members(&fixed.tar());
    let mode = |path: &str| tar::Header::from_byte_slice(&out.iter().find(|m| m.0 == path).unwrap().1).mode().unwrap();
    assert_eq!(mode("app-1.0-ram/metadata.json"), 0o644);
    assert_eq!(mode("app-1.0-ram/"), 0o755);
}

// ---- names -----------------------------------------------------------------

#[test]
fn pkg006_a_comma_in_the_name_gets_a_safe_output_name() {
    let p = app();
    let fixed = fix(&p.tar_gz(), "app-1.0,final-ram.tar.gz");
    assert_eq!(fixed.repairs(), vec![(Some("PKG006"), Action::Name, "app-1.0,final-ram.tar.gz")]);
    assert_eq!(fixed.plan.output_name, "app-1.0-final-ram.tar.gz");
    assert_eq!(fixed.out, p.tar_gz(), "only the name changes");
}

#[test]
fn pkg005_a_tar_gz_named_zip_gets_its_proper_name() {
    let p = app();
    let fixed = fix(&p.tar_gz(), "app-1.0-ram.zip");
    assert_eq!(fixed.repairs(), vec![(Some("PKG005"), Action::Name, "app-1.0-ram.zip")]);
    assert_eq!(fixed.plan.output_name, "app-1.0-ram.tar.gz");
    assert_eq!(fixed.out, p.tar_gz(), "only the name changes");
}

#[test]
fn every_repairable_rule_has_a_repair_test() {
    let source = include_str!("repair.rs");
    let repairable: Vec<_> = ramcheck::rules::RULES.iter().filter(|r| r.repair.is_yes()).map(|r| r.code).collect();
    assert_eq!(repairable.len(), 13, "{repairable:?}");
    for code in repairable {
        assert!(source.contains(&format!("Some(\"{code}\")")), "{code} is repairable, but no test here asserts a repair of it");
    }
}

#[test]
fn pkg007_plugin_in_the_file_name_only() {
    let p = app();
    let fixed = fix(&p.tar_gz(), "my-plugin-app-1.0-ram.tar.gz");
    assert_eq!(fixed.repairs(), vec![(Some("PKG007"), Action::Name, "my-plugin-app-1.0-ram.tar.gz")]);
    assert_eq!(fixed.plan.output_name, "my-plug-in-app-1.0-ram.tar.gz");
}

#[test]
fn pkg007_plugin_in_the_top_directory_renames_it_and_keeps_everything_else() {
    let long = format!("docs/{}/readme.txt", "very-long-directory-name".repeat(5));
    let p = Package::valid("mesh-plugin-demo", "1.0", 2, 0, Shape::Docker24).with_file(&long, "long names get GNU long-name blocks");
    let fixed = fix(&p.tar_gz(), &p.file_name());
    assert_eq!(
        fixed.repairs(),
        vec![
            (Some("PKG007"), Action::RenameTop, "mesh-plugin-demo-1.0-ram"),
            (Some("PKG007"), Action::Name, "mesh-plugin-demo-1.0-ram.tar.gz")
        ]
    );
    assert_eq!(fixed.plan.output_name, "mesh-plug-in-demo-1.0-ram.tar.gz");
    let renamed = |p: &str| p.replacen("mesh-plugin-demo-1.0-ram", "mesh-plug-in-demo-1.0-ram", 1);
    let (before, after) = (members(&p.tar_bytes()), members(&fixed.tar()));
    assert_eq!(before.len(), after.len());
    for ((path, header, data), (new_path, new_header, new_data)) in before.iter().zip(&after) {
        assert_eq!(&renamed(path), new_path);
        assert_eq!(data, new_data, "{path}");
        let (old, new) = (tar::Header::from_byte_slice(header), tar::Header::from_byte_slice(new_header));
        assert_eq!(
            (old.mode().unwrap(), old.mtime().unwrap(), old.entry_type()),
            (new.mode().unwrap(), new.mtime().unwrap(), new.entry_type())
        );
    }
    let dir = untar("pkg007-dir", &fixed.out);
    assert_eq!(std::fs::read(dir.join("mesh-plug-in-demo-1.0-ram").join(&long)).unwrap(), b"long names get GNU long-name blocks");
}

#[test]
fn a_chosen_output_name_is_kept_and_what_it_still_breaks_is_listed() {
    let source = app().tar_gz();
    let (_, plan) = repair::check_and_plan(&source, "app-1.0,final-ram.tar.gz", Some("app,again.tar.gz"), &OPTIONS, &Target::all(), None);
    assert_eq!(plan.output_name, "app,again.tar.gz");
    assert!(plan.repairs.is_empty());
    assert_eq!(plan.unrepaired.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), vec!["PKG006"]);
}

// ---- metadata.json -------------------------------------------------------------

#[test]
fn met001_byte_order_mark_is_stripped() {
    let json = serde_json::to_vec_pretty(&app().template).unwrap();
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(&json);
    let p = app().metadata_bytes(bom);
    let fixed = fix(&p.tar_gz(), &p.file_name());
    assert_eq!(fixed.repairs(), vec![(Some("MET001"), Action::StripBom, "app-1.0-ram/metadata.json")]);
    // Every other member is unchanged; metadata.json is the file without its
    // first three bytes, under the same header but for its size.
    let clean = app();
    assert_kept(&clean.tar_bytes(), &fixed, &[]);
    let dir = untar("met001", &fixed.out);
    assert_eq!(std::fs::read(dir.join("app-1.0-ram/metadata.json")).unwrap(), json);
}

// ---- what is not repairable ----------------------------------------------------

#[test]
fn a_damaged_image_archive_is_copied_and_listed_as_not_repairable() {
    let bad = image_archive(Shape::Docker24, &[Image::new(&component_image("app", "1.0", 0))]).replace("manifest.json", "[{\"Config\": ");
    let p = app()
        .without("component-images.tar")
        .with_file("component-images.tar", bad.go_bytes())
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let source = p.tar_gz();
    let (_, plan) = repair::check_and_plan(&source, &p.file_name(), None, &OPTIONS, &Target::all(), None);
    assert_eq!(plan.repairs.iter().map(|r| r.code.as_deref()).collect::<Vec<_>>(), vec![Some("IMG001")]);
    let unrepaired: Vec<_> = plan.unrepaired.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(unrepaired, vec!["IMG007"]);
    assert!(plan.unrepaired[0].reason.contains("damaged"), "{}", plan.unrepaired[0].reason);
    let mut out = Vec::new();
    repair::apply(&source, &plan, &mut out, None).unwrap();
    let after = ramcheck::check(&out, &plan.output_name, &OPTIONS, None);
    let codes: Vec<_> = repair::not_repairable(&after).into_iter().map(|u| u.code).collect();
    assert_eq!(codes, vec!["IMG007"]);
    // The damaged archive itself is copied byte for byte.
    let fixed = Fixed { plan, out, report: after };
    assert_kept(&p.tar_bytes(), &fixed, &["app-1.0-ram/plugin-images.tar"]);
}

#[test]
fn a_truncated_package_is_refused() {
    let gz = app().tar_gz();
    let cut = gz[..gz.len() - 100].to_vec();
    let (_, plan) = repair::check_and_plan(&cut, "app-1.0-ram.tar.gz", None, &OPTIONS, &Target::all(), None);
    assert_eq!(plan.mode, Mode::Refused);
    assert_eq!(plan.unrepaired.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), vec!["PKG003"]);
    assert!(repair::apply(&cut, &plan, &mut Vec::new(), None).is_err());
}

#[test]
fn a_changed_input_is_refused_in_pass_two() {
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let source = p.tar_gz();
    let (_, plan) = repair::check_and_plan(&source, &p.file_name(), None, &OPTIONS, &Target::all(), None);
    let other = source[..source.len() - 1].to_vec();
    assert!(repair::apply(&other, &plan, &mut Vec::new(), None).is_err());
}

// ---- the command line ------------------------------------------------------------

fn ramcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ramcheck")).args(args).env("LANG", "C").env_remove("LC_ALL").output().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn cli_fix_writes_beside_the_input_and_exits_0() {
    let dir = case_dir("cli-0");
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let input = write(&dir, "app-1.0-ram.tar.gz", &p.tar_gz());
    let o = ramcheck(&["fix", &input]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("IMG001  Left out app-1.0-ram/plugin-images.tar: it holds no image."), "{out}");
    assert!(out.contains("PASS: the package will import"), "{out}");
    assert_eq!(listing(&dir), vec!["app-1.0-ram-fixed.tar.gz", "app-1.0-ram.tar.gz"]);
    assert_eq!(std::fs::read(&input).unwrap(), p.tar_gz(), "the input is never changed");
}

#[test]
fn cli_fix_exits_1_when_errors_remain_and_lists_them() {
    let dir = case_dir("cli-1");
    let bad = image_archive(Shape::Docker24, &[Image::new(&component_image("app", "1.0", 0))]).replace("manifest.json", "[");
    let p = app().without("component-images.tar").with_file("component-images.tar", bad.go_bytes());
    let input = write(&dir, "app-1.0-ram.tar.gz", &p.tar_gz());
    let output = dir.join("out.tar.gz");
    let o = ramcheck(&["fix", &input, "--output", output.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["written"], true);
    assert_eq!(v["not_repairable"][0]["code"], "IMG007");
    assert_eq!(v["report"]["verdict"], "fail");
    assert!(output.exists());
}

#[test]
fn cli_fix_exits_2_and_writes_nothing_for_a_truncated_package() {
    let dir = case_dir("cli-2");
    let gz = app().tar_gz();
    let input = write(&dir, "app-1.0-ram.tar.gz", &gz[..gz.len() / 2]);
    let o = ramcheck(&["fix", &input]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("PKG003"));
    assert_eq!(listing(&dir), vec!["app-1.0-ram.tar.gz"], "no output, no temporary file");
}

#[test]
fn cli_dry_run_lists_and_writes_nothing() {
    let dir = case_dir("cli-dry");
    let input = write(&dir, "app-1.0,final-ram.tar", &app().tar_bytes());
    let o = ramcheck(&["fix", "--dry-run", &input]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("Repairs that would be made (2)"), "{out}");
    assert!(out.contains("PKG001  Compressed the plain tar with gzip"), "{out}");
    assert!(out.contains("Named the output app-1.0-final-ram.tar.gz"), "{out}");
    assert_eq!(listing(&dir), vec!["app-1.0,final-ram.tar"]);
}

#[test]
fn cli_refuses_to_overwrite_unless_forced_and_never_the_input() {
    let dir = case_dir("cli-force");
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let input = write(&dir, "app-1.0-ram.tar.gz", &p.tar_gz());
    let output = write(&dir, "out.tar.gz", b"keep me");
    let o = ramcheck(&["fix", &input, "-o", &output]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists; pass --force"));
    assert_eq!(std::fs::read(&output).unwrap(), b"keep me");
    assert_eq!(ramcheck(&["fix", &input, "-o", &output, "--force"]).status.code(), Some(0));
    assert_ne!(std::fs::read(&output).unwrap(), b"keep me");
    let o = ramcheck(&["fix", &input, "-o", &input, "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&input).unwrap(), p.tar_gz());
    assert_eq!(listing(&dir), vec!["app-1.0-ram.tar.gz", "out.tar.gz"]);
}

#[test]
fn cli_positional_check_still_works_beside_the_subcommand() {
    let dir = case_dir("cli-positional");
    let input = write(&dir, "app-1.0-ram.tar.gz", &app().tar_gz());
    let o = ramcheck(&["--format", "json", &input]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "pass");
}

#[test]
fn cli_output_may_be_a_directory_that_gets_the_proposed_name() {
    let dir = case_dir("cli-dir");
    let input = write(&dir, "my-plugin-app-1.0-ram.tar.gz", &app().tar_gz());
    let usb = dir.join("usb");
    std::fs::create_dir(&usb).unwrap();
    let o = ramcheck(&["fix", &input, "-o", usb.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(listing(&usb), vec!["my-plug-in-app-1.0-ram.tar.gz"]);
}

// ---- packages made by GNU tar itself ---------------------------------------------

/// Writes the members of `tar` under `dir` (files and directories).
fn materialize(dir: &Path, tar: &Tar) {
    for (path, node) in &tar.members {
        match node {
            Node::Dir => std::fs::create_dir_all(dir.join(path)).unwrap(),
            Node::File(data) => {
                let file = dir.join(path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, data).unwrap();
            }
            _ => unreachable!("packages hold files and directories"),
        }
    }
}

/// `tar -cf` of `top` entries in `dir`, in GNU tar's `format`, reproducibly.
fn gnu_tar(dir: &Path, format: &str, top: &[&str]) -> Vec<u8> {
    let o = Command::new("tar")
        .args(["-cf", "-", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@1700000000"])
        .arg(format!("--format={format}"))
        .args(if format == "pax" { &["--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime"][..] } else { &[] })
        .arg("-C")
        .arg(dir)
        .args(top)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

#[test]
fn gnu_and_pax_archives_lose_the_dropped_member_and_nothing_else() {
    // A long path and a non-ASCII one: GNU long-name blocks, PAX path records.
    let long = format!("docs/{}/说明.txt", "very-long-directory-name".repeat(5));
    let p = app().with_file(&long, "kept as it is");
    for format in ["gnu", "pax"] {
        let dir = case_dir(&format!("gnu-tar-{format}"));
        materialize(&dir, &p.tar);
        std::fs::write(dir.join("._app-1.0-ram"), [0u8; 4096]).unwrap();
        let with_stray = gnu_tar(&dir, format, &["._app-1.0-ram", "app-1.0-ram"]);
        let clean = gnu_tar(&dir, format, &["app-1.0-ram"]);
        let marker: &[u8] = if format == "pax" { b"PaxHeaders" } else { b"././@LongLink" };
        assert!(clean.windows(marker.len()).any(|w| w == marker), "{format}: extension headers are exercised");
        let fixed = fix(&gzip(&with_stray), "app-1.0-ram.tar.gz");
        assert_eq!(fixed.repairs(), vec![(Some("LAY002"), Action::Drop, "._app-1.0-ram")]);
        // What GNU tar writes without the stray file, to the byte.
        assert!(fixed.tar() == clean, "{format}: the output differs from GNU tar's own archive");
        untar(&format!("gnu-tar-{format}-x"), &fixed.out);
    }
}

#[test]
fn pax_paths_are_renamed_with_the_top_directory() {
    let long = format!("docs/{}/说明.txt", "very-long-directory-name".repeat(5));
    let p = Package::valid("mesh-plugin-demo", "1.0", 2, 0, Shape::Docker24).with_file(&long, "renamed with its directory");
    for format in ["gnu", "pax"] {
        let dir = case_dir(&format!("pax-rename-{format}"));
        materialize(&dir, &p.tar);
        let input = gnu_tar(&dir, format, &["mesh-plugin-demo-1.0-ram"]);
        let fixed = fix(&gzip(&input), &p.file_name());
        assert!(fixed.repairs().iter().any(|r| r.1 == Action::RenameTop));
        let x = untar(&format!("pax-rename-{format}-x"), &fixed.out);
        assert_eq!(listing(&x), vec!["mesh-plug-in-demo-1.0-ram"]);
        let top = x.join("mesh-plug-in-demo-1.0-ram");
        assert_eq!(std::fs::read(top.join(&long)).unwrap(), b"renamed with its directory", "{format}");
        assert_eq!(std::fs::read(top.join("component-images.tar")).unwrap(), p.tar.get(&p.path("component-images.tar")).unwrap());
    }
}

// ---- progress --------------------------------------------------------------

#[test]
fn both_passes_name_the_large_member_being_read() {
    // Rewritten (an empty plugin archive is dropped), from a tar.gz and from
    // a zip: the second pass walks the members too. Stored, so that the
    // large member's bytes are read from the file.
    let p = app()
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes())
        .with_file("data/before.bin", vec![6; 5 << 20])
        .with_file("data/large.img", vec![7; ramcheck::LARGE_MEMBER as usize])
        .with_file("data/after.bin", vec![8; 9 << 20]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    std::io::Write::write_all(&mut gz, &p.tar_bytes()).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (path, node) in &p.tar.members {
        match node {
            Node::Dir => zip.add_directory(path.trim_end_matches('/'), stored).unwrap(),
            Node::File(d) => {
                zip.start_file(path.as_str(), stored).unwrap();
                std::io::Write::write_all(&mut zip, d).unwrap();
            }
            _ => {}
        }
    }
    let inputs = [(gz.finish().unwrap(), p.file_name()), (zip.finish().unwrap().into_inner(), "app-1.0-ram.zip".to_string())];
    for (input, name) in inputs {
        let mut named: Vec<Option<String>> = Vec::new();
        let mut hook = |p: ramcheck::ProgressInfo<'_>| {
            let member = p.member.map(str::to_string);
            if named.last() != Some(&member) {
                named.push(member);
            }
        };
        let (_, plan) = repair::check_and_plan(&input, &name, None, &OPTIONS, &Target::all(), Some(&mut hook));
        assert_eq!(plan.mode, Mode::Rewrite, "{name}");
        let want = vec![None, Some("app-1.0-ram/data/large.img".to_string()), None];
        assert_eq!(named, want, "{name}: pass 1");
        named.clear();
        let mut hook = |p: ramcheck::ProgressInfo<'_>| {
            let member = p.member.map(str::to_string);
            if named.last() != Some(&member) {
                named.push(member);
            }
        };
        repair::apply(&input, &plan, &mut std::io::sink(), Some(&mut hook)).unwrap();
        assert_eq!(named, want, "{name}: pass 2");
    }
}
