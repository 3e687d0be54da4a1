//! A streaming tar reader for the outer package and the image archives in it.
//!
//! Header fields are decoded by the `tar` crate's [`tar::Header`]; the walk
//! itself is ours because the check needs what `tar::Archive` does not give:
//! a bound on GNU long names and PAX records (the crate buffers them whole),
//! PAX `size` with GNU tar's and Go's rules, the exact offset of every header,
//! and errors that say whether the stream below failed or the tar itself is
//! cut or damaged.

use crate::container::source::read_full;
use crate::lang::Describe;
use crate::limits::MAX_EXTENSION_BYTES;
use std::io::{self, Read};

/// A tar block: headers and member data are laid out in 512-byte blocks.
pub const BLOCK: u64 = 512;
const SKIP_BUFFER: usize = 256 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Device,
    Fifo,
}

/// One member of a tar stream.
#[derive(Debug, Clone)]
pub struct Member {
    /// Offset of the member's first header block (extension headers included).
    pub pos: u64,
    pub path: String,
    pub link: Option<String>,
    pub kind: Kind,
    /// Bytes of data that follow the header.
    pub size: u64,
}

#[derive(Debug)]
pub enum TarError {
    /// The stream ended inside a header or a member's data.
    Truncated { pos: u64, path: Option<String> },
    /// A header whose checksum is wrong: damage, or not a tar at all.
    BadChecksum { pos: u64 },
    /// A header with a field that cannot be decoded.
    BadHeader { pos: u64, fault: HeaderFault },
    /// An extension record over [`MAX_EXTENSION_BYTES`].
    Limit { pos: u64, header: Extension, limit: u64 },
    /// The reader below failed: the gzip stream is damaged, or the member
    /// that holds this tar is itself cut short.
    Below(io::Error),
}

/// What is wrong with a header whose checksum is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderFault {
    /// A GNU long name or PAX header followed by the end of the archive.
    OrphanExtension,
    /// The size field is not a number.
    Size,
}

impl Describe for HeaderFault {
    fn en(&self) -> String {
        match self {
            HeaderFault::OrphanExtension => "an extension header describes no member",
            HeaderFault::Size => "the size field is not a number",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self {
            HeaderFault::OrphanExtension => "扩展头之后没有它描述的文件",
            HeaderFault::Size => "文件头的大小字段不是数字",
        }
        .into()
    }
}

/// A header that carries the next member's long name or attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    /// A PAX extended header (`x` or `g`).
    Pax,
    /// A GNU long name or long link name (`L` or `K`).
    LongName,
}

impl Describe for Extension {
    fn en(&self) -> String {
        match self {
            Extension::Pax => "PAX extended header",
            Extension::LongName => "GNU long name",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self {
            Extension::Pax => "PAX 扩展头",
            Extension::LongName => "GNU 长文件名头",
        }
        .into()
    }
}

/// Marks the io::Error that [`EntryData`] returns when the stream ends before
/// the member does, so an enclosing walk can tell it from other failures.
#[derive(Debug)]
pub struct EntryCut;
impl std::fmt::Display for EntryCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the member's data is cut short")
    }
}
impl std::error::Error for EntryCut {}

pub fn is_entry_cut(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<EntryCut>())
}

#[derive(Default)]
struct Pending {
    path: Option<String>,
    link: Option<String>,
    size: Option<u64>,
}

pub struct TarWalker<R> {
    r: R,
    pos: u64,
    /// Data bytes of the current member not yet read.
    remaining: u64,
    /// Padding after the current member's data.
    padding: u64,
    current: Option<(u64, String)>,
    /// Set when this walk's own stream ended inside a member's data.
    cut: bool,
    finished: bool,
    buf: Vec<u8>,
}

impl<R: Read> TarWalker<R> {
    pub fn new(r: R) -> Self {
        TarWalker { r, pos: 0, remaining: 0, padding: 0, current: None, cut: false, finished: false, buf: Vec::new() }
    }

    /// Bytes of the tar stream consumed so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// The next member, skipping what is left of the current one.
    pub fn next_member(&mut self) -> Result<Option<Member>, TarError> {
        if self.finished {
            return Ok(None);
        }
        self.skip_rest()?;
        let mut pending = Pending::default();
        let mut first_pos = None;
        loop {
            let pos = self.pos;
            let mut block = [0u8; BLOCK as usize];
            let got = self.fill(&mut block)?;
            if got == 0 && first_pos.is_none() {
                // A stream that ends on a block boundary without the
                // end-of-archive marker: GNU tar and Go accept it.
                self.finished = true;
                return Ok(None);
            }
            if got < block.len() {
                return Err(TarError::Truncated { pos, path: pending.path });
            }
            if block.iter().all(|&b| b == 0) {
                if first_pos.is_some() {
                    return Err(TarError::BadHeader { pos, fault: HeaderFault::OrphanExtension });
                }
                self.finished = true;
                return Ok(None);
            }
            first_pos.get_or_insert(pos);
            let header = tar::Header::from_byte_slice(&block);
            check_sum(&block).ok_or(TarError::BadChecksum { pos })?;
            let size = header.entry_size().map_err(|_| TarError::BadHeader { pos, fault: HeaderFault::Size })?;
            let flag = block[156];
            match flag {
                b'L' | b'K' | b'x' | b'g' => {
                    let data = self.read_extension(pos, size, flag)?;
                    match flag {
                        b'L' => pending.path = Some(c_string(&data)),
                        b'K' => pending.link = Some(c_string(&data)),
                        b'x' => apply_pax(&data, &mut pending),
                        _ => {} // global PAX records carry nothing the check needs
                    }
                    continue;
                }
                _ => {}
            }
            let kind = match flag {
                b'5' => Kind::Dir,
                b'2' => Kind::Symlink,
                b'1' => Kind::Hardlink,
                b'3' | b'4' => Kind::Device,
                b'6' => Kind::Fifo,
                _ => Kind::File, // GNU tar extracts unknown types as files
            };
            let size = match kind {
                // Header-only types carry no data, whatever the size field says
                // (GNU tar and Go's archive/tar agree).
                Kind::Symlink | Kind::Hardlink | Kind::Device | Kind::Fifo | Kind::Dir => 0,
                Kind::File => pending.size.unwrap_or(size),
            };
            let path = pending.path.take().unwrap_or_else(|| String::from_utf8_lossy(&header.path_bytes()).into_owned());
            let link = match kind {
                Kind::Symlink | Kind::Hardlink => Some(
                    pending
                        .link
                        .take()
                        .unwrap_or_else(|| header.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()),
                ),
                _ => None,
            };
            self.remaining = size;
            self.padding = (BLOCK - size % BLOCK) % BLOCK;
            let pos = first_pos.unwrap_or(pos);
            self.current = Some((pos, path.clone()));
            return Ok(Some(Member { pos, path, link, kind, size }));
        }
    }

