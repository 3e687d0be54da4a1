//! Stable-toolchain fuzzing (no `cargo fuzz`): seeded mutations of real
//! fixtures go through the whole check, bytes in, report out; mutated JSON
//! goes through the metadata decoder. Mutations are applied at every layer
//! (the .tar.gz, the outer tar before gzip, the image archive inside, the
//! zip, metadata.json), so the tar and JSON code is reached past the gzip
//! CRC.
//!
//! - `RAMCHECK_FUZZ_CASES=N` sets the length of a run (default short for CI;
//!   `RAMCHECK_FUZZ_CASES=100000 cargo test --release --test suite fuzz::` runs long).
//! - `RAMCHECK_FUZZ_SEED=S` starts another sequence.
//! - A failing case prints its seed; `RAMCHECK_FUZZ_REPLAY=SEED` runs it alone.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::fixtures::mutate::{case_seed, mutate_bytes, mutate_tar, well_formed, Rng};
use crate::fixtures::{gzip, null_manifest_archive, Package, Shape};
use ramcheck::facts::metadata;
use ramcheck::limits;
use ramcheck::Options;

/// A case slower than this is reported as a hang (the fixtures are small:
/// a normal case takes milliseconds).
const CASE_LIMIT: Duration = Duration::from_secs(5);
/// Past this the watchdog gives up on the case and aborts the run, naming it.
const WATCHDOG: Duration = Duration::from_secs(60);

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| v.parse().unwrap_or_else(|_| panic!("{name} must be a number")))
}

/// The case seeds of this run.
fn seeds(default_cases: u64) -> Vec<u64> {
    if let Some(seed) = env_u64("RAMCHECK_FUZZ_REPLAY") {
        return vec![seed];
    }
    let base = env_u64("RAMCHECK_FUZZ_SEED").unwrap_or(0x7261_6d63_6865_636b);
    let cases = env_u64("RAMCHECK_FUZZ_CASES").unwrap_or(default_cases);
    (0..cases).map(|i| case_seed(base, i)).collect()
}

/// Runs `cases` with a watchdog, catching panics; returns the failures.
fn run(seeds: &[u64], mut case: impl FnMut(u64) -> Result<(), String>) -> Vec<String> {
    let current: Arc<Mutex<Option<(u64, Instant)>>> = Arc::default();
    let watched = Arc::clone(&current);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        if let Some((seed, since)) = *watched.lock().unwrap() {
            if since.elapsed() > WATCHDOG {
                eprintln!("fuzz: case {seed} runs for more than {WATCHDOG:?}: replay with RAMCHECK_FUZZ_REPLAY={seed}");
                std::process::abort();
            }
        }
    });
    let mut failures = Vec::new();
    for &seed in seeds {
        *current.lock().unwrap() = Some((seed, Instant::now()));
        let started = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| case(seed)));
        let failure = match outcome {
            Err(p) => Some(format!("panic: {}", panic_text(&p))),
            Ok(Err(e)) => Some(e),
            Ok(Ok(())) if started.elapsed() > CASE_LIMIT => Some(format!("took {:?}", started.elapsed())),
            Ok(Ok(())) => None,
        };
        if let Some(f) = failure {
            failures.push(format!("RAMCHECK_FUZZ_REPLAY={seed}: {f}"));
        }
    }
    *current.lock().unwrap() = None;
    failures
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

/// A fixture to mutate, with its layers at hand.
struct Base {
    package: Package,
    /// The image archive inside, mutated before packing.
    inner: String,
    tar: Vec<u8>,
    gz: Vec<u8>,
    zip: Vec<u8>,
}

fn corpus() -> Vec<Base> {
    let with_plugin =
        Package::valid("app", "1.0", 1, 0, Shape::Docker24).with_file("plugin-images.tar", null_manifest_archive().go_bytes());
    [
        Package::valid("app", "1.0", 1, 0, Shape::Docker24),
        Package::valid("app", "1.0", 1, 1, Shape::Docker25),
        Package::valid("app", "1.0", 1, 0, Shape::Containerd),
        with_plugin,
    ]
    .into_iter()
    .map(|package| {
        let tar = package.tar_bytes();
        Base { inner: package.path("component-images.tar"), gz: gzip(&tar), zip: package.zip(), tar, package }
    })
    .collect()
}

