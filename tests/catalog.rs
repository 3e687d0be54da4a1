//! The whole catalog: every rule has a fixture that fires it, asserted
//! exactly (code, severity, location), and the valid fixtures fire none.

#![recursion_limit = "256"]

mod fixtures;

use fixtures::{component_image, gzip, image_archive, null_manifest_archive, Image, Package, Shape, Tar};
use ramcheck::rules::RULES;
use ramcheck::{Options, Report, Severity, Verdict};
use serde_json::json;

fn check_bytes(bytes: &[u8], name: &str, deep: bool) -> Report {
    ramcheck::check(&bytes.to_vec(), name, &Options { deep }, None)
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

fn app() -> Package {
    Package::valid("app", "1.0", 2, 0, Shape::Docker24)
}

/// Replaces component-images.tar with another archive.
fn with_components(p: Package, archive: Tar) -> Package {
    p.without("component-images.tar").with_file("component-images.tar", archive.go_bytes())
}

fn component_images(n: usize) -> Vec<Image> {
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
    let mut vm = fixtures::template("vm", "2.0", 1, 0);
    vm["template_version"] = "v3".into();
    vm["apps"][0]["vm"] = json!({"boot_mode": "uefi", "disk_layout": [
        {"disk_key": "root", "disk_name": "system", "disk_role": "root", "device_type": "disk", "order_index": 0, "request_size": "40Gi", "source_type": "registry", "image": ""},
        {"disk_key": "data", "disk_name": "data", "disk_role": "data", "device_type": "disk", "order_index": 1, "request_size": "100Gi"}
    ]});
    let p = Package::from_template("vm", "2.0", vm, Shape::Containerd);
    cases.push(("vm".into(), p.tar_gz(), p.file_name()));
    let mut arm = fixtures::template("edge", "1.0", 2, 1);
    for i in 0..2 {
        arm["apps"][i]["arch"] = "arm64".into();
    }
    let p = Package::from_template("edge", "1.0", arm, Shape::Docker25);
    cases.push(("arm64".into(), p.tar_gz(), p.file_name()));
    for (what, bytes, name) in cases {
        let r = check_bytes(&bytes, &name, true);
        assert_eq!(problems(&r), vec![], "{what}: {:#?}", r.findings);
        assert_eq!(r.verdict, Verdict::Pass, "{what}");
        assert!(r.findings.iter().any(|f| f.code == "SUM001"), "{what}");
    }
}

// ---- PKG ------------------------------------------------------------------

#[test]
fn pkg001_plain_tar() {
    let p = app();
    expect(&check_bytes(&p.tar_bytes(), "app-1.0-ram.tar.gz", false), &[("PKG001", E, "app-1.0-ram.tar.gz")]);
}

#[test]
fn pkg002_double_compressed_is_still_walked() {
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let r = check_bytes(&gzip(&p.tar_gz()), "app-1.0-ram.tar.gz", false);
    // The inner package is judged too: its empty plugin archive is found.
    expect(&r, &[("PKG002", E, "app-1.0-ram.tar.gz"), ("IMG001", E, "app-1.0-ram/plugin-images.tar!/manifest.json")]);
}

#[test]
fn pkg003_truncated() {
    let gz = app().tar_gz();
    let r = check_bytes(&gz[..gz.len() - 100], "app-1.0-ram.tar.gz", false);
    assert_eq!(problems(&r).iter().map(|p| (p.0.as_str(), p.1)).collect::<Vec<_>>(), vec![("PKG003", E)]);
}

#[test]
fn pkg004_trailing_garbage_is_an_error_and_zero_padding_a_warning() {
    let mut gz = app().tar_gz();
    let end = gz.len();
    gz.extend_from_slice(&[0u8; 4096]);
    let r = check_bytes(&gz, "app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG004", W, "app-1.0-ram.tar.gz")]);
    gz.truncate(end);
    gz.extend_from_slice(b"BACKUP-COPY-2024");
    let r = check_bytes(&gz, "app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG004", E, "app-1.0-ram.tar.gz")]);
    assert!(r.findings[0].hint.contains(&format!("head -c {end} app-1.0-ram.tar.gz")), "{}", r.findings[0].hint);
}

