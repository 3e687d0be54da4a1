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

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(mb)) = (args.get(1), args.get(2).and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: big_package OUT SIZE_MB [random|zeros]");
        std::process::exit(2);
    };
    let random = args.get(3).is_none_or(|c| c == "random");
    let fill = move || -> Box<dyn Read> {
        if random {
            Box::new(fixtures::Noise(0x9e37_79b9_7f4a_7c15))
        } else {
            Box::new(io::repeat(0))
        }
    };
    let plugins = fixtures::null_manifest_archive().go_bytes();
    let mut file = BufWriter::new(File::create(out)?);
    let mut gz = GzEncoder::new(&mut file, Compression::fast());
    fixtures::write_large_tar(&mut gz, mb << 20, &fill, &[("plugin-images.tar", &plugins)]);
    gz.finish()?;
    file.write_all(b"COPY-OF-A-BACKUP")?;
    file.flush()
}
