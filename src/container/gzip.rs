//! The gzip layer: one or more gzip members, then what follows them.
//!
//! `tar -xzf` runs gzip, which inflates concatenated members as one stream and
//! fails on anything after the last member that is not another member
//! ("trailing garbage ignored", exit 2, which tar turns into a failure).
//! [`GzipStream`] reproduces that and records the trailing bytes instead of
//! failing, so the check can report them (PKG004) and still walk the tar.
//!
//! The layer comes in two halves that may run on two threads (the browser's
//! two workers): [`GzipStream`] parses members and inflates them into fills
//! ([`fill`]); [`Chunked`] verifies each member's checksum and serves the
//! fills to the walk. The inflater (fdeflate, `vendor/fdeflate`) copies from
//! the bytes before where it writes, so each fill's buffer keeps the last
//! [`WINDOW`] bytes of the one before in front of it.

use std::io::{self, BufRead, BufReader, Read};

use fdeflate::{DecompressionError, Decompressor};
use serde::{Deserialize, Serialize};
use zlib_rs::crc32::crc32;

use crate::container::crc::Crc32;
use crate::container::source::read_full;
use crate::container::source::SourceReader;
use crate::limits::{BOMB_MAX_RATIO, BOMB_MIN_INFLATED, MAX_HEADER_FIELD};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Where the gzip layer is.
enum State {
    /// Before a member's header: the first (`true`), or what follows a member.
    Header(bool),
    Body,
    /// The member's deflate data ended; its trailer follows.
    Trailer,
    /// Failed after handing out the bytes before the failure.
    Failed(Option<io::Error>),
    Done,
}

/// Every gzip member of a file, inflated (with fdeflate) by [`fill`]. It
/// does not verify the members' checksums: [`fill`] hands each member's
/// stored checksum and length on, and `Chunked` verifies them, on the
/// thread that walks the bytes (in wasm, crc32 with tables cost a third of
/// inflating; see `container::crc`).
pub struct GzipStream<'a> {
    input: BufReader<SourceReader<'a>>,
    inflate: Decompressor,
    /// Bytes of the current member inflated so far.
    member_inflated: u64,
    /// Where the last fill ended in the caller's buffer (its history).
    fill_end: usize,
    /// The first bytes of a member's trailer, which the decoder read with
    /// the end of its deflate stream.
    trailer_start: ([u8; 8], usize),
    state: State,
    inflated: u64,
    compressed_len: u64,
    trailing: Option<Trailing>,
    guard: BombGuard,
}

/// A member's stored crc32 and length (mod 2^32) of its inflated bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    pub crc: u32,
    pub size: u32,
}

/// flate2's messages, so that reports keep their words.
const BAD_HEADER: &str = "invalid gzip header";
const BAD_CHECKSUM: &str = "corrupt gzip stream does not have a matching checksum";
const BAD_DEFLATE: &str = "corrupt deflate stream";

impl<'a> GzipStream<'a> {
    /// The gzip stream of `reader`, with the default bomb guard.
    pub fn new(reader: SourceReader<'a>) -> Self {
        Self::with_guard(reader, BombGuard::DEFAULT)
    }

    /// The same with another bomb guard (the tests' small one).
    pub fn with_guard(reader: SourceReader<'a>, guard: BombGuard) -> Self {
        let compressed_len = reader.source_len();
        let input = BufReader::with_capacity(READ_BUFFER, reader);
        GzipStream {
            input,
            inflate: Decompressor::new_raw(),
            member_inflated: 0,
            fill_end: 0,
            trailer_start: ([0; 8], 0),
            state: State::Header(true),
            inflated: 0,
            compressed_len,
            trailing: None,
            guard,
        }
    }

    /// Inflated bytes produced so far.
    pub fn inflated(&self) -> u64 {
        self.inflated
    }

    /// The offset in the file that the decoder has consumed up to.
    pub fn compressed_position(&self) -> u64 {
        match self.state {
            State::Done => self.compressed_len,
            _ => {
                let held = self.inflate.unused_input().1 + self.trailer_start.1;
                self.input.get_ref().position() - (self.input.buffer().len() + held) as u64
            }
        }
    }