#[test]
fn pkg004_not_fired_by_a_second_gzip_member() {
    // Concatenated gzip members are one valid stream for gzip and tar.
    let tar = app().tar_bytes();
    let (a, b) = tar.split_at(tar.len() / 2);
    let mut gz = gzip(a);
    gz.extend(gzip(b));
    expect(&check_bytes(&gz, "app-1.0-ram.tar.gz", false), &[]);
}

#[test]
fn pkg005_tar_gz_named_zip() {
    expect(&check_bytes(&app().tar_gz(), "app-1.0-ram.zip", false), &[("PKG005", E, "app-1.0-ram.zip")]);
}

#[test]
fn pkg006_comma_in_the_name() {
    expect(&check_bytes(&app().tar_gz(), "app-1.0,final-ram.tar.gz", false), &[("PKG006", E, "app-1.0,final-ram.tar.gz")]);
}

#[test]
fn pkg007_plugin_in_the_upload_name_hides_component_images() {
    let r = check_bytes(&app().tar_gz(), "my-plugin-app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG007", E, "my-plugin-app-1.0-ram.tar.gz")]);
    assert!(r.findings[0].message.contains("app-1.0-ram/component-images.tar will not be loaded"), "{}", r.findings[0].message);
    // With plugins in the template, nothing is skipped.
    let p = Package::valid("app", "1.0", 1, 1, Shape::Docker24);
    expect(&check_bytes(&p.tar_gz(), "my-plugin-app-1.0-ram.tar.gz", false), &[]);
}

