//! The npm package's TypeScript declarations (`js/index.d.ts`) against the
//! report as it serialises: every interface lists exactly the fields of its
//! Rust type, optional (`?`) exactly where serde skips a `None`, and
//! `| null` exactly where it writes one.

use std::collections::BTreeMap;

use crate::fixtures::{null_manifest_archive, Package, Shape};
use ramcheck::{Options, Report};
use serde_json::Value;

/// A declared field: optional (`?`) and its type.
struct Field {
    optional: bool,
    ty: String,
}

/// The `export interface` blocks of a .d.ts: name -> field -> declaration.
fn interfaces(dts: &str) -> BTreeMap<String, BTreeMap<String, Field>> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, BTreeMap<String, Field>)> = None;
    for line in dts.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("export interface ").and_then(|l| l.strip_suffix(" {")) {
            current = Some((name.to_string(), BTreeMap::new()));
        } else if line == "}" {
            if let Some((name, fields)) = current.take() {
                out.insert(name, fields);
            }
        } else if let (Some((_, fields)), Some((name, ty))) = (current.as_mut(), line.strip_suffix(';').and_then(|l| l.split_once(": "))) {
            let (name, optional) = name.strip_suffix('?').map_or((name, false), |n| (n, true));
            fields.insert(name.to_string(), Field { optional, ty: ty.to_string() });
        }
    }
    out
}

/// Which interface declares the objects at each place of a report.
fn interface_of(path: &str) -> &'static str {
    match path {
        "" => "Report",
        "findings[]" => "Finding",
        "summary" => "Summary",
        "entries[]" => "Entry",
        "images[]" => "ArchiveImages",
        "images[].images[]" => "ImageInfo",
        "stats" => "Stats",
        "targets[]" => "TargetVerdict",
        other => panic!("no interface is mapped to the report's objects at {other:?}; add one to js/index.d.ts and here"),
    }
}