    /// Bytes after the last member, once the stream has been read to its end.
    pub fn trailing(&self) -> Option<&Trailing> {
        self.trailing.as_ref()
    }

    /// Reads a member's header; after the first member, first decides whether
    /// one follows at all (the end, or trailing bytes).
    fn header(&mut self, first: bool) -> io::Result<()> {
        if !first && !self.next_is_member()? {
            self.state = State::Done;
            return Ok(());
        }
        let mut fixed = [0u8; 10];
        self.input.read_exact(&mut fixed)?;
        let flags = fixed[3];
        if fixed[..2] != GZIP_MAGIC || fixed[2] != 8 || flags & 0xe0 != 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, BAD_HEADER));
        }
        let mut crc = crc32(0, &fixed);
        if flags & FEXTRA != 0 {
            let mut len = [0u8; 2];
            self.input.read_exact(&mut len)?;
            let mut extra = vec![0u8; u16::from_le_bytes(len) as usize];
            self.input.read_exact(&mut extra)?;
            crc = crc32(crc32(crc, &len), &extra);
        }
        for field in [FNAME, FCOMMENT] {
            if flags & field != 0 {
                let mut text = Vec::new();
                (&mut self.input).take(MAX_HEADER_FIELD as u64 + 1).read_until(0, &mut text)?;
                match text.last() {
                    Some(0) => crc = crc32(crc, &text),
                    _ if text.len() > MAX_HEADER_FIELD => {
                        return Err(io::Error::new(io::ErrorKind::InvalidInput, "gzip header field too long"))
                    }
                    _ => return Err(io::ErrorKind::UnexpectedEof.into()),
                }
            }
        }
        if flags & FHCRC != 0 {
            let mut stored = [0u8; 2];
            self.input.read_exact(&mut stored)?;
            if u16::from_le_bytes(stored) != crc as u16 {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, BAD_CHECKSUM));
            }
        }
        self.member_inflated = 0;
        self.state = State::Body;
        Ok(())
    }

    /// At the end of a member: whether another one follows. When something
    /// else does, it is read to the end and recorded as trailing bytes.
    fn next_is_member(&mut self) -> io::Result<bool> {
        let offset = self.compressed_position();
        let mut magic = [0u8; 2];
        let have = read_exact_at(self.input.get_ref(), offset, &mut magic)?;
        if have == 0 {
            return Ok(false);
        }
        if have == 2 && magic == GZIP_MAGIC {
            return Ok(true);
        }
        let mut zeros_only = true;
        let mut len = 0u64;
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            zeros_only &= chunk.iter().all(|&b| b == 0);
            len += chunk.len() as u64;
            let n = chunk.len();
            self.input.consume(n);
        }
        self.trailing = Some(Trailing { offset, len, zeros_only });
        Ok(false)
    }

    /// Inflates into `buf` from `at` until some bytes come out or the
    /// member's deflate stream ends; returns how many and whether it ended.
    /// The member's bytes before `at` (up to [`WINDOW`]) must be in `buf`:
    /// deflate copies from them.
    fn inflate_some(&mut self, buf: &mut [u8], at: usize) -> io::Result<(usize, bool)> {
        let history = self.member_inflated.min(at as u64) as usize;
        let out = &mut buf[at - history..];
        loop {
            let input = self.input.fill_buf()?;
            let at_end = input.is_empty();
            let (used, made, failure) = match self.inflate.read(input, out, history, at_end) {
                Ok((used, made)) => (used, made, None),
                Err(e) => {
                    let (used, made) = self.inflate.progress_at_error();
                    let failure = match e {
                        DecompressionError::InsufficientInput => io::ErrorKind::UnexpectedEof.into(),
                        _ => io::Error::new(io::ErrorKind::InvalidInput, BAD_DEFLATE),
                    };
                    (used, made, Some(failure))
                }
            };
            self.input.consume(used);
            self.member_inflated += made as u64;
            let failure = match failure {
                None if self.inflate.is_done() => {
                    // The decoder read a few bytes past the stream's end: the trailer's.
                    self.trailer_start = self.inflate.unused_input();
                    self.inflate = Decompressor::new_raw();
                    return Ok((made, true));
                }
                None if made > 0 => return Ok((made, false)),
                None if used > 0 => continue,
                None => io::Error::new(io::ErrorKind::InvalidInput, BAD_DEFLATE),
                Some(failure) => failure,
            };
            // The bytes before the damage first, as many as the input gave
            // before it, whatever the sizes of its reads.
            if made > 0 {
                self.state = State::Failed(Some(failure));
                return Ok((made, false));
            }
            return Err(failure);
        }
    }
}

