//! Byte sources: where the package's bytes come from.
//!
//! A native file and a browser `File` both implement [`ByteSource`]: random
//! access by 64-bit offset and a known length. The gzip path reads it
//! sequentially through [`SourceReader`]; the zip path seeks, because a zip's
//! directory sits at its end.

use std::cell::{Cell, RefCell};
use std::io::{self, Read, Seek, SeekFrom};

/// Random access to the bytes of one package.
pub trait ByteSource {
    /// Its length in bytes.
    fn len(&self) -> u64;
    /// Reads into `buf` from `offset`; returns 0 only at or past the end.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// Whether it has no byte.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ByteSource for [u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(<[u8]>::len(self));
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

impl ByteSource for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.as_slice().read_at(offset, buf)
    }
}

#[cfg(all(unix, not(target_arch = "wasm32")))]
impl ByteSource for std::fs::File {
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }
}

/// What the progress hook is told, every [`PROGRESS_STEP`] bytes read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgressInfo<'m> {
    /// Bytes of the package read so far.
    pub bytes_read: u64,
    /// The outer member being read (its normalized path), when it is at
    /// least [`LARGE_MEMBER`] bytes: the one a long wait is spent on.
    /// `None` between members, for smaller members, for an image archive's
    /// own members, and where nothing walks the members (the browser's
    /// inflater worker, a repair that only copies or recompresses).
    pub member: Option<&'m str>,
}

/// Progress callback: called every [`PROGRESS_STEP`] bytes read with what
/// was read so far.
pub type Progress<'a> = &'a mut dyn FnMut(ProgressInfo<'_>);

/// How often (in bytes read) progress is reported.
pub const PROGRESS_STEP: u64 = 4 << 20;

/// An outer member this large or larger is named to the progress hook while
/// it is read ([`ProgressInfo::member`]). A smaller member goes by in a
/// fraction of a second, too fast for its name to be read on a line; an image
/// archive or a big data file takes seconds.
pub const LARGE_MEMBER: u64 = 64 << 20;

/// The large outer member being read, as the walk sets it and the progress
/// hook reads it. Only a large member sets it (one path per 64 MiB read at
/// most, none per report), and it holds one path, whatever the package.
#[derive(Default)]
pub(crate) struct CurrentMember {
    path: RefCell<String>,
    set: Cell<bool>,
}

impl CurrentMember {
    /// A member of `size` bytes begins: named by `path` (its normalised path,
    /// made only then) when it has at least [`LARGE_MEMBER`] bytes, else no
    /// member is named until the next large one. A small member costs a store.
    pub(crate) fn enter(&self, size: u64, path: impl FnOnce() -> String) {
        if size >= LARGE_MEMBER {
            *self.path.borrow_mut() = path();
            self.set.set(true);
        } else {
            self.set.set(false);
        }
    }

    /// The walk is past the last member.
    pub(crate) fn leave(&self) {
        self.set.set(false);
    }
}

/// A `Read + Seek` cursor over a [`ByteSource`] that counts what it reads and
/// reports progress.
pub struct SourceReader<'a> {
    source: &'a dyn ByteSource,
    len: u64,
    pos: u64,
    bytes_read: u64,
    next_report: u64,
    progress: Option<Progress<'a>>,
    member: Option<&'a CurrentMember>,
}

impl<'a> SourceReader<'a> {
    /// Reads `source` from its start, calling `progress` as it goes.
    pub fn new(source: &'a dyn ByteSource, progress: Option<Progress<'a>>) -> Self {
        SourceReader { source, len: source.len(), pos: 0, bytes_read: 0, next_report: PROGRESS_STEP, progress, member: None }
    }

    /// Names `member` to the progress hook while it is set.
    pub(crate) fn naming(self, member: &'a CurrentMember) -> Self {
        SourceReader { member: Some(member), ..self }
    }

    /// Bytes handed out so far (a seek does not count).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The offset of the next byte read.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Length of the whole source.
    pub fn source_len(&self) -> u64 {
        self.len
    }
}

impl Read for SourceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let n = self.source.read_at(self.pos, buf)?;
        self.pos += n as u64;
        self.bytes_read += n as u64;
        if self.bytes_read >= self.next_report {
            self.next_report = self.bytes_read + PROGRESS_STEP;
            if let Some(report) = self.progress.as_mut() {
                let named = self.member.filter(|m| m.set.get()).map(|m| m.path.borrow());
                report(ProgressInfo { bytes_read: self.bytes_read, member: named.as_deref().map(String::as_str) });
            }
        }
        Ok(n)
    }
}

impl Seek for SourceReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

impl<'a> SourceReader<'a> {
    /// A second cursor at `offset` that neither moves this one nor counts.
    pub fn peek_at(&self, offset: u64) -> SourceReader<'a> {
        SourceReader { source: self.source, len: self.len, pos: offset, bytes_read: 0, next_report: u64::MAX, progress: None, member: None }
    }
}

/// Reads until `buf` is full or the data ends; returns the count, short only
/// at the end (where `Read::read_exact` would fail instead).
pub fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut have = 0;
    while have < buf.len() {
        match r.read(&mut buf[have..]) {
            Ok(0) => break,
            Ok(n) => have += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(have)
}
