//! The whole catalog: every rule has a fixture that fires it, asserted
//! exactly (code, severity, location), and the valid fixtures fire none.

use crate::fixtures::{component_image, gzip, image_archive, null_manifest_archive, Image, Package, Shape, Tar, Upload};
use ramcheck::rules::RULES;
use ramcheck::{Options, Report, Severity, Verdict};
use serde_json::json;

fn check_bytes(bytes: &[u8], name: &str, deep: bool) -> Report {
    let r = ramcheck::check(&bytes.to_vec(), name, &Options { deep }, None);
    crate::chinese::assert_chinese(&r);
    r
}

/// The targets a finding of `code` fails on.
fn fails_on(r: &Report, code: &str) -> Vec<String> {
    let f = r.findings.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("no {code}: {:#?}", r.findings));
    f.fails_on.names()
}

/// The verdict of `r` on one target.
fn verdict_on(r: &Report, target: &str) -> Verdict {
    r.targets.iter().find(|t| t.target == target).unwrap_or_else(|| panic!("no target {target}")).verdict
}

/// The report on the firing case of `code` in the cases table.
fn fired(code: &str) -> Report {
    let (bytes, name) = crate::cases::firing(code);
    check_bytes(&bytes, &name, false)
}

/// The report on the near miss of `code` in the cases table.
fn missed(code: &str) -> Report {
    let (bytes, name) = crate::cases::near_miss(code);
    check_bytes(&bytes, &name, false)
}

fn check(p: &Package) -> Report {
    check_bytes(&p.tar_gz(), &p.file_name(), false)
}

fn findings(r: &Report, severity_floor: Severity) -> Vec<(String, Severity, String)> {
    r.findings.iter().filter(|f| f.severity <= severity_floor).map(|f| (f.code.clone(), f.severity, f.location.clone())).collect()
}

/// Errors and warnings.
fn problems(r: &Report) -> Vec<(String, Severity, String)> {
    findings(r, Severity::Warning)
}

fn expect(r: &Report, want: &[(&str, Severity, &str)]) {
    let want: Vec<(String, Severity, String)> = want.iter().map(|(c, s, l)| (c.to_string(), *s, l.to_string())).collect();
    assert_eq!(problems(r), want, "{:#?}", r.findings);
}

use Severity::{Error as E, Info as I, Warning as W};

pub(crate) fn app() -> Package {
    Package::valid("app", "1.0", 2, 0, Shape::Docker24)
}

/// Replaces component-images.tar with another archive.
pub(crate) fn with_components(p: Package, archive: Tar) -> Package {
    p.without("component-images.tar").with_file("component-images.tar", archive.go_bytes())
}

pub(crate) fn component_images(n: usize) -> Vec<Image> {
    (0..n).map(|i| Image::new(&component_image("app", "1.0", i))).collect()
}

// ---- the valid fixtures -------------------------------------------------

#[test]
fn valid_fixtures_fire_no_error_and_no_warning() {
    let mut cases: Vec<(String, Vec<u8>, String)> = Vec::new();
    for shape in [Shape::Docker24, Shape::Docker25, Shape::Containerd] {
        for plugins in [0, 2] {
            let p = Package::valid("crm", "5.1", 3, plugins, shape);
            cases.push((format!("{shape:?}/{plugins} plugins"), p.tar_gz(), p.file_name()));
        }
    }
    let p = Package::valid("crm", "5.1", 2, 1, Shape::Docker24);
    cases.push(("zip".into(), p.zip(), "crm-5.1-ram.zip".into()));
    let mut vm = crate::fixtures::template("vm", "2.0", 1, 0);
    vm["template_version"] = "v3".into();
    vm["apps"][0]["vm"] = json!({"boot_mode": "uefi", "disk_layout": [
        {"disk_key": "root", "disk_name": "system", "disk_role": "root", "device_type": "disk", "order_index": 0, "request_size": "40Gi", "source_type": "registry", "image": ""},
        {"disk_key": "data", "disk_name": "data", "disk_role": "data", "device_type": "disk", "order_index": 1, "request_size": "100Gi"}
    ]});
    let p = Package::from_template("vm", "2.0", vm, Shape::Containerd);
    cases.push(("vm".into(), p.tar_gz(), p.file_name()));
    let mut arm = crate::fixtures::template("edge", "1.0", 2, 1);
    for i in 0..2 {
        arm["apps"][i]["arch"] = "arm64".into();
    }
    let p = Package::from_template("edge", "1.0", arm, Shape::Docker25);
    cases.push(("arm64".into(), p.tar_gz(), p.file_name()));
    let legacy = crate::fixtures::legacy_keys(crate::fixtures::template("old", "1.0", 3, 0));
    let p = Package::from_template("old", "1.0", legacy, Shape::Docker24);
    cases.push(("legacy keys".into(), p.tar_gz(), p.file_name()));
    for (what, bytes, name) in cases {
        let r = check_bytes(&bytes, &name, true);
        assert_eq!(problems(&r), vec![], "{what}: {:#?}", r.findings);
        assert_eq!(r.verdict, Verdict::Pass, "{what}");
        assert_eq!(r.targets.len(), 8, "{what}");
        assert!(r.targets.iter().all(|t| t.verdict == Verdict::Pass), "{what}: {:?}", r.targets);
        assert!(r.findings.iter().any(|f| f.code == "SUM001"), "{what}");
    }
}

// ---- PKG ------------------------------------------------------------------

#[test]
fn pkg001_plain_tar() {
    expect(&fired("PKG001"), &[("PKG001", E, "app-1.0-ram.tar.gz")]);
}

/// The package gzipped twice (with an empty plugin archive inside).
pub(crate) fn pkg002_double_gzip() -> Upload {
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    (gzip(&p.tar_gz()), p.file_name())
}

#[test]
fn pkg002_double_compressed_is_still_walked() {
    let (bytes, name) = pkg002_double_gzip();
    let r = check_bytes(&bytes, &name, false);
    // The inner package is judged too: its empty plugin archive is found.
    expect(&r, &[("PKG002", E, "app-1.0-ram.tar.gz"), ("IMG001", E, "app-1.0-ram/plugin-images.tar!/manifest.json")]);
}

/// The package without its last 100 bytes.
pub(crate) fn pkg003_cut() -> Upload {
    let gz = app().tar_gz();
    (gz[..gz.len() - 100].to_vec(), "app-1.0-ram.tar.gz".into())
}

#[test]
fn pkg003_truncated() {
    let (bytes, name) = pkg003_cut();
    let r = check_bytes(&bytes, &name, false);
    assert_eq!(problems(&r).iter().map(|p| (p.0.as_str(), p.1)).collect::<Vec<_>>(), vec![("PKG003", E)]);
}

/// 4 KiB of zeros after the gzip stream.
pub(crate) fn pkg004_zeros_after_the_gzip() -> Upload {
    let mut gz = app().tar_gz();
    gz.extend_from_slice(&[0u8; 4096]);
    (gz, "app-1.0-ram.tar.gz".into())
}

