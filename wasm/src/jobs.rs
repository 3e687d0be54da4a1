//! The checks, as jobs that wait on JavaScript: a check in one worker, and
//! the check of a gzip package on two cores, where an inflater worker runs
//! the gzip layer and hands 1 MiB-sized fills of inflated bytes to a checker
//! worker, which walks them (inflating is the larger half of a check, so the
//! walk, the image archives and the rules run beside it instead of after it).
//!
//! Each job is plain synchronous Rust that calls JavaScript to read the file,
//! to hand a fill over or to take the next one. When the answer is not there
//! yet, the JavaScript suspends the wasm stack until it is: the module is
//! built with binaryen's Asyncify (`tools/build.mjs`), which lets an import
//! unwind the stack into memory and the worker rewind it later
//! (`js/worker.js`). It works in every engine, unlike JS Promise Integration
//! (not in WebKit), and a call that need not wait costs nothing. A job is
//! therefore set up by a normal export and run by [`ramcheck_run_job`],
//! which the worker calls again after each wait; its result is taken by
//! [`take_result`].
//!
//! Reads wait because the page reads the file for the worker, the next
//! block ahead while wasm works on this one; the fills, too, go from one
//! worker to the other through the page (see `runInWorkers` in
//! `js/index.js`).

use std::cell::RefCell;
use std::io;

use wasm_bindgen::prelude::*;

use super::{from_js, millis_since, progress_to, to_js, SliceSource};
use ramcheck::stream::{self, Fill, GzipStream, SourceReader, StreamError, FILL_BUFFER, WINDOW};
use ramcheck::{ByteSource, Options};

#[wasm_bindgen]
extern "C" {
    /// Copies the file's bytes `[offset, offset + len)` to `ptr`. Returns
    /// how many were copied (-1 on failure), perhaps after a wait.
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = suspendingReadAt)]
    fn read_at(ptr: u32, offset: f64, len: u32) -> f64;
    /// Inflater side: hands the fill whose bytes are at `ptr` to the checker.
    /// Returns (perhaps after a wait) once another fill may be made.
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = suspendingEmit)]
    fn emit(ptr: u32, fill: &JsValue) -> f64;
    /// Checker side: copies the next fill's bytes to `ptr` (at most
    /// 1 MiB). Returns once they are there.
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = suspendingPull)]
    fn pull(ptr: u32) -> f64;
    /// Checker side: the fill whose bytes `pull` copied last.
    #[wasm_bindgen(js_namespace = ramcheckPipe, js_name = lastFill)]
    fn last_fill() -> JsValue;
}

enum Job {
    Check { len: u64, name: String, deep: bool, progress: Option<js_sys::Function> },
    Inflate { len: u64, progress: Option<js_sys::Function> },
    CheckFills { head: Head, name: String, deep: bool },
}

thread_local! {
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
    static RESULT: RefCell<Option<Result<JsValue, JsValue>>> = const { RefCell::new(None) };
}

/// Sets up the check in one worker of a package of `len` bytes, uploaded as
/// `name`; `progress` is called with the bytes read so far.
#[wasm_bindgen(js_name = prepareCheck)]
pub fn prepare_check(len: f64, name: String, deep: bool, progress: Option<js_sys::Function>) {
    JOB.set(Some(Job::Check { len: len as u64, name, deep, progress }));
}

/// Sets up the inflater side for a gzip package of `len` bytes; `progress`
/// is called with the bytes read so far.
#[wasm_bindgen(js_name = prepareInflate)]
pub fn prepare_inflate(len: f64, progress: Option<js_sys::Function>) {
    JOB.set(Some(Job::Inflate { len: len as u64, progress }));
}

/// Sets up the checker side for a gzip package of `len` bytes, uploaded as
/// `name`, whose first bytes are `head` (at least the first tar block's
/// worth, or the whole file when it is shorter).
#[wasm_bindgen(js_name = prepareCheckFills)]
pub fn prepare_check_fills(len: f64, head: Vec<u8>, name: String, deep: bool) {
    JOB.set(Some(Job::CheckFills { head: Head { len: len as u64, bytes: head }, name, deep }));
}

