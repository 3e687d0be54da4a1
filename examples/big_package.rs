//! Writes a large package that needs a repair, streamed to disk so that its
//! size does not matter: one image whose layer holds SIZE_MB of random
//! (incompressible, so the file is as large as its content) or zero bytes,
//! an empty plugin-images.tar (IMG001) and bytes after the gzip stream
//! (PKG004). For `bench/repair-memory`:
//! `cargo run --release --example big_package -- OUT SIZE_MB [random|zeros]`.

#![recursion_limit = "256"]

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::json;
use sha2::{Digest, Sha256};

const TOP: &str = "big-1.0-ram";

/// A deterministic stream of incompressible bytes (xorshift64).
struct Noise(u64);

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            chunk.copy_from_slice(&self.0.to_le_bytes()[..chunk.len()]);
        }
        Ok(buf.len())
    }
}

fn header(path: &str, size: u64, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).unwrap();
    h.set_size(size);
    h.set_mode(if kind == tar::EntryType::Directory { 0o755 } else { 0o644 });
    h.set_mtime(fixtures::MTIME);
    h.set_entry_type(kind);
    h.set_cksum();
    h
}

fn padding(size: u64) -> Vec<u8> {
    vec![0; ((512 - size % 512) % 512) as usize]
}

/// A whole member: header, data, padding.
fn member(w: &mut impl Write, path: &str, data: &mut dyn Read, size: u64) -> io::Result<()> {
    w.write_all(header(path, size, tar::EntryType::Regular).as_bytes())?;
    assert_eq!(io::copy(&mut data.take(size), w)?, size);
    w.write_all(&padding(size))
}

/// The layer: a tar of one file of `size` bytes of `content`.
fn layer(w: &mut impl Write, content: &mut dyn Read, size: u64) -> io::Result<()> {
    member(w, "data/blob.bin", content, size)?;
    w.write_all(&[0; 1024])
}

struct Hasher(Sha256);
impl Write for Hasher {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.update(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(mb)) = (args.get(1), args.get(2).and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: big_package OUT SIZE_MB [random|zeros]");
        std::process::exit(2);
    };
    let random = args.get(3).is_none_or(|c| c == "random");
    let size = mb << 20;
    let content = || -> Box<dyn Read> {
        if random {
            Box::new(Noise(0x9e37_79b9_7f4a_7c15))
        } else {
            Box::new(io::repeat(0))
        }
    };

    let mut hasher = Hasher(Sha256::new());
    layer(&mut hasher, &mut content(), size)?;
    let diff_id: String = hasher.0.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let layer_len = 512 + size.div_ceil(512) * 512 + 1024;
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": [format!("sha256:{diff_id}")] },
    }))
    .unwrap();
    let config_name = format!("{}.json", fixtures::sha256_hex(&config));
    let layer_path = format!("{diff_id}/layer.tar");
    let image = fixtures::component_image("big", "1.0", 0);
    let manifest = serde_json::to_vec(&json!([{ "Config": config_name, "RepoTags": [image], "Layers": [layer_path] }])).unwrap();
    let small = |n: usize| 512 + (n as u64).div_ceil(512) * 512;
    let archive_len = 512 + layer_len.div_ceil(512) * 512 + small(config.len()) + small(manifest.len()) + 1024;
    let metadata = serde_json::to_vec_pretty(&fixtures::template("big", "1.0", 1, 0)).unwrap();
    let plugins = fixtures::null_manifest_archive().go_bytes();

    let mut file = BufWriter::new(File::create(out)?);
    let mut gz = GzEncoder::new(&mut file, Compression::fast());
    gz.write_all(header(&format!("{TOP}/"), 0, tar::EntryType::Directory).as_bytes())?;
    member(&mut gz, &format!("{TOP}/metadata.json"), &mut metadata.as_slice(), metadata.len() as u64)?;
    // component-images.tar, written member by member inside the outer member.
    gz.write_all(header(&format!("{TOP}/component-images.tar"), archive_len, tar::EntryType::Regular).as_bytes())?;
    gz.write_all(header(&layer_path, layer_len, tar::EntryType::Regular).as_bytes())?;
    layer(&mut gz, &mut content(), size)?;
    gz.write_all(&padding(layer_len))?;
    member(&mut gz, &config_name, &mut config.as_slice(), config.len() as u64)?;
    member(&mut gz, "manifest.json", &mut manifest.as_slice(), manifest.len() as u64)?;
    gz.write_all(&[0; 1024])?;
    gz.write_all(&padding(archive_len))?;
    member(&mut gz, &format!("{TOP}/plugin-images.tar"), &mut plugins.as_slice(), plugins.len() as u64)?;
    gz.write_all(&[0; 1024])?;
    gz.finish()?;
    file.write_all(b"COPY-OF-A-BACKUP")?;
    file.flush()
}
