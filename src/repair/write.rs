//! Pass 2: streams the input once and writes the corrected package.
//!
//! Memory stays bounded: member data is copied through a fixed buffer; only
//! a member's header blocks and a metadata.json losing its byte-order mark
//! (already bounded by the check) are held whole.

use std::cell::RefCell;
use std::io::{self, BufReader, Cursor, Read, Write};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};

use super::from_zip;
use super::header::{self, Change};
use super::plan::{Mode, Plan, Repair};
use super::tar_out::{copy_exact, TarOut};
use crate::container::gzip;
use crate::container::paths;
use crate::container::source::{ByteSource, CurrentMember, Progress, SourceReader};
use crate::container::tarwalk::{Kind, TarError, TarWalker, BLOCK};
use crate::limits::MAX_HEADER_BYTES;
use crate::limits::MAX_METADATA_BYTES;
use crate::scan::archive::read_head;
use crate::scan::Container;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Pass 2: writes the package `plan` describes to `sink`, reading `source`
/// (the file the plan was made from) once. Returns the repairs made.
pub fn apply<'a>(source: &'a dyn ByteSource, plan: &Plan, sink: &mut dyn Write, progress: Option<Progress<'a>>) -> io::Result<Vec<Repair>> {
    if source.len() != plan.input_size {
        return Err(io::Error::other("the input changed since it was checked"));
    }
    // The large member being copied, named to `progress` (where members
    // are walked: a copy or a recompression passes the stream through).
    let current = CurrentMember::default();
    let reader = SourceReader::new(source, progress.map(|p| p as Progress<'_>)).naming(&current);
    match plan.mode {
        Mode::Refused => return Err(io::Error::other("the package cannot be read to its end, so it cannot be repaired")),
        Mode::Copy { len } => {
            copy_exact(&mut reader.take(len), sink, len)?;
        }
        Mode::Recompress => {
            let mut gz = encoder(sink);
            io::copy(&mut tar_stream(reader)?, &mut gz)?;
            gz.finish()?;
        }
        Mode::Rewrite => {
            let mut out = TarOut::new(encoder(sink));
            if Container::sniff(&head(source)?) == Container::Zip {
                from_zip::convert(reader, plan, &mut out, &current)?;
            } else {
                rewrite(tar_stream(reader)?, plan, &mut out, &current)?;
            }
            current.leave();
            out.finish()?;
        }
    }
    sink.flush()?;
    Ok(plan.repairs.clone())
}

/// gzip as `tar -czf` runs it: default level, Unix as the system.
fn encoder(sink: &mut dyn Write) -> GzEncoder<&mut dyn Write> {
    GzBuilder::new().operating_system(3).write(sink, Compression::new(6))
}

fn head(source: &dyn ByteSource) -> io::Result<Vec<u8>> {
    read_head(&mut SourceReader::new(source, None), BLOCK as usize)
}

/// The tar inside the input: itself, or inflated once or twice.
fn tar_stream<'a>(reader: SourceReader<'a>) -> io::Result<Box<dyn Read + 'a>> {
    let mut peek = reader.peek_at(0);
    match Container::sniff(&read_head(&mut peek, BLOCK as usize)?) {
        Container::Gzip => {
            let mut gz = gzip::inflate_here(reader);
            let head = read_head(&mut gz, BLOCK as usize)?;
            let inner = Cursor::new(head).chain(gz);
            if Container::sniff(inner.get_ref().0.get_ref()) == Container::Gzip {
                Ok(Box::new(MultiGzDecoder::new(inner)))
            } else {
                Ok(Box::new(inner))
            }
        }
        _ => Ok(Box::new(BufReader::with_capacity(1 << 20, reader))),
    }
}

/// A reader that keeps what passes through it while `on`: the walker reads
/// header blocks through it, so kept members get theirs byte for byte.
struct Tap<R> {
    inner: R,
    log: Rc<RefCell<Log>>,
}

#[derive(Default)]
struct Log {
    on: bool,
    bytes: Vec<u8>,
    overflow: bool,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut log = self.log.borrow_mut();
        if log.on {
            if log.bytes.len() + n > MAX_HEADER_BYTES {
                log.overflow = true;
            } else {
                log.bytes.extend_from_slice(&buf[..n]);
            }
        }
        Ok(n)
    }
}

/// Copies the tar member by member, with the plan's drops and edits;
/// `current` names the large ones while they are copied.
fn rewrite(input: impl Read, plan: &Plan, out: &mut TarOut<'_>, current: &CurrentMember) -> io::Result<()> {
    let log = Rc::new(RefCell::new(Log::default()));
    let mut walker = TarWalker::new(Tap { inner: input, log: log.clone() });
    loop {
        *log.borrow_mut() = Log { on: true, ..Log::default() };
        let member = walker.next_member().map_err(tar_error)?;
        let Log { bytes: recorded, overflow, .. } = std::mem::take(&mut *log.borrow_mut());
        let Some(m) = member else { return Ok(()) };
        if overflow {
            return Err(io::Error::other(format!("the headers of {} are larger than {MAX_HEADER_BYTES} bytes", m.path)));
        }
        // What was read before this member's first header is the padding of
        // the one before.
        let header_len = (walker.position() - m.pos) as usize;
        let raw = recorded.get(recorded.len().saturating_sub(header_len)..).unwrap_or_default();
        current.enter(m.size, || paths::normalize(&m.path));
        let data = &mut walker.data();
        if plan.drops(&m.path) {
            copy_exact(data, &mut io::sink(), m.size)?;
            continue;
        }
        let hardlink = m.link.as_deref().filter(|_| m.kind == Kind::Hardlink);
        let edit = plan.edit(&m.path, hardlink);
        if edit.strip_bom && m.size <= MAX_METADATA_BYTES {
            let mut bytes = Vec::with_capacity(m.size as usize);
            data.read_to_end(&mut bytes)?;
            let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
            let change = Change { path: edit.path.as_deref(), link: edit.link.as_deref(), size: Some(body.len() as u64) };
            out.write(&header::rewrite(raw, &change)?)?;
            out.data(&mut &body[..], body.len() as u64)?;
        } else {
            if edit.path.is_some() || edit.link.is_some() {
                let change = Change { path: edit.path.as_deref(), link: edit.link.as_deref(), size: None };
                out.write(&header::rewrite(raw, &change)?)?;
            } else {
                out.write(raw)?;
            }
            out.data(data, m.size)?;
        }
    }
}

fn tar_error(e: TarError) -> io::Error {
    match e {
        TarError::Below(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, format!("the tar cannot be read ({other:?})")),
    }
}