const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;

/// Reads up to `buf.len()` bytes at `offset` without moving any cursor.
fn read_exact_at(source: &SourceReader<'_>, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    read_full(&mut source.peek_at(offset), buf)
}

impl GzipStream<'_> {
    /// Reads inflated bytes of the current member into `buf` from `at`; at
    /// the end of a member, one read returns no bytes and its trailer.
    /// `(0, None)` is the end.
    fn read_member(&mut self, buf: &mut [u8], at: usize) -> io::Result<(usize, Option<Trailer>)> {
        loop {
            match self.state {
                State::Done => return Ok((0, None)),
                State::Header(first) => self.header(first)?,
                State::Failed(ref mut e) => return Err(e.take().unwrap_or_else(|| io::Error::other("the stream failed before"))),
                State::Trailer => {
                    let (mut bytes, held) = std::mem::take(&mut self.trailer_start);
                    self.input.read_exact(&mut bytes[held..])?;
                    let [c0, c1, c2, c3, s0, s1, s2, s3] = bytes;
                    self.state = State::Header(false);
                    let trailer = Trailer { crc: u32::from_le_bytes([c0, c1, c2, c3]), size: u32::from_le_bytes([s0, s1, s2, s3]) };
                    return Ok((0, Some(trailer)));
                }
                State::Body => {
                    if at == buf.len() {
                        return Ok((0, None));
                    }
                    let (n, member_ended) = self.inflate_some(buf, at)?;
                    if member_ended {
                        self.state = State::Trailer;
                    }
                    self.inflated += n as u64;
                    if self.inflated > self.guard.min_inflated {
                        let compressed = self.compressed_position();
                        if self.guard.fires(self.inflated, compressed) {
                            return Err(io::Error::other(InflateLimit { inflated: self.inflated, compressed }));
                        }
                    }
                    if n > 0 {
                        return Ok((n, None));
                    }
                }
            }
        }
    }
}

/// Inflated bytes handed from the gzip layer to the walk at a time. The walk
/// reads through one buffer of this size, refilled whole, so that the gzip
/// layer can run in another thread (the browser's inflater worker) and the
/// walk still sees the same facts (positions, counts) at the same bytes.
pub const CHUNK: usize = 1 << 20;

/// How far back deflate copies from: the gzip layer keeps this much of the
/// inflated bytes before each fill, in front of it in the same buffer.
pub const WINDOW: usize = 32 << 10;

/// The buffer [`fill`] fills: [`WINDOW`] bytes of history, then a fill of
/// up to `CHUNK` (1 MiB) bytes (`buf[WINDOW..][..fill.len]`).
pub const FILL_BUFFER: usize = WINDOW + CHUNK;

/// One refill of the walk's buffer: how many bytes, and the gzip layer's
/// state once it had made them. A fill stops at the end of a member, with
/// its trailer, so that the checksum covers whole fills.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Fill {
    /// Inflated bytes in the buffer.
    pub len: usize,
    /// Compressed bytes read so far.
    pub compressed: u64,
    /// Bytes inflated so far.
    pub inflated: u64,
    /// The member ended with these bytes.
    pub trailer: Option<Trailer>,
    /// The stream ended: at its end, or with `error` after these bytes.
    pub last: bool,
    /// What follows the last member, when anything does.
    pub trailing: Option<Trailing>,
    /// Why the stream ended early.
    pub error: Option<StreamError>,
}