#[test]
fn pkg004_trailing_bytes_are_a_warning_naming_both_gzips() {
    let (mut gz, _) = pkg004_zeros_after_the_gzip();
    let end = gz.len() - 4096;
    let r = check_bytes(&gz, "app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG004", W, "app-1.0-ram.tar.gz")]);
    gz.truncate(end);
    gz.extend_from_slice(b"BACKUP-COPY-2024");
    let r = check_bytes(&gz, "app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG004", W, "app-1.0-ram.tar.gz")]);
    assert!(r.findings[0].message.contains("GNU gzip") && r.findings[0].message.contains("busybox"), "{}", r.findings[0].message);
    assert!(r.findings[0].hint.contains(&format!("head -c {end} app-1.0-ram.tar.gz")), "{}", r.findings[0].hint);
}

/// The package's tar in two gzip members: one valid stream for gzip and tar.
pub(crate) fn two_gzip_members() -> Upload {
    let tar = app().tar_bytes();
    let (a, b) = tar.split_at(tar.len() / 2);
    let mut gz = gzip(a);
    gz.extend(gzip(b));
    (gz, "app-1.0-ram.tar.gz".into())
}

#[test]
fn pkg004_not_fired_by_a_second_gzip_member() {
    let (gz, name) = two_gzip_members();
    expect(&check_bytes(&gz, &name, false), &[]);
}

#[test]
fn pkg005_tar_gz_named_zip() {
    expect(&fired("PKG005"), &[("PKG005", E, "app-1.0-ram.zip")]);
}

#[test]
fn pkg006_comma_in_the_name() {
    expect(&fired("PKG006"), &[("PKG006", E, "app-1.0,final-ram.tar.gz")]);
    // A ':' only garbles the import status.
    expect(&check_bytes(&app().tar_gz(), "app-1.0:final-ram.tar.gz", false), &[("PKG006", W, "app-1.0:final-ram.tar.gz")]);
}

#[test]
fn pkg007_plugin_in_the_upload_name_hides_component_images() {
    let r = fired("PKG007");
    expect(&r, &[("PKG007", E, "my-plugin-app-1.0-ram.tar.gz")]);
    assert!(r.findings[0].message.contains("app-1.0-ram/component-images.tar will not be loaded"), "{}", r.findings[0].message);
    // With plugins in the template, nothing is skipped.
    expect(&missed("PKG007"), &[]);
}

#[test]
fn pkg008_gzip_of_something_else() {
    let r = fired("PKG008");
    expect(&r, &[("PKG008", E, "app-1.0-ram.tar.gz")]);
}

/// The package with an extension header (`flag`, `body`, the size it
/// announces) before metadata.json.
pub(crate) fn with_extension_header(flag: u8, body: &[u8], declared_size: Option<u64>) -> Upload {
    let p = app();
    let mut tar = p.tar_bytes();
    tar.splice(512..512, crate::fixtures::mutate::extension_header(flag, body, declared_size));
    (gzip(&tar), p.file_name())
}

#[test]
fn pkg009_a_long_name_header_announcing_gigabytes() {
    let (bytes, name) = with_extension_header(b'L', b"x", Some(2 << 30));
    expect(&check_bytes(&bytes, &name, false), &[("PKG009", W, "app-1.0-ram.tar.gz")]);
}

// ---- LAY ------------------------------------------------------------------

/// The package repacked from inside its directory: no top directory.
pub(crate) fn lay001_flat() -> Upload {
    let mut flat = Tar::new();
    for (path, node) in &app().tar.members {
        if let Some(rest) = path.strip_prefix("app-1.0-ram/").filter(|r| !r.is_empty()) {
            flat.push(rest, node.clone());
        }
    }
    (gzip(&flat.gnu_bytes()), "app-1.0-ram.tar.gz".into())
}

#[test]
fn lay001_flat_repack() {
    let (bytes, name) = lay001_flat();
    expect(&check_bytes(&bytes, &name, false), &[("LAY001", E, "metadata.json")]);
}

/// macOS leftovers beside the app directory, and a README after it.
pub(crate) fn lay002_leftovers() -> Package {
    let mut p = app();
    p.tar = p
        .tar
        .file("._app-1.0-ram", vec![0u8; 4096])
        .dir("__MACOSX/")
        .file("__MACOSX/._metadata.json", vec![0u8; 82])
        .file("zz-README.txt", "hi");
    p
}

#[test]
fn lay002_macos_leftovers_before_the_app_dir_and_a_readme_after() {
    expect(&check(&lay002_leftovers()), &[("LAY002", E, "._app-1.0-ram"), ("LAY002", E, "__MACOSX/"), ("LAY002", W, "zz-README.txt")]);
}

#[test]
fn lay003_metadata_missing() {
    expect(&fired("LAY003"), &[("LAY003", E, "app-1.0-ram/metadata.json")]);
}

/// A docker-compose package: compose file, run.sh and images, no metadata.json.
pub(crate) fn lay004_compose() -> Upload {
    let images = image_archive(Shape::Docker24, &component_images(1)).go_bytes();
    let t = Tar::new()
        .dir("app-1.0-dockercompose/")
        .file("app-1.0-dockercompose/docker-compose.yaml", COMPOSE_FILE)
        .file("app-1.0-dockercompose/run.sh", "#!/bin/sh\ndocker load -i images.tar\ndocker compose up -d\n")
        .file("app-1.0-dockercompose/images.tar", images);
    (gzip(&t.gnu_bytes()), "app-1.0-dockercompose.tar.gz".into())
}

pub(crate) const COMPOSE_FILE: &str = "services:\n  web:\n    image: goodrain.me/app/svc0:1.0\n";

#[test]
fn lay004_docker_compose_package() {
    let (bytes, name) = lay004_compose();
    let r = check_bytes(&bytes, &name, false);
    expect(&r, &[("LAY004", E, "app-1.0-dockercompose.tar.gz")]);
    assert!(r.findings[0].message.contains("docker-compose package"));
}

/// An AppleDouble file: "Mac OS X" magic, then attributes; no tar header.
pub(crate) fn apple_double() -> Vec<u8> {
    let mut apple = vec![0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00];
    apple.extend(b"Mac OS X        ");
    apple.resize(4096, 0);
    apple
}

/// A tar without images (a backup of notes).
pub(crate) fn backup_tar() -> Vec<u8> {
    Tar::new().file("notes.txt", "old").go_bytes()
}

#[test]
fn lay005_appledouble_and_a_backup_tar() {
    let r = fired("LAY005");
    expect(&r, &[("LAY005", E, "app-1.0-ram/._component-images.tar"), ("LAY005", E, "app-1.0-ram/old/backup.tar")]);
    assert!(r.findings[0].hint.contains("._"), "{}", r.findings[0].hint);
    assert_eq!(r.findings[0].fails_on.names().len(), 8);
    // A valid tar without a manifest: containerd's "unrecognized image format" is ignored.
    assert_eq!(r.findings[1].fails_on.names(), ["5.16/docker", "6.0/docker", "6.7/docker", "6.9/docker"]);
    assert_eq!(verdict_on(&r, "6.9/containerd"), Verdict::Fail, "the AppleDouble file fails everywhere");
    let only_backup = check(&app().with_file("old/backup.tar", backup_tar()));
    assert_eq!(verdict_on(&only_backup, "6.9/containerd"), Verdict::Warn);
    assert_eq!(verdict_on(&only_backup, "6.9/docker"), Verdict::Fail);
}

