//! One table: every rule of the catalog with a package that fires it and a
//! near miss, a package as close to firing it as a valid one can be (the
//! same shape with the one detail that keeps the rule quiet, at the rule's
//! boundary where it has one). The text report of each firing case, in
//! English and Chinese, is a blessed snapshot in tests/snapshots/<CODE>.txt.

use crate::catalog::{
    app, apple_double, backup_tar, component_images, cut_image_archive, dangling_references, empty_list_archive, empty_oci_index,
    escaping_image_members, flipped_bit, gzipped_components_at, images_for, invalid_share_images, lay001_flat, lay002_leftovers,
    lay004_compose, lay009_zip_without_dirs, layer_behind_a_link, layer_count_mismatch, layer_path, legacy_fields, legacy_keys_package,
    metadata_after, missing_layer_and_dangling_symlink, nginx_by_its_full_name, one_component_image_at, pkg002_double_gzip, pkg003_cut,
    pkg004_zeros_after_the_gzip, second_image_named_as_svc0, tag_without_a_tag, two_gzip_members, typed_values, unnamed_extra_image,
    web_app, web_named_by_ref_name, with_components, with_components_bytes, with_extension_header, with_zip_method, without_oci_layout,
    COMPOSE_FILE,
};
use crate::fixtures::{
    component_image, gzip, image_archive, null_manifest_archive, sha256_hex, template, Image, Node, Package, Shape, Tar, Upload,
};
use ramcheck::limits::MAX_EXTENSION_BYTES;
use ramcheck::report::text;
use ramcheck::rules::RULES;
use ramcheck::{Lang, Options, Report, Severity};
use serde_json::{json, Value};

/// What makes a near miss valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Near {
    /// The rule's boundary: the detail the check tests, on its valid side.
    Boundary,
    /// No package can be close to firing the rule and valid (the rule fires
    /// on every readable template), or a close one is too costly to build.
    Trivial,
}

/// One rule's cases.
struct Case {
    code: &'static str,
    firing: fn() -> Upload,
    near_miss: fn() -> Upload,
    near: Near,
    /// The errors and warnings the near miss has (of other rules, from the
    /// shape it shares with the firing case): most have none.
    near_also: &'static [&'static str],
    /// Checked with `--deep` (digests are only computed then).
    deep: bool,
}

const fn case(code: &'static str, firing: fn() -> Upload, near_miss: fn() -> Upload) -> Case {
    Case { code, firing, near_miss, near: Near::Boundary, near_also: &[], deep: false }
}

fn named(bytes: Vec<u8>, name: &str) -> Upload {
    (bytes, name.to_string())
}