/// A failure of the gzip layer, in a form that crosses between threads and
/// becomes the same `io::Error` on the other side.
#[derive(Debug, Serialize, Deserialize)]
pub enum StreamError {
    /// The stream ends inside a member.
    Eof(String),
    /// The stream is damaged.
    Damaged(String),
    /// The bomb guard fired.
    Limit {
        /// Bytes inflated when it fired.
        inflated: u64,
        /// Compressed bytes read by then.
        compressed: u64,
    },
    /// Reading the file failed.
    Io(String),
}

impl From<io::Error> for StreamError {
    fn from(e: io::Error) -> StreamError {
        if let Some(limit) = e.get_ref().and_then(|inner| inner.downcast_ref::<InflateLimit>()) {
            return StreamError::Limit { inflated: limit.inflated, compressed: limit.compressed };
        }
        match e.kind() {
            io::ErrorKind::UnexpectedEof => StreamError::Eof(e.to_string()),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => StreamError::Damaged(e.to_string()),
            _ => StreamError::Io(e.to_string()),
        }
    }
}

impl From<StreamError> for io::Error {
    fn from(e: StreamError) -> io::Error {
        match e {
            StreamError::Eof(m) => io::Error::new(io::ErrorKind::UnexpectedEof, m),
            StreamError::Damaged(m) => io::Error::new(io::ErrorKind::InvalidData, m),
            StreamError::Limit { inflated, compressed } => io::Error::other(InflateLimit { inflated, compressed }),
            StreamError::Io(m) => io::Error::other(m),
        }
    }
}

/// Fills `buf` (of [`FILL_BUFFER`] bytes, the same buffer every time: it
/// holds the history) from `gz` as far as the stream or the member goes.
pub fn fill(gz: &mut GzipStream<'_>, buf: &mut [u8]) -> Fill {
    if gz.fill_end > WINDOW {
        buf.copy_within(gz.fill_end - WINDOW..gz.fill_end, 0);
    }
    let mut fill = Fill::default();
    while WINDOW + fill.len < buf.len() {
        match gz.read_member(buf, WINDOW + fill.len) {
            Ok((0, None)) => fill.last = true,
            Ok((n, trailer)) => {
                fill.len += n;
                fill.trailer = trailer;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                fill.error = Some(e.into());
                fill.last = true;
            }
        }
        if fill.last || fill.trailer.is_some() {
            break;
        }
    }
    if fill.last {
        fill.trailing = gz.trailing().cloned();
    }
    gz.fill_end = WINDOW + fill.len;
    fill.compressed = gz.compressed_position();
    fill.inflated = gz.inflated();
    fill
}