#[test]
fn lay006_escaping_paths_and_links() {
    expect(&fired("LAY006"), &[("LAY006", E, "app-1.0-ram/../../etc/cron.d/x"), ("LAY006", E, "app-1.0-ram/passwd")]);
}

/// The package with its component images gzipped, stored at `rel`.
pub(crate) fn gzipped_components_at(rel: &str) -> Package {
    let archive = image_archive(Shape::Docker24, &component_images(2)).go_bytes();
    app().without("component-images.tar").with_file(rel, gzip(&archive))
}

#[test]
fn lay007_compressed_image_archive() {
    expect(&check(&gzipped_components_at("component-images.tar")), &[("LAY007", E, "app-1.0-ram/component-images.tar")]);
    // Under a name the importer does not load, the images are missing too.
    let p = gzipped_components_at("component-images.tar.gz");
    expect(&check(&p), &[("XRF002", E, "app-1.0-ram/component-images.tar"), ("LAY007", W, "app-1.0-ram/component-images.tar.gz")]);
    // Near miss: a compressed archive that nothing needs is ignored by the importer.
    let extra = image_archive(Shape::Docker24, &[Image::new("busybox:1")]).go_bytes();
    expect(&check(&app().with_file("old-backup.tar.gz", gzip(&extra))), &[("LAY007", W, "app-1.0-ram/old-backup.tar.gz")]);
    expect(&check(&app().with_file("extra.tar", gzip(&extra))), &[("LAY007", W, "app-1.0-ram/extra.tar")]);
}

/// A one-component package whose image archive is at `rel`.
pub(crate) fn one_component_image_at(rel: &str) -> Package {
    let legacy = image_archive(Shape::Docker24, &component_images(1)).go_bytes();
    let t = crate::fixtures::template("app", "1.0", 1, 0);
    Package::from_template("app", "1.0", t, Shape::Docker24).without("component-images.tar").with_file(rel, legacy)
}

#[test]
fn lay008_legacy_layout() {
    expect(&fired("LAY008"), &[("LAY008", W, "app-1.0-ram/svc0/svc0TAG1.0.image.tar")]);
}

/// The package as a zip without its directory entries.
pub(crate) fn lay009_zip_without_dirs() -> Upload {
    let mut files = Tar::new();
    for (path, node) in &app().tar.members {
        if !matches!(node, crate::fixtures::Node::Dir) {
            files.push(path, node.clone());
        }
    }
    (crate::fixtures::zip_of(&files), "app-1.0-ram.zip".into())
}

#[test]
fn lay009_zip_without_directory_entries() {
    let (bytes, name) = lay009_zip_without_dirs();
    let r = check_bytes(&bytes, &name, false);
    expect(&r, &[("LAY009", E, "app-1.0-ram/metadata.json")]);
}

#[test]
fn lay010_a_device_and_a_fifo() {
    expect(&fired("LAY010"), &[("LAY010", E, "app-1.0-ram/disk"), ("LAY010", E, "app-1.0-ram/pipe")]);
}

#[test]
fn lay011_metadata_json_twice_and_the_last_copy_is_judged() {
    // The broken last copy is what extraction keeps: MET001 proves it is
    // the one judged. The directory written twice is harmless.
    let r = fired("LAY011");
    let found: Vec<_> = problems(&r).into_iter().map(|(c, s, l)| (c, s, l.split(':').next().unwrap().to_string())).collect();
    let want = [("MET001", E, "app-1.0-ram/metadata.json"), ("LAY011", W, "app-1.0-ram/metadata.json")];
    assert_eq!(found, want.map(|(c, s, l)| (c.to_string(), s, l.to_string())), "{:#?}", r.findings);
}

// ---- MET ------------------------------------------------------------------

/// The package with `prefix` before metadata.json's text.
pub(crate) fn metadata_after(prefix: &[u8]) -> Package {
    let mut bytes = prefix.to_vec();
    bytes.extend(serde_json::to_vec(&app().template).unwrap());
    app().metadata_bytes(bytes)
}

#[test]
fn met001_bom() {
    expect(&check(&metadata_after(&[0xef, 0xbb, 0xbf])), &[("MET001", E, "app-1.0-ram/metadata.json")]);
}

#[test]
fn met001_invalid_utf8_and_lone_surrogates_are_warnings() {
    let text = serde_json::to_string(&app().template).unwrap();
    // The group name saved as GBK ("应" is C4 FA): not UTF-8.
    let at = text.find("\"group_name\":\"app\"").unwrap() + "\"group_name\":\"".len();
    let mut bytes = text.clone().into_bytes();
    bytes.splice(at..at, [0xc4, 0xfa]);
    expect(&check(&app().metadata_bytes(bytes)), &[("MET001", W, "app-1.0-ram/metadata.json")]);
    let surrogate = text.replacen("\"group_name\":\"app\"", "\"group_name\":\"a\\ud800pp\"", 1);
    let r = check(&app().metadata_bytes(surrogate));
    expect(&r, &[("MET001", W, "app-1.0-ram/metadata.json")]);
    assert_eq!(r.summary.template.as_deref(), Some("a\u{fffd}pp"), "decoded as Go does");
    // Near miss: a proper surrogate pair is text like any other.
    let pair = text.replacen("\"group_name\":\"app\"", "\"group_name\":\"a\\ud83d\\ude00\"", 1);
    expect(&check(&app().metadata_bytes(pair)), &[]);
}

#[test]
fn met001_truncated_json_has_line_and_column() {
    let text = serde_json::to_string_pretty(&app().template).unwrap();
    let cut = &text[..text.len() / 2];
    let lines = cut.lines().count();
    let r = check(&app().metadata_bytes(cut));
    let problems = problems(&r);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "MET001");
    assert!(problems[0].2.starts_with(&format!("app-1.0-ram/metadata.json:{lines}:")), "{problems:?}");
}

/// The package with these values for a memory, a flag and the annotations.
pub(crate) fn typed_values(memory: serde_json::Value, flag: serde_json::Value, annotations: serde_json::Value) -> Package {
    app().edit(|t| {
        t["apps"][1]["memory"] = memory;
        t["apps"][0]["port_map_list"][0]["is_outer_service"] = flag;
        t["annotations"] = annotations;
    })
}

#[test]
fn met002_wrong_types_name_the_field() {
    let p = typed_values("512".into(), 1.into(), json!(["not", "a", "map"]));
    let r = check(&p);
    expect(
        &r,
        &[
            ("MET002", E, "app-1.0-ram/metadata.json#apps[0].port_map_list[0].is_outer_service"),
            ("MET002", E, "app-1.0-ram/metadata.json#apps[1].memory"),
            ("MET002", E, "app-1.0-ram/metadata.json#annotations"),
        ],
    );
    let memory = r.findings.iter().find(|f| f.location.ends_with("apps[1].memory")).unwrap();
    assert_eq!(
        memory.message,
        "apps[1].memory: expected an integer, found the string \"512\". The import fails with \"json: cannot unmarshal\"."
    );
}

