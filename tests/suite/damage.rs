//! The damage corpus: hundreds of seeded damaged variants of real fixtures,
//! the way cut copies, bad sectors and careless repacks leave packages. Each
//! must yield a well-formed report in a few seconds, and the damage must be
//! reported by the rule the spec gives it. A sample goes through the
//! command-line binary: exit 0 or 1 (never 2 for a readable file), JSON out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::fixtures::mutate::{case_seed, damage_field, header_offsets, well_formed, Field, Rng, FIELDS};
use crate::fixtures::{gzip, Package, Shape};
use ramcheck::{Options, Report};

/// Variants made per kind of damage.
const PER_KIND: u64 = 32;
/// One variant in this many also goes through the binary.
const CLI_SAMPLE: u64 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The .tar.gz cut at a random point (an interrupted copy).
    CutGzip,
    /// Bytes of the deflate data changed (bad sectors).
    FlippedGzip,
    /// The CRC or length in the gzip trailer wrong.
    GzipTrailer,
    /// Other data after the gzip stream (`cat a b`).
    Appended,
    /// A tar header field of the outer tar changed, its checksum stale.
    OuterHeader,
    /// The outer tar cut inside a member, then compressed again.
    CutOuterTar,
    /// An image archive cut inside a member, the package made again.
    CutImageArchive,
    /// A header field of an image archive changed, its checksum stale.
    ImageArchiveHeader,
    /// A .zip upload cut before its central directory.
    CutZip,
    /// A .zip upload with a damaged central directory signature.
    ZipDirectory,
}

const KINDS: [Kind; 10] = [
    Kind::CutGzip,
    Kind::FlippedGzip,
    Kind::GzipTrailer,
    Kind::Appended,
    Kind::OuterHeader,
    Kind::CutOuterTar,
    Kind::CutImageArchive,
    Kind::ImageArchiveHeader,
    Kind::CutZip,
    Kind::ZipDirectory,
];

struct Base {
    package: Package,
    tar: Vec<u8>,
    gz: Vec<u8>,
    zip: Vec<u8>,
}

fn bases() -> Vec<Base> {
    [Shape::Docker24, Shape::Docker25, Shape::Containerd]
        .into_iter()
        .map(|shape| {
            let package = Package::valid("app", "1.0", 1, 1, shape);
            let tar = package.tar_bytes();
            Base { gz: gzip(&tar), zip: package.zip(), tar, package }
        })
        .collect()
}

/// A position in `lo..hi` that is not on a 512-byte block boundary, so that a
/// cut there is inside a header or a member's data.
fn unaligned(rng: &mut Rng, lo: usize, hi: usize) -> usize {
    loop {
        let at = rng.range(lo, hi);
        if at % 512 != 0 {
            return at;
        }
    }
}

/// End of the last member's data in a tar (the zero padding follows).
fn data_end(tar: &[u8]) -> usize {
    let last = *header_offsets(tar).last().unwrap();
    let size = tar::Header::from_byte_slice(&tar[last..last + 512]).entry_size().unwrap() as usize;
    last + 512 + size
}

