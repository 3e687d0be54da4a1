//! The check of a gzip package on two cores: an inflater worker runs the gzip
//! layer and hands 1 MiB-sized fills of inflated bytes to a checker
//! worker, which walks them. Inflating is the larger half of a check, so the
//! walk, the image archives and the rules run beside it instead of after it.
//!
//! Each side is plain synchronous Rust: a call into JavaScript that returns a
//! promise (hand a fill over / wait for the next one) suspends the wasm stack
//! until it settles, through JS Promise Integration (`WebAssembly.Suspending`
//! and `WebAssembly.promising`, wired up in `js/worker.js`). A job is
//! therefore set up by a normal export, run by [`ramcheck_run_job`] (which the
//! worker calls through `WebAssembly.promising`), and its result taken by a
//! normal export. Browsers without JSPI use `checkBlob` in one worker.
//!
//! Why not wasm-bindgen's own `jspi` attributes: they wrap the imports when
//! the module is instantiated, so the one module would no longer load in
//! browsers without JSPI, and its stack juggling (for wasm that runs while
//! another call is suspended) is not needed: each worker runs one job, and
//! nothing calls into its wasm while the job waits.

use std::cell::RefCell;
use std::io;

use wasm_bindgen::prelude::*;
use web_sys::Blob;

use super::{from_js, millis_since, progress_to, to_js, BlobSource};
use ramcheck::stream::{self, Fill, GzipStream, Sequential, SourceReader, StreamError, FILL_BUFFER, WINDOW};
use ramcheck::Options;

#[wasm_bindgen]
extern "C" {
    /// Inflater side: hands the fill whose bytes are at `ptr` to the checker.
    /// Returns a promise that settles when another fill may be made.
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = suspendingEmit)]
    fn emit(ptr: u32, fill: JsValue) -> f64;
    /// Inflater side: copies the next piece of the file's stream (at most
    /// `cap` bytes) to `ptr`. Returns a promise of its length (0 at the end,
    /// -1 on failure).
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = suspendingRead)]
    fn read_next(ptr: u32, cap: u32) -> f64;
    /// Checker side: copies the next fill's bytes to `ptr` (at most
    /// 1 MiB). Returns a promise that settles when they are there.
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = suspendingPull)]
    fn pull(ptr: u32) -> f64;
    /// Checker side: the fill whose bytes `pull` copied last.
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = lastFill)]
    fn last_fill() -> JsValue;
}

enum Job {
    Inflate { len: u64, progress: Option<js_sys::Function> },
    Check { blob: Blob, name: String, deep: bool },
}

thread_local! {
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
    static RESULT: RefCell<Option<Result<JsValue, JsValue>>> = const { RefCell::new(None) };
}

/// Sets up the inflater side for a gzip package of `len` bytes, which
/// `suspendingRead` streams; `progress` is called with the bytes read so far.
#[wasm_bindgen(js_name = prepareInflate)]
pub fn prepare_inflate(len: f64, progress: Option<js_sys::Function>) {
    JOB.set(Some(Job::Inflate { len: len as u64, progress }));
}

/// Sets up the checker side for the gzip package in `blob`, uploaded as `name`.
#[wasm_bindgen(js_name = prepareCheck)]
pub fn prepare_check(blob: Blob, name: String, deep: bool) {
    JOB.set(Some(Job::Check { blob, name, deep }));
}

/// Runs the job set up last. Called through `WebAssembly.promising`, so that
/// the imports above may suspend it.
#[no_mangle]
pub extern "C" fn ramcheck_run_job() {
    let result = match JOB.take() {
        Some(Job::Inflate { len, progress }) => inflate(len, progress),
        Some(Job::Check { blob, name, deep }) => check(blob, &name, deep),
        None => Err(JsValue::from_str("no job was prepared")),
    };
    RESULT.set(Some(result));
}

/// The result of the job run last: `true` for the inflater, the report for
/// the checker.
#[wasm_bindgen(js_name = takeResult)]
pub fn take_result() -> Result<JsValue, JsValue> {
    RESULT.take().unwrap_or_else(|| Err(JsValue::from_str("no job has run")))
}

/// Bytes the inflater asks the file's stream for at most, at a time.
const PIECE: usize = 1 << 20;

fn inflate(len: u64, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    // The browser reads the file's stream ahead while wasm inflates
    // (`FileReaderSync` would stop the worker for every read).
    let source = Sequential::new(len, PIECE, |piece: &mut [u8]| {
        let n = read_next(piece.as_mut_ptr() as u32, piece.len() as u32);
        if n < 0.0 {
            return Err(io::Error::other("the file cannot be read"));
        }
        Ok(n as usize)
    });
    let mut report_progress = progress_to(progress);
    let mut gz = GzipStream::new(SourceReader::new(&source, Some(&mut report_progress)));
    let mut buf = vec![0; FILL_BUFFER];
    loop {
        let fill = stream::fill(&mut gz, &mut buf);
        let last = fill.last;
        emit(buf[WINDOW..].as_ptr() as u32, to_js(&fill)?);
        if last {
            return Ok(JsValue::TRUE);
        }
    }
}

fn check(blob: Blob, name: &str, deep: bool) -> Result<JsValue, JsValue> {
    let source = BlobSource::new(blob)?;
    let options = Options { deep };
    let mut refill = |buf: &mut [u8]| -> Fill {
        pull(buf[WINDOW..].as_mut_ptr() as u32);
        from_js(last_fill()).unwrap_or_else(|e| Fill {
            error: Some(StreamError::Io(format!("the inflater's answer cannot be read: {e:?}"))),
            ..Fill::default()
        })
    };
    let started = js_sys::Date::now();
    let mut report = ramcheck::stream::check_with(&source, name, &options, &mut refill);
    report.stats.millis = millis_since(started);
    to_js(&report)
}