#[test]
fn met003_empty_template() {
    expect(&fired("MET003"), &[("MET003", E, "app-1.0-ram/metadata.json#apps")]);
    // k8s resources alone make a template.
    expect(&missed("MET003"), &[]);
}

#[test]
fn met004_vm_without_root_disk() {
    expect(&fired("MET004"), &[("MET004", E, "app-1.0-ram/metadata.json#apps[0].vm.disk_layout")]);
}

/// An upper-case repository and a digest-pinned reference.
pub(crate) fn invalid_share_images() -> Package {
    app().edit(|t| {
        t["apps"][0]["share_image"] = "goodrain.me/App/svc0:1.0".into();
        t["apps"][1]["share_image"] = format!("goodrain.me/app/svc1@sha256:{}", "a".repeat(64)).into();
    })
}

#[test]
fn met005_invalid_share_images() {
    let p = invalid_share_images();
    expect(
        &check(&p),
        &[("MET005", E, "app-1.0-ram/metadata.json#apps[0].share_image"), ("MET005", E, "app-1.0-ram/metadata.json#apps[1].share_image")],
    );
}

#[test]
fn met006_too_long() {
    let r = fired("MET006");
    expect(&r, &[("MET006", W, "app-1.0-ram/metadata.json#group_version")]);
    assert!(r.findings[0].message.contains("MySQL"));
}

#[test]
fn met007_missing_and_mixed_arch() {
    expect(&fired("MET007"), &[("MET007", W, "app-1.0-ram/metadata.json#apps[0].arch")]);
    let p = app().edit(|t| t["apps"][1]["arch"] = "arm64".into());
    let r = check(&p);
    // The image of apps[1] is amd64 while its component says arm64 (IMG010).
    expect(
        &r,
        &[
            ("MET007", W, "app-1.0-ram/metadata.json#apps"),
            ("IMG010", W, &format!("app-1.0-ram/component-images.tar!/{}", img_config(&p, 1))),
        ],
    );
}

fn img_config(p: &Package, i: usize) -> String {
    let image = Image::new(&component_image(p.template["group_name"].as_str().unwrap(), "1.0", i));
    format!("{}.json", crate::fixtures::sha256_hex(&image.config()))
}

#[test]
fn met007_the_cluster_lacks_the_template_arch() {
    let r = check(&app());
    let platform =
        |arch: &[&str]| ramcheck::Target::from_platform(Some("v6.9.2-release"), None, arch.iter().map(|a| a.to_string()).collect());
    let mut arm_only = r.clone();
    ramcheck::retarget(&mut arm_only, &platform(&["arm64"]).unwrap());
    expect(&arm_only, &[("MET007", E, "app-1.0-ram/metadata.json#apps")]);
    assert!(
        arm_only.findings[0].message.contains("amd64") && arm_only.findings[0].hint.contains("amd64 nodes"),
        "{:#?}",
        arm_only.findings
    );
    // Re-targeted to a cluster that has the arch, the finding goes.
    ramcheck::retarget(&mut arm_only, &platform(&["arm64", "amd64"]).unwrap());
    expect(&arm_only, &[]);
    assert_eq!(arm_only.verdict, Verdict::Pass);
}

/// An old exporter's deploy type field, and a memory only in the scaling rule.
pub(crate) fn legacy_fields() -> Package {
    app().edit(|t| {
        t["apps"][0]["service_extend_method"] = "stateless".into();
        t["apps"][1].as_object_mut().unwrap().remove("memory");
    })
}

#[test]
fn met008_legacy_fields() {
    expect(
        &check(&legacy_fields()),
        &[
            ("MET008", W, "app-1.0-ram/metadata.json#apps[0].service_extend_method"),
            ("MET008", W, "app-1.0-ram/metadata.json#apps[1].memory"),
        ],
    );
}

/// A dependency, a route and a plugin config naming nothing in the template.
pub(crate) fn dangling_references() -> Package {
    app().edit(|t| {
        t["apps"][1]["dep_service_map_list"] = json!([{"dep_service_key": "gone"}]);
        t["ingress_http_routes"] = json!([{"component_key": "nobody", "port": 8080}]);
        t["apps"][0]["service_related_plugin_config"] = json!([{"plugin_id": "no-such-plugin"}]);
    })
}

#[test]
fn met009_dangling_references() {
    expect(
        &check(&dangling_references()),
        &[
            ("MET009", W, "app-1.0-ram/metadata.json#apps[0].service_related_plugin_config[0].plugin_id"),
            ("MET009", W, "app-1.0-ram/metadata.json#apps[1].dep_service_map_list[0].dep_service_key"),
            ("MET009", W, "app-1.0-ram/metadata.json#ingress_http_routes[0].component_key"),
        ],
    );
    // A dependency by service_key when the component has a uuid matches nothing.
    let p = app().edit(|t| t["apps"][1]["dep_service_map_list"][0]["dep_service_key"] = t["apps"][0]["service_key"].clone());
    expect(&check(&p), &[("MET009", W, "app-1.0-ram/metadata.json#apps[1].dep_service_map_list[0].dep_service_key")]);
}

#[test]
fn met009_near_miss_dependencies_by_uuid_and_legacy_keys() {
    // As the console writes them: dependencies and mounts by service_share_uuid.
    let p = Package::valid("crm", "5.1", 4, 0, Shape::Docker24);
    assert!(p.template["apps"][1]["dep_service_map_list"][0]["dep_service_key"].as_str().unwrap().contains('+'));
    expect(&check(&p), &[]);
    // A template without uuids names components by service_key.
    expect(&check(&legacy_keys_package()), &[]);
}

/// A valid package of an exporter before v5.3: references by service_key.
pub(crate) fn legacy_keys_package() -> Package {
    let t = crate::fixtures::legacy_keys(crate::fixtures::template("crm", "5.1", 4, 0));
    Package::from_template("crm", "5.1", t, Shape::Docker24)
}

#[test]
fn met010_duplicate_components_and_duplicate_json_keys() {
    // The import succeeds; the install wires the two into one (oracle: the import passes).
    expect(&fired("MET010"), &[("MET010", W, "app-1.0-ram/metadata.json#apps[1].service_key")]);
    let text = serde_json::to_string(&app().template).unwrap().replacen(
        "\"group_name\":\"app\"",
        "\"group_name\":\"old\",\"group_name\":\"app\"",
        1,
    );
    expect(&check(&app().metadata_bytes(text)), &[("MET010", W, "app-1.0-ram/metadata.json#group_name")]);
}

#[test]
fn met011_missing_fields() {
    expect(
        &fired("MET011"),
        &[("MET011", W, "app-1.0-ram/metadata.json#group_key"), ("MET011", W, "app-1.0-ram/metadata.json#apps[1].service_cname")],
    );
}

#[test]
fn met012_null_component() {
    expect(&fired("MET012"), &[("MET012", E, "app-1.0-ram/metadata.json#apps[2]")]);
}

// ---- IMG ------------------------------------------------------------------

