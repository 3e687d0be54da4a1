//! The gzip layer as the browser runs it: the file read in pieces of whatever
//! size comes ([`Pieces`]), inflated on one thread, its fills sent as JSON to
//! another thread that walks them (the two workers of `wasm/src/jobs.rs`).
//! Every package, whole or damaged, must get the same report as the
//! one-thread check of the file.

use std::cell::RefCell;
use std::io;
use std::sync::mpsc;

use crate::fixtures::{gzip, Package, Shape};
use ramcheck::stream::{fill, Fill, GzipStream, SourceReader, FILL_BUFFER, WINDOW};
use ramcheck::{ByteSource, Options, Report};

/// A deterministic generator of piece sizes (1 byte to 1 MiB, small ones often).
struct Sizes(u64);

impl Sizes {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        match self.0 % 4 {
            0 => 1 + (self.0 >> 8) as usize % 16,
            1 => 1 + (self.0 >> 8) as usize % 4096,
            _ => 1 + (self.0 >> 8) as usize % (1 << 20),
        }
    }
}

/// `bytes`, each read of which gives fewer bytes than asked for, as often as not.
struct Pieces<'a> {
    bytes: &'a [u8],
    sizes: RefCell<Sizes>,
}

impl ByteSource for Pieces<'_> {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let at = (offset as usize).min(self.bytes.len());
        let n = self.sizes.borrow_mut().next().min(buf.len()).min(self.bytes.len() - at);
        buf[..n].copy_from_slice(&self.bytes[at..at + n]);
        Ok(n)
    }
}

/// The check with the gzip layer on its own thread, fed `bytes` in pieces.
fn piped(bytes: &[u8], name: &str, seed: u64) -> Report {
    let (fills, received) = mpsc::sync_channel::<(Vec<u8>, String)>(8);
    let options = Options { deep: false };
    std::thread::scope(|threads| {
        threads.spawn(move || {
            let source = Pieces { bytes, sizes: RefCell::new(Sizes(seed)) };
            let mut gz = GzipStream::new(SourceReader::new(&source, None));
            let mut buf = vec![0; FILL_BUFFER];
            loop {
                let f = fill(&mut gz, &mut buf);
                let sent = fills.send((buf[WINDOW..][..f.len].to_vec(), serde_json::to_string(&f).unwrap()));
                if f.last || sent.is_err() {
                    return;
                }
            }
        });
        let mut refill = |buf: &mut [u8]| -> Fill {
            let (bytes, json) = received.recv().expect("the inflater ended early");
            buf[WINDOW..][..bytes.len()].copy_from_slice(&bytes);
            serde_json::from_str(&json).unwrap()
        };
        let report = ramcheck::stream::check_with(&bytes.to_vec(), name, &options, &mut refill);
        drop(received); // the inflater may still be sending: let it stop
        report
    })
}

fn same_report(bytes: &[u8], name: &str) {
    let here = ramcheck::check(&bytes.to_vec(), name, &Options { deep: false }, None);
    for seed in [1, 2, 3] {
        let there = piped(bytes, name, seed);
        assert_eq!(serde_json::to_value(&there).unwrap(), serde_json::to_value(&here).unwrap(), "{name}, seed {seed}");
    }
}

fn package() -> Package {
    Package::valid("app", "1.0", 3, 1, Shape::Docker25)
}

#[test]
fn a_valid_package_and_a_cut_one() {
    let gz = package().tar_gz();
    same_report(&gz, "app-1.0-ram.tar.gz");
    same_report(&gz[..gz.len() / 2], "app-1.0-ram.tar.gz");
    same_report(&gz[..gz.len() - 4], "app-1.0-ram.tar.gz");
}

#[test]
fn members_and_what_follows_them() {
    let tar = package().tar_bytes();
    let (a, b) = tar.split_at(tar.len() / 3);
    let mut two = gzip(a);
    two.extend(gzip(b));
    same_report(&two, "app-1.0-ram.tar.gz");
    let mut trailing = package().tar_gz();
    trailing.extend_from_slice(b"BACKUP-COPY-2024");
    same_report(&trailing, "app-1.0-ram.tar.gz");
    let mut zeros = package().tar_gz();
    zeros.extend_from_slice(&[0; 5000]);
    same_report(&zeros, "app-1.0-ram.tar.gz");
}

#[test]
fn damaged_checksums_and_deflate_data() {
    let gz = package().tar_gz();
    let mut crc = gz.clone();
    let at = crc.len() - 8;
    crc[at] ^= 0x55;
    let r = ramcheck::check(&crc, "app-1.0-ram.tar.gz", &Options { deep: false }, None);
    assert!(r.findings[0].message.contains("matching checksum"), "{}", r.findings[0].message);
    same_report(&crc, "app-1.0-ram.tar.gz");
    let mut size = gz.clone();
    let at = size.len() - 1;
    size[at] ^= 0x01;
    same_report(&size, "app-1.0-ram.tar.gz");
    let mut body = gz.clone();
    for b in &mut body[gz.len() / 2..gz.len() / 2 + 64] {
        *b = !*b;
    }
    same_report(&body, "app-1.0-ram.tar.gz");
}

#[test]
fn every_optional_gzip_header_field() {
    let tar = package().tar_bytes();
    let mut e = flate2::GzBuilder::new()
        .filename("app-1.0-ram.tar")
        .comment("exported by Rainbond")
        .extra(vec![1, 2, 3, 4])
        .write(Vec::new(), flate2::Compression::new(6));
    io::Write::write_all(&mut e, &tar).unwrap();
    let mut gz = e.finish().unwrap();
    // FHCRC: a crc16 of the header, which flate2 does not write.
    let header_end = 10 + 2 + 4 + "app-1.0-ram.tar\0".len() + "exported by Rainbond\0".len();
    let crc16 = (crc32(&{
        let mut h = gz[..header_end].to_vec();
        h[3] |= 0x02;
        h
    }) & 0xffff) as u16;
    gz[3] |= 0x02;
    gz.splice(header_end..header_end, crc16.to_le_bytes());
    let r = ramcheck::check(&gz, "app-1.0-ram.tar.gz", &Options { deep: false }, None);
    assert_eq!(r.verdict, ramcheck::Verdict::Pass, "{:?}", r.findings);
    same_report(&gz, "app-1.0-ram.tar.gz");
    gz[header_end] ^= 1;
    let r = ramcheck::check(&gz, "app-1.0-ram.tar.gz", &Options { deep: false }, None);
    assert!(r.findings[0].message.contains("matching checksum"), "{}", r.findings[0].message);
    same_report(&gz, "app-1.0-ram.tar.gz");
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}
