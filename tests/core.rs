//! The core on real-shaped packages: the rules of the first milestone, each
//! with a fixture that fires it and valid fixtures that do not.

#![recursion_limit = "256"]

mod fixtures;

use fixtures::{null_manifest_archive, Package, Shape, Tar};
use ramcheck::{Options, Report, Severity, Verdict};

fn check(bytes: &[u8], name: &str) -> Report {
    ramcheck::check(&bytes.to_vec(), name, &Options { deep: false }, None)
}

fn check_pkg(p: &Package) -> Report {
    check(&p.tar_gz(), &p.file_name())
}

/// (code, severity, location) of every error and warning.
fn problems(r: &Report) -> Vec<(&str, Severity, &str)> {
    r.findings.iter().filter(|f| f.severity != Severity::Info).map(|f| (f.code.as_str(), f.severity, f.location.as_str())).collect()
}

#[test]
fn valid_packages_of_every_shape_pass() {
    for shape in [Shape::Docker24, Shape::Docker25, Shape::Containerd] {
        for plugins in [0, 2] {
            let p = Package::valid("crm", "5.1", 3, plugins, shape);
            let r = check_pkg(&p);
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
fn a_zip_with_the_right_layout_passes() {
    let p = Package::valid("crm", "5.1", 2, 1, Shape::Docker24);
    let r = check(&p.zip(), "crm-5.1-ram.zip");
    assert_eq!(problems(&r), vec![]);
    assert_eq!(r.summary.images, 3);
}

#[test]
fn seed_case_null_manifest_plugin_archive_is_img001() {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24).with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let r = check_pkg(&p);
    assert_eq!(problems(&r), vec![("IMG001", Severity::Error, "app-1.0-ram/plugin-images.tar!/manifest.json")]);
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

#[test]
fn an_empty_manifest_list_loads_everywhere() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24)
        .with_file("plugin-images.tar", Tar::new().file("manifest.json", "[]").go_bytes());
    assert_eq!(problems(&check_pkg(&p)), vec![]);
}

#[test]
fn a_plain_tar_is_pkg001() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let r = check(&p.tar_bytes(), "app-1.0-ram.tar.gz");
    assert_eq!(problems(&r), vec![("PKG001", Severity::Error, "app-1.0-ram.tar.gz")]);
    assert!(r.findings[0].message.contains("plain tar archive"));
    // The walk still happened: the contents were judged too.
    assert_eq!(r.summary.components, 1);
}

#[test]
fn random_bytes_and_an_empty_file_are_pkg001() {
    let r = check(b"this is not a package at all, just some text that is long enough", "x.tar.gz");
    assert_eq!(problems(&r), vec![("PKG001", Severity::Error, "x.tar.gz")]);
    let r = check(b"", "empty.tar.gz");
    assert_eq!(problems(&r), vec![("PKG001", Severity::Error, "empty.tar.gz")]);
    assert!(r.findings[0].message.contains("empty"));
}

#[test]
fn a_cut_package_is_pkg003_naming_the_member() {
    let p = Package::valid("app", "1.0", 3, 0, Shape::Docker24);
    let gz = p.tar_gz();
    let cut = &gz[..gz.len() * 2 / 3];
    let r = check(cut, "app-1.0-ram.tar.gz");
    let codes: Vec<_> = problems(&r).into_iter().map(|p| (p.0, p.1)).collect();
    assert_eq!(codes, vec![("PKG003", Severity::Error)]);
    assert!(r.findings[0].message.contains("ends early"), "{}", r.findings[0].message);
}

#[test]
fn a_cut_tar_inside_an_intact_gzip_is_pkg003() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let tar = p.tar_bytes();
    // Cut inside component-images.tar's data, then gzip what is left.
    let at = find(&tar, b"manifest.json").unwrap();
    let r = check(&fixtures::gzip(&tar[..at]), "app-1.0-ram.tar.gz");
    assert_eq!(problems(&r), vec![("PKG003", Severity::Error, "app-1.0-ram/component-images.tar")]);
    assert!(r.findings[0].message.contains("cut short"));
}

#[test]
fn a_bad_tar_header_checksum_is_pkg003() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let mut tar = p.tar_bytes();
    tar[600] ^= 0x55; // inside the second header (metadata.json's name)
    let r = check(&fixtures::gzip(&tar), "app-1.0-ram.tar.gz");
    let f: Vec<_> = problems(&r);
    assert_eq!(f, vec![("PKG003", Severity::Error, "app-1.0-ram.tar.gz")]);
    assert!(r.findings[0].message.contains("checksum"));
}

#[test]
fn a_flat_repack_is_lay001() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let mut flat = Tar::new();
    for (path, node) in &p.tar.members {
        if let Some(rest) = path.strip_prefix("app-1.0-ram/").filter(|r| !r.is_empty()) {
            flat.push(rest, node.clone());
        }
    }
    let r = check(&fixtures::gzip(&flat.gnu_bytes()), "app.tar.gz");
    assert_eq!(problems(&r), vec![("LAY001", Severity::Error, "metadata.json")]);
}