#[test]
fn img001_seed_case() {
    let r = fired("IMG001");
    expect(&r, &[("IMG001", E, "app-1.0-ram/plugin-images.tar!/manifest.json")]);
    // Loaded by every line only on 5.16 (v6 skips plugin paths without plugins); refused only by Docker 23+.
    assert_eq!(fails_on(&r, "IMG001"), ["5.16/docker"]);
    assert_eq!(verdict_on(&r, "5.16/docker"), Verdict::Fail);
    for t in ["5.16/containerd", "6.0/docker", "6.9/containerd", "6.9/docker"] {
        assert_eq!(verdict_on(&r, t), Verdict::Warn, "{t}");
    }
    let mut on69 = r.clone();
    ramcheck::retarget(&mut on69, &ramcheck::Target::parse("6.9/containerd").unwrap());
    assert_eq!((on69.verdict, on69.findings[0].severity, on69.target.as_str()), (Verdict::Warn, W, "6.9/containerd"));
    ramcheck::retarget(&mut on69, &ramcheck::Target::parse("5.17.1").unwrap());
    assert_eq!((on69.verdict, on69.target.as_str()), (Verdict::Fail, "5.16"), "both runtimes of the line: the worse");
    // With plugins, v6 loads it too.
    let p = Package::valid("app", "1.0", 1, 1, Shape::Docker24).without("plugin-images.tar");
    let plugins = plugin_archive(&p);
    let p = p.with_file("plugin-images.tar", null_manifest_archive().go_bytes()).with_file("more-plugins.tar", plugins);
    assert_eq!(fails_on(&check(&p), "IMG001"), ["5.16/docker", "6.0/docker", "6.7/docker", "6.9/docker"]);
}

/// The plugin images of `p`, in an archive of their own.
fn plugin_archive(p: &Package) -> Vec<u8> {
    let plugins = p.template["plugins"].as_array().map_or(0, Vec::len);
    let images: Vec<Image> = (0..plugins).map(|i| Image::new(&crate::fixtures::plugin_image("app", i))).collect();
    image_archive(Shape::Docker24, &images).go_bytes()
}

/// `docker save` of zero images by Docker 23 and later: manifest.json `[]`.
pub(crate) fn empty_list_archive() -> Tar {
    Tar::new().file("manifest.json", "[]").file("repositories", "{}")
}

#[test]
fn img001_near_miss_an_empty_list_loads_everywhere() {
    let p = app().with_file("plugin-images.tar", empty_list_archive().go_bytes());
    let r = check(&p);
    assert!(r.findings.iter().all(|f| f.code != "IMG001"), "{:#?}", r.findings);
    assert!(r.targets.iter().all(|t| t.verdict != Verdict::Fail), "{:?}", r.targets);
}

/// An OCI layout whose index lists no manifest.
pub(crate) fn empty_oci_index() -> Tar {
    Tar::new().file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#).file("index.json", r#"{"schemaVersion":2,"manifests":[]}"#)
}

#[test]
fn img002_empty_oci_index() {
    let p = app().with_file("extra-images.tar", empty_oci_index().go_bytes());
    expect(&check(&p), &[("IMG002", E, "app-1.0-ram/extra-images.tar!/index.json")]);
}

#[test]
fn img003_oci_only_archive() {
    let r = fired("IMG003");
    expect(&r, &[("IMG003", E, "app-1.0-ram/component-images.tar!/index.json")]);
    assert_eq!(fails_on(&r, "IMG003"), ["5.16/docker", "6.0/docker", "6.7/docker", "6.9/docker"]);
}

/// The path of layer `j` of image `i` in a docker save archive.
pub(crate) fn layer_path(archive: &Tar, i: usize, j: usize) -> String {
    let manifest: serde_json::Value = serde_json::from_slice(archive.get("manifest.json").unwrap()).unwrap();
    manifest[i]["Layers"][j].as_str().unwrap().to_string()
}

/// The component images with a layer missing and a symlink to nowhere.
pub(crate) fn missing_layer_and_dangling_symlink() -> Package {
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let layer = layer_path(&archive, 0, 1);
    let dir = layer.trim_end_matches("/layer.tar").to_string();
    with_components(app(), archive.remove(&layer).symlink(&format!("{dir}/extra.tar"), "../nowhere/layer.tar"))
}

#[test]
fn img004_missing_layer_and_dangling_symlink() {
    let layer = layer_path(&image_archive(Shape::Docker24, &component_images(2)), 0, 1);
    let dir = layer.trim_end_matches("/layer.tar").to_string();
    expect(
        &check(&missing_layer_and_dangling_symlink()),
        &[
            ("IMG004", E, &format!("app-1.0-ram/component-images.tar!/{layer}")),
            ("IMG004", E, &format!("app-1.0-ram/component-images.tar!/{dir}/extra.tar")),
        ],
    );
}

/// The first image's manifest names one layer fewer than its config; and
/// that config's path.
pub(crate) fn layer_count_mismatch() -> (Package, String) {
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let mut manifest: serde_json::Value = serde_json::from_slice(archive.get("manifest.json").unwrap()).unwrap();
    manifest[0]["Layers"].as_array_mut().unwrap().pop();
    let config = manifest[0]["Config"].as_str().unwrap().to_string();
    let archive = archive.replace("manifest.json", serde_json::to_vec(&manifest).unwrap());
    (with_components(app(), archive), config)
}

#[test]
fn img005_layer_count_mismatch() {
    let (p, config) = layer_count_mismatch();
    expect(&check(&p), &[("IMG005", E, &format!("app-1.0-ram/component-images.tar!/{config}"))]);
}

/// An extra image whose RepoTags entry has no tag.
pub(crate) fn tag_without_a_tag() -> Package {
    let archive = image_archive(Shape::Docker24, &[Image::new("busybox:1")]);
    let text = String::from_utf8(archive.get("manifest.json").unwrap().to_vec()).unwrap().replace("busybox:1", "goodrain.me/busybox");
    app().with_file("extra-images.tar", archive.replace("manifest.json", text).go_bytes())
}

/// An extra image saved by ID: it has no name at all.
pub(crate) fn unnamed_extra_image() -> Package {
    let archive = image_archive(Shape::Docker24, &[Image { tags: vec![], ..Image::new("busybox:1") }]);
    app().with_file("extra-images.tar", archive.go_bytes())
}

#[test]
fn img006_tag_without_a_tag_fails_on_docker() {
    let r = check(&tag_without_a_tag());
    expect(&r, &[("IMG006", E, "app-1.0-ram/extra-images.tar!/manifest.json")]);
    assert_eq!(fails_on(&r, "IMG006"), ["5.16/docker", "6.0/docker", "6.7/docker", "6.9/docker"]);
    // Near miss: an image saved by ID that nothing uses loads without a name, and is never needed.
    expect(&check(&unnamed_extra_image()), &[]);
}

/// The component images cut in the middle.
pub(crate) fn cut_image_archive() -> Package {
    let archive = image_archive(Shape::Docker24, &component_images(2)).go_bytes();
    with_components_bytes(app(), archive[..archive.len() / 2].to_vec())
}

