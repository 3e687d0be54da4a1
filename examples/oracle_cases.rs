//! Writes the oracle suite's corpus (tests/oracles/run): one directory per
//! case under OUT_DIR, holding the upload under its file name, and
//! OUT_DIR/cases.tsv (`case<TAB>file<TAB>what it is`).
//! `cargo run --release --example oracle_cases -- OUT_DIR`
//!
//! The cases are the valid fixtures, the seed case, a firing fixture for
//! each rule a real component can judge (mirroring tests/suite/catalog.rs) and
//! the importer facts of the spec's targets.md.

#![recursion_limit = "256"]

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use std::path::Path;

use fixtures::{component_image, gzip, image_archive, null_manifest_archive, template, Image, Node, Package, Shape, Tar};
use serde_json::{json, Value};

struct Case {
    name: &'static str,
    file: String,
    bytes: Vec<u8>,
    what: &'static str,
}

fn case(name: &'static str, what: &'static str, p: &Package) -> Case {
    Case { name, file: p.file_name(), bytes: p.tar_gz(), what }
}

fn raw(name: &'static str, what: &'static str, file: &str, bytes: Vec<u8>) -> Case {
    Case { name, file: file.to_string(), bytes, what }
}

/// The catalog's package: app 1.0, two components, no plugin, Docker 24 shape.
fn app() -> Package {
    Package::valid("app", "1.0", 2, 0, Shape::Docker24)
}

fn component_images(n: usize) -> Vec<Image> {
    (0..n).map(|i| Image::new(&component_image("app", "1.0", i))).collect()
}

fn with_components(p: Package, archive: Tar) -> Package {
    with_components_bytes(p, archive.go_bytes())
}

fn with_components_bytes(p: Package, bytes: Vec<u8>) -> Package {
    p.without("component-images.tar").with_file("component-images.tar", bytes)
}

fn manifest_of(archive: &Tar) -> Value {
    serde_json::from_slice(archive.get("manifest.json").unwrap()).unwrap()
}

/// An OCI index entry's annotations replaced by `annotations`.
fn set_index_annotations(archive: Tar, annotations: Value) -> Tar {
    let mut index: Value = serde_json::from_slice(archive.get("index.json").unwrap()).unwrap();
    for m in index["manifests"].as_array_mut().unwrap() {
        m["annotations"] = annotations.clone();
    }
    archive.replace("index.json", serde_json::to_vec(&index).unwrap())
}

/// Sets the compression method of every local and central header of the
/// zip member `name` to `method` (the data stays Deflate: no reader gets as
/// far as decompressing it).
fn zip_set_method(mut zip: Vec<u8>, name: &str, method: u16) -> Vec<u8> {
    let name = name.as_bytes();
    let mut i = 0;
    while i + 46 <= zip.len() {
        let sig = &zip[i..i + 4];
        if sig == b"PK\x03\x04" {
            let n = u16::from_le_bytes([zip[i + 26], zip[i + 27]]) as usize;
            if zip.get(i + 30..i + 30 + n) == Some(name) {
                zip[i + 8..i + 10].copy_from_slice(&method.to_le_bytes());
            }
        } else if sig == b"PK\x01\x02" {
            let n = u16::from_le_bytes([zip[i + 28], zip[i + 29]]) as usize;
            if zip.get(i + 46..i + 46 + n) == Some(name) {
                zip[i + 10..i + 12].copy_from_slice(&method.to_le_bytes());
            }
        }
        i += 1;
    }
    zip
}

