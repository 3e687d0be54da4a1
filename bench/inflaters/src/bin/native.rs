//! `native FILE`: each inflater over FILE's first gzip member, read in 1 MiB
//! pieces; prints `name<TAB>seconds<TAB>bytes out` per inflater.
use std::io::Read;
use std::time::Instant;

use inflaters::{deflate_start, Inflater, NAMES};

fn main() {
    let path = std::env::args().nth(1).expect("usage: native FILE");
    for (which, name) in NAMES.iter().enumerate() {
        let mut file = std::fs::File::open(&path).expect("the file");
        let mut piece = vec![0u8; 1 << 20];
        let mut inflater = Inflater::new(which);
        let mut first = true;
        let mut seconds = 0.0;
        while !inflater.done {
            let n = file.read(&mut piece).expect("a read");
            if n == 0 {
                break;
            }
            let skip = if first { deflate_start(&piece[..n]) } else { 0 };
            first = false;
            let started = Instant::now();
            inflater.feed(&piece[skip..n]);
            seconds += started.elapsed().as_secs_f64();
        }
        println!("{name}\t{seconds:.3}\t{}", inflater.inflated);
    }
}
