//! Writes the fixture packages to a directory, one case per subdirectory, so
//! that the demo, the browser tests and the benchmarks check the same files
//! the Rust tests build: `cargo run --example fixtures -- OUT_DIR`.

#![recursion_limit = "256"]

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use std::path::Path;

use fixtures::{null_manifest_archive, Package, Shape};

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "fixtures-out".into());
    let out = Path::new(&out);
    let valid = Package::valid("crm", "5.1", 3, 1, Shape::Docker24);
    let seed = Package::valid("app", "1.0", 2, 0, Shape::Docker24).with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let gz = valid.tar_gz();
    let cases: Vec<(&str, String, Vec<u8>)> = vec![
        ("valid", valid.file_name(), gz.clone()),
        ("valid-docker25", valid.file_name(), Package::valid("crm", "5.1", 3, 1, Shape::Docker25).tar_gz()),
        ("valid-containerd", valid.file_name(), Package::valid("crm", "5.1", 3, 1, Shape::Containerd).tar_gz()),
        ("valid-zip", "crm-5.1-ram.zip".into(), valid.zip()),
        ("seed", seed.file_name(), seed.tar_gz()),
        ("truncated", valid.file_name(), gz[..gz.len() / 2].to_vec()),
        ("plain-tar", valid.file_name(), valid.tar_bytes()),
    ];
    for (case, name, bytes) in cases {
        let dir = out.join(case);
        std::fs::create_dir_all(&dir).expect("create the output directory");
        let path = dir.join(&name);
        std::fs::write(&path, bytes).expect("write a fixture");
        println!("{}", path.display());
    }
}