#[test]
fn pkg008_gzip_of_something_else() {
    let r = check_bytes(&gzip(br#"{"group_name": "app"}"#), "app-1.0-ram.tar.gz", false);
    expect(&r, &[("PKG008", E, "app-1.0-ram.tar.gz")]);
}

#[test]
fn pkg009_a_long_name_header_announcing_gigabytes() {
    let p = app();
    let mut tar = p.tar_bytes();
    tar.splice(512..512, fixtures::mutate::extension_header(b'L', b"x", Some(2 << 30)));
    expect(&check_bytes(&gzip(&tar), &p.file_name(), false), &[("PKG009", E, "app-1.0-ram.tar.gz")]);
}

// ---- LAY ------------------------------------------------------------------

#[test]
fn lay001_flat_repack() {
    let mut flat = Tar::new();
    for (path, node) in &app().tar.members {
        if let Some(rest) = path.strip_prefix("app-1.0-ram/").filter(|r| !r.is_empty()) {
            flat.push(rest, node.clone());
        }
    }
    expect(&check_bytes(&gzip(&flat.gnu_bytes()), "app-1.0-ram.tar.gz", false), &[("LAY001", E, "metadata.json")]);
}

#[test]
fn lay002_macos_leftovers_before_the_app_dir_and_a_readme_after() {
    let mut p = app();
    p.tar = p
        .tar
        .file("._app-1.0-ram", vec![0u8; 4096])
        .dir("__MACOSX/")
        .file("__MACOSX/._metadata.json", vec![0u8; 82])
        .file("zz-README.txt", "hi");
    expect(&check(&p), &[("LAY002", E, "._app-1.0-ram"), ("LAY002", E, "__MACOSX/"), ("LAY002", W, "zz-README.txt")]);
}

#[test]
fn lay003_metadata_missing() {
    expect(&check(&app().without("metadata.json")), &[("LAY003", E, "app-1.0-ram/metadata.json")]);
}

#[test]
fn lay004_docker_compose_package() {
    let images = image_archive(Shape::Docker24, &component_images(1)).go_bytes();
    let t = Tar::new()
        .dir("app-1.0-dockercompose/")
        .file("app-1.0-dockercompose/docker-compose.yaml", "services:\n  web:\n    image: goodrain.me/app/svc0:1.0\n")
        .file("app-1.0-dockercompose/run.sh", "#!/bin/sh\ndocker load -i images.tar\ndocker compose up -d\n")
        .file("app-1.0-dockercompose/images.tar", images);
    let r = check_bytes(&gzip(&t.gnu_bytes()), "app-1.0-dockercompose.tar.gz", false);
    expect(&r, &[("LAY004", E, "app-1.0-dockercompose.tar.gz")]);
    assert!(r.findings[0].message.contains("docker-compose package"));
}

#[test]
fn lay005_appledouble_and_a_backup_tar() {
    let backup = Tar::new().file("notes.txt", "old").go_bytes();
    let p = app().with_file("._component-images.tar", vec![0u8; 4096]).with_file("old/backup.tar", backup);
    expect(&check(&p), &[("LAY005", E, "app-1.0-ram/._component-images.tar"), ("LAY005", E, "app-1.0-ram/old/backup.tar")]);
}

#[test]
fn lay006_escaping_paths_and_links() {
    let mut p = app();
    p.tar = p.tar.file("app-1.0-ram/../../etc/cron.d/x", "* * * * * root sh").symlink("app-1.0-ram/passwd", "/etc/passwd");
    expect(&check(&p), &[("LAY006", E, "app-1.0-ram/../../etc/cron.d/x"), ("LAY006", E, "app-1.0-ram/passwd")]);
}

#[test]
fn lay007_compressed_image_archive() {
    let archive = image_archive(Shape::Docker24, &component_images(2)).go_bytes();
    let p = app().without("component-images.tar").with_file("component-images.tar", gzip(&archive));
    expect(&check(&p), &[("LAY007", E, "app-1.0-ram/component-images.tar")]);
    // Under a name the importer does not load, the images are missing too.
    let p = app().without("component-images.tar").with_file("component-images.tar.gz", gzip(&archive));
    expect(&check(&p), &[("XRF002", E, "app-1.0-ram/component-images.tar"), ("LAY007", E, "app-1.0-ram/component-images.tar.gz")]);
}

#[test]
fn lay008_legacy_layout() {
    let legacy = image_archive(Shape::Docker24, &component_images(1)).go_bytes();
    let t = fixtures::template("app", "1.0", 1, 0);
    let p = Package::from_template("app", "1.0", t, Shape::Docker24)
        .without("component-images.tar")
        .with_file("svc0/svc0TAG1.0.image.tar", legacy);
    expect(&check(&p), &[("LAY008", W, "app-1.0-ram/svc0/svc0TAG1.0.image.tar")]);
}

#[test]
fn lay009_zip_without_directory_entries() {
    let p = app();
    let mut files = Tar::new();
    for (path, node) in &p.tar.members {
        if !matches!(node, fixtures::Node::Dir) {
            files.push(path, node.clone());
        }
    }
    let r = check_bytes(&fixtures::zip_of(&files), "app-1.0-ram.zip", false);
    expect(&r, &[("LAY009", E, "app-1.0-ram/metadata.json")]);
}

#[test]
fn lay010_a_device_and_a_fifo() {
    let mut p = app();
    p.tar.push("app-1.0-ram/disk", fixtures::Node::Special(b'4'));
    p.tar.push("app-1.0-ram/pipe", fixtures::Node::Special(b'6'));
    expect(&check(&p), &[("LAY010", E, "app-1.0-ram/disk"), ("LAY010", E, "app-1.0-ram/pipe")]);
}

#[test]
fn lay011_metadata_json_twice_and_the_last_copy_is_judged() {
    let mut p = app();
    p.tar = p.tar.file("app-1.0-ram/metadata.json", "{\"apps\": [").dir("app-1.0-ram/");
    // The broken last copy is what extraction keeps: MET001 proves it is
    // the one judged. The directory written twice is harmless.
    let r = check(&p);
    let found: Vec<_> = problems(&r).into_iter().map(|(c, s, l)| (c, s, l.split(':').next().unwrap().to_string())).collect();
    let want = [("MET001", E, "app-1.0-ram/metadata.json"), ("LAY011", W, "app-1.0-ram/metadata.json")];
    assert_eq!(found, want.map(|(c, s, l)| (c.to_string(), s, l.to_string())), "{:#?}", r.findings);
}

// ---- MET ------------------------------------------------------------------

#[test]
fn met001_bom() {
    let mut bytes = vec![0xef, 0xbb, 0xbf];
    bytes.extend(serde_json::to_vec(&app().template).unwrap());
    expect(&check(&app().metadata_bytes(bytes)), &[("MET001", E, "app-1.0-ram/metadata.json")]);
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

#[test]
fn met002_wrong_types_name_the_field() {
    let p = app().edit(|t| {
        t["apps"][1]["memory"] = "512".into();
        t["apps"][0]["port_map_list"][0]["is_outer_service"] = 1.into();
        t["annotations"] = json!(["not", "a", "map"]);
    });
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
    let p = app().edit(|t| t["apps"] = json!([]));
    expect(&check(&p), &[("MET003", E, "app-1.0-ram/metadata.json#apps")]);
    // k8s resources alone make a template.
    let p = app().edit(|t| {
        t["apps"] = json!([]);
        t["k8s_resources"] = json!([{"name": "cm", "kind": "ConfigMap", "content": "apiVersion: v1"}]);
    });
    expect(&check(&p), &[]);
}

#[test]
fn met004_vm_without_root_disk() {
    let p = app().edit(|t| t["apps"][0]["vm"] = json!({"disk_layout": [{"disk_role": "data"}]}));
    expect(&check(&p), &[("MET004", E, "app-1.0-ram/metadata.json#apps[0].vm.disk_layout")]);
}

#[test]
fn met005_invalid_share_images() {
    let p = app().edit(|t| {
        t["apps"][0]["share_image"] = "goodrain.me/App/svc0:1.0".into();
        t["apps"][1]["share_image"] = format!("goodrain.me/app/svc1@sha256:{}", "a".repeat(64)).into();
    });
    expect(
        &check(&p),
        &[("MET005", E, "app-1.0-ram/metadata.json#apps[0].share_image"), ("MET005", E, "app-1.0-ram/metadata.json#apps[1].share_image")],
    );
}

#[test]
fn met006_too_long() {
    let p = app().edit(|t| t["group_version"] = "1.0.0-build.20240301.100000.abcdef12".into());
    expect(&check(&p), &[("MET006", E, "app-1.0-ram/metadata.json#group_version")]);
}

#[test]
fn met007_missing_and_mixed_arch() {
    let p = app().edit(|t| t["apps"][0]["arch"] = "".into());
    expect(&check(&p), &[("MET007", W, "app-1.0-ram/metadata.json#apps[0].arch")]);
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
    format!("{}.json", fixtures::sha256_hex(&image.config()))
}

#[test]
fn met008_legacy_fields() {
    let p = app().edit(|t| {
        t["apps"][0]["service_extend_method"] = "stateless".into();
        t["apps"][1].as_object_mut().unwrap().remove("memory");
    });
    expect(
        &check(&p),
        &[
            ("MET008", W, "app-1.0-ram/metadata.json#apps[0].service_extend_method"),
            ("MET008", W, "app-1.0-ram/metadata.json#apps[1].memory"),
        ],
    );
}

#[test]
fn met009_dangling_references() {
    let p = app().edit(|t| {
        t["apps"][1]["dep_service_map_list"] = json!([{"dep_service_key": "gone"}]);
        t["ingress_http_routes"] = json!([{"component_key": "nobody", "port": 8080}]);
        t["apps"][0]["service_related_plugin_config"] = json!([{"plugin_id": "no-such-plugin"}]);
    });
    expect(
        &check(&p),
        &[
            ("MET009", E, "app-1.0-ram/metadata.json#apps[0].service_related_plugin_config[0].plugin_id"),
            ("MET009", E, "app-1.0-ram/metadata.json#apps[1].dep_service_map_list[0].dep_service_key"),
            ("MET009", E, "app-1.0-ram/metadata.json#ingress_http_routes[0].component_key"),
        ],
    );
}

#[test]
fn met010_duplicate_components_and_duplicate_json_keys() {
    let p = app().edit(|t| t["apps"][1]["service_key"] = t["apps"][0]["service_key"].clone());
    expect(&check(&p), &[("MET010", E, "app-1.0-ram/metadata.json#apps[1].service_key")]);
    let text = serde_json::to_string(&app().template).unwrap().replacen(
        "\"group_name\":\"app\"",
        "\"group_name\":\"old\",\"group_name\":\"app\"",
        1,
    );
    expect(&check(&app().metadata_bytes(text)), &[("MET010", W, "app-1.0-ram/metadata.json#group_name")]);
}

#[test]
fn met011_missing_fields() {
    let p = app().edit(|t| {
        t["group_key"] = "".into();
        t["apps"][1].as_object_mut().unwrap().remove("service_cname");
    });
    expect(
        &check(&p),
        &[("MET011", E, "app-1.0-ram/metadata.json#group_key"), ("MET011", E, "app-1.0-ram/metadata.json#apps[1].service_cname")],
    );
}

#[test]
fn met012_null_component() {
    let p = app().edit(|t| t["apps"].as_array_mut().unwrap().push(serde_json::Value::Null));
    expect(&check(&p), &[("MET012", E, "app-1.0-ram/metadata.json#apps[2]")]);
}

// ---- IMG ------------------------------------------------------------------

#[test]
fn img001_seed_case() {
    let p = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    expect(&check(&p), &[("IMG001", E, "app-1.0-ram/plugin-images.tar!/manifest.json")]);
}

#[test]
fn img002_empty_oci_index() {
    let empty =
        Tar::new().file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#).file("index.json", r#"{"schemaVersion":2,"manifests":[]}"#);
    let p = app().with_file("extra-images.tar", empty.go_bytes());
    expect(&check(&p), &[("IMG002", E, "app-1.0-ram/extra-images.tar!/index.json")]);
}

#[test]
fn img003_oci_only_archive() {
    let archive = image_archive(Shape::Containerd, &component_images(2)).remove("manifest.json");
    expect(&check(&with_components(app(), archive)), &[("IMG003", W, "app-1.0-ram/component-images.tar!/index.json")]);
}

#[test]
fn img004_missing_layer_and_dangling_symlink() {
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let manifest: serde_json::Value = serde_json::from_slice(archive.get("manifest.json").unwrap()).unwrap();
    let layer = manifest[0]["Layers"][1].as_str().unwrap().to_string();
    let dir = layer.trim_end_matches("/layer.tar").to_string();
    let archive = archive.remove(&layer).symlink(&format!("{dir}/extra.tar"), "../nowhere/layer.tar");
    expect(
        &check(&with_components(app(), archive)),
        &[
            ("IMG004", E, &format!("app-1.0-ram/component-images.tar!/{layer}")),
            ("IMG004", E, &format!("app-1.0-ram/component-images.tar!/{dir}/extra.tar")),
        ],
    );
}

#[test]
fn img005_layer_count_mismatch() {
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let mut manifest: serde_json::Value = serde_json::from_slice(archive.get("manifest.json").unwrap()).unwrap();
    manifest[0]["Layers"].as_array_mut().unwrap().pop();
    let config = manifest[0]["Config"].as_str().unwrap().to_string();
    let archive = archive.replace("manifest.json", serde_json::to_vec(&manifest).unwrap());
    expect(&check(&with_components(app(), archive)), &[("IMG005", E, &format!("app-1.0-ram/component-images.tar!/{config}"))]);
}

#[test]
fn img006_image_saved_by_id() {
    let archive = image_archive(Shape::Docker24, &[Image { tags: vec![], ..Image::new("busybox:1") }]);
    let p = app().with_file("extra-images.tar", archive.go_bytes());
    expect(&check(&p), &[("IMG006", E, "app-1.0-ram/extra-images.tar!/manifest.json")]);
}

#[test]
fn img007_damaged_image_archive() {
    let archive = image_archive(Shape::Docker24, &component_images(2)).go_bytes();
    let cut = archive[..archive.len() / 2].to_vec();
    let r = check(&with_components_bytes(app(), cut));
    let found: Vec<_> = problems(&r).into_iter().map(|(c, s, l)| (c, s, l.split("!/").next().unwrap().to_string())).collect();
    assert_eq!(found, vec![("IMG007".to_string(), E, "app-1.0-ram/component-images.tar".to_string())], "{:#?}", r.findings);
    // A manifest.json that is not JSON.
    let bad = image_archive(Shape::Docker24, &component_images(2)).replace("manifest.json", "[{\"Config\": ");
    expect(&check(&with_components(app(), bad)), &[("IMG007", E, "app-1.0-ram/component-images.tar!/manifest.json")]);
}

#[test]
fn img011_members_leaving_an_image_archive_and_a_device() {
    let archive = image_archive(Shape::Docker24, &component_images(1))
        .file("../../etc/cron.d/x", "* * * * * root sh")
        .symlink("escape", "../../../etc/passwd")
        .hardlink("abs", "/etc/shadow");
    let mut archive = archive;
    archive.push("dev", fixtures::Node::Special(b'3'));
    let p = with_components(app(), archive);
    let loc = |m: &str| format!("app-1.0-ram/component-images.tar!/{m}");
    let r = check(&p);
    let img011: Vec<_> = problems(&r).into_iter().filter(|f| f.0 == "IMG011").map(|f| f.2).collect();
    assert_eq!(img011, vec![loc("../../etc/cron.d/x"), loc("escape"), loc("abs"), loc("dev")], "{:#?}", r.findings);
    // Links inside the archive, as docker save writes them, are fine: the
    // valid Docker 24 fixtures have them and fire nothing.
}

fn with_components_bytes(p: Package, bytes: Vec<u8>) -> Package {
    p.without("component-images.tar").with_file("component-images.tar", bytes)
}

#[test]
fn img008_flipped_bit_in_a_layer_with_deep() {
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let manifest: serde_json::Value = serde_json::from_slice(archive.get("manifest.json").unwrap()).unwrap();
    let layer = manifest[1]["Layers"][0].as_str().unwrap().to_string();
    let mut data = archive.get(&layer).unwrap().to_vec();
    data[700] ^= 1;
    let p = with_components(app(), archive.replace(&layer, data));
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
            fixtures::Node::File(d) if p.starts_with("blobs/") && d.starts_with(&[0x1f, 0x8b]) => Some((p.clone(), d.clone())),
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

#[test]
fn img009_one_tag_two_images() {
    let mut other = Image::new(&component_image("app", "1.0", 0));
    other.layers = vec![fixtures::layer("different", 1)];
    let p = app().with_file("extra-images.tar", image_archive(Shape::Docker24, &[other]).go_bytes());
    expect(&check(&p), &[("IMG009", E, "app-1.0-ram/extra-images.tar")]);
}

#[test]
fn img010_image_for_another_architecture() {
    let images: Vec<Image> = component_images(2).into_iter().map(|i| i.arch("arm64")).collect();
    let p = with_components(app(), image_archive(Shape::Docker25, &images));
    let r = check(&p);
    let found: Vec<_> = problems(&r).into_iter().map(|(c, s, _)| (c, s)).collect();
    assert_eq!(found, vec![("IMG010".to_string(), W), ("IMG010".to_string(), W)], "{:#?}", r.findings);
}

// ---- XRF ------------------------------------------------------------------

#[test]
fn xrf001_share_image_not_carried() {
    let p = app().edit(|t| t["apps"][1]["share_image"] = "goodrain.me/app/svc1:2.0".into());
    expect(&check(&p), &[("XRF001", E, "app-1.0-ram/metadata.json#apps[1].share_image")]);
}

#[test]
fn xrf001_names_the_legacy_fallback_when_only_it_is_carried() {
    // The archive holds the image under its pre-v5.3 name `svc0:1.0`.
    let p =
        with_components(app(), image_archive(Shape::Docker24, &[Image::new("svc0:1.0"), Image::new(&component_image("app", "1.0", 1))]));
    let r = check(&p);
    expect(&r, &[("XRF001", E, "app-1.0-ram/metadata.json#apps[0].share_image")]);
    assert!(r.findings[0].message.contains("Only its pre-v5.3 save name docker.io/library/svc0:1.0 is there"), "{}", r.findings[0].message);
}

#[test]
fn xrf002_no_image_archive() {
    expect(&check(&app().without("component-images.tar")), &[("XRF002", E, "app-1.0-ram/component-images.tar")]);
}

#[test]
fn xrf003_plugin_archive_without_plugins() {
    let p = app().with_file("plugin-images.tar", image_archive(Shape::Docker24, &[Image::new("goodrain.me/app/mesh:v1")]).go_bytes());
    let r = check(&p);
    expect(&r, &[("XRF003", W, "app-1.0-ram/plugin-images.tar")]);
    // The v6 importer skips it, so its image is not "unused" there: only
    // loaded archives are judged for XRF004.
    assert!(!r.findings.iter().any(|f| f.code == "XRF004"));
}

#[test]
fn xrf004_unused_image_is_info() {
    let p = app().with_file("extra-images.tar", image_archive(Shape::Docker24, &[Image::new("busybox:1.36")]).go_bytes());
    let r = check(&p);
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
    let bytes = fixtures::large_package(5_200_000_000);
    let r = check_bytes(&bytes, "big-1.0-ram.tar.gz", false);
    expect(&r, &[("SUM002", W, "big-1.0-ram/component-images.tar")]);
    assert!(r.summary.uncompressed_bytes > 5_200_000_000);
}

// ---- the registry itself -------------------------------------------------

/// Every rule code this file fires, by test name.
const FIRED_HERE: &[&str] = &[
    "PKG001", "PKG002", "PKG003", "PKG004", "PKG005", "PKG006", "PKG007", "PKG008", "PKG009", "LAY001", "LAY002", "LAY003", "LAY004",
    "LAY005", "LAY006", "LAY007", "LAY008", "LAY009", "LAY010", "LAY011", "MET001", "MET002", "MET003", "MET004", "MET005", "MET006",
    "MET007", "MET008", "MET009", "MET010", "MET011", "MET012", "IMG001", "IMG002", "IMG003", "IMG004", "IMG005", "IMG006", "IMG007",
    "IMG008", "IMG009", "IMG010", "IMG011", "XRF001", "XRF002", "XRF003", "XRF004", "SUM001", "SUM002",
];

#[test]
fn every_declared_rule_is_registered() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules");
    let mut declared = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("pub static ") {
                if let Some((name, ty)) = rest.split_once(':') {
                    if ty.trim_start().starts_with("Rule ") {
                        declared.push(name.to_string());
                    }
                }
            }
        }
    }
    assert!(declared.len() >= 45, "{declared:?}");
    for code in &declared {
        assert!(ramcheck::rules::find(code).is_some(), "{code} is declared but not in RULES");
    }
    for code in FIRED_HERE {
        assert!(ramcheck::rules::find(code).is_some(), "{code} is fired by a test but not in RULES");
    }
    assert_eq!(RULES.len(), declared.len());
    // Catalog order: the spec's families, then the number.
    let families = ["PKG", "LAY", "MET", "IMG", "XRF", "SUM"];
    let key = |code: &str| (families.iter().position(|f| code.starts_with(f)).unwrap(), code[3..].parse::<u32>().unwrap());
    assert!(RULES.windows(2).all(|w| key(w[0].code) < key(w[1].code)), "RULES is not in catalog order");
}

#[test]
fn every_rule_has_a_firing_fixture_and_codes_are_unique() {
    let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n, "a code is declared twice");
    let source = include_str!("catalog.rs");
    for rule in RULES {
        assert!(FIRED_HERE.contains(&rule.code), "{} has no firing fixture", rule.code);
        let test = format!("fn {}_", rule.code.to_lowercase());
        assert!(source.contains(&test), "{} has no test named {test}…", rule.code);
        assert!(!rule.title.zh.is_empty() && !rule.why.zh.is_empty() && !rule.fix.zh.is_empty(), "{} lacks Chinese text", rule.code);
    }
}