/// Mutates a tar: header edits (to reach the code past the checksum) or
/// plain byte damage.
fn mutate_some_tar(rng: &mut Rng, tar: &mut Vec<u8>, donor: &[u8]) {
    for _ in 0..rng.range(1, 4) {
        if rng.chance(60) {
            mutate_tar(rng, tar);
        } else {
            mutate_bytes(rng, tar, donor);
        }
    }
}

/// One package case: (upload name, bytes, --deep).
fn package_case(corpus: &[Base], seed: u64) -> (String, Vec<u8>, bool) {
    let mut rng = Rng::new(seed);
    let base = rng.pick(corpus);
    let donor = &rng.pick(corpus).tar;
    let name = base.package.file_name();
    let deep = rng.chance(20);
    let bytes = match rng.below(6) {
        0 => {
            let mut gz = base.gz.clone();
            for _ in 0..rng.range(1, 4) {
                mutate_bytes(&mut rng, &mut gz, donor);
            }
            gz
        }
        1 => {
            let mut tar = base.tar.clone();
            mutate_some_tar(&mut rng, &mut tar, donor);
            gzip(&tar)
        }
        2 | 3 => {
            let mut inner = base.package.tar.get(&base.inner).unwrap().to_vec();
            mutate_some_tar(&mut rng, &mut inner, donor);
            let mut p = base.package.clone();
            p.tar = p.tar.replace(&base.inner, inner);
            p.tar_gz()
        }
        4 => {
            let mut zip = base.zip.clone();
            for _ in 0..rng.range(1, 4) {
                mutate_bytes(&mut rng, &mut zip, donor);
            }
            return (name.replace(".tar.gz", ".zip"), zip, deep);
        }
        _ => {
            let mut meta = base.package.tar.get(&base.package.path("metadata.json")).unwrap().to_vec();
            mutate_json(&mut rng, &mut meta);
            base.package.clone().metadata_bytes(meta).tar_gz()
        }
    };
    (name, bytes, deep)
}