#[test]
fn img007_damaged_image_archive() {
    let r = check(&cut_image_archive());
    let found: Vec<_> = problems(&r).into_iter().map(|(c, s, l)| (c, s, l.split("!/").next().unwrap().to_string())).collect();
    assert_eq!(found, vec![("IMG007".to_string(), E, "app-1.0-ram/component-images.tar".to_string())], "{:#?}", r.findings);
    // A manifest.json that is not JSON.
    let bad = image_archive(Shape::Docker24, &component_images(2)).replace("manifest.json", "[{\"Config\": ");
    expect(&check(&with_components(app(), bad)), &[("IMG007", E, "app-1.0-ram/component-images.tar!/manifest.json")]);
}

/// Members that leave the component image archive, and a device in it.
pub(crate) fn escaping_image_members() -> Package {
    let mut archive = image_archive(Shape::Docker24, &component_images(1))
        .file("../../etc/cron.d/x", "* * * * * root sh")
        .symlink("escape", "../../../etc/passwd")
        .hardlink("abs", "/etc/shadow");
    archive.push("dev", crate::fixtures::Node::Special(b'3'));
    with_components(app(), archive)
}

#[test]
fn img011_members_leaving_an_image_archive_and_a_device() {
    let p = escaping_image_members();
    let loc = |m: &str| format!("app-1.0-ram/component-images.tar!/{m}");
    let r = check(&p);
    let img011: Vec<_> = problems(&r).into_iter().filter(|f| f.0 == "IMG011").map(|f| f.2).collect();
    assert_eq!(img011, vec![loc("../../etc/cron.d/x"), loc("escape"), loc("abs"), loc("dev")], "{:#?}", r.findings);
    // Links inside the archive, as docker save writes them, are fine: the
    // valid Docker 24 fixtures have them and fire nothing.
}

pub(crate) fn with_components_bytes(p: Package, bytes: Vec<u8>) -> Package {
    p.without("component-images.tar").with_file("component-images.tar", bytes)
}

/// A bit flipped in the member `pick` names (given the first layer of the
/// second image) of the component images; and that layer's path.
pub(crate) fn flipped_bit(pick: fn(&str) -> String) -> (Package, String) {
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let layer = layer_path(&archive, 1, 0);
    let member = pick(&layer);
    let mut data = archive.get(&member).unwrap().to_vec();
    let at = 700.min(data.len() - 1);
    data[at] ^= 1;
    (with_components(app(), archive.replace(&member, data)), layer)
}

#[test]
fn img008_flipped_bit_in_a_layer_with_deep() {
    let (p, layer) = flipped_bit(str::to_string);
    let loc = format!("app-1.0-ram/component-images.tar!/{layer}");
    expect(&check_bytes(&p.tar_gz(), &p.file_name(), true), &[("IMG008", E, &loc)]);
    // Without --deep, nothing is hashed.
    expect(&check(&p), &[]);
}

#[test]
fn img008_oci_blob_named_by_the_wrong_digest() {
    let archive = image_archive(Shape::Containerd, &component_images(2));
    let (path, data) = archive
        .members
        .iter()
        .find_map(|(p, n)| match n {
            crate::fixtures::Node::File(d) if p.starts_with("blobs/") && d.starts_with(&[0x1f, 0x8b]) => Some((p.clone(), d.clone())),
            _ => None,
        })
        .unwrap();
    let mut bad = data.clone();
    let n = bad.len();
    bad[n - 9] ^= 0xff; // inside the gzip trailer's CRC: the blob and its content differ
    let p = with_components(app(), archive.replace(&path, bad));
    let r = check_bytes(&p.tar_gz(), &p.file_name(), true);
    let loc = format!("app-1.0-ram/component-images.tar!/{path}");
    expect(&r, &[("IMG008", E, &loc)]);
}

/// An extra archive with an image named as the first component's.
pub(crate) fn second_image_named_as_svc0(layers: Option<Vec<Vec<u8>>>) -> Package {
    let mut other = Image::new(&component_image("app", "1.0", 0));
    if let Some(layers) = layers {
        other.layers = layers;
    }
    app().with_file("extra-images.tar", image_archive(Shape::Docker24, &[other]).go_bytes())
}

#[test]
fn img009_one_tag_two_images() {
    let p = second_image_named_as_svc0(Some(vec![crate::fixtures::layer("different", 1)]));
    expect(&check(&p), &[("IMG009", E, "app-1.0-ram/extra-images.tar")]);
}

/// The component images built for `arch`.
pub(crate) fn images_for(arch: &str) -> Package {
    let images: Vec<Image> = component_images(2).into_iter().map(|i| i.arch(arch)).collect();
    with_components(app(), image_archive(Shape::Docker25, &images))
}

#[test]
fn img010_image_for_another_architecture() {
    let r = check(&images_for("arm64"));
    let found: Vec<_> = problems(&r).into_iter().map(|(c, s, _)| (c, s)).collect();
    assert_eq!(found, vec![("IMG010".to_string(), W), ("IMG010".to_string(), W)], "{:#?}", r.findings);
}

/// A Docker 25 archive without oci-layout: containerd reads manifest.json.
pub(crate) fn without_oci_layout() -> Package {
    with_components(app(), image_archive(Shape::Docker25, &component_images(2)).remove("oci-layout"))
}