/// Visits every object of `value` with its place (`images[].images[]`).
fn objects<'a>(value: &'a Value, path: &str, out: &mut Vec<(String, &'a serde_json::Map<String, Value>)>) {
    match value {
        Value::Object(map) => {
            out.push((path.to_string(), map));
            for (key, v) in map {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                objects(v, &child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| objects(v, &format!("{path}[]"), out)),
        _ => {}
    }
}

/// A report with findings, images and entries, and every `Option` set.
fn full_report() -> Report {
    let seed = Package::valid("app", "1.0", 2, 0, Shape::Docker24).with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let mut r = ramcheck::check(&seed.tar_gz(), &seed.file_name(), &Options { deep: false }, None);
    assert!(!r.findings.is_empty() && !r.entries.is_empty() && r.images.iter().any(|a| !a.images.is_empty()));
    // A cluster version that cannot be read: every target, with a note.
    ramcheck::retarget(&mut r, &ramcheck::Target::from_platform(Some("a1b2c3d"), None, vec!["amd64".into()]).unwrap());
    r.entries_note = Some("note".into());
    r.entries.iter_mut().for_each(|e| e.link = Some("target".into()));
    r.summary.exporter = Some("exporter".into());
    for archive in &mut r.images {
        for image in &mut archive.images {
            image.platform = Some("linux/amd64".into());
        }
    }
    r
}

/// The same report with every `Option` unset.
fn minimal_report(full: &Report) -> Report {
    let mut r = full.clone();
    ramcheck::retarget(&mut r, &ramcheck::Target::all());
    r.entries_note = None;
    r.summary.template = None;
    r.summary.version = None;
    r.summary.exporter = None;
    r.entries.iter_mut().for_each(|e| e.link = None);
    r.images.iter_mut().flat_map(|a| a.images.iter_mut()).for_each(|i| i.platform = None);
    r
}

#[test]
fn declarations_match_the_report() {
    let dts = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/js/index.d.ts")).expect("read js/index.d.ts");
    let declared = interfaces(&dts);
    let full_report = full_report();
    let full = serde_json::to_value(&full_report).unwrap();
    let minimal = serde_json::to_value(minimal_report(&full_report)).unwrap();
    let (mut full_objects, mut minimal_objects) = (Vec::new(), Vec::new());
    objects(&full, "", &mut full_objects);
    objects(&minimal, "", &mut minimal_objects);

    for (path, object) in &full_objects {
        let name = interface_of(path);
        let fields = declared.get(name).unwrap_or_else(|| panic!("js/index.d.ts has no interface {name}"));
        let keys: Vec<&String> = object.keys().collect();
        let names: Vec<&String> = fields.keys().collect();
        let (mut keys_sorted, names_sorted) = (keys.clone(), names.clone());
        keys_sorted.sort();
        assert_eq!(keys_sorted, names_sorted, "interface {name} (at {path:?}) declares other fields than the report has");
    }
    for (path, object) in &minimal_objects {
        let name = interface_of(path);
        for (field, decl) in &declared[name] {
            match object.get(field) {
                None => assert!(decl.optional, "{name}.{field} can be absent: declare it `{field}?`"),
                Some(Value::Null) => assert!(decl.ty.ends_with("| null"), "{name}.{field} can be null: declare it `{} | null`", decl.ty),
                Some(_) => assert!(!decl.optional, "{name}.{field} is always present: drop the `?`"),
            }
        }
    }
}

/// Which interface declares the objects at each place of a repair plan;
/// `mode` is the union `RepairMode`, checked by its tags.
fn plan_interface_of(path: &str) -> Option<&'static str> {
    match path {
        "" => Some("RepairPlan"),
        "repairs[]" => Some("Repair"),
        "unrepaired[]" => Some("Unrepaired"),
        "rename_top" => Some("Rename"),
        "mode" => None,
        other => panic!("no interface is mapped to the plan's objects at {other:?}; add one to js/index.d.ts and here"),
    }
}

#[test]
fn declarations_match_the_repair_plan() {
    let dts = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/js/index.d.ts")).expect("read js/index.d.ts");
    let declared = interfaces(&dts);
    // A repairable finding (IMG001) and one that is not (a metadata error).
    let seed = Package::valid("app", "1.0", 2, 0, Shape::Docker24)
        .with_file("plugin-images.tar", null_manifest_archive().go_bytes())
        .metadata_bytes(b"{".to_vec());
    let bytes = seed.tar_gz();
    let (_, mut plan) =
        ramcheck::repair::check_and_plan(&bytes, &seed.file_name(), None, &Options { deep: false }, &ramcheck::Target::all(), None);
    assert!(!plan.repairs.is_empty() && !plan.unrepaired.is_empty(), "{plan:?}");
    let mut full = plan.clone();
    full.rename_top = Some(ramcheck::repair::Rename { from: "a".into(), to: "b".into() });
    full.strip_bom = Some("app/metadata.json".into());
    full.repairs[0].code = Some("IMG001".into());
    plan.rename_top = None;
    plan.strip_bom = None;
    plan.repairs[0].code = None;
    for (value, minimal) in [(serde_json::to_value(&full).unwrap(), false), (serde_json::to_value(&plan).unwrap(), true)] {
        let mut found = Vec::new();
        objects(&value, "", &mut found);
        for (path, object) in &found {
            let Some(name) = plan_interface_of(path) else {
                let kind = object["kind"].as_str().unwrap();
                assert!(dts.contains(&format!("{{ kind: \"{kind}\"")), "RepairMode lacks kind {kind:?}");
                continue;
            };
            let fields = declared.get(name).unwrap_or_else(|| panic!("js/index.d.ts has no interface {name}"));
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            assert_eq!(keys, fields.keys().collect::<Vec<_>>(), "interface {name} (at {path:?}) declares other fields than the plan has");
            for (field, decl) in fields {
                match object.get(field) {
                    Some(Value::Null) => {
                        assert!(decl.ty.ends_with("| null"), "{name}.{field} can be null: declare it `{} | null`", decl.ty)
                    }
                    Some(_) if !minimal => assert!(!decl.optional, "{name}.{field} is always present: drop the `?`"),
                    _ => {}
                }
            }
        }
    }
}
