//! The named limits that bound a check's time and memory: each one, when
//! hit, yields a finding that names it, never a crash, a hang or a silent
//! pass. (The gzip bomb guard's thresholds are tested in seconds by the unit
//! tests of `src/container/gzip.rs`; here, the finding it yields.)

use std::time::{Duration, Instant};

use crate::fixtures::mutate::{base256, extension_header, fix_checksum, header_offsets, well_formed};
use crate::fixtures::{gzip, Package, Shape, Tar};
use ramcheck::facts::metadata;
use ramcheck::limits;
use ramcheck::{Options, Report, Severity};

fn check_bytes(bytes: &[u8], name: &str) -> Report {
    let started = Instant::now();
    let r = ramcheck::check(&bytes.to_vec(), name, &Options { deep: false }, None);
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    well_formed(&r).unwrap();
    crate::chinese::assert_chinese(&r);
    r
}

fn check(p: &Package) -> Report {
    check_bytes(&p.tar_gz(), &p.file_name())
}

fn app() -> Package {
    Package::valid("app", "1.0", 1, 0, Shape::Docker24)
}

/// The findings of `code`.
fn of<'r>(r: &'r Report, code: &str) -> Vec<&'r ramcheck::Finding> {
    r.findings.iter().filter(|f| f.code == code).collect()
}

fn one<'r>(r: &'r Report, code: &str) -> &'r ramcheck::Finding {
    let found = of(r, code);
    assert_eq!(found.len(), 1, "{code}: {:#?}", r.findings);
    found[0]
}

/// A package with `archive` as an extra image archive in the app directory.
fn with_archive(archive: Vec<u8>) -> Package {
    app().with_file("extra-images.tar", archive)
}

// ---- JSON: size, values, depth -------------------------------------------

#[test]
fn metadata_over_max_metadata_bytes_is_met001_naming_the_limit() {
    let mut big = b"{\"apps\": []}".to_vec();
    big.resize(limits::MAX_METADATA_BYTES as usize + 1, b' ');
    let r = check(&app().metadata_bytes(big));
    let f = one(&r, "MET001");
    assert!(f.message.contains("larger than the 16.8 MB ramcheck reads"), "{}", f.message);
}

#[test]
fn metadata_with_more_values_than_max_metadata_nodes_is_met001() {
    let values = vec!["0"; limits::MAX_METADATA_NODES].join(",");
    let text = format!("{{\"apps\": [{values}]}}");
    assert_eq!(metadata::parse(text.as_bytes()), Err(metadata::ParseError::TooManyValues(limits::MAX_METADATA_NODES + 3)));
    let r = check(&app().metadata_bytes(text));
    let f = one(&r, "MET001");
    assert!(f.message.contains("more than the 1000000 ramcheck parses"), "{}", f.message);
}

#[test]
fn metadata_nested_10000_deep_is_met001_not_a_stack_overflow() {
    for depth in [129, 10_000, 100_000] {
        let text = format!("{{\"apps\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
        assert!(metadata::duplicate_keys(text.as_bytes(), 20).is_empty());
        let r = check(&app().metadata_bytes(text));
        let f = one(&r, "MET001");
        assert!(f.message.contains("nested more than 128 levels deep"), "{depth}: {}", f.message);
    }
    // Within the limit, it parses.
    let text = format!("{{\"labels\": {}{}}}", "[".repeat(120), "]".repeat(120));
    assert!(metadata::parse(text.as_bytes()).is_ok());
}

#[test]
fn manifest_nested_10000_deep_is_img007_not_a_stack_overflow() {
    let manifest = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let r = check(&with_archive(Tar::new().file("manifest.json", manifest).go_bytes()));
    let f = one(&r, "IMG007");
    assert!(f.message.contains("nested more than 128 levels deep"), "{}", f.message);
}

#[test]
fn json_member_over_max_json_member_is_img007_naming_the_limit() {
    let mut manifest = b"[]".to_vec();
    manifest.resize(limits::MAX_JSON_MEMBER as usize + 1, b' ');
    let r = check(&with_archive(Tar::new().file("manifest.json", manifest).go_bytes()));
    let f = one(&r, "IMG007");
    assert!(f.message.contains("more than the 4194304 ramcheck reads of a JSON member"), "{}", f.message);
}

#[test]
fn json_bytes_past_max_json_bytes_are_not_parsed() {
    // The budget is per package: 17 archives of one 4 MiB manifest each.
    let mut manifest = b"[]".to_vec();
    manifest.resize(limits::MAX_JSON_MEMBER as usize, b' ');
    let inner = Tar::new().file("manifest.json", manifest).go_bytes();
    let mut p = app();
    for i in 0..=limits::MAX_JSON_BYTES / limits::MAX_JSON_MEMBER {
        p = p.with_file(&format!("extra-{i:02}.tar"), inner.clone());
    }
    let r = check(&p);
    // component-images.tar's JSON counts too: the last two are over.
    let over = of(&r, "IMG007");
    let places: Vec<&str> = over.iter().map(|f| f.location.as_str()).collect();
    assert_eq!(places, [p.path("extra-15.tar!/manifest.json"), p.path("extra-16.tar!/manifest.json")]);
    assert!(over[0].message.contains("more than the 67108864 bytes of JSON ramcheck reads in a package"), "{}", over[0].message);
}

#[test]
fn json_values_past_max_json_nodes_are_not_parsed() {
    // 2 MB of text that would take ~70 MB parsed; the budget is per package.
    let manifest = format!("[{}]", vec!["0"; limits::MAX_JSON_NODES].join(","));
    let r = check(&with_archive(Tar::new().file("manifest.json", manifest).go_bytes()));
    let f = one(&r, "IMG007");
    assert!(f.message.contains("more than the 1000000 JSON values ramcheck parses in a package"), "{}", f.message);
}

// ---- members, images, archives, entries ----------------------------------

/// A tar of `n` empty files, written header by header (fast for 100,000).
fn tar_of_empty_files(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 512 + 1024);
    for i in 0..n {
        let mut h = tar::Header::new_ustar();
        h.set_path(format!("f/{i}")).unwrap();
        h.set_size(0);
        h.set_mode(0o644);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
    }
    out.resize(out.len() + 1024, 0);
    out
}