#[test]
fn fuzz_packages() {
    let corpus = corpus();
    let failures = run(&seeds(1500), |seed| {
        let (name, bytes, deep) = package_case(&corpus, seed);
        let report = ramcheck::check(&bytes, &name, &Options { deep }, None);
        well_formed(&report)
    });
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

// ---- metadata.json --------------------------------------------------------

/// Tokens that stress a JSON decoder and the importer's types.
const TOKENS: &[&str] = &[
    "null",
    "true",
    "0",
    "-0",
    "1e400",
    "-1",
    "4294967296",
    "18446744073709551616",
    "0.5",
    "\"\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\udfff\\ud800\"",
    "{}",
    "[]",
    "[null]",
    "{\"apps\":null}",
    "\"apps\"",
    "\"share_image\"",
    "\"memory\"",
    "\"service_key\"",
    ":",
    ",",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "\\",
    "{\"vm\":{\"disk_layout\":[null]}}",
    "\"k8s_resources\"",
    "\u{feff}",
    "\"a\":1,\"a\":2",
];

fn mutate_json(rng: &mut Rng, text: &mut Vec<u8>) {
    for _ in 0..rng.range(1, 4) {
        let at = rng.below(text.len() + 1);
        match rng.below(5) {
            0 => mutate_bytes(rng, text, b"{\"apps\":[{\"memory\":512,\"labels\":{\"a\":\"b\"}}]}"),
            1 | 2 => {
                let token = rng.pick(TOKENS).as_bytes().to_vec();
                text.splice(at..at, token);
            }
            3 => {
                // Deep nesting, balanced or not, up to Go's own limit and past it.
                let depth = *rng.pick(&[100, 127, 128, 129, 1000, 10_000, 20_000]);
                let (open, close): (&[u8], &[u8]) = *rng.pick(&[(&b"["[..], &b"]"[..]), (b"{\"a\":", b"}"), (b"{\"apps\":[", b"]}")]);
                let mut nest = open.repeat(depth);
                if rng.chance(50) {
                    nest.extend(close.repeat(depth));
                }
                text.splice(at..at, nest);
            }
            _ => {
                let from = rng.below(text.len() + 1);
                let end = (from + rng.range(1, 2000)).min(text.len());
                let chunk = text[from..end].to_vec();
                text.splice(at..at, chunk);
            }
        }
    }
}

fn metadata_bases() -> Vec<Vec<u8>> {
    let t = crate::fixtures::template("app", "1.0", 3, 1);
    vec![
        serde_json::to_vec_pretty(&t).unwrap(),
        serde_json::to_vec(&t).unwrap(),
        br#"{"apps":[{"memory":"512","cpu":0.5,"labels":{"a":1}}],"plugins":[null]}"#.to_vec(),
        b"null".to_vec(),
    ]
}

#[test]
fn fuzz_metadata_decoder() {
    let bases = metadata_bases();
    let failures = run(&seeds(3000), |seed| {
        let mut rng = Rng::new(seed);
        let mut text = rng.pick(&bases).clone();
        mutate_json(&mut rng, &mut text);
        if let Ok(v) = metadata::parse(&text) {
            let (errors, count) = metadata::type_errors(&v);
            if errors.len() > limits::MAX_TYPE_ERRORS || count < errors.len() {
                return Err(format!("type_errors returned {} of {count}", errors.len()));
            }
        }
        if metadata::duplicate_keys(&text, 20).len() > 20 {
            return Err("duplicate_keys ignores its limit".into());
        }
        // Some cases go through the whole check, for the MET rules.
        if rng.chance(5) {
            let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24).metadata_bytes(text);
            well_formed(&ramcheck::check(&p.tar_gz(), &p.file_name(), &Options { deep: false }, None))?;
        }
        Ok(())
    });
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

// ---- what the fuzzer found ------------------------------------------------
//
// Each crash the fuzzer found, rebuilt by hand so that it stays covered when
// the mutations change.

use crate::fixtures::mutate::{base256, fix_checksum, header_offsets};
use crate::fixtures::Tar;

fn check_bytes(bytes: &[u8], name: &str) -> ramcheck::Report {
    let report = ramcheck::check(&bytes.to_vec(), name, &Options { deep: false }, None);
    well_formed(&report).unwrap();
    report
}

fn codes(r: &ramcheck::Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Sets the size field of the member at header `at` and fixes the checksum.
fn set_size(tar: &mut [u8], at: usize, size: u64) {
    tar[at + 124..at + 136].copy_from_slice(&base256(size));
    fix_checksum(tar, at);
}

#[test]
fn regression_a_size_near_u64_max_is_a_cut_member_not_an_overflow() {
    // Found as "attempt to add with overflow" in TarWalker::skip_rest: the
    // size plus its padding wrapped.
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24);
    let mut tar = p.tar_bytes();
    let metadata = header_offsets(&tar)[1];
    set_size(&mut tar, metadata, u64::MAX - 100);
    let r = check_bytes(&gzip(&tar), &p.file_name());
    // Damage, not a metadata.json of 18 EB.
    assert_eq!(codes(&r), vec!["PKG003"], "{:#?}", r.findings);
    assert!(r.findings[0].message.contains("cut short"), "{}", r.findings[0].message);
    assert_eq!(r.findings[0].location, p.path("metadata.json"));
}

#[test]
fn regression_a_damaged_zip_member_without_a_name_is_located_at_the_file() {
    // Found as a PKG003 finding with an empty location.
    let mut zip = crate::fixtures::zip_of(&Tar::new().file("", vec![b'x'; 50_000]));
    let middle = zip.len() / 2;
    zip[middle - 20..middle + 20].fill(0xff);
    let r = check_bytes(&zip, "app-1.0-ram.zip");
    let damage = r.findings.iter().find(|f| f.code == "PKG003").expect("PKG003");
    assert_eq!(damage.location, "app-1.0-ram.zip");
}

#[test]
fn regression_layer_sizes_from_crafted_headers_do_not_overflow() {
    // Found by review next to the first one: an image's size summed the sizes
    // of its layers, which a crafted header sets near u64::MAX.
    let manifest = br#"[{"Config":"c.json","RepoTags":["app:1"],"Layers":["big.tar","big.tar"]}]"#;
    let config = br#"{"os":"linux","architecture":"amd64","rootfs":{"diff_ids":["sha256:a","sha256:a"]}}"#;
    let mut inner =
        Tar::new().file("manifest.json", manifest.to_vec()).file("c.json", config.to_vec()).file("big.tar", vec![0u8; 1024]).go_bytes();
    let big = *header_offsets(&inner).last().unwrap();
    set_size(&mut inner, big, u64::MAX / 2 + 1);
    inner.truncate(big + 512 + 1024);
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24).with_file("extra.tar", inner);
    let r = check_bytes(&p.tar_gz(), &p.file_name());
    assert!(codes(&r).contains(&"IMG007"), "{:#?}", r.findings);
}