/// The gzip package read by `reader`, inflated here.
pub fn inflate_here(reader: SourceReader<'_>) -> Chunked<impl FnMut(&mut [u8]) -> Fill + '_> {
    let mut gz = GzipStream::new(reader);
    Chunked::new(move |buf: &mut [u8]| fill(&mut gz, buf))
}

/// The inflated stream as the walk reads it: a [`FILL_BUFFER`] refilled by
/// `F`, which runs the gzip layer here ([`fill`]) or receives its output
/// from another thread (into `buf[WINDOW..]`). Each member's checksum and
/// length are verified here.
pub struct Chunked<F> {
    refill: F,
    buf: Vec<u8>,
    at: usize,
    last: Fill,
    /// crc32 and length of the current member's bytes so far.
    crc: Crc32,
    member_len: u64,
}

impl<F: FnMut(&mut [u8]) -> Fill> Chunked<F> {
    pub fn new(refill: F) -> Self {
        Chunked { refill, buf: vec![0; FILL_BUFFER], at: 0, last: Fill::default(), crc: Crc32::default(), member_len: 0 }
    }

    fn refill(&mut self) {
        let mut fill = (self.refill)(&mut self.buf);
        self.crc.update(&self.buf[WINDOW..][..fill.len]);
        self.member_len += fill.len as u64;
        if let Some(trailer) = fill.trailer {
            // gzip stores the length mod 2^32.
            if trailer.crc != self.crc.value() || trailer.size != self.member_len as u32 {
                fill.error.get_or_insert(StreamError::Damaged(BAD_CHECKSUM.into()));
                fill.last = true;
            }
            self.crc.reset();
            self.member_len = 0;
        }
        self.last = fill;
        self.at = 0;
    }

    /// Inflated bytes the gzip layer had made at the last refill.
    pub fn inflated(&self) -> u64 {
        self.last.inflated
    }

    /// The offset in the file the gzip layer had consumed up to at the last refill.
    pub fn compressed_position(&self) -> u64 {
        self.last.compressed
    }

    /// Bytes after the last member, once the stream has been read to its end.
    pub fn trailing(&self) -> Option<&Trailing> {
        self.last.trailing.as_ref()
    }
}

impl<F: FnMut(&mut [u8]) -> Fill> Read for Chunked<F> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at == self.last.len {
            if let Some(e) = self.last.error.take() {
                return Err(e.into());
            }
            if self.last.last || out.is_empty() {
                return Ok(0);
            }
            self.refill();
            if self.last.len == 0 {
                return self.last.error.take().map_or(Ok(0), |e| Err(e.into()));
            }
        }
        let n = out.len().min(self.last.len - self.at);
        out[..n].copy_from_slice(&self.buf[WINDOW + self.at..][..n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;
    use crate::container::source::SourceReader;

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
        let mut gz = GzipStream::with_guard(SourceReader::new(&bomb, None), guard);
        let mut stream = Chunked::new(|buf: &mut [u8]| fill(&mut gz, buf));
        let e = std::io::copy(&mut stream, &mut std::io::sink()).unwrap_err();
        let limit = e.get_ref().and_then(|i| i.downcast_ref::<InflateLimit>()).expect("InflateLimit");
        assert!(limit.inflated > 1 << 20 && limit.inflated < 64 << 20, "{limit}");

        let text: Vec<u8> = (0..8u32 << 20).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 % 16 + b'a').collect();
        let real = gzip(&text); // ~2:1, like image layers
        let mut gz = GzipStream::with_guard(SourceReader::new(&real, None), guard);
        let mut stream = Chunked::new(|buf: &mut [u8]| fill(&mut gz, buf));
        let mut out = Vec::new();
        stream.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), text.len());
    }

    /// Every fill of `gz`'s stream, joined, and the error that ended it.
    fn inflate_until_error(gz: &[u8]) -> (Vec<u8>, Option<io::Error>) {
        let source = gz.to_vec();
        let mut stream = GzipStream::new(SourceReader::new(&source, None));
        let mut buf = vec![0; FILL_BUFFER];
        let mut out = Vec::new();
        loop {
            let f = fill(&mut stream, &mut buf);
            out.extend_from_slice(&buf[WINDOW..][..f.len]);
            if f.error.is_some() || f.last {
                return (out, f.error.map(Into::into));
            }
        }
    }

    fn inflate_all(gz: &[u8]) -> io::Result<Vec<u8>> {
        match inflate_until_error(gz) {
            (out, None) => Ok(out),
            (_, Some(e)) => Err(e),
        }
    }

    /// Text-like bytes with copies from up to [`WINDOW`] back.
    fn text_with_copies(len: usize) -> Vec<u8> {
        let mut seed = 7u32;
        let mut data = Vec::new();
        while data.len() < len {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let distance = 1 + (seed >> 8) as usize % WINDOW;
            if data.len() > distance && seed % 3 != 0 {
                let from = data.len() - distance;
                for i in 0..3 + (seed >> 20) as usize % 200 {
                    data.push(data[from + i]);
                }
            } else {
                data.extend((0..50).map(|i| (seed >> (i % 24)) as u8));
            }
        }
        data
    }

    /// Deflate copies reach up to 32 KiB back, across the ends of fills: the
    /// history kept in front of each fill must be the bytes before it.
    #[test]
    fn copies_reach_back_across_fills() {
        let data = text_with_copies(3 * CHUNK + 12345);
        assert_eq!(inflate_all(&gzip(&data)).unwrap(), data);
    }

    /// What zlib-rs inflates from the deflate data of `gz` (one member, a
    /// 10-byte header) before it fails, and whether it failed there.
    fn zlib_until_error(gz: &[u8]) -> (Vec<u8>, bool) {
        let mut zlib = flate2::Decompress::new(false);
        let mut out = vec![0; 8 * CHUNK];
        let status = zlib.decompress(&gz[10..], &mut out, flate2::FlushDecompress::Finish);
        out.truncate(zlib.total_out() as usize);
        (out, status.is_err())
    }

    /// Damage in the deflate data: the walk gets every byte before the
    /// decoder finds it, the same bytes as zlib-rs gives. Two kinds: copies
    /// from too far back in a short member (found inside a block), and a
    /// block of type 3 after a sync flush (found in a block's header).
    #[test]
    fn the_bytes_before_damage_come_out_as_zlib_gives_them() {
        let mut damaged = Vec::new();
        let short = gzip(&text_with_copies(20_000));
        for tenth in 2..9 {
            let mut d = short.clone();
            let at = d.len() * tenth / 10;
            d[at..at + 8].iter_mut().for_each(|b| *b = !*b);
            damaged.push(d);
        }
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for piece in text_with_copies(4 * CHUNK).chunks(CHUNK / 2) {
            e.write_all(piece).unwrap();
            e.flush().unwrap(); // ends with the empty stored block 00 00 ff ff
        }
        let flushed = e.finish().unwrap();
        let markers: Vec<usize> = flushed.windows(4).enumerate().filter(|(_, w)| *w == [0, 0, 0xff, 0xff]).map(|(i, _)| i + 4).collect();
        for at in [markers[1], markers[4]] {
            let mut d = flushed.clone();
            d[at] = 0b110; // BFINAL 0, BTYPE 3: reserved
            damaged.push(d);
        }
        let mut compared = 0;
        for d in &damaged {
            let (theirs, in_deflate) = zlib_until_error(d);
            if !in_deflate {
                continue; // garbage that inflates to the end: the checksum finds it
            }
            let (ours, e) = inflate_until_error(d);
            let e = e.expect("zlib found damage, and so must ramcheck");
            assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
            assert_eq!(ours.len(), theirs.len());
            assert!(ours == theirs, "other bytes before the damage");
            compared += 1;
        }
        assert!(compared >= 5, "only {compared} damaged streams failed in their deflate data");
    }

    /// A raw deflate stream whose first symbol copies from before its start:
    /// one fixed-Huffman block of <length 3, distance 1> and the block's end.
    fn deflate_copying_from_nothing() -> Vec<u8> {
        let (mut bytes, mut bits, mut n) = (Vec::new(), 0u32, 0);
        // (value, length, Huffman code written from its top bit)
        for (value, len, code) in [(1, 1, false), (1, 2, false), (0b0000001, 7, true), (0, 5, true), (0, 7, true)] {
            let value: u32 = if code { (0..len).fold(0, |r, i| r | ((value >> i) & 1) << (len - 1 - i)) } else { value };
            bits |= value << n;
            n += len;
            while n >= 8 {
                bytes.push(bits as u8);
                bits >>= 8;
                n -= 8;
            }
        }
        bytes.push(bits as u8);
        bytes
    }

    /// Each member starts with no history: a copy from the member before it
    /// is damage, as gzip finds it.
    #[test]
    fn a_member_cannot_copy_from_the_one_before() {
        let mut two = gzip(b"abcdef");
        two.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        two.extend(deflate_copying_from_nothing());
        two.extend_from_slice(&[0; 8]);
        let e = inflate_all(&two).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
        assert!(e.to_string().contains(BAD_DEFLATE), "{e}");
    }

    #[test]
    fn the_default_guard_spares_multi_gb_zero_packages_below_16_gib() {
        assert!(!BombGuard::DEFAULT.fires(BOMB_MIN_INFLATED, 1));
        assert!(BombGuard::DEFAULT.fires(BOMB_MIN_INFLATED + 1, 1 << 20));
        assert!(!BombGuard::DEFAULT.fires(20 << 30, 1 << 30));
    }
}