#[test]
fn members_past_max_archive_members_are_pkg009_and_img004_is_not_judged() {
    let mut inner = Tar::new().file("manifest.json", r#"[{"Config":"gone.json","RepoTags":["x:1"],"Layers":[]}]"#).go_bytes();
    inner.truncate(inner.len() - 1024);
    inner.extend(tar_of_empty_files(limits::MAX_ARCHIVE_MEMBERS));
    let r = check(&with_archive(inner));
    let f = one(&r, "PKG009");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("100000 per image archive"), "{}", f.message);
    assert!(of(&r, "IMG004").is_empty(), "absence proves nothing past the limit");
    assert_eq!(r.entries.len(), limits::MAX_DISPLAY_ENTRIES);
}

#[test]
fn entries_past_max_display_entries_are_cut_with_a_note() {
    let mut p = app();
    for i in 0..limits::MAX_DISPLAY_ENTRIES {
        p = p.with_file(&format!("data/{i}.txt"), "x");
    }
    let r = check(&p);
    assert_eq!(r.entries.len(), limits::MAX_DISPLAY_ENTRIES);
    let note = r.entries_note.as_deref().expect("entries_note");
    assert!(note.starts_with("5000 of 50") && note.ends_with("entries listed (at most 5000)"), "{note}");
    assert!(of(&r, "PKG009").is_empty(), "a long listing is not a limit of the check");
}

#[test]
fn entries_near_the_top_past_max_shallow_members_are_pkg009() {
    let mut p = app();
    for i in 0..limits::MAX_SHALLOW_MEMBERS {
        p = p.with_file(&format!("data/{i}"), "");
    }
    let r = check(&p);
    let f = one(&r, "PKG009");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("more than 10000 entries in its top three levels"), "{}", f.message);
}

