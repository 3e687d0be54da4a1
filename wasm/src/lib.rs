//! The wasm bindings: the core over a browser `Blob`, for the npm package's
//! Web Worker. Values cross to JavaScript as plain objects of the same shape
//! as the CLI's `--format json` (`shared/spec/report.md`).

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::io;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, FileReaderSync};

use ramcheck::report::{self, Lang};
use ramcheck::rules::{self, Rule, Text, RULES};
use ramcheck::{ByteSource, Options, ProgressInfo, Report, Target};

mod jobs;

/// Reads of less than this are served from one cached block, so that small
/// reads (zip records) and the gzip layer's 1 MiB reads share few reads of
/// the file: with 8 MiB Chromium checked a 300 MB file in 0.9–1.5 s instead
/// of 1.8–2.5 s with 1 MiB (`FileReaderSync`); 16 MiB was slower again.
const BLOCK: usize = 8 << 20;

/// A file read slice by slice through `read(offset, buf)`, which fills `buf`
/// from `offset` (clamped to the end) and returns the bytes read; the file
/// is never read whole.
struct SliceSource<R> {
    len: u64,
    read: R,
    /// The last block read: its offset and bytes.
    cache: RefCell<(u64, Vec<u8>)>,
}

impl<R: Fn(u64, &mut [u8]) -> io::Result<usize>> SliceSource<R> {
    fn new(len: u64, read: R) -> SliceSource<R> {
        SliceSource { len, read, cache: RefCell::new((0, Vec::new())) }
    }
}

impl<R: Fn(u64, &mut [u8]) -> io::Result<usize>> ByteSource for SliceSource<R> {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let wanted = buf.len().min((self.len - offset) as usize);
        let buf = &mut buf[..wanted];
        if buf.len() >= BLOCK {
            return (self.read)(offset, buf);
        }
        let mut cache = self.cache.borrow_mut();
        let (start, block) = &mut *cache;
        if offset < *start || offset >= *start + block.len() as u64 {
            block.resize(BLOCK.min((self.len - offset) as usize), 0);
            let n = (self.read)(offset, block)?;
            block.truncate(n);
            *start = offset;
        }
        let from = (offset - *start) as usize;
        let n = buf.len().min(block.len() - from);
        buf[..n].copy_from_slice(&block[from..from + n]);
        Ok(n)
    }
}

/// A `Blob` read synchronously with `FileReaderSync`, which exists only in
/// workers, so this runs only there (a repair; checks read through
/// `jobs`).
fn blob_source(blob: Blob) -> Result<impl ByteSource, JsValue> {
    let reader = FileReaderSync::new()?;
    let len = blob.size() as u64;
    Ok(SliceSource::new(len, move |offset, buf: &mut [u8]| {
        // Offsets are f64 in JavaScript: exact up to 2^53, far beyond any package.
        let slice = blob.slice_with_f64_and_f64(offset as f64, (offset + buf.len() as u64) as f64).map_err(js_error)?;
        let buffer = reader.read_as_array_buffer(&slice).map_err(js_error)?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        let n = (bytes.length() as usize).min(buf.len());
        bytes.subarray(0, n as u32).copy_to(&mut buf[..n]);
        Ok(n)
    }))
}

fn js_error(e: JsValue) -> io::Error {
    let message = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the file cannot be read".into());
    io::Error::other(message)
}

/// Maps become objects and integers numbers, as in the CLI's JSON. Every
/// integer of a report fits in 2^53 (see `report::END_POSITION`).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(JsValue::from)
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(JsValue::from)
}

/// Calls `f` (when given) with the bytes read so far. The large member being
/// read is not passed on: the page shows bytes only, and the two-worker
/// pipeline's inflater, which reports progress there, walks no members.
fn progress_to(f: Option<js_sys::Function>) -> impl FnMut(ProgressInfo<'_>) {
    move |p: ProgressInfo<'_>| {
        if let Some(f) = &f {
            // A throwing callback must not stop the check.
            let _ = f.call1(&JsValue::NULL, &JsValue::from_f64(p.bytes_read as f64));
        }
    }
}

/// Milliseconds since `started` (from `js_sys::Date::now()`).
fn millis_since(started: f64) -> u64 {
    (js_sys::Date::now() - started).max(0.0) as u64
}

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The target as the npm API takes it: `undefined` or `"all"`, a string
/// (`"6.9/containerd"`, `"5.17.1"`), or what the console knows,
/// `{rainbond: "v6.1.2-release", runtime?: "docker", arch?: ["amd64"]}`.
fn target_from_js(target: JsValue) -> Result<Target, JsValue> {
    #[derive(serde::Deserialize)]
    struct Platform {
        rainbond: Option<String>,
        runtime: Option<String>,
        #[serde(default)]
        arch: Vec<String>,
    }
    let parsed = if target.is_undefined() || target.is_null() {
        Ok(Target::all())
    } else if let Some(text) = target.as_string() {
        Target::parse(&text)
    } else {
        let p: Platform = from_js(target).map_err(|_| {
            js_sys::TypeError::new("target must be a string such as \"6.9/containerd\" or an object {rainbond, runtime, arch}")
        })?;
        Target::from_platform(p.rainbond.as_deref(), p.runtime.as_deref(), p.arch)
    };
    parsed.map_err(|e| js_sys::TypeError::new(&e.to_string()).into())
}

/// The normalised name of a target (see [`target_from_js`]); throws a
/// `TypeError` for one that names no Rainbond line.
#[wasm_bindgen(js_name = parseTarget)]
pub fn parse_target(target: JsValue) -> Result<String, JsValue> {
    target_from_js(target).map(|t| t.name)
}

