//! Writes the fixture packages to a directory, one case per subdirectory, so
//! that the demo, the browser tests and the benchmarks check the same files
//! the Rust tests build: `cargo run --example fixtures -- OUT_DIR [--large]`.
//! `--large` adds `over-4g`, a valid package that unpacks to 4.2 GB (about
//! 4 MB compressed), for the 64-bit paths of the browser.

#![recursion_limit = "256"]

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use fixtures::{null_manifest_archive, template, Package, Shape};
use flate2::write::GzEncoder;
use flate2::Compression;

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "fixtures-out".into());
    let out = Path::new(&out);
    let large = std::env::args().any(|a| a == "--large");
    let valid = Package::valid("crm", "5.1", 3, 1, Shape::Docker24);
    let seed = Package::valid("app", "1.0", 2, 0, Shape::Docker24).with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    let gz = valid.tar_gz();
    // The gzip trailer's crc32 (its first 4 of 8 bytes) off by one bit: every
    // byte inflates, and only the checksum tells the damage.
    let mut bad_checksum = gz.clone();
    let crc_at = bad_checksum.len() - 8;
    bad_checksum[crc_at] ^= 1;
    let cases: Vec<(&str, String, Vec<u8>)> = vec![
        ("valid", valid.file_name(), gz.clone()),
        ("valid-docker25", valid.file_name(), Package::valid("crm", "5.1", 3, 1, Shape::Docker25).tar_gz()),
        ("valid-containerd", valid.file_name(), Package::valid("crm", "5.1", 3, 1, Shape::Containerd).tar_gz()),
        ("valid-zip", "crm-5.1-ram.zip".into(), valid.zip()),
        ("seed", seed.file_name(), seed.tar_gz()),
        ("truncated", valid.file_name(), gz[..gz.len() / 2].to_vec()),
        ("bad-checksum", valid.file_name(), bad_checksum),
        ("plain-tar", valid.file_name(), valid.tar_bytes()),
        ("hostile", HOSTILE_NAME.into(), hostile().tar_gz()),
    ];
    for (case, name, bytes) in cases {
        let dir = out.join(case);
        std::fs::create_dir_all(&dir).expect("create the output directory");
        let path = dir.join(&name);
        std::fs::write(&path, bytes).expect("write a fixture");
        println!("{}", path.display());
    }
    if large {
        let dir = out.join("over-4g");
        std::fs::create_dir_all(&dir).expect("create the output directory");
        let path = write_over_4g(&dir).expect("write the over-4g fixture");
        println!("{}", path.display());
    }
}

/// The upload's name of `hostile`: markup and a right-to-left override.
const HOSTILE_NAME: &str = "<img src=x onerror=window.__pwned=\"name\">\u{202e}zg.rat-1.0-ram.tar.gz";

/// A package whose strings are hostile to a page that shows them: markup
/// that runs if it is ever parsed as HTML (each payload sets
/// `window.__pwned`), a `javascript:` URL, a right-to-left override, zero-width
/// characters, a newline, a 100 KB group_name and a 4 KB path, 350 levels deep. The browser
/// tests check that the page shows them as text and keeps its layout.
fn hostile() -> Package {
    let script = "<script>window.__pwned=\"script\"</script>";
    let img = "<img src=x onerror=\"window.__pwned='img'\">";
    let mut t = template("hostile", "1.0", 2, 0);
    t["group_name"] = format!("{script}\u{202e}evil\u{200b}{}", "x".repeat(100_000)).into();
    t["apps"][0]["service_cname"] = format!("{img}\u{202e}gnp.exe").into();
    t["apps"][0]["share_image"] = "javascript:window.__pwned='share'//<svg onload=window.__pwned='svg'>:v1".into();
    t["apps"][1]["memory"] = img.into();
    // A 4 KB path: a 300-character directory, then 350 levels.
    let deep = format!("{}/{}", "long-directory-name-".repeat(15), "d123456789/".repeat(350));
    Package::from_template("hostile", "1.0", t, Shape::Docker24)
        .with_file(&format!("{script}.txt"), "x")
        .with_file("\u{202e}txt.exe", "x")
        .with_file("meta\u{200b}data\u{feff}.json", "{}")
        .with_file("line\nbreak.txt", "x")
        .with_file(&format!("{deep}{img}"), "x")
}

/// Size of the zero-filled layer of `over-4g`: past 2^32.
const ZEROS: u64 = 4_200_000_000;

/// A valid package whose image layer holds 4.2 GB of zeros, streamed to disk
/// at gzip level 1 (about 40 MB: slow enough to show progress and cancel).
fn write_over_4g(dir: &Path) -> io::Result<std::path::PathBuf> {
    let path = dir.join("big-1.0-ram.tar.gz");
    let mut gz = GzEncoder::new(BufWriter::new(File::create(&path)?), Compression::fast());
    fixtures::write_large_tar(&mut gz, ZEROS, &|| Box::new(io::repeat(0)), &[]);
    gz.finish()?.flush()?;
    Ok(path)
}