#[test]
fn img012_oci_archive_without_oci_layout_or_of_another_version() {
    let archive = image_archive(Shape::Containerd, &component_images(2)).remove("manifest.json").remove("oci-layout");
    let r = check(&with_components(app(), archive));
    let codes: Vec<_> = problems(&r).into_iter().map(|(c, _, _)| c).collect();
    assert!(codes.contains(&"IMG012".to_string()), "{codes:?}");
    assert_eq!(fails_on(&r, "IMG012"), ["5.16/containerd", "6.0/containerd", "6.7/containerd", "6.9/containerd"]);
    let archive = image_archive(Shape::Containerd, &component_images(2)).replace("oci-layout", r#"{"imageLayoutVersion":"2.0.0"}"#);
    let r = check(&with_components(app(), archive));
    assert_eq!(r.findings.iter().filter(|f| f.code == "IMG012").count(), 1);
    assert!(r.findings[0].message.contains("2.0.0"), "{}", r.findings[0].message);
    // Near miss: without oci-layout but with manifest.json, containerd reads manifest.json.
    expect(&check(&without_oci_layout()), &[]);
}

/// An OCI-only archive whose image `web:1.0` is named only by
/// `org.opencontainers.image.ref.name` = `ref_name`.
pub(crate) fn web_named_by_ref_name(ref_name: &str) -> Tar {
    let images = vec![Image::new(&component_image("app", "1.0", 0)), Image::new("web:1.0")];
    let archive = image_archive(Shape::Containerd, &images).remove("manifest.json");
    let text = String::from_utf8(archive.get("index.json").unwrap().to_vec()).unwrap();
    let mut index: serde_json::Value = serde_json::from_str(&text).unwrap();
    for m in index["manifests"].as_array_mut().unwrap() {
        let a = m["annotations"].as_object_mut().unwrap();
        if a["io.containerd.image.name"].as_str().unwrap().contains("web") {
            a.remove("io.containerd.image.name");
            a.insert("org.opencontainers.image.ref.name".into(), ref_name.into());
        }
    }
    archive.replace("index.json", serde_json::to_vec(&index).unwrap())
}

/// The app whose second component uses `web:1.0`, with `archive`.
pub(crate) fn web_app(archive: Tar) -> Package {
    with_components(app().edit(|t| t["apps"][1]["share_image"] = "web:1.0".into()), archive)
}

#[test]
fn img013_short_ref_name_on_containerd() {
    let archive = web_named_by_ref_name("web:1.0");
    let p = web_app(archive.clone());
    let r = check(&p);
    let codes: Vec<_> = problems(&r).into_iter().map(|(c, s, _)| (c, s)).collect();
    assert!(codes.contains(&("IMG013".to_string(), E)), "{:#?}", r.findings);
    assert_eq!(fails_on(&r, "IMG013"), ["5.16/containerd", "6.0/containerd", "6.7/containerd", "6.9/containerd"]);
    // IMG013 (containerd) and IMG003 (Docker before 25 loads no OCI-only archive) say why it is missing.
    assert!(r.findings.iter().all(|f| f.code != "XRF001"), "{:#?}", r.findings);
    // Near miss: nothing uses the short name.
    let r = check(&with_components(app().edit(|t| t["apps"].as_array_mut().unwrap().truncate(1)), archive));
    assert!(r.findings.iter().all(|f| f.code != "IMG013"), "{:#?}", r.findings);
}

/// The second image's first layer stored as a link to `copy/layer.tar`:
/// a hard link to a copy of the first image's layer, or a symlink to a
/// copy of its own.
pub(crate) fn layer_behind_a_link(hard: bool) -> Package {
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let (first, second) = (layer_path(&archive, 0, 0), layer_path(&archive, 1, 0));
    let data = archive.get(if hard { &first } else { &second }).unwrap().to_vec();
    let archive = archive.remove(&second).file("copy/layer.tar", data);
    with_components(app(), if hard { archive.hardlink(&second, "copy/layer.tar") } else { archive.symlink(&second, "../copy/layer.tar") })
}

#[test]
fn img014_hard_linked_layer() {
    let r = check(&layer_behind_a_link(true));
    let img014: Vec<_> = r.findings.iter().filter(|f| f.code == "IMG014").collect();
    assert_eq!(img014.len(), 1, "{:#?}", r.findings);
    assert_eq!(fails_on(&r, "IMG014"), ["5.16/containerd", "6.0/containerd", "6.7/containerd", "6.9/containerd"]);
    assert_eq!(verdict_on(&r, "5.16/docker"), Verdict::Warn);
}

#[test]
fn pkg010_zip_member_with_another_method() {
    let p = Package::valid("crm", "5.1", 2, 0, Shape::Docker24);
    let zip = with_zip_method(p.zip(), "crm-5.1-ram/component-images.tar", 12);
    let r = check_bytes(&zip, "crm-5.1-ram.zip", false);
    let found: Vec<_> = problems(&r).into_iter().filter(|(c, _, _)| c == "PKG010").collect();
    assert_eq!(found, vec![("PKG010".to_string(), E, "crm-5.1-ram/component-images.tar".to_string())], "{:#?}", r.findings);
    assert!(r.findings.iter().all(|f| f.code != "PKG003"), "not damage: {:#?}", r.findings);
    // Near miss: Store is fine.
    let stored = with_zip_method(p.zip(), "crm-5.1-ram/metadata.json", 0);
    let r = check_bytes(&stored, "crm-5.1-ram.zip", false);
    assert!(r.findings.iter().all(|f| f.code != "PKG010"), "{:#?}", r.findings);
}

/// `zip` with the method of member `name` set to `method` in its local and
/// central headers (the data is left as it is).
pub(crate) fn with_zip_method(mut zip: Vec<u8>, name: &str, method: u16) -> Vec<u8> {
    let u16_at = |z: &[u8], i: usize| u16::from_le_bytes([z[i], z[i + 1]]) as usize;
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let (sig, name_len_at, name_at, method_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" => ("local", 26, 30, 8),
            b"PK\x01\x02" => ("central", 28, 46, 10),
            _ => continue,
        };
        let len = u16_at(&zip, i + name_len_at);
        if zip.get(i + name_at..i + name_at + len) == Some(name.as_bytes()) {
            zip[i + method_at..i + method_at + 2].copy_from_slice(&method.to_le_bytes());
            patched += 1;
            let _ = sig;
        }
    }
    assert_eq!(patched, 2, "{name} in both headers");
    zip
}

// ---- XRF ------------------------------------------------------------------

#[test]
fn xrf001_share_image_not_carried() {
    expect(&fired("XRF001"), &[("XRF001", E, "app-1.0-ram/metadata.json#apps[1].share_image")]);
}

#[test]
fn xrf001_names_the_legacy_fallback_when_only_it_is_carried() {
    // The archive holds the image under its pre-v5.3 name `svc0:1.0`.
    let p =
        with_components(app(), image_archive(Shape::Docker24, &[Image::new("svc0:1.0"), Image::new(&component_image("app", "1.0", 1))]));
    let r = check(&p);
    expect(&r, &[("XRF001", E, "app-1.0-ram/metadata.json#apps[0].share_image")]);
    assert!(
        r.findings[0].message.contains("Only its pre-v5.3 save name docker.io/library/svc0:1.0 is there: importers on Docker"),
        "{}",
        r.findings[0].message
    );
}

#[test]
fn xrf001_only_on_the_targets_that_do_not_find_it() {
    // Only the legacy name: importers on Docker retry it, on every line.
    let p =
        with_components(app(), image_archive(Shape::Docker24, &[Image::new("svc0:1.0"), Image::new(&component_image("app", "1.0", 1))]));
    let r = check(&p);
    assert_eq!(fails_on(&r, "XRF001"), ["5.16/containerd", "6.0/containerd", "6.7/containerd", "6.9/containerd"]);
    assert_eq!(verdict_on(&r, "6.9/docker"), Verdict::Warn);
}

#[test]
fn xrf002_no_image_archive() {
    expect(&fired("XRF002"), &[("XRF002", E, "app-1.0-ram/component-images.tar")]);
}

#[test]
fn xrf003_plugin_archive_without_plugins() {
    let r = fired("XRF003");
    expect(&r, &[("XRF003", W, "app-1.0-ram/plugin-images.tar")]);
    // The v6 importer skips it, so its image is not "unused" there: only
    // loaded archives are judged for XRF004.
    assert!(!r.findings.iter().any(|f| f.code == "XRF004"));
}

#[test]
fn xrf004_unused_image_is_info() {
    let r = fired("XRF004");
    assert_eq!(r.verdict, Verdict::Pass);
    let info: Vec<_> = findings(&r, I).into_iter().filter(|f| f.0 != "SUM001").collect();
    assert_eq!(info, vec![("XRF004".to_string(), I, "app-1.0-ram/extra-images.tar".to_string())]);
}

// ---- SUM ------------------------------------------------------------------