/// The report with the severities and verdict of another target: the facts
/// do not depend on it, so the file is not read again.
#[wasm_bindgen(js_name = retargetReport)]
pub fn retarget_report(report: JsValue, target: JsValue) -> Result<JsValue, JsValue> {
    let mut report: Report = from_js(report)?;
    ramcheck::retarget(&mut report, &target_from_js(target)?);
    to_js(&report)
}

#[derive(Serialize)]
struct Texts {
    en: &'static str,
    zh: &'static str,
}

impl From<Text> for Texts {
    fn from(t: Text) -> Texts {
        Texts { en: t.en, zh: t.zh }
    }
}

/// A rule as the API gives it.
#[derive(Serialize)]
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    /// The targets a finding of this rule fails on (unless narrowed).
    fails_on: ramcheck::Targets,
    evidence: &'static str,
    title: Texts,
    why: Texts,
    fix: Texts,
    example: &'static str,
    /// A repair covers this rule's findings.
    repairable: bool,
}

impl From<&Rule> for RuleInfo {
    fn from(r: &Rule) -> RuleInfo {
        RuleInfo {
            code: r.code,
            name: r.name,
            severity: r.severity.as_str(),
            fails_on: r.fails_on,
            evidence: r.evidence,
            title: r.title.into(),
            why: r.why.into(),
            fix: r.fix.into(),
            example: r.example,
            repairable: r.repair.is_yes(),
        }
    }
}

/// Every rule, in catalog order.
#[wasm_bindgen(js_name = listRules)]
pub fn list_rules() -> Result<JsValue, JsValue> {
    to_js(&RULES.iter().map(|r| RuleInfo::from(*r)).collect::<Vec<_>>())
}

/// The long explanation of a rule, as `ramcheck --explain` prints it, or
/// `undefined` for an unknown code.
#[wasm_bindgen(js_name = explainRule)]
pub fn explain_rule(code: &str, language: &str) -> Option<String> {
    rules::find(code).map(|r| rules::explain(r, Lang::from_tag(language)))
}

/// A report as `text` (no colours) or `markdown`.
#[wasm_bindgen(js_name = formatReport)]
pub fn format_report(report: JsValue, style: &str, language: &str) -> Result<String, JsValue> {
    let report: Report = from_js(report)?;
    let lang = Lang::from_tag(language);
    match style {
        "text" => Ok(report::text(&report, lang, false)),
        "markdown" => Ok(report::markdown(&report, lang)),
        other => Err(JsValue::from_str(&format!("unknown report format {other:?}: use \"text\" or \"markdown\""))),
    }
}

/// Pass 1 of a repair: checks the package in `blob`, uploaded as `name`, and
/// plans its repair. `output_name` is the name the corrected package will
/// have, when the caller knows it; otherwise the plan proposes one.
/// Returns `{report, plan}`.
#[wasm_bindgen(js_name = planRepair)]
pub fn plan_repair(
    blob: Blob,
    name: &str,
    output_name: Option<String>,
    target: JsValue,
    progress: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Planned {
        report: Report,
        plan: ramcheck::repair::Plan,
    }
    let target = target_from_js(target)?;
    let source = blob_source(blob)?;
    let mut report_progress = progress_to(progress);
    let started = js_sys::Date::now();
    let options = Options { deep: false };
    let (mut report, plan) =
        ramcheck::repair::check_and_plan(&source, name, output_name.as_deref(), &options, &target, Some(&mut report_progress));
    report.stats.millis = millis_since(started);
    to_js(&Planned { report, plan })
}

/// A `Write` that hands each chunk to a synchronous JavaScript function
/// `write(Uint8Array)` (in the worker, an OPFS `FileSystemSyncAccessHandle`).
/// Chunks are gathered to `CHUNK` bytes so that the calls stay few.
struct JsWrite {
    write: js_sys::Function,
    buffer: Vec<u8>,
}

const CHUNK: usize = 1 << 20;

impl JsWrite {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        // A copy the function may keep: a view into wasm memory would move.
        let bytes = js_sys::Uint8Array::from(self.buffer.as_slice());
        self.write.call1(&JsValue::NULL, &bytes).map_err(js_error)?;
        self.buffer.clear();
        Ok(())
    }
}

impl io::Write for JsWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.buffer.len() + buf.len() > CHUNK {
            self.send()?;
        }
        if buf.len() >= CHUNK {
            let bytes = js_sys::Uint8Array::from(buf);
            self.write.call1(&JsValue::NULL, &bytes).map_err(js_error)?;
        } else {
            self.buffer.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Pass 2 of a repair: streams the corrected package that `plan` (from
/// [`plan_repair`] on the same `blob`) describes into `write`, a synchronous
/// function called with each chunk as a `Uint8Array`. `progress` is called
/// with the number of input bytes read so far. Returns the repairs made.
#[wasm_bindgen(js_name = applyRepair)]
pub fn apply_repair(blob: Blob, plan: JsValue, write: js_sys::Function, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    let plan: ramcheck::repair::Plan = from_js(plan)?;
    let source = blob_source(blob)?;
    let mut report_progress = progress_to(progress);
    let mut sink = JsWrite { write, buffer: Vec::with_capacity(CHUNK) };
    let repairs = ramcheck::repair::apply(&source, &plan, &mut sink, Some(&mut report_progress))
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    io::Write::flush(&mut sink).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    to_js(&repairs)
}