#[test]
fn images_past_max_images_are_pkg009() {
    let entries: Vec<String> =
        (0..=limits::MAX_IMAGES).map(|i| format!(r#"{{"Config":"c{i}.json","RepoTags":["x:{i}"],"Layers":[]}}"#)).collect();
    let manifest = format!("[{}]", entries.join(","));
    let r = check(&with_archive(Tar::new().file("manifest.json", manifest).go_bytes()));
    let f = one(&r, "PKG009");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("more than 10000 images"), "{}", f.message);
    // The missing configs of the judged images are listed, not 10,000 of them.
    assert_eq!(of(&r, "IMG004").len(), 21);
}

#[test]
fn archives_past_max_image_archives_are_pkg009() {
    let mut p = app();
    let empty = Tar::new().go_bytes();
    for i in 0..=limits::MAX_IMAGE_ARCHIVES {
        p = p.with_file(&format!("v5/{i}.tar"), empty.clone());
    }
    let r = check(&p);
    let f = one(&r, "PKG009");
    assert!(f.message.contains("more than 1000 .tar files") && f.message.contains("2 were not read"), "{}", f.message);
}

#[test]
fn a_million_missing_layers_are_counted_in_linear_time() {
    // Member lookups were linear: layers × members × link hops.
    let layers: Vec<String> = (0..200_000).map(|i| format!("\"l{i}\"")).collect();
    let manifest = format!(r#"[{{"Config":"c.json","RepoTags":["x:1"],"Layers":[{}]}}]"#, layers.join(","));
    let mut inner = Tar::new().file("manifest.json", manifest).file("c.json", r#"{"rootfs":{"diff_ids":[]}}"#).go_bytes();
    inner.truncate(inner.len() - 1024);
    inner.extend(tar_of_empty_files(50_000));
    let started = Instant::now();
    let r = check(&with_archive(inner));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let missing = of(&r, "IMG004");
    assert_eq!(missing.len(), 21);
    assert_eq!(missing[20].message, "199980 more like this are not listed.");
}

#[test]
fn many_components_without_images_are_listed_not_each_searched() {
    let mut t = crate::fixtures::template("app", "1.0", 1, 0);
    let apps: Vec<serde_json::Value> = (0..50_000)
        .map(|i| serde_json::json!({"service_key": format!("k{i}"), "service_cname": "c", "share_image": format!("r/x{i}:1")}))
        .collect();
    t["apps"] = apps.into();
    let p = Package::from_template("app", "1.0", crate::fixtures::template("app", "1.0", 1, 0), Shape::Docker24)
        .metadata_bytes(serde_json::to_vec(&t).unwrap());
    let r = check(&p);
    let xrf = of(&r, "XRF001");
    assert_eq!(xrf.len(), 21);
    assert_eq!(xrf[20].message, "49980 more like this are not listed.");
}

// ---- tar headers: extensions and sizes -----------------------------------

#[test]
fn a_long_name_over_max_extension_bytes_is_pkg009_naming_the_limit() {
    let p = app();
    let mut tar = p.tar_bytes();
    let ext = extension_header(b'L', b"x", Some(limits::MAX_EXTENSION_BYTES + 1));
    let metadata = header_offsets(&tar)[1];
    tar.splice(metadata..metadata, ext);
    let r = check_bytes(&gzip(&tar), &p.file_name());
    let f = one(&r, "PKG009");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("a GNU long name is larger than the 1048576 bytes ramcheck reads"), "{}", f.message);
    assert!(of(&r, "PKG003").is_empty(), "not reported as damage");
}

#[test]
fn a_pax_header_over_max_extension_bytes_in_an_image_archive_is_img007() {
    let mut inner = Tar::new().file("manifest.json", "[]").go_bytes();
    inner.splice(0..0, extension_header(b'x', b"", Some(limits::MAX_EXTENSION_BYTES + 1)));
    let r = check(&with_archive(inner));
    let f = one(&r, "IMG007");
    assert!(f.message.contains("a PAX extended header is larger than the 1048576 bytes ramcheck reads"), "{}", f.message);
}

#[test]
fn a_header_claiming_1_tb_is_a_cut_member_found_at_once() {
    let p = app();
    let mut tar = p.tar_bytes();
    let archive_header = *header_offsets(&tar).last().unwrap();
    tar[archive_header + 124..archive_header + 136].copy_from_slice(&base256(1 << 40));
    fix_checksum(&mut tar, archive_header);
    let r = check_bytes(&gzip(&tar), &p.file_name());
    let f = one(&r, "PKG003");
    assert!(f.message.contains("cut short"), "{}", f.message);
    // Inside an image archive: the archive is what is cut.
    let mut inner = Tar::new().file("manifest.json", "[]").file("layer.tar", vec![0u8; 2048]).go_bytes();
    let layer = *header_offsets(&inner).last().unwrap();
    inner[layer + 124..layer + 136].copy_from_slice(&base256(1 << 40));
    fix_checksum(&mut inner, layer);
    let r = check(&with_archive(inner));
    assert!(one(&r, "IMG007").message.contains("the archive ends inside a member"));
}

// ---- decompression bombs --------------------------------------------------

#[test]
fn a_zip_whose_directory_declares_more_than_the_bomb_guard_is_pkg009() {
    let mut files = Tar::new();
    for i in 0..5 {
        files = files.file(&format!("app-1.0-ram/{i}.bin"), vec![0u8; 100]);
    }
    let mut zip = crate::fixtures::zip_of(&files);
    // Each central directory entry declares 4 GB uncompressed: 20 GB in all.
    let mut at = 0;
    while let Some(i) = zip[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let entry = at + i;
        zip[entry + 24..entry + 28].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        at = entry + 4;
    }
    let r = check_bytes(&zip, "app-1.0-ram.zip");
    assert_eq!(one(&r, "PKG009").severity, Severity::Warning, "{:#?}", r.findings);
}