/// Renames the member `placeholder` of tar bytes to `name` in place (a
/// name the tar crate refuses, such as one with `..`), keeping the header's
/// format and fixing its checksum.
fn rename_member(mut tar: Vec<u8>, placeholder: &str, name: &str) -> Vec<u8> {
    assert!(name.len() <= 100);
    let at = (0..tar.len()).step_by(512).find(|&o| tar[o..].starts_with(placeholder.as_bytes())).expect("placeholder member");
    tar[at..at + 100].fill(0);
    tar[at..at + name.len()].copy_from_slice(name.as_bytes());
    tar[at + 148..at + 156].fill(b' ');
    let sum: u32 = tar[at..at + 512].iter().map(|&b| b as u32).sum();
    tar[at + 148..at + 156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    tar
}

/// A 4 KiB AppleDouble file as macOS's tar and Finder write `._x` beside x:
/// magic 0x00051607, version 2, "Mac OS X" filler, a Finder-info and a
/// resource-fork entry.
fn apple_double() -> Vec<u8> {
    let mut b = vec![0u8; 4096];
    b[..8].copy_from_slice(&[0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]);
    b[8..24].copy_from_slice(b"Mac OS X        ");
    b[24..26].copy_from_slice(&2u16.to_be_bytes());
    // entry 9 (Finder info) at 50, 3760 bytes; entry 2 (resource fork) at 3810, 286 bytes
    for (i, (id, off, len)) in [(9u32, 50u32, 3760u32), (2, 3810, 286)].iter().enumerate() {
        let at = 26 + i * 12;
        b[at..at + 4].copy_from_slice(&id.to_be_bytes());
        b[at + 4..at + 8].copy_from_slice(&off.to_be_bytes());
        b[at + 8..at + 12].copy_from_slice(&len.to_be_bytes());
    }
    b[50..54].copy_from_slice(b"ATTR");
    b
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();

    // ---- valid fixtures ---------------------------------------------------
    for (shape, s) in [(Shape::Docker24, "docker24"), (Shape::Docker25, "docker25"), (Shape::Containerd, "containerd")] {
        for plugins in [0, 2] {
            let p = Package::valid("crm", "5.1", 3, plugins, shape);
            let name: &'static str = Box::leak(format!("valid-{s}-{plugins}plugins").into_boxed_str());
            out.push(case(name, "a valid package from a current exporter", &p));
        }
    }
    let p = Package::valid("crm", "5.1", 2, 1, Shape::Docker24);
    out.push(raw("valid-zip", "the valid layout as a zip", "crm-5.1-ram.zip", p.zip()));
    let mut vm = template("vm", "2.0", 1, 0);
    vm["template_version"] = "v3".into();
    vm["apps"][0]["vm"] = json!({"boot_mode": "uefi", "disk_layout": [
        {"disk_key": "root", "disk_name": "system", "disk_role": "root", "device_type": "disk", "order_index": 0, "request_size": "40Gi", "source_type": "registry", "image": ""},
        {"disk_key": "data", "disk_name": "data", "disk_role": "data", "device_type": "disk", "order_index": 1, "request_size": "100Gi"}
    ]});
    out.push(case("valid-vm", "a VM component with a root disk", &Package::from_template("vm", "2.0", vm, Shape::Containerd)));
    let mut arm = template("edge", "1.0", 2, 1);
    for i in 0..2 {
        arm["apps"][i]["arch"] = "arm64".into();
    }
    out.push(case("valid-arm64", "arm64 components and images", &Package::from_template("edge", "1.0", arm, Shape::Docker25)));

    // ---- the seed case and empty image archives ---------------------------
    let seed = app().with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    out.push(case("seed-null-plugin-archive", "plugin-images.tar with manifest.json null, plugins empty (IMG001)", &seed));
    let p = Package::valid("app", "1.0", 2, 1, Shape::Docker24)
        .without("plugin-images.tar")
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    out.push(case("img001-null-archive-with-plugins", "plugin-images.tar null while a plugin needs its image", &p));
    let empty_list = Tar::new().file("manifest.json", "[]").file("repositories", "{}");
    out.push(case(
        "img001-empty-list-archive",
        "plugin-images.tar with manifest.json [] (loads everywhere)",
        &app().with_file("plugin-images.tar", empty_list.go_bytes()),
    ));

    // ---- PKG --------------------------------------------------------------
    out.push(raw("pkg001-plain-tar", "a plain tar named .tar.gz", "app-1.0-ram.tar.gz", app().tar_bytes()));
    out.push(raw("pkg002-double-gzip", "gzip of the gzip (with the seed's plugin archive)", "app-1.0-ram.tar.gz", gzip(&seed.tar_gz())));
    let gz = app().tar_gz();
    out.push(raw("pkg003-truncated", "the gzip stream cut 100 bytes early", "app-1.0-ram.tar.gz", gz[..gz.len() - 100].to_vec()));
    let mut zeros = gz.clone();
    zeros.extend_from_slice(&[0u8; 4096]);
    out.push(raw("pkg004-trailing-zeros", "4 KiB of zeros after the gzip stream", "app-1.0-ram.tar.gz", zeros));
    let mut garbage = gz.clone();
    garbage.extend_from_slice(b"BACKUP-COPY-2024");
    out.push(raw("pkg004-trailing-garbage", "text after the gzip stream", "app-1.0-ram.tar.gz", garbage));
    out.push(raw("pkg005-targz-named-zip", "a tar.gz named .zip", "app-1.0-ram.zip", gz.clone()));
    out.push(raw("pkg006-comma-in-name", "a ',' in the upload's name", "app-1.0,final-ram.tar.gz", gz.clone()));
    out.push(raw("pkg006-colon-in-name", "a ':' in the upload's name", "app:1.0-ram.tar.gz", gz.clone()));
    out.push(raw("pkg007-plugin-in-name", "'plugin' in the upload's name, plugins empty", "my-plugin-app-1.0-ram.tar.gz", gz.clone()));
    let p = Package::valid("app", "1.0", 1, 1, Shape::Docker24);
    out.push(raw(
        "pkg007-plugin-in-name-with-plugins",
        "'plugin' in the upload's name, one plugin",
        "my-plugin-app-1.0-ram.tar.gz",
        p.tar_gz(),
    ));
    let p = Package::valid("myplugin", "1.0", 2, 0, Shape::Docker24);
    out.push(case("pkg007-plugin-in-top-dir", "'plugin' in the group name (top dir and file), plugins empty", &p));
    out.push(raw("pkg008-gzip-of-json", "gzip of a JSON document", "app-1.0-ram.tar.gz", gzip(br#"{"group_name": "app"}"#)));

    // ---- PKG010: zip methods ------------------------------------------------
    let zip = app().zip();
    out.push(raw(
        "pkg010-zip-bzip2",
        "a zip member with method 12 (bzip2)",
        "app-1.0-ram.zip",
        zip_set_method(zip.clone(), "app-1.0-ram/component-images.tar", 12),
    ));
    out.push(raw(
        "pkg010-zip-deflate64",
        "a zip member with method 9 (Deflate64)",
        "app-1.0-ram.zip",
        zip_set_method(zip, "app-1.0-ram/metadata.json", 9),
    ));

    // ---- LAY --------------------------------------------------------------
    let mut flat = Tar::new();
    for (path, node) in &app().tar.members {
        if let Some(rest) = path.strip_prefix("app-1.0-ram/").filter(|r| !r.is_empty()) {
            flat.push(rest, node.clone());
        }
    }
    out.push(raw("lay001-flat", "no top directory", "app-1.0-ram.tar.gz", gzip(&flat.gnu_bytes())));
    let mut p = app();
    p.tar = p.tar.file("._app-1.0-ram", vec![0u8; 4096]).dir("__MACOSX/").file("__MACOSX/._metadata.json", vec![0u8; 82]);
    out.push(case("lay002-macos-first", "._app-1.0-ram and __MACOSX sort before the app dir", &p));
    let mut p = app();
    p.tar = p.tar.file("zz-README.txt", "hi");
    out.push(case("lay002-readme-after", "a README sorting after the app dir", &p));
    out.push(case("lay003-no-metadata", "no metadata.json", &app().without("metadata.json")));
    let images = image_archive(Shape::Docker24, &component_images(1)).go_bytes();
    let t = Tar::new()
        .dir("app-1.0-dockercompose/")
        .file("app-1.0-dockercompose/docker-compose.yaml", "services:\n  web:\n    image: goodrain.me/app/svc0:1.0\n")
        .file("app-1.0-dockercompose/run.sh", "#!/bin/sh\ndocker load -i images.tar\ndocker compose up -d\n")
        .file("app-1.0-dockercompose/images.tar", images);
    out.push(raw("lay004-dockercompose", "a docker-compose export", "app-1.0-dockercompose.tar.gz", gzip(&t.gnu_bytes())));
    out.push(case(
        "lay005-appledouble-tar",
        "._component-images.tar (AppleDouble, as macOS writes it) beside the archive",
        &app().with_file("._component-images.tar", apple_double()),
    ));
    out.push(case(
        "lay005-zero-filled-tar",
        "a 4 KiB zero-filled zeros.tar beside the archive",
        &app().with_file("zeros.tar", vec![0u8; 4096]),
    ));
    let backup = Tar::new().file("notes.txt", "old").go_bytes();
    out.push(case("lay005-backup-tar", "old/backup.tar: a valid tar without manifest", &app().with_file("old/backup.tar", backup)));
    let mut p = app();
    p.tar = p.tar.file("app-1.0-ram/PLACEHOLDER-DOTDOT", "escaped");
    let bytes = rename_member(p.tar_bytes(), "app-1.0-ram/PLACEHOLDER-DOTDOT", "app-1.0-ram/../../oracle-escape.txt");
    out.push(raw("lay006-dotdot-member", "a member with '..' leaving the folder", "app-1.0-ram.tar.gz", gzip(&bytes)));
    let mut p = app();
    p.tar = p.tar.symlink("app-1.0-ram/passwd", "/etc/passwd");
    out.push(case("lay006-outward-symlink", "a symlink to /etc/passwd", &p));
    let archive = image_archive(Shape::Docker24, &component_images(2)).go_bytes();
    out.push(case(
        "lay007-gzipped-component-tar",
        "component-images.tar is gzip-compressed",
        &with_components_bytes(app(), gzip(&archive)),
    ));
    let p = app().without("component-images.tar").with_file("component-images.tar.gz", gzip(&archive));
    out.push(case("lay007-targz-only", "the images only in component-images.tar.gz", &p));
    out.push(case(
        "lay007-unneeded-targz",
        "an extra old-backup.tar.gz nothing needs",
        &app().with_file("old-backup.tar.gz", gzip(b"old")),
    ));
    let legacy = image_archive(Shape::Docker24, &component_images(1)).go_bytes();
    let p = Package::from_template("app", "1.0", template("app", "1.0", 1, 0), Shape::Docker24)
        .without("component-images.tar")
        .with_file("svc0/svc0TAG1.0.image.tar", legacy);
    out.push(case("lay008-legacy-layout", "v5.0-5.2 per-component dir with *.image.tar", &p));
    let mut files = Tar::new();
    for (path, node) in &app().tar.members {
        if !matches!(node, Node::Dir) {
            files.push(path, node.clone());
        }
    }
    out.push(raw("lay009-zip-no-dir-entries", "a zip without directory entries", "app-1.0-ram.zip", fixtures::zip_of(&files)));
    let mut p = app();
    p.tar.push("app-1.0-ram/disk", Node::Special(b'4'));
    p.tar.push("app-1.0-ram/pipe", Node::Special(b'6'));
    out.push(case("lay010-device-and-fifo", "a block device and a FIFO (not named .tar)", &p));
    let mut p = app();
    p.tar = p.tar.file("app-1.0-ram/metadata.json", "{\"apps\": [").dir("app-1.0-ram/");
    out.push(case("lay011-metadata-twice-last-broken", "metadata.json twice, the last one cut", &p));

    // ---- MET --------------------------------------------------------------
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend(serde_json::to_vec(&app().template).unwrap());
    out.push(case("met001-bom", "metadata.json starts with a BOM", &app().metadata_bytes(bom)));
    let text = serde_json::to_string_pretty(&app().template).unwrap();
    out.push(case("met001-truncated-json", "metadata.json cut in half", &app().metadata_bytes(&text[..text.len() / 2])));
    let mut bytes = serde_json::to_vec(&app().template).unwrap();
    let at = bytes.windows(12).position(|w| w == b"\"group_name\"").unwrap() + 15;
    bytes.splice(at..at, [0xc4, 0xe3, 0xba, 0xc3]); // GBK bytes inside a string
    out.push(case("met001-invalid-utf8-in-string", "GBK bytes inside group_name", &app().metadata_bytes(bytes)));
    let text = serde_json::to_string(&app().template).unwrap().replacen("\"group_name\":\"app\"", "\"group_name\":\"app\\ud800\"", 1);
    out.push(case("met001-lone-surrogate", "a lone \\ud800 inside group_name", &app().metadata_bytes(text)));
    out.push(case("met001-not-an-object", "metadata.json is an array", &app().metadata_bytes("[]")));
    let p = app().edit(|t| {
        t["apps"][1]["memory"] = "512".into();
        t["apps"][0]["port_map_list"][0]["is_outer_service"] = 1.into();
        t["annotations"] = json!(["not", "a", "map"]);
    });
    out.push(case("met002-wrong-types", "memory as a string, a bool as 1, annotations a list", &p));
    let text = serde_json::to_string(&app().template).unwrap().replacen("\"cpu\":0", "\"cpu\":-0", 1);
    out.push(case("met002-negative-zero", "\"cpu\": -0", &app().metadata_bytes(text)));
    let p = app().edit(|t| t["apps"][0]["cpu"] = json!(0.5));
    out.push(case("met002-float-cpu", "\"cpu\": 0.5", &p));
    let p = app().edit(|t| t["apps"][0]["vm"] = json!({"disk_layout": {"disk_role": "root"}}));
    out.push(case("met002-vm-wrong-type", "vm.disk_layout an object (a field only 6.9 decodes)", &p));
    out.push(case("met003-empty-apps", "apps [] and no k8s_resources", &app().edit(|t| t["apps"] = json!([]))));
    let p = app().edit(|t| {
        t["apps"] = json!([]);
        t["k8s_resources"] = json!([{"name": "cm", "kind": "ConfigMap", "content": "apiVersion: v1"}]);
    });
    out.push(case("met003-k8s-resources-only", "apps [] with k8s_resources", &p));
    out.push(case(
        "met004-vm-no-root-disk",
        "a VM without a root disk",
        &app().edit(|t| t["apps"][0]["vm"] = json!({"disk_layout": [{"disk_role": "data"}]})),
    ));
    out.push(case(
        "met005-uppercase-image",
        "share_image with upper case",
        &app().edit(|t| t["apps"][0]["share_image"] = "goodrain.me/App/svc0:1.0".into()),
    ));
    let digest = format!("goodrain.me/app/svc1@sha256:{}", "a".repeat(64));
    out.push(case(
        "met005-digest-image",
        "share_image pinned by digest",
        &app().edit(|t| t["apps"][1]["share_image"] = digest.clone().into()),
    ));
    out.push(case("met005-empty-image", "share_image empty", &app().edit(|t| t["apps"][1]["share_image"] = "".into())));
    out.push(case(
        "met006-too-long",
        "group_version over 32 characters",
        &app().edit(|t| t["group_version"] = "1.0.0-build.20240301.100000.abcdef12".into()),
    ));
    out.push(case("met007-missing-arch", "an empty arch", &app().edit(|t| t["apps"][0]["arch"] = "".into())));
    let p = app().edit(|t| {
        t["apps"][0]["service_extend_method"] = "stateless".into();
        t["apps"][1].as_object_mut().unwrap().remove("memory");
    });
    out.push(case("met008-legacy-fields", "service_extend_method, memory absent", &p));
    let p = app().edit(|t| {
        t["apps"][1]["dep_service_map_list"] = json!([{"dep_service_key": "gone"}]);
        t["ingress_http_routes"] = json!([{"component_key": "nobody", "port": 8080}]);
        t["apps"][0]["service_related_plugin_config"] = json!([{"plugin_id": "no-such-plugin"}]);
    });
    out.push(case("met009-dangling-references", "a dependency, a route and a plugin config naming nothing", &p));
    out.push(case(
        "met010-duplicate-service-key",
        "two components with one service_key",
        &app().edit(|t| t["apps"][1]["service_key"] = t["apps"][0]["service_key"].clone()),
    ));
    let p = app().edit(|t| {
        t["group_key"] = "".into();
        t["apps"][1].as_object_mut().unwrap().remove("service_cname");
    });
    out.push(case("met011-missing-fields", "group_key empty, a service_cname absent", &p));
    out.push(case("met012-null-component", "a null entry in apps", &app().edit(|t| t["apps"].as_array_mut().unwrap().push(Value::Null))));
    let p = Package::valid("app", "1.0", 2, 1, Shape::Docker24).edit(|t| t["plugins"].as_array_mut().unwrap().push(Value::Null));
    out.push(case("met012-null-plugin", "a null entry in plugins", &p));

    // ---- IMG --------------------------------------------------------------
    let empty =
        Tar::new().file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#).file("index.json", r#"{"schemaVersion":2,"manifests":[]}"#);
    out.push(case(
        "img002-empty-oci-index",
        "extra-images.tar: an OCI layout with no manifests",
        &app().with_file("extra-images.tar", empty.go_bytes()),
    ));
    let archive = image_archive(Shape::Containerd, &component_images(2)).remove("manifest.json");
    out.push(case("img003-oci-only", "component-images.tar: OCI layout only, no manifest.json", &with_components(app(), archive)));
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let manifest = manifest_of(&archive);
    let layer = manifest[0]["Layers"][1].as_str().unwrap().to_string();
    out.push(case(
        "img004-missing-layer",
        "a layer the manifest names is missing",
        &with_components(app(), archive.clone().remove(&layer)),
    ));
    let dir = layer.trim_end_matches("/layer.tar").to_string();
    let dangling = archive.clone().symlink(&format!("{dir}/extra.tar"), "../nowhere/layer.tar");
    out.push(case("img004-dangling-symlink", "an unreferenced dangling symlink in the archive", &with_components(app(), dangling)));
    let mut m = manifest.clone();
    m[0]["Layers"].as_array_mut().unwrap().pop();
    out.push(case(
        "img005-layer-count-mismatch",
        "a manifest with one layer fewer than diff_ids",
        &with_components(app(), archive.clone().replace("manifest.json", serde_json::to_vec(&m).unwrap())),
    ));
    let untagged = image_archive(Shape::Docker24, &[Image { tags: vec![], ..Image::new("busybox:1") }]);
    out.push(case(
        "img006-untagged-unused",
        "extra-images.tar: an untagged image nobody uses",
        &app().with_file("extra-images.tar", untagged.go_bytes()),
    ));
    let no_tag = image_archive(Shape::Docker24, &[Image::new("goodrain.me/web")]);
    out.push(case(
        "img006-repotag-without-tag",
        "extra-images.tar: RepoTags [\"goodrain.me/web\"]",
        &app().with_file("extra-images.tar", no_tag.go_bytes()),
    ));
    let bad_tag = image_archive(Shape::Docker24, &[Image::new("busybox:1")]);
    let mut m = manifest_of(&bad_tag);
    m[0]["RepoTags"] = json!(["Goodrain.me/Web:1.0"]);
    out.push(case(
        "img006-invalid-repotag",
        "extra-images.tar: RepoTags with upper case",
        &app().with_file("extra-images.tar", bad_tag.replace("manifest.json", serde_json::to_vec(&m).unwrap()).go_bytes()),
    ));
    let bytes = archive.go_bytes();
    out.push(case(
        "img007-truncated-inner",
        "component-images.tar cut in half",
        &with_components_bytes(app(), bytes[..bytes.len() / 2].to_vec()),
    ));
    out.push(case(
        "img007-bad-manifest-json",
        "component-images.tar: manifest.json is not JSON",
        &with_components(app(), archive.clone().replace("manifest.json", "[{\"Config\": ")),
    ));
    let plugins = image_archive(Shape::Docker24, &[Image::new("goodrain.me/app/mesh:v1")]).go_bytes();
    out.push(case(
        "img007-damaged-skipped-plugin-tar",
        "a damaged plugin-images.tar, plugins empty",
        &app().with_file("plugin-images.tar", plugins[..plugins.len() / 2].to_vec()),
    ));
    let manifest2 = manifest_of(&archive);
    let layer = manifest2[1]["Layers"][0].as_str().unwrap().to_string();
    let mut data = archive.get(&layer).unwrap().to_vec();
    data[700] ^= 1;
    out.push(case(
        "img008-flipped-bit-in-layer",
        "a layer whose sha256 is not its diff_id",
        &with_components(app(), archive.clone().replace(&layer, data)),
    ));
    let oci = image_archive(Shape::Containerd, &component_images(2));
    let (path, data) = oci
        .members
        .iter()
        .find_map(|(p, n)| match n {
            Node::File(d) if p.starts_with("blobs/") && d.starts_with(&[0x1f, 0x8b]) => Some((p.clone(), d.clone())),
            _ => None,
        })
        .unwrap();
    let mut bad = data.clone();
    let n = bad.len();
    bad[n - 9] ^= 0xff;
    out.push(case(
        "img008-oci-blob-wrong-digest",
        "an OCI blob whose sha256 is not its name",
        &with_components(app(), oci.replace(&path, bad)),
    ));
    let mut other = Image::new(&component_image("app", "1.0", 0));
    other.layers = vec![fixtures::layer("different", 1)];
    out.push(case(
        "img009-tag-collision",
        "extra-images.tar names svc0:1.0 for another image",
        &app().with_file("extra-images.tar", image_archive(Shape::Docker24, &[other]).go_bytes()),
    ));
    let images: Vec<Image> = component_images(2).into_iter().map(|i| i.arch("arm64")).collect();
    out.push(case(
        "img010-arm64-images-amd64-app",
        "arm64 images for amd64 components",
        &with_components(app(), image_archive(Shape::Docker25, &images)),
    ));
    let mut unsafe_archive = image_archive(Shape::Docker24, &component_images(2))
        .file("PLACEHOLDER-DOTDOT", "escaped")
        .symlink("escape", "../../../etc/passwd")
        .hardlink("abs", "/etc/shadow");
    unsafe_archive.push("dev", Node::Special(b'3'));
    let unsafe_bytes = rename_member(unsafe_archive.go_bytes(), "PLACEHOLDER-DOTDOT", "../../oracle-img-escape.txt");
    out.push(case(
        "img011-unsafe-members",
        "'..', outward links and a device inside component-images.tar",
        &with_components_bytes(app(), unsafe_bytes),
    ));
    let no_layout = image_archive(Shape::Containerd, &component_images(2)).remove("oci-layout").remove("manifest.json");
    out.push(case(
        "img012-oci-without-oci-layout",
        "an OCI archive (index.json, blobs) without oci-layout",
        &with_components(app(), no_layout),
    ));
    let v2 = image_archive(Shape::Containerd, &component_images(2)).replace("oci-layout", r#"{"imageLayoutVersion":"2.0.0"}"#);
    out.push(case("img012-layout-version-2", "oci-layout imageLayoutVersion 2.0.0", &with_components(app(), v2)));
    // One component whose share_image is the short name web:1.0, in an
    // OCI archive naming it only by org.opencontainers.image.ref.name.
    let mut t = template("app", "1.0", 1, 0);
    t["apps"][0]["share_image"] = "web:1.0".into();
    let short = image_archive(Shape::Containerd, &[Image::new("web:1.0")]).remove("manifest.json");
    let short = set_index_annotations(short, json!({"org.opencontainers.image.ref.name": "web:1.0"}));
    let p = with_components(Package::from_template("app", "1.0", t.clone(), Shape::Containerd), short);
    out.push(case("img013-short-ref-name", "OCI ref.name web:1.0, no io.containerd.image.name, no manifest.json", &p));
    let short = image_archive(Shape::Docker25, &[Image::new("web:1.0")]);
    let short = set_index_annotations(short, json!({"org.opencontainers.image.ref.name": "web:1.0"}));
    let p = with_components(Package::from_template("app", "1.0", t, Shape::Docker25), short);
    out.push(case("img013-short-ref-name-with-manifest", "the same with a Docker manifest.json (RepoTags web:1.0)", &p));
    // A Docker 24 archive whose first layer.tar is a hard link.
    let archive = image_archive(Shape::Docker24, &component_images(2));
    let layer = manifest_of(&archive)[0]["Layers"][0].as_str().unwrap().to_string();
    let data = archive.get(&layer).unwrap().to_vec();
    let mut linked = Tar::new().file("layers/0.tar", data);
    for (p, n) in &archive.members {
        if *p == layer {
            linked.push(p, Node::Hardlink("layers/0.tar".into()));
        } else {
            linked.push(p, n.clone());
        }
    }
    out.push(case("img014-hardlinked-layer", "a docker-save layer.tar stored as a hard link", &with_components(app(), linked)));

    // ---- XRF --------------------------------------------------------------
    out.push(case(
        "xrf001-image-not-carried",
        "a share_image no archive carries",
        &app().edit(|t| t["apps"][1]["share_image"] = "goodrain.me/app/svc1:2.0".into()),
    ));
    let p =
        with_components(app(), image_archive(Shape::Docker24, &[Image::new("svc0:1.0"), Image::new(&component_image("app", "1.0", 1))]));
    out.push(case("xrf001-only-pre-5.3-name", "svc0 carried only as svc0:1.0 (pre-5.3 save name)", &p));
    out.push(case("xrf002-no-image-archive", "no component-images.tar", &app().without("component-images.tar")));
    let p = app().with_file("plugin-images.tar", image_archive(Shape::Docker24, &[Image::new("goodrain.me/app/mesh:v1")]).go_bytes());
    out.push(case("xrf003-plugin-archive-no-plugins", "a real plugin-images.tar, plugins empty", &p));
    out.push(case(
        "xrf004-unused-image",
        "extra-images.tar: busybox:1.36 nobody uses",
        &app().with_file("extra-images.tar", image_archive(Shape::Docker24, &[Image::new("busybox:1.36")]).go_bytes()),
    ));
    out
}

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "target/oracles/cases".into());
    let out = Path::new(&out);
    std::fs::create_dir_all(out).expect("create the output directory");
    let mut index = String::new();
    for c in cases() {
        let dir = out.join(c.name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a case directory");
        std::fs::write(dir.join(&c.file), &c.bytes).expect("write a case");
        index.push_str(&format!("{}\t{}\t{}\n", c.name, c.file, c.what));
    }
    std::fs::write(out.join("cases.tsv"), index).expect("write cases.tsv");
}