/// Every rule, in catalog order.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // A plain tar → a zip under a .zip name: a container other than gzip that the importer takes.
    case("PKG001", || named(app().tar_bytes(), "app-1.0-ram.tar.gz"), || named(app().zip(), "app-1.0-ram.zip")),
    // gzip inside gzip → two gzip members one after the other: one stream.
    case("PKG002", pkg002_double_gzip, two_gzip_members),
    // Cut inside the stream → cut where the tar's end-of-archive blocks begin: GNU tar stops there cleanly.
    case("PKG003", pkg003_cut, || { let p = app(); named(gzip(&without_end_of_archive(&p.tar_bytes())), &p.file_name()) }),
    // Zeros after the gzip stream → the same zeros inside it, as tar padding.
    case("PKG004", pkg004_zeros_after_the_gzip, || { let mut tar = app().tar_bytes(); tar.extend([0u8; 4096]); named(gzip(&tar), "app-1.0-ram.tar.gz") }),
    // A tar.gz named .zip → ".zip" inside the name, which ends in .tar.gz.
    case("PKG005", || named(app().tar_gz(), "app-1.0-ram.zip"), || named(app().tar_gz(), "app-1.0-ram.zip.tar.gz")),
    // A comma in the name → a dash where the comma was.
    case("PKG006", || named(app().tar_gz(), "app-1.0,final-ram.tar.gz"), || named(app().tar_gz(), "app-1.0-final-ram.tar.gz")),
    // "plugin" in the upload's name and no plugins → the same name, with a plugin in the template.
    case("PKG007", || named(app().tar_gz(), "my-plugin-app-1.0-ram.tar.gz"),
        || named(Package::valid("app", "1.0", 1, 1, Shape::Docker24).tar_gz(), "my-plugin-app-1.0-ram.tar.gz")),
    // gzip of a JSON text → gzip of a tar of that text (not a package, but a tar).
    Case { near_also: &["LAY001", "MET003", "MET011"], ..case("PKG008", || named(gzip(br#"{"group_name": "app"}"#), "app-1.0-ram.tar.gz"),
        || named(gzip(&Tar::new().file("metadata.json", r#"{"group_name": "app"}"#).gnu_bytes()), "app-1.0-ram.tar.gz")) },
    // An extension header announcing 2 GiB → a PAX header of exactly the limit.
    case("PKG009", || with_extension_header(b'L', b"x", Some(2 << 30)), || with_extension_header(b'x', &pax_comment(MAX_EXTENSION_BYTES as usize), None)),
    // A zip member compressed with bzip2 → every member stored (Store, method 0).
    case("PKG010", || named(with_zip_method(Package::valid("crm", "5.1", 2, 0, Shape::Docker24).zip(), "crm-5.1-ram/component-images.tar", 12), "crm-5.1-ram.zip"),
        || named(crate::fixtures::zip_with(&Package::valid("crm", "5.1", 2, 0, Shape::Docker24).tar, zip::CompressionMethod::Stored), "crm-5.1-ram.zip")),
    // No top directory → the app directory, and a copy of metadata.json at the root that is not the one read.
    Case { near_also: &["LAY002"], ..case("LAY001", lay001_flat,
        || { let mut p = app(); let meta = p.tar.get("app-1.0-ram/metadata.json").unwrap().to_vec(); p.tar = p.tar.file("metadata.json", meta); p.upload() }) },
    // macOS leftovers beside the app directory → the same leftovers inside it.
    case("LAY002", || lay002_leftovers().upload(),
        || app().with_file("._metadata.json", vec![0u8; 4096]).with_file(".DS_Store", vec![0u8; 64]).with_file("__MACOSX/._metadata.json", vec![0u8; 82]).upload()),
    // No metadata.json → metadata.json as the last member, after the image archives.
    case("LAY003", || app().without("metadata.json").upload(),
        || { let p = app(); let meta = p.tar.get("app-1.0-ram/metadata.json").unwrap().to_vec(); p.without("metadata.json").with_file("metadata.json", meta).upload() }),
    // A docker-compose package → an app model that also carries a compose file.
    case("LAY004", lay004_compose, || app().with_file("docker-compose.yaml", COMPOSE_FILE).upload()),
    // An AppleDouble `._*.tar` and a backup tar at depth 3 → an AppleDouble file not ending in .tar, and the backup one level deeper, where the importer does not look.
    case("LAY005", || app().with_file("._component-images.tar", apple_double()).with_file("old/backup.tar", backup_tar()).upload(),
        || app().with_file("._metadata.json", apple_double()).with_file("old/2023/backup.tar", backup_tar()).upload()),
    // `..` out of the archive and a link to /etc/passwd → a `..` link that stays inside.
    case("LAY006", || { let mut p = app(); p.tar = p.tar.file("app-1.0-ram/../../etc/cron.d/x", "* * * * * root sh").symlink("app-1.0-ram/passwd", "/etc/passwd"); p.upload() },
        || { let mut p = app(); p.tar = p.tar.symlink("app-1.0-ram/passwd", "../app-1.0-ram/metadata.json"); p.upload() }),
    // Gzipped component images named .tar → a gzipped copy one level down, where nothing is loaded or listed.
    case("LAY007", || gzipped_components_at("component-images.tar").upload(),
        || { let archive = image_archive(Shape::Docker24, &component_images(2)).go_bytes(); app().with_file("old/component-images.tar.gz", gzip(&archive)).upload() }),
    // `<component>/<name>.image.tar` (v5.0 to v5.2) → the same file in the app directory.
    case("LAY008", || one_component_image_at("svc0/svc0TAG1.0.image.tar").upload(), || one_component_image_at("svc0TAG1.0.image.tar").upload()),
    // A zip without directory entries → the same zip with them.
    case("LAY009", lay009_zip_without_dirs, || named(app().zip(), "app-1.0-ram.zip")),
    // A device and a FIFO → a directory and a symlink under the same names.
    case("LAY010", || { let mut p = app(); p.tar.push("app-1.0-ram/disk", Node::Special(b'4')); p.tar.push("app-1.0-ram/pipe", Node::Special(b'6')); p.upload() },
        || { let mut p = app(); p.tar = p.tar.dir("app-1.0-ram/disk/").symlink("app-1.0-ram/pipe", "metadata.json"); p.upload() }),
    // metadata.json twice → the app directory twice.
    case("LAY011", || { let mut p = app(); p.tar = p.tar.file("app-1.0-ram/metadata.json", "{\"apps\": [").dir("app-1.0-ram/"); p.upload() },
        || { let mut p = app(); p.tar = p.tar.dir("app-1.0-ram/"); p.upload() }),
    // A byte-order mark before the JSON → a newline there, which JSON allows.
    case("MET001", || metadata_after(&[0xef, 0xbb, 0xbf]).upload(), || metadata_after(b"\n").upload()),
    // A string, a number and a list where an integer, a boolean and a map belong → null in each, which Go decodes as the zero value.
    // (A null memory is no memory: MET008 says the scaling rule's is not read.)
    Case { near_also: &["MET008"], ..case("MET002", || typed_values("512".into(), 1.into(), json!(["not", "a", "map"])).upload(),
        || typed_values(Value::Null, Value::Null, Value::Null).upload()) },
    // `apps` empty → empty, with a k8s resource.
    case("MET003", || app().edit(|t| t["apps"] = json!([])).upload(),
        || app().edit(|t| { t["apps"] = json!([]); t["k8s_resources"] = json!([{"name": "cm", "kind": "ConfigMap", "content": "apiVersion: v1"}]); }).upload()),
    // A VM whose one disk is a data disk → a data disk and a root disk.
    case("MET004", || app().edit(|t| t["apps"][0]["vm"] = json!({"disk_layout": [{"disk_role": "data"}]})).upload(),
        || app().edit(|t| t["apps"][0]["vm"] = json!({"disk_layout": [{"disk_role": "data"}, {"disk_role": "root"}]})).upload()),
    // Upper case in the repository, a digest → upper case in the tag only.
    case("MET005", || invalid_share_images().upload(), || Package::valid("app", "V1.0", 2, 0, Shape::Docker24).upload()),
    // A group_version of 36 characters → of exactly 32, the column's size.
    case("MET006", || app().edit(|t| t["group_version"] = "1.0.0-build.20240301.100000.abcdef12".into()).upload(),
        || app().edit(|t| t["group_version"] = "1.0.0-build.20240301.100000.abcd".into()).upload()),
    // An empty arch → arm64 on every component, with arm64 images.
    case("MET007", || app().edit(|t| t["apps"][0]["arch"] = "".into()).upload(),
        || { let mut t = template("app", "1.0", 2, 0); for i in 0..2 { t["apps"][i]["arch"] = "arm64".into(); } Package::from_template("app", "1.0", t, Shape::Docker24).upload() }),
    // service_extend_method, and memory only in the scaling rule → no memory, and a scaling rule without it either.
    case("MET008", || legacy_fields().upload(),
        || app().edit(|t| { t["apps"][1].as_object_mut().unwrap().remove("memory"); t["apps"][1]["extend_method_map"]["init_memory"] = Value::Null; t["apps"][1]["extend_method_map"]["min_memory"] = Value::Null; }).upload()),
    // References to nothing → references by service_key in a template without uuids.
    case("MET009", || dangling_references().upload(), || legacy_keys_package().upload()),
    // Two components with one service_key → with one service_cname.
    case("MET010", || app().edit(|t| t["apps"][1]["service_key"] = t["apps"][0]["service_key"].clone()).upload(),
        || app().edit(|t| t["apps"][1]["service_cname"] = t["apps"][0]["service_cname"].clone()).upload()),
    // An empty group_key → one of one character.
    case("MET011", || app().edit(|t| { t["group_key"] = "".into(); t["apps"][1].as_object_mut().unwrap().remove("service_cname"); }).upload(),
        || app().edit(|t| t["group_key"] = "k".into()).upload()),
    // A null component → a null plugin list, which Go decodes as empty.
    case("MET012", || app().edit(|t| t["apps"].as_array_mut().unwrap().push(Value::Null)).upload(), || app().edit(|t| t["plugins"] = Value::Null).upload()),
    // manifest.json `null` → `[]`.
    case("IMG001", || app().with_file("plugin-images.tar", null_manifest_archive().go_bytes()).upload(),
        || app().with_file("plugin-images.tar", empty_list_archive().go_bytes()).upload()),
    // An empty OCI index alone → with manifest.json `[]` beside it, as Docker 25 saves nothing.
    case("IMG002", || app().with_file("extra-images.tar", empty_oci_index().go_bytes()).upload(),
        || app().with_file("extra-images.tar", empty_oci_index().file("manifest.json", "[]").go_bytes()).upload()),
    // An OCI archive without manifest.json → with it, as containerd exports.
    case("IMG003", || with_components(app(), image_archive(Shape::Containerd, &component_images(2)).remove("manifest.json")).upload(),
        || with_components(app(), image_archive(Shape::Containerd, &component_images(2))).upload()),
    // A missing layer and a symlink to nowhere → the layer there and a symlink to it.
    case("IMG004", || missing_layer_and_dangling_symlink().upload(),
        || { let archive = image_archive(Shape::Docker24, &component_images(2)); let dir = layer_path(&archive, 0, 1).replace("/layer.tar", ""); with_components(app(), archive.symlink(&format!("{dir}/extra.tar"), "layer.tar")).upload() }),
    // One layer fewer in the manifest than in the config → one layer twice in both (a symlink to the first).
    case("IMG005", || layer_count_mismatch().0.upload(),
        || { let mut images = component_images(2); images[0].layers[1] = images[0].layers[0].clone(); with_components(app(), image_archive(Shape::Docker24, &images)).upload() }),
    // A RepoTags entry without a tag → no RepoTags entry (an image saved by ID that nothing uses).
    case("IMG006", || tag_without_a_tag().upload(), || unnamed_extra_image().upload()),
    // The component images cut in half → cut where their end-of-archive blocks begin.
    case("IMG007", || cut_image_archive().upload(),
        || with_components_bytes(app(), without_end_of_archive(&image_archive(Shape::Docker24, &component_images(2)).go_bytes())).upload()),
    // A bit flipped in a layer (--deep) → in the layer's VERSION file, which no digest covers.
    Case { deep: true, ..case("IMG008", || flipped_bit(str::to_string).0.upload(), || flipped_bit(|layer| layer.replace("layer.tar", "VERSION")).0.upload()) },
    // One name on two images → the same image in two archives.
    case("IMG009", || second_image_named_as_svc0(Some(vec![crate::fixtures::layer("different", 1)])).upload(), || second_image_named_as_svc0(None).upload()),
    // arm64 images for amd64 components → x86_64, Docker's other name for amd64.
    case("IMG010", || images_for("arm64").upload(), || images_for("x86_64").upload()),
    // Members that leave the archive and a device → the same names as a file and links that stay inside.
    case("IMG011", || escaping_image_members().upload(),
        || with_components(app(), image_archive(Shape::Docker24, &component_images(2)).file("etc/cron.d/x", "* * * * * root sh").symlink("escape", "repositories").hardlink("abs", "repositories")).upload()),
    // Neither oci-layout nor manifest.json → manifest.json without oci-layout.
    case("IMG012", || with_components(app(), image_archive(Shape::Containerd, &component_images(2)).remove("manifest.json").remove("oci-layout")).upload(),
        || without_oci_layout().upload()),
    // A needed image named only by the short ref.name `web:1.0` → by the full reference.
    // (Both are OCI-only archives, which Docker before 25 does not load: IMG003.)
    Case { near_also: &["IMG003"], ..case("IMG013", || web_app(web_named_by_ref_name("web:1.0")).upload(),
        || web_app(web_named_by_ref_name("docker.io/library/web:1.0")).upload()) },
    // A layer stored as a hard link → as a symlink.
    case("IMG014", || layer_behind_a_link(true).upload(), || layer_behind_a_link(false).upload()),
    // A share_image not carried → carried under its normalised name.
    case("XRF001", || app().edit(|t| t["apps"][1]["share_image"] = "goodrain.me/app/svc1:2.0".into()).upload(), || nginx_by_its_full_name().upload()),
    // No image archive → the images in an archive of another name.
    case("XRF002", || app().without("component-images.tar").upload(),
        || app().without("component-images.tar").with_file("images.tar", image_archive(Shape::Docker24, &component_images(2)).go_bytes()).upload()),
    // A plugin archive with an image and no plugins → a plugin archive of no image.
    case("XRF003", || app().with_file("plugin-images.tar", image_archive(Shape::Docker24, &[Image::new("goodrain.me/app/mesh:v1")]).go_bytes()).upload(),
        || app().with_file("plugin-images.tar", empty_list_archive().go_bytes()).upload()),
    // An unused named image → an unused image without a name.
    case("XRF004", || app().with_file("extra-images.tar", image_archive(Shape::Docker24, &[Image::new("busybox:1.36")]).go_bytes()).upload(),
        || unnamed_extra_image().upload()),
    // SUM001 sums up every readable template: the near miss has none.
    Case { near: Near::Trivial, near_also: &["MET001"], ..case("SUM001", || app().upload(), || app().metadata_bytes("").upload()) },
    // An image over 5 GB → of exactly 5 GB (5,000,000,000 bytes).
    case("SUM002", || repeated_layer(3126).upload(), || repeated_layer(3125).upload()),
];

/// `tar` up to its end-of-archive blocks: it ends with its last member.
fn without_end_of_archive(tar: &[u8]) -> Vec<u8> {
    let last = *crate::fixtures::mutate::header_offsets(tar).last().expect("a member");
    let header = tar::Header::from_byte_slice(&tar[last..last + 512]);
    let end = last + 512 + header.size().unwrap().div_ceil(512) as usize * 512;
    tar[..end].to_vec()
}

/// A PAX record body of exactly `len` bytes: one `comment`.
fn pax_comment(len: usize) -> Vec<u8> {
    let head = format!("{len} comment=");
    let mut body = head.into_bytes();
    body.resize(len - 1, b'x');
    body.push(b'\n');
    body
}

/// A one-component app whose image is one 1.6 MB layer listed `times` times
/// (as `docker save` of Docker 24 would name it): 3125 times is
/// 5,000,000,000 bytes, at a cost of 1.6 MB.
fn repeated_layer(times: usize) -> Package {
    let layer = Tar::new().file("data/blob.bin", vec![0u8; 1_600_000 - 1536]).go_bytes();
    assert_eq!(layer.len(), 1_600_000);
    let diff_id = format!("sha256:{}", sha256_hex(&layer));
    let config = json!({ "architecture": "amd64", "os": "linux", "rootfs": { "type": "layers", "diff_ids": vec![diff_id; times] } });
    let config = serde_json::to_vec(&config).unwrap();
    let config_name = format!("{}.json", sha256_hex(&config));
    let tags = [component_image("app", "1.0", 0)];
    let manifest = json!([{ "Config": config_name, "RepoTags": tags, "Layers": vec!["layer/layer.tar"; times] }]);
    let archive =
        Tar::new().dir("layer/").file("layer/layer.tar", layer).file(&config_name, config).file("manifest.json", manifest.to_string());
    with_components(Package::from_template("app", "1.0", template("app", "1.0", 1, 0), Shape::Docker24), archive)
}

fn find(code: &str) -> &'static Case {
    CASES.iter().find(|c| c.code == code).unwrap_or_else(|| panic!("no case for {code}"))
}

/// The firing case of `code`.
pub(crate) fn firing(code: &str) -> Upload {
    (find(code).firing)()
}

/// The near miss of `code`.
pub(crate) fn near_miss(code: &str) -> Upload {
    (find(code).near_miss)()
}

/// The report on one case; no Chinese text of it holds English.
fn run(case: &Case, upload: fn() -> Upload) -> Report {
    let (bytes, name) = upload();
    let r = ramcheck::check(&bytes, &name, &Options { deep: case.deep }, None);
    crate::chinese::assert_chinese(&r);
    r
}

fn codes(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn every_rule_has_a_firing_and_a_near_miss_case() {
    let table: Vec<&str> = CASES.iter().map(|c| c.code).collect();
    let registry: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    assert_eq!(table, registry, "the table lists every rule once, in catalog order");
    assert!(CASES.iter().all(|c| c.deep == (c.code == "IMG008")), "only IMG008 needs --deep");
}

#[test]
fn every_firing_case_fires_its_rule() {
    for case in CASES {
        let r = run(case, case.firing);
        assert!(codes(&r).contains(&case.code), "{} does not fire: {:#?}", case.code, r.findings);
    }
}

/// A near miss has no finding of its rule, so it fails nowhere because of
/// it; and no error or warning but those the table names, so that no other
/// problem (a damaged package, a missing template) hides the rule.
#[test]
fn no_near_miss_fires_its_rule() {
    for case in CASES {
        let r = run(case, case.near_miss);
        assert!(!codes(&r).contains(&case.code), "the near miss of {} fires it: {:#?}", case.code, r.findings);
        let mut problems: Vec<&str> = r.findings.iter().filter(|f| f.severity != Severity::Info).map(|f| f.code.as_str()).collect();
        problems.sort();
        problems.dedup();
        assert_eq!(problems, case.near_also, "the near miss of {}: {:#?}", case.code, r.findings);
    }
    let trivial: Vec<&str> = CASES.iter().filter(|c| c.near == Near::Trivial).map(|c| c.code).collect();
    assert_eq!(trivial, ["SUM001"]);
}

/// The text report of a firing case, in English, then in Chinese.
fn snapshot(r: &Report) -> String {
    format!("{}---\n{}", text(r, Lang::En, false), text(r, Lang::Zh, false))
}

#[test]
fn firing_reports_match_their_snapshots() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    let bless = std::env::var_os("RAMCHECK_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(dir).unwrap();
    }
    for case in CASES {
        let path = format!("{dir}/{}.txt", case.code);
        let generated = snapshot(&run(case, case.firing));
        if bless {
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(on_disk == generated, "tests/snapshots/{}.txt is stale: run `RAMCHECK_BLESS=1 cargo test --test suite cases::`", case.code);
    }
}