#[test]
fn a_missing_metadata_is_lay003() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24).without("metadata.json").with_file("Metadata.json", "{}");
    let r = check_pkg(&p);
    assert_eq!(problems(&r), vec![("LAY003", Severity::Error, "app-1.0-ram/metadata.json")]);
    assert!(r.findings[0].message.contains("app-1.0-ram/Metadata.json exists"), "{}", r.findings[0].message);
}

#[test]
fn metadata_with_a_bom_or_bad_syntax_is_met001() {
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend(serde_json::to_vec(&p.template).unwrap());
    let r = check_pkg(&p.clone().metadata_bytes(bom));
    assert_eq!(problems(&r), vec![("MET001", Severity::Error, "app-1.0-ram/metadata.json")]);
    assert!(r.findings[0].message.contains("byte-order mark"));

    let r = check_pkg(&p.metadata_bytes("{\n  \"group_name\": \"app\",\n  \"apps\": [,]\n}"));
    assert_eq!(problems(&r), vec![("MET001", Severity::Error, "app-1.0-ram/metadata.json:3:12")]);
}

#[test]
fn a_share_image_that_no_archive_carries_is_xrf001() {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24).edit(|t| t["apps"][1]["share_image"] = "goodrain.me/app/svc1:2.0".into());
    let r = check_pkg(&p);
    assert_eq!(problems(&r), vec![("XRF001", Severity::Error, "app-1.0-ram/metadata.json#apps[1].share_image")]);
    let m = &r.findings[0].message;
    assert!(m.contains("after loading the image archives (app-1.0-ram/component-images.tar)"), "{m}");
    assert!(m.contains("The closest name there is goodrain.me/app/svc1:1.0."), "{m}");
}

#[test]
fn share_images_match_after_docker_normalisation() {
    // `nginx:1.25` in metadata, `docker.io/library/nginx:1.25` in the archive.
    let mut t = fixtures::template("app", "1.0", 1, 0);
    t["apps"][0]["share_image"] = "nginx:1.25".into();
    let mut p = Package::from_template("app", "1.0", t, Shape::Docker24);
    let archive = fixtures::image_archive(Shape::Docker24, &[fixtures::Image::new("docker.io/library/nginx:1.25")]);
    p = p.without("component-images.tar").with_file("component-images.tar", archive.go_bytes());
    assert_eq!(problems(&check_pkg(&p)), vec![]);
}

#[test]
fn findings_are_ordered_by_severity_then_position() {
    let p = Package::valid("app", "1.0", 2, 0, Shape::Docker24)
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes())
        .edit(|t| t["apps"][0]["share_image"] = "goodrain.me/app/other:1".into());
    let r = check_pkg(&p);
    let codes: Vec<_> = r.findings.iter().map(|f| f.code.as_str()).collect();
    // apps[0]'s image is still in the archive, unused (XRF004, info).
    assert_eq!(codes, vec!["XRF001", "IMG001", "SUM001", "XRF004"]);
    let positions: Vec<_> = r.findings.iter().map(|f| f.position).collect();
    assert!(positions[0] < positions[1]);
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---- progress --------------------------------------------------------------

/// The members the progress hook is told of while `source` is checked, in
/// order, each once in a row (`None`: no large member is being read).
fn named_while_read(source: Vec<u8>, name: &str) -> Vec<Option<String>> {
    let mut named: Vec<Option<String>> = Vec::new();
    let mut hook = |p: ramcheck::ProgressInfo<'_>| {
        let member = p.member.map(str::to_string);
        if named.last() != Some(&member) {
            named.push(member);
        }
    };
    ramcheck::check(&source, name, &Options { deep: false }, Some(&mut hook));
    named
}

/// gzip whose deflate stores the bytes: every member's bytes are read from
/// the file, not a few KiB of zeros compressed.
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    std::io::Write::write_all(&mut gz, data).unwrap();
    gz.finish().unwrap()
}

/// The files of `tar` in a zip that stores them.
fn stored_zip(tar: &Tar) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (path, node) in &tar.members {
        if let fixtures::Node::File(d) = node {
            w.start_file(path.as_str(), opts).unwrap();
            std::io::Write::write_all(&mut w, d).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn progress_names_the_large_member_being_read_and_no_other() {
    // 5 MiB, then exactly the threshold, then 9 MiB: the hook (every 4 MiB)
    // is called in each.
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24)
        .with_file("a-small.bin", vec![1; 5 << 20])
        .with_file("b-large.bin", vec![2; ramcheck::LARGE_MEMBER as usize])
        .with_file("c-after.bin", vec![3; 9 << 20]);
    let want = vec![None, Some("app-1.0-ram/b-large.bin".to_string()), None];
    assert_eq!(named_while_read(p.tar_bytes(), "app-1.0-ram.tar"), want, "tar");
    assert_eq!(named_while_read(stored_gzip(&p.tar_bytes()), &p.file_name()), want, "tar.gz");
    assert_eq!(named_while_read(stored_zip(&p.tar), "app-1.0-ram.zip"), want, "zip");
    // One byte short of the threshold: never named.
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24).with_file("b.bin", vec![2; ramcheck::LARGE_MEMBER as usize - 1]);
    assert_eq!(named_while_read(stored_gzip(&p.tar_bytes()), &p.file_name()), vec![None]);
}