/// One damaged variant: (upload name, bytes, the rules that may report it).
fn variant(kind: Kind, base: &Base, rng: &mut Rng) -> (String, Vec<u8>, &'static [&'static str]) {
    let name = base.package.file_name();
    let gz = &base.gz;
    match kind {
        Kind::CutGzip => (name, gz[..rng.range(20, gz.len() - 1)].to_vec(), &["PKG003"]),
        Kind::FlippedGzip => {
            let mut d = gz.clone();
            let at = rng.range(10, gz.len() - 9);
            d[at] ^= rng.range(1, 256) as u8;
            (name, d, &["PKG003"])
        }
        Kind::GzipTrailer => {
            let mut d = gz.clone();
            let at = gz.len() - 1 - rng.below(8);
            d[at] ^= rng.range(1, 256) as u8;
            (name, d, &["PKG003"])
        }
        Kind::Appended => {
            let mut d = gz.clone();
            let n = rng.range(1, 5000);
            let mut garbage = rng.bytes(n);
            garbage[0] = rng.range(0x20, 0x7f) as u8; // neither zero padding nor another gzip member
            d.extend(garbage);
            (name, d, &["PKG004"])
        }
        Kind::OuterHeader => {
            let mut tar = base.tar.clone();
            let headers = header_offsets(&tar);
            let at = *rng.pick(&headers);
            damage_header(rng, &mut tar, at);
            // The first header is also how a tar is recognised: damaged, the
            // stream no longer looks like one (PKG008).
            let expected: &[&str] = if at == 0 { &["PKG003", "PKG008"] } else { &["PKG003"] };
            (name, gzip(&tar), expected)
        }
        Kind::CutOuterTar => {
            let cut = unaligned(rng, 512, data_end(&base.tar));
            (name, gzip(&base.tar[..cut]), &["PKG003"])
        }
        Kind::CutImageArchive | Kind::ImageArchiveHeader => {
            let archive = ["component-images.tar", "plugin-images.tar"][rng.below(2)];
            let path = base.package.path(archive);
            let mut inner = base.package.tar.get(&path).unwrap().to_vec();
            if kind == Kind::CutImageArchive {
                inner.truncate(unaligned(rng, 512, data_end(&inner)));
            } else {
                let headers = header_offsets(&inner);
                let at = headers[rng.range(1, headers.len())];
                damage_header(rng, &mut inner, at);
            }
            let mut p = base.package.clone();
            p.tar = p.tar.replace(&path, inner);
            (name, p.tar_gz(), &["IMG007"])
        }
        Kind::CutZip => {
            let zip = &base.zip;
            (name.replace(".tar.gz", ".zip"), zip[..rng.range(30, zip.len() - 1)].to_vec(), &["PKG003"])
        }
        Kind::ZipDirectory => {
            let mut zip = base.zip.clone();
            let signatures: Vec<usize> =
                zip.windows(4).enumerate().filter(|(_, w)| *w == b"PK\x01\x02" || *w == b"PK\x05\x06").map(|(i, _)| i).collect();
            let at = *rng.pick(&signatures) + rng.below(4);
            zip[at] ^= rng.range(1, 256) as u8;
            (name.replace(".tar.gz", ".zip"), zip, &["PKG003"])
        }
    }
}

/// Damages one header field as a bad sector would, so that its checksum no
/// longer matches. A checksum digit becomes a non-octal one: a changed NUL
/// or leading zero would still read as the same number.
fn damage_header(rng: &mut Rng, tar: &mut [u8], at: usize) {
    match *rng.pick(&FIELDS) {
        Field::Checksum => tar[at + rng.range(148, 154)] = b'9',
        field => damage_field(rng, tar, at, field),
    }
}

fn cli_check(dir: &Path, i: u64, name: &str, bytes: &[u8], deep: bool) -> (Option<i32>, serde_json::Value) {
    let path = dir.join(format!("{i}-{name}"));
    std::fs::write(&path, bytes).unwrap();
    let deep = if deep { &["--deep"][..] } else { &[] };
    let o = Command::new(env!("CARGO_BIN_EXE_ramcheck")).args(["--format", "json"]).args(deep).arg(&path).output().unwrap();
    let report = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{name}: the output is not JSON ({e})"));
    (o.status.code(), report)
}

#[test]
fn every_damaged_variant_yields_a_report_naming_the_damage() {
    let bases = bases();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("damage");
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for (k, kind) in KINDS.into_iter().enumerate() {
        for i in 0..PER_KIND {
            let seed = case_seed(k as u64, i);
            let mut rng = Rng::new(seed);
            let base = rng.pick(&bases);
            let (name, bytes, expected) = variant(kind, base, &mut rng);
            count += 1;
            let started = Instant::now();
            let deep = i % 4 == 0;
            let report: Report = ramcheck::check(&bytes, &name, &Options { deep }, None);
            let elapsed = started.elapsed();
            let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
            let mut fail = |what: String| failures.push(format!("{kind:?} seed {seed}: {what}"));
            if let Err(e) = well_formed(&report) {
                fail(e);
            }
            for english in crate::chinese::english_in_chinese(&report) {
                fail(format!("English in Chinese: {english}"));
            }
            if elapsed > Duration::from_secs(3) {
                fail(format!("took {elapsed:?}"));
            }
            if !expected.iter().any(|c| codes.contains(c)) {
                fail(format!("expected one of {expected:?}, got {codes:?}"));
            }
            if i % CLI_SAMPLE == 0 {
                let (status, json) = cli_check(&dir, count, &name, &bytes, deep);
                // Trailing bytes fail only with GNU gzip: a warning (exit 0).
                let want = if kind == Kind::Appended { 0 } else { 1 };
                if status != Some(want) {
                    fail(format!("the binary exited with {status:?}, not {want}"));
                }
                let cli_codes: Vec<&str> = json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
                if cli_codes != codes {
                    fail(format!("the binary reported {cli_codes:?}, the library {codes:?}"));
                }
            }
        }
    }
    assert!(count >= 300, "{count} variants");
    assert!(failures.is_empty(), "{} of {count} variants failed:\n{}", failures.len(), failures.join("\n"));
}