/// Room for the wasm stack while a job waits, in bytes: Asyncify saves each
/// frame's locals there (a few KiB at the deepest wait; it traps if they
/// ever outgrow it).
const UNWIND_ROOM: usize = 1 << 20;

/// The buffer Asyncify unwinds the stack into: its address, followed in
/// memory by `UNWIND_ROOM` bytes. Each worker runs one job and asks once.
#[no_mangle]
pub extern "C" fn ramcheck_unwind_buffer() -> *mut u8 {
    // u64s: Asyncify's two header words must be aligned.
    Box::leak(vec![0u64; UNWIND_ROOM / 8 + 1].into_boxed_slice()).as_mut_ptr().cast()
}

/// Runs the job set up last. The worker calls it again, after a wait, to
/// rewind the stack where the wait began (the first lines then do not run).
#[no_mangle]
pub extern "C" fn ramcheck_run_job() {
    let result = match JOB.take() {
        Some(Job::Check { len, name, deep, progress }) => check(len, &name, deep, progress),
        Some(Job::Inflate { len, progress }) => inflate(len, progress),
        Some(Job::CheckFills { head, name, deep }) => check_fills(&head, &name, deep),
        None => Err(JsValue::from_str("no job was prepared")),
    };
    RESULT.set(Some(result));
}

/// The result of the job run last: the report of a check, `true` for the
/// inflater.
#[wasm_bindgen(js_name = takeResult)]
pub fn take_result() -> Result<JsValue, JsValue> {
    RESULT.take().unwrap_or_else(|| Err(JsValue::from_str("no job has run")))
}

/// The file of `len` bytes, read through `suspendingReadAt`.
fn file(len: u64) -> impl ByteSource {
    SliceSource::new(len, |offset, buf: &mut [u8]| {
        let n = read_at(buf.as_mut_ptr() as u32, offset as f64, buf.len() as u32);
        if n < 0.0 {
            return Err(io::Error::other("the file cannot be read"));
        }
        Ok(n as usize)
    })
}

fn check(len: u64, name: &str, deep: bool, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    let source = file(len);
    let mut report_progress = progress_to(progress);
    let started = js_sys::Date::now();
    let mut report = ramcheck::check(&source, name, &Options { deep }, Some(&mut report_progress));
    report.stats.millis = millis_since(started);
    to_js(&report)
}

fn inflate(len: u64, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    let source = file(len);
    let mut report_progress = progress_to(progress);
    let mut gz = GzipStream::new(SourceReader::new(&source, Some(&mut report_progress)));
    let mut buf = vec![0; FILL_BUFFER];
    loop {
        let fill = stream::fill(&mut gz, &mut buf);
        let last = fill.last;
        emit(buf[WINDOW..].as_ptr() as u32, &to_js(&fill)?);
        if last {
            return Ok(JsValue::TRUE);
        }
    }
}

/// What the checker side has of the file itself: its size and first bytes
/// (the walk reads the container's head there; the rest comes inflated).
struct Head {
    len: u64,
    bytes: Vec<u8>,
}

impl ByteSource for Head {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        match self.bytes.read_at(offset, buf)? {
            0 if offset < self.len && !buf.is_empty() => Err(io::Error::other("the checker reads the package only inflated")),
            n => Ok(n),
        }
    }
}

fn check_fills(source: &Head, name: &str, deep: bool) -> Result<JsValue, JsValue> {
    let options = Options { deep };
    let mut refill = |buf: &mut [u8]| -> Fill {
        pull(buf[WINDOW..].as_mut_ptr() as u32);
        from_js(last_fill()).unwrap_or_else(|e| Fill {
            error: Some(StreamError::Io(format!("the inflater's answer cannot be read: {e:?}"))),
            ..Fill::default()
        })
    };
    let started = js_sys::Date::now();
    let mut report = ramcheck::stream::check_with(source, name, &options, &mut refill);
    report.stats.millis = millis_since(started);
    to_js(&report)
}