#[test]
fn sum001_summary_is_info() {
    let r = check(&app());
    let sum: Vec<_> = r.findings.iter().filter(|f| f.code == "SUM001").collect();
    assert_eq!(sum.len(), 1);
    assert_eq!(sum[0].severity, I);
    assert!(sum[0].message.starts_with("app 1.0: 2 components, 0 plugins, 2 images"));
}

#[test]
fn sum002_an_image_over_5_gb() {
    // 5.2 GB of zeros inside one layer: a few MB once compressed.
    let bytes = crate::fixtures::large_package(5_200_000_000);
    let r = check_bytes(&bytes, "big-1.0-ram.tar.gz", false);
    expect(&r, &[("SUM002", W, "big-1.0-ram/component-images.tar")]);
    assert!(r.summary.uncompressed_bytes > 5_200_000_000);
}

// ---- the registry itself -------------------------------------------------

// A rule declared but left out of RULES is dead code, which the build
// refuses (clippy -D warnings); every rule's firing and near-miss cases are
// the table in cases.rs.
#[test]
fn the_registry_is_in_catalog_order_with_unique_codes_both_languages_and_evidence() {
    let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n, "a code is declared twice");
    // Catalog order: the spec's families, then the number.
    let families = ["PKG", "LAY", "MET", "IMG", "XRF", "SUM"];
    let key = |code: &str| (families.iter().position(|f| code.starts_with(f)).unwrap(), code[3..].parse::<u32>().unwrap());
    assert!(RULES.windows(2).all(|w| key(w[0].code) < key(w[1].code)), "RULES is not in catalog order");
    for rule in RULES {
        assert!(!rule.title.zh.is_empty() && !rule.why.zh.is_empty() && !rule.fix.zh.is_empty(), "{} lacks Chinese text", rule.code);
        assert!(rule.evidence.len() > 20, "{} has no evidence", rule.code);
        // An error rule fails somewhere; a warning or info rule nowhere.
        assert_eq!(rule.severity == Severity::Error, !rule.fails_on.is_empty(), "{}: severity and failing targets disagree", rule.code);
    }
}

// ---- from the first milestone's core tests ----

#[test]
fn sum001_valid_packages_of_every_shape_summarised() {
    for shape in [Shape::Docker24, Shape::Docker25, Shape::Containerd] {
        for plugins in [0, 2] {
            let p = Package::valid("crm", "5.1", 3, plugins, shape);
            let r = check(&p);
            assert_eq!(problems(&r), vec![], "{shape:?} with {plugins} plugins");
            assert_eq!(r.verdict, Verdict::Pass);
            assert_eq!(r.summary.components, 3);
            assert_eq!(r.summary.plugins, plugins);
            assert_eq!(r.summary.images, 3 + plugins, "{shape:?}");
            assert_eq!(r.summary.template.as_deref(), Some("crm"));
            let sum: Vec<_> = r.findings.iter().filter(|f| f.code == "SUM001").collect();
            assert_eq!(sum.len(), 1);
            let size = ramcheck::report::human_bytes(r.summary.uncompressed_bytes);
            let expected = format!(
                "crm 5.1: 3 components, {plugins} plugins, {} images, {size} unpacked. Exported by a Rainbond release of 2023-06 or later (it has `arch`).",
                3 + plugins
            );
            assert_eq!(sum[0].message, expected);
            let infos: Vec<_> = r.findings.iter().filter(|f| f.code != "SUM001").collect();
            assert!(infos.is_empty(), "{infos:?}");
        }
    }
}

#[test]
fn pkg001_random_bytes_and_an_empty_file() {
    let r = check_bytes(b"this is not a package at all, just some text that is long enough", "x.tar.gz", false);
    expect(&r, &[("PKG001", E, "x.tar.gz")]);
    let r = check_bytes(b"", "empty.tar.gz", false);
    expect(&r, &[("PKG001", E, "empty.tar.gz")]);
    assert!(r.findings[0].message.contains("empty"));
}

#[test]
fn pkg003_a_cut_tar_inside_an_intact_gzip() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let tar = p.tar_bytes();
    // Cut inside component-images.tar's data, then gzip what is left.
    let at = find(&tar, b"manifest.json").unwrap();
    let r = check_bytes(&crate::fixtures::gzip(&tar[..at]), "app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG003", E, "app-1.0-ram/component-images.tar")]);
    assert!(r.findings[0].message.contains("cut short"));
}

#[test]
fn pkg003_a_bad_tar_header_checksum() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let mut tar = p.tar_bytes();
    tar[600] ^= 0x55; // inside the second header (metadata.json's name)
    let r = check_bytes(&crate::fixtures::gzip(&tar), "app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG003", E, "app-1.0-ram.tar.gz")]);
    assert!(r.findings[0].message.contains("checksum"));
}

#[test]
fn lay003_names_a_near_miss_name() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24).without("metadata.json").with_file("Metadata.json", "{}");
    let r = check(&p);
    expect(&r, &[("LAY003", E, "app-1.0-ram/metadata.json")]);
    assert!(r.findings[0].message.contains("app-1.0-ram/Metadata.json exists"), "{}", r.findings[0].message);
}

/// `nginx:1.25` in metadata, `docker.io/library/nginx:1.25` in the archive.
pub(crate) fn nginx_by_its_full_name() -> Package {
    let mut t = crate::fixtures::template("app", "1.0", 1, 0);
    t["apps"][0]["share_image"] = "nginx:1.25".into();
    let p = Package::from_template("app", "1.0", t, Shape::Docker24);
    with_components(p, image_archive(Shape::Docker24, &[Image::new("docker.io/library/nginx:1.25")]))
}

#[test]
fn xrf001_near_miss_names_match_after_docker_normalisation() {
    expect(&check(&nginx_by_its_full_name()), &[]);
}

#[test]
fn findings_are_ordered_by_severity_then_position() {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24)
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes())
        .edit(|t| t["apps"][0]["share_image"] = "goodrain.me/app/other:1".into());
    let r = check(&p);
    let codes: Vec<_> = r.findings.iter().map(|f| f.code.as_str()).collect();
    // apps[0]'s image is still in the archive, unused (XRF004, info).
    assert_eq!(codes, vec!["XRF001", "IMG001", "SUM001", "XRF004"]);
    let positions: Vec<_> = r.findings.iter().map(|f| f.position).collect();
    assert!(positions[0] < positions[1]);
}

#[test]
fn img001_seed_case_says_what_the_import_does() {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24).with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let r = check(&p);
    expect(&r, &[("IMG001", E, "app-1.0-ram/plugin-images.tar!/manifest.json")]);
    assert_eq!(r.verdict, Verdict::Fail);
    let f = &r.findings[0];
    assert_eq!(f.message, "plugin-images.tar holds no image: its manifest.json is null. Docker 23 and later refuse it (\"invalid manifest, manifest cannot be null (but can be [])\") and the import fails; containerd and Docker 20.10 load nothing from it and go on.");
    assert!(
        f.hint.starts_with(
            "The app has no plugins: delete plugin-images.tar and pack the directory again with `tar -czf app-1.0-ram.tar.gz app-1.0-ram`"
        ),
        "{}",
        f.hint
    );
    assert!(f.message_zh.contains("plugin-images.tar 中没有任何镜像"));
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