    /// Reads the data of the current member.
    pub fn data(&mut self) -> EntryData<'_, R> {
        EntryData { walker: self }
    }

    /// Turns an error met while reading a member's data into a [`TarError`].
    pub fn fail(&self, e: io::Error) -> TarError {
        if self.cut && is_entry_cut(&e) {
            return TarError::Truncated { pos: self.pos, path: self.current.as_ref().map(|c| c.1.clone()) };
        }
        TarError::Below(e)
    }

    fn skip_rest(&mut self) -> Result<(), TarError> {
        // A crafted size near u64::MAX must not wrap: the skip then ends at
        // the end of the stream and reports the member as cut.
        let mut left = self.remaining.saturating_add(self.padding);
        if left == 0 {
            return Ok(());
        }
        if self.buf.is_empty() {
            self.buf = vec![0; SKIP_BUFFER];
        }
        while left > 0 {
            let want = left.min(self.buf.len() as u64) as usize;
            let n = self.r.read(&mut self.buf[..want]).map_err(TarError::Below)?;
            if n == 0 {
                let path = self.current.as_ref().map(|c| c.1.clone());
                return Err(TarError::Truncated { pos: self.pos, path });
            }
            self.pos += n as u64;
            left -= n as u64;
        }
        self.remaining = 0;
        self.padding = 0;
        Ok(())
    }

    fn read_extension(&mut self, pos: u64, size: u64, flag: u8) -> Result<Vec<u8>, TarError> {
        if size > MAX_EXTENSION_BYTES {
            let header = if flag == b'x' || flag == b'g' { Extension::Pax } else { Extension::LongName };
            return Err(TarError::Limit { pos, header, limit: MAX_EXTENSION_BYTES });
        }
        let mut data = vec![0u8; size as usize];
        if self.fill(&mut data)? < data.len() {
            return Err(TarError::Truncated { pos, path: None });
        }
        self.remaining = 0;
        self.padding = (BLOCK - size % BLOCK) % BLOCK;
        self.current = None;
        self.skip_rest()?;
        Ok(data)
    }

    /// Reads until `buf` is full or the stream ends; returns the count.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, TarError> {
        let have = read_full(&mut self.r, buf).map_err(TarError::Below)?;
        self.pos += have as u64;
        Ok(have)
    }
}

/// The data of the current member. Ends with an [`EntryCut`] error, not a
/// short read, when the stream ends first.
pub struct EntryData<'w, R> {
    walker: &'w mut TarWalker<R>,
}

impl<R: Read> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let w = &mut *self.walker;
        if w.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(w.remaining) as usize;
        let n = w.r.read(&mut buf[..want])?;
        if n == 0 {
            w.cut = true;
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, EntryCut));
        }
        w.remaining -= n as u64;
        w.pos += n as u64;
        Ok(n)
    }
}

/// GNU tar accepts a header whose checksum matches as unsigned or as signed
/// bytes.
fn check_sum(block: &[u8]) -> Option<()> {
    let field = &block[148..156];
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    let stored = u32::from_str_radix(text, 8).ok()?;
    let spaces = 8 * u32::from(b' ');
    let (mut unsigned, mut signed) = (spaces, spaces as i32);
    for (i, &b) in block.iter().enumerate() {
        if (148..156).contains(&i) {
            continue;
        }
        unsigned += u32::from(b);
        signed += i32::from(b as i8);
    }
    (stored == unsigned || stored as i32 == signed).then_some(())
}

fn c_string(data: &[u8]) -> String {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    String::from_utf8_lossy(&data[..end]).into_owned()
}

/// Applies the PAX records that matter here (`path`, `linkpath`, `size`).
fn apply_pax(mut data: &[u8], pending: &mut Pending) {
    while !data.is_empty() {
        let Some(space) = data.iter().position(|&b| b == b' ') else { return };
        let Some(len) = std::str::from_utf8(&data[..space]).ok().and_then(|s| s.parse::<usize>().ok()) else { return };
        if len <= space + 1 || len > data.len() {
            return;
        }
        let record = &data[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|&b| b == b'=') {
            let (key, value) = (&record[..eq], &record[eq + 1..]);
            let value = String::from_utf8_lossy(value).into_owned();
            match key {
                b"path" => pending.path = Some(value),
                b"linkpath" => pending.link = Some(value),
                b"size" => pending.size = value.parse().ok(),
                _ => {}
            }
        }
        data = &data[len..];
    }
}
