//! gzip's crc32 of each member's inflated bytes, as [`Crc32`] computes it:
//! zlib-rs's natively (PCLMULQDQ), and in wasm a method without tables
//! ([`sparse_crc32`]).
//!
//! Why a second method: wasm has no carry-less multiply, so zlib-rs falls
//! back to tables there (its braid), at about 2 GB/s. In the browser the
//! checksum runs on the checker worker beside the inflater, and on a 2-core
//! machine every second of it is taken from the inflater too (a check of
//! the 745 MB benchmark package took 0.4-1.7 s less without it). The method
//! here runs at about twice that speed in wasm, with plain 64-bit XORs.
//!
//! It rests on one identity of polynomials over GF(2). gzip's generator P
//! (0x1_04C1_1DB7) divides
//!
//! Q(x) = y^3006 + y^2866 + y^2215 + 1, where y = x^64,
//!
//! found by a birthday search over sums of two powers of y (the smallest
//! such multiple of four terms). So a 64-bit word that stands 3006 words
//! or more before the end of a buffer leaves the crc unchanged if it is
//! removed and XORed instead into the words 140, 791 and 3006 places after
//! it. Done from the first word on, the buffer reduces to its last 3006
//! words, whose crc zlib-rs takes: the bytes do not matter to the identity
//! (their bit order within a word included), only their distances. The
//! tests compare both methods on every length class.

use zlib_rs::crc32::crc32 as table_crc32;

/// Words of the buffer's end that the reduction leaves (Q's degree in y).
const SPAN: usize = 3006;
/// How far after it a removed word is XORed to (Q's degree minus each of
/// its other exponents: 3006 − 2866, 3006 − 2215, 3006 − 0).
const TAPS: [usize; 3] = [140, 791, 3006];
/// Words reduced per pass: fewer than the nearest tap, so that every word a
/// pass reads was finished by an earlier one.
const BLOCK: usize = 128;

/// A running crc32 (gzip's, as `crc32` of zlib and of zlib-rs).
#[derive(Debug, Default)]
pub struct Crc32 {
    value: u32,
    /// The words of the last buffer, reduced: as large as the largest
    /// buffer given (a fill, 1 MiB).
    #[cfg(target_arch = "wasm32")]
    words: Vec<u64>,
}

impl Crc32 {
    pub fn update(&mut self, bytes: &[u8]) {
        #[cfg(target_arch = "wasm32")]
        {
            self.value = sparse_crc32(self.value, bytes, &mut self.words);
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.value = table_crc32(self.value, bytes);
        }
    }

    pub fn value(&self) -> u32 {
        self.value
    }

    pub fn reset(&mut self) {
        self.value = 0;
    }
}

/// `crc32(crc, buf)` by the reduction above; `words` is its scratch space.
/// Buffers too short to reduce go to the tables. (Natively only the tests
/// call it.)
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn sparse_crc32(crc: u32, buf: &[u8], words: &mut Vec<u64>) -> u32 {
    let n = buf.len() / 8;
    if n < 2 * SPAN {
        return table_crc32(crc, buf);
    }
    let (bytes, rest) = buf.split_at(n * 8);
    // Words before this one are removed; the rest are the reduced buffer.
    let kept = n - SPAN;
    let word = |j: usize| {
        let w = u64::from_le_bytes(bytes[j * 8..][..8].try_into().expect("8 bytes"));
        // The running crc enters as the register's start: XORed into the first 4 bytes.
        if j == 0 {
            w ^ u64::from(!crc)
        } else {
            w
        }
    };
    // Every word is written before it is read: the space is only grown.
    if words.len() < n {
        words.resize(n, 0);
    }
    let words = &mut words[..n];
    let mut at = 0;
    while at < n {
        let end = (at + BLOCK).min(n);
        let (done, block) = words.split_at_mut(at);
        let block = &mut block[..end - at];
        let [near, middle, far] = TAPS;
        if at >= far && end - near <= kept {
            // Every word of the block takes all three taps (most of a buffer).
            let fresh = bytes[at * 8..end * 8].chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")));
            for ((((w, b), x), y), z) in
                block.iter_mut().zip(fresh).zip(&done[at - near..]).zip(&done[at - middle..]).zip(&done[at - far..])
            {
                *w = b ^ x ^ y ^ z;
            }
        } else {
            for (i, w) in block.iter_mut().enumerate() {
                let j = at + i;
                *w = TAPS.iter().filter(|&&d| j >= d && j - d < kept).fold(word(j), |acc, &d| acc ^ done[j - d]);
            }
        }
        at = end;
    }
    let mut reduced = Vec::with_capacity(SPAN * 8);
    for w in &words[kept..] {
        reduced.extend_from_slice(&w.to_le_bytes());
    }
    table_crc32(table_crc32(!0, &reduced), rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn the_reduction_gives_the_tables_crc_for_every_length_class() {
        let data = bytes((1 << 20) + 64, 7);
        let mut words = Vec::new();
        // Short (tables), at the reduction's threshold, with and without a
        // tail of odd bytes, unaligned, and a fill's size; then shrinking,
        // as the scratch space keeps the words of longer buffers.
        let lengths = [0, 1, 7, 8, 2 * SPAN * 8 - 1, 2 * SPAN * 8, 2 * SPAN * 8 + 5, 3 * SPAN * 8 + 3, 200_003, 1 << 20];
        for &len in lengths.iter().chain(lengths.iter().rev()) {
            for offset in [0, 3] {
                for start in [0, 1, 0xdead_beef, u32::MAX] {
                    let buf = &data[offset..offset + len];
                    assert_eq!(
                        sparse_crc32(start, buf, &mut words),
                        table_crc32(start, buf),
                        "length {len}, offset {offset}, start {start:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_changed_bit_anywhere_changes_the_crc() {
        let mut data = bytes(100_000, 9);
        let mut words = Vec::new();
        let whole = sparse_crc32(0, &data, &mut words);
        for at in [0, 1, 8 * 140, 8 * 791 + 3, 8 * 3006, 50_000, 99_999] {
            data[at] ^= 0x10;
            assert_ne!(sparse_crc32(0, &data, &mut words), whole, "bit flipped at {at}");
            assert_eq!(sparse_crc32(0, &data, &mut words), table_crc32(0, &data), "bit flipped at {at}");
            data[at] ^= 0x10;
        }
    }

    #[test]
    fn the_running_crc_chains_across_buffers() {
        let data = bytes(300_000, 11);
        let mut words = Vec::new();
        let mut running = 0;
        for part in data.chunks(70_001) {
            running = sparse_crc32(running, part, &mut words);
        }
        assert_eq!(running, table_crc32(0, &data));
        let mut crc = Crc32::default();
        data.chunks(65_536).for_each(|part| crc.update(part));
        assert_eq!(crc.value(), table_crc32(0, &data));
    }
}
