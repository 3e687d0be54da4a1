//! One gzip member's raw deflate stream inflated by each candidate, into a
//! reused 1 MiB buffer as the gzip layer does, counting the bytes out. The
//! wasm build exports `start`, `buffer` and `feed` for `bench/inflaters.mjs`.

use std::cell::RefCell;

/// Output per call, as the gzip layer's fills.
const OUT: usize = 1 << 20;
/// fdeflate copies from the bytes before its output position: it keeps this
/// much history in front of the output.
const WINDOW: usize = 32 << 10;

pub const NAMES: [&str; 3] = ["zlib-rs (flate2)", "miniz_oxide", "fdeflate (patched)"];

enum Decoder {
    ZlibRs(flate2::Decompress),
    Miniz(Box<miniz_oxide::inflate::stream::InflateState>),
    Fdeflate { decoder: fdeflate::Decompressor, at: usize },
}

/// A raw deflate stream being inflated by one of [`NAMES`].
pub struct Inflater {
    decoder: Decoder,
    out: Vec<u8>,
    pub inflated: u64,
    pub done: bool,
}

impl Inflater {
    pub fn new(which: usize) -> Inflater {
        let decoder = match which {
            0 => Decoder::ZlibRs(flate2::Decompress::new(false)),
            1 => Decoder::Miniz(miniz_oxide::inflate::stream::InflateState::new_boxed(miniz_oxide::DataFormat::Raw)),
            _ => Decoder::Fdeflate { decoder: fdeflate::Decompressor::new_raw(), at: 0 },
        };
        Inflater { decoder, out: vec![0; WINDOW + OUT], inflated: 0, done: false }
    }

    /// Inflates all of `input` (or up to the stream's end).
    pub fn feed(&mut self, mut input: &[u8]) {
        while !input.is_empty() && !self.done {
            let (used, made) = match &mut self.decoder {
                Decoder::ZlibRs(d) => {
                    let (i, o) = (d.total_in(), d.total_out());
                    let status = d.decompress(input, &mut self.out[..OUT], flate2::FlushDecompress::None).expect("zlib-rs");
                    self.done = status == flate2::Status::StreamEnd;
                    ((d.total_in() - i) as usize, (d.total_out() - o) as usize)
                }
                Decoder::Miniz(state) => {
                    let r = miniz_oxide::inflate::stream::inflate(state, input, &mut self.out[..OUT], miniz_oxide::MZFlush::None);
                    self.done = r.status.expect("miniz_oxide") == miniz_oxide::MZStatus::StreamEnd;
                    (r.bytes_consumed, r.bytes_written)
                }
                Decoder::Fdeflate { decoder, at } => {
                    if *at == self.out.len() {
                        self.out.copy_within(*at - WINDOW.., 0);
                        *at = WINDOW;
                    }
                    let (used, made) = decoder.read(input, &mut self.out, *at, false).expect("fdeflate");
                    *at += made;
                    self.done = decoder.is_done();
                    (used, made)
                }
            };
            input = &input[used..];
            self.inflated += made as u64;
        }
    }
}

/// Where a gzip member's deflate stream starts (after its header).
pub fn deflate_start(gz: &[u8]) -> usize {
    let flags = gz[3];
    let mut at = 10;
    if flags & 4 != 0 {
        at += 2 + u16::from_le_bytes([gz[at], gz[at + 1]]) as usize;
    }
    for field in [8, 16] {
        if flags & field != 0 {
            at += gz[at..].iter().position(|&b| b == 0).expect("a terminated header field") + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    at
}

thread_local!(static INFLATER: RefCell<Option<Inflater>> = const { RefCell::new(None) });

#[no_mangle]
pub extern "C" fn start(which: u32) {
    INFLATER.set(Some(Inflater::new(which as usize)));
}

/// A buffer of `len` bytes for `feed`'s input, kept for the run.
#[no_mangle]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    Box::leak(vec![0u8; len].into_boxed_slice()).as_mut_ptr()
}

/// Inflates `len` bytes at `ptr`; returns the bytes inflated so far.
///
/// # Safety
/// `ptr` must point at `len` readable bytes (from [`buffer`]).
#[no_mangle]
pub unsafe extern "C" fn feed(ptr: *const u8, len: usize) -> f64 {
    let input = unsafe { std::slice::from_raw_parts(ptr, len) };
    INFLATER.with_borrow_mut(|i| {
        let i = i.as_mut().expect("start first");
        i.feed(input);
        i.inflated as f64
    })
}

/// [`deflate_start`] for the first bytes of the file, at `ptr`.
///
/// # Safety
/// `ptr` must point at `len` readable bytes (from [`buffer`]).
#[no_mangle]
pub unsafe extern "C" fn header_len(ptr: *const u8, len: usize) -> usize {
    deflate_start(unsafe { std::slice::from_raw_parts(ptr, len) })
}
