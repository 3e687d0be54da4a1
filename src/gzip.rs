//! The gzip layer: one or more gzip members, then what follows them.
//!
//! `tar -xzf` runs gzip, which inflates concatenated members as one stream and
//! fails on anything after the last member that is not another member
//! ("trailing garbage ignored", exit 2, which tar turns into a failure).
//! [`GzipStream`] reproduces that and records the trailing bytes instead of
//! failing, so the check can report them (PKG004) and still walk the tar.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

use crate::source::SourceReader;

/// Below this many inflated bytes the bomb guard never fires: real packages
/// and the project's own multi-GB zero-filled test packages stay under it.
pub const BOMB_MIN_INFLATED: u64 = 16 << 30;
/// Past [`BOMB_MIN_INFLATED`], a stream that inflates more than this many
/// times the bytes read is a gzip bomb, not an export: image layers inside a
/// real package are already compressed or compress 2 to 5 times at most.
pub const BOMB_MAX_RATIO: u64 = 200;

/// The decompression bomb guard, with its thresholds as values so that
/// tests can exercise it without inflating 16 GiB.
#[derive(Debug, Clone, Copy)]
pub struct BombGuard {
    pub min_inflated: u64,
    pub max_ratio: u64,
}

impl BombGuard {
    pub const DEFAULT: BombGuard = BombGuard { min_inflated: BOMB_MIN_INFLATED, max_ratio: BOMB_MAX_RATIO };

    /// Whether `inflated` bytes out of `compressed` is a bomb.
    pub fn fires(self, inflated: u64, compressed: u64) -> bool {
        inflated > self.min_inflated && inflated / compressed.max(1) > self.max_ratio
    }
}

/// Reading buffer for the compressed stream: large reads are cheaper per byte
/// (and in the browser each read crosses into JavaScript).
const READ_BUFFER: usize = 1 << 20;

pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What came after the last gzip member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailing {
    /// Offset of the first trailing byte in the file.
    pub offset: u64,
    pub len: u64,
    pub zeros_only: bool,
}

/// The error a [`GzipStream`] returns when the bomb guard fires.
#[derive(Debug)]
pub struct InflateLimit {
    pub inflated: u64,
    pub compressed: u64,
}

impl std::fmt::Display for InflateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "inflated {} bytes from {} compressed bytes", self.inflated, self.compressed)
    }
}
impl std::error::Error for InflateLimit {}

enum State<'a> {
    Member(Box<GzDecoder<BufReader<SourceReader<'a>>>>),
    Done,
}

/// A `Read` over the inflated content of every gzip member in a file.
pub struct GzipStream<'a> {
    state: State<'a>,
    inflated: u64,
    compressed_len: u64,
    trailing: Option<Trailing>,
    guard: BombGuard,
}

impl<'a> GzipStream<'a> {
    pub fn new(reader: SourceReader<'a>) -> Self {
        Self::with_guard(reader, BombGuard::DEFAULT)
    }

    pub fn with_guard(reader: SourceReader<'a>, guard: BombGuard) -> Self {
        let compressed_len = reader.source_len();
        let buffered = BufReader::with_capacity(READ_BUFFER, reader);
        let state = State::Member(Box::new(GzDecoder::new(buffered)));
        GzipStream { state, inflated: 0, compressed_len, trailing: None, guard }
    }

    /// Inflated bytes produced so far.
    pub fn inflated(&self) -> u64 {
        self.inflated
    }

    /// The offset in the file that the decoder has consumed up to.
    pub fn compressed_position(&self) -> u64 {
        match &self.state {
            State::Member(d) => position(d.get_ref()),
            State::Done => self.compressed_len,
        }
    }

    /// Bytes after the last member, once the stream has been read to its end.
    pub fn trailing(&self) -> Option<&Trailing> {
        self.trailing.as_ref()
    }

    /// Called at the end of a member: starts the next one or records what
    /// follows.
    fn next_member(&mut self) -> io::Result<()> {
        let State::Member(decoder) = std::mem::replace(&mut self.state, State::Done) else {
            return Ok(());
        };
        let mut buffered = decoder.into_inner();
        let offset = position(&buffered);
        let mut magic = [0u8; 2];
        let source = buffered.get_ref();
        let have = read_exact_at(source, offset, &mut magic)?;
        if have == 0 {
            return Ok(());
        }
        if have == 2 && magic == GZIP_MAGIC {
            self.state = State::Member(Box::new(GzDecoder::new(buffered)));
            return Ok(());
        }
        let mut zeros_only = true;
        let mut len = 0u64;
        loop {
            let chunk = buffered.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            zeros_only &= chunk.iter().all(|&b| b == 0);
            len += chunk.len() as u64;
            let n = chunk.len();
            buffered.consume(n);
        }
        self.trailing = Some(Trailing { offset, len, zeros_only });
        Ok(())
    }
}

fn position(buffered: &BufReader<SourceReader<'_>>) -> u64 {
    buffered.get_ref().position() - buffered.buffer().len() as u64
}

/// Reads up to `buf.len()` bytes at `offset` without moving any cursor.
fn read_exact_at(source: &SourceReader<'_>, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut copy = source.peek_at(offset);
    let mut have = 0;
    while have < buf.len() {
        let n = copy.read(&mut buf[have..])?;
        if n == 0 {
            break;
        }
        have += n;
    }
    Ok(have)
}

impl Read for GzipStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let State::Member(decoder) = &mut self.state else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n == 0 && !buf.is_empty() {
                self.next_member()?;
                continue;
            }
            self.inflated += n as u64;
            if self.inflated > self.guard.min_inflated {
                let compressed = self.compressed_position();
                if self.guard.fires(self.inflated, compressed) {
                    return Err(io::Error::other(InflateLimit { inflated: self.inflated, compressed }));
                }
            }
            return Ok(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;
    use crate::source::SourceReader;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// The guard at 1 MiB instead of 16 GiB: a bomb stops with
    /// [`InflateLimit`], data that compresses like a real export does not.
    #[test]
    fn the_bomb_guard_stops_a_bomb_and_lets_real_data_through() {
        let guard = BombGuard { min_inflated: 1 << 20, max_ratio: BOMB_MAX_RATIO };
        let bomb = gzip(&vec![0u8; 64 << 20]); // ~1000:1
        let mut stream = GzipStream::with_guard(SourceReader::new(&bomb, None), guard);
        let e = std::io::copy(&mut stream, &mut std::io::sink()).unwrap_err();
        let limit = e.get_ref().and_then(|i| i.downcast_ref::<InflateLimit>()).expect("InflateLimit");
        assert!(limit.inflated > 1 << 20 && limit.inflated < 64 << 20, "{limit}");

        let text: Vec<u8> = (0..8u32 << 20).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 % 16 + b'a').collect();
        let real = gzip(&text); // ~2:1, like image layers
        let mut stream = GzipStream::with_guard(SourceReader::new(&real, None), guard);
        let mut out = Vec::new();
        stream.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), text.len());
    }

    #[test]
    fn the_default_guard_spares_multi_gb_zero_packages_below_16_gib() {
        assert!(!BombGuard::DEFAULT.fires(BOMB_MIN_INFLATED, 1));
        assert!(BombGuard::DEFAULT.fires(BOMB_MIN_INFLATED + 1, 1 << 20));
        assert!(!BombGuard::DEFAULT.fires(20 << 30, 1 << 30));
    }
}
