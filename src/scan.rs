//! The one streaming pass over a package: sniff the container, inflate, walk
//! the outer tar (or zip), walk every image archive inside while it streams
//! past, and collect the facts the rules judge.

use std::collections::BTreeMap;
use std::io::{self, Cursor, Read};

use crate::archive::{self, Compression, ImageArchive};
use crate::gzip::{self, Chunked, Fill, StreamError, Trailing};
use crate::paths;
use crate::report::Entry;
use crate::source::{ByteSource, Progress, SourceReader};
use crate::tarwalk::{Kind, TarError, TarWalker};

/// metadata.json larger than this is not parsed (real ones are well under
/// 1 MiB, even with Kubernetes resources).
pub const MAX_METADATA_BYTES: u64 = 16 << 20;
/// Entries listed in the report for display.
pub const MAX_DISPLAY_ENTRIES: usize = 5_000;
/// Outer members at depth 0 to 2 kept for the layout rules; real packages
/// have a handful.
pub const MAX_SHALLOW_MEMBERS: usize = 10_000;
/// Unsafe members recorded (LAY006, LAY010, IMG011); one is enough to
/// refuse a package.
pub const MAX_UNSAFE_RECORDED: usize = 100;
/// Candidate metadata.json files kept (one per top-level directory).
const MAX_METADATA_CANDIDATES: usize = 4;
/// Image archives walked (any `*.tar` near the top). The v5 layout has one
/// per component; past this many the others are skipped, so a package of a
/// million tiny tars cannot multiply what each walk keeps.
pub const MAX_IMAGE_ARCHIVES: usize = 1_000;

/// What the upload is, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Gzip,
    Zip,
    Tar,
    Compressed(Compression),
    Empty,
    Unknown,
}

impl Container {
    pub fn sniff(head: &[u8]) -> Container {
        if head.is_empty() {
            return Container::Empty;
        }
        if head.starts_with(&[0x1f, 0x8b]) {
            return Container::Gzip;
        }
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            return Container::Zip;
        }
        if let Some(c) = Compression::sniff(head) {
            return Container::Compressed(c);
        }
        if is_tar_header(head) {
            return Container::Tar;
        }
        Container::Unknown
    }

    pub fn name(self) -> &'static str {
        match self {
            Container::Gzip => "tar.gz",
            Container::Zip => "zip",
            Container::Tar => "tar",
            Container::Compressed(c) => c.name(),
            Container::Empty => "empty",
            Container::Unknown => "unknown",
        }
    }
}

/// Whether a block looks like the first header of a tar archive.
pub fn is_tar_header(head: &[u8]) -> bool {
    head.len() >= 512
        && (&head[257..262] == b"ustar" || {
            // A v7 header has no magic: accept it when its checksum is right.
            let mut walker = TarWalker::new(&head[..512]);
            matches!(walker.next_member(), Ok(Some(_)) | Err(TarError::Truncated { .. }))
        })
}

/// A member of the outer archive near the top, for the layout rules.
#[derive(Debug, Clone)]
pub struct Shallow {
    /// Path as stored in the archive.
    pub raw: String,
    pub path: String,
    pub kind: Kind,
    pub size: u64,
    pub pos: u64,
}

impl Shallow {
    pub fn depth(&self) -> usize {
        paths::components(&self.path).len()
    }
}

/// A member unsafe to extract: its path or link leaves the archive (LAY006),
/// or it is a device or FIFO (LAY010).
#[derive(Debug, Clone)]
pub struct Unsafe {
    pub path: String,
    pub kind: Kind,
    pub link: Option<String>,
    pub pos: u64,
}

#[derive(Debug, Clone)]
pub struct MetadataFile {
    pub path: String,
    pub pos: u64,
    pub size: u64,
    /// The bytes, unless the file is over [`MAX_METADATA_BYTES`].
    pub bytes: Option<Vec<u8>>,
}

/// How the walk ended when it could not reach the end.
#[derive(Debug, Clone)]
pub enum Stop {
    /// The compressed stream is damaged or cut (PKG003).
    Damaged { pos: Option<u64>, member: Option<String>, what: String },
    /// The tar inside is cut or has a bad header (PKG003).
    TarDamaged { pos: u64, member: Option<String>, what: String },
    /// The gzip (or zip) bomb guard fired.
    InflateLimit { inflated: u64, compressed: u64 },
    /// A tar extension header over [`crate::tarwalk::MAX_EXTENSION_BYTES`].
    Limit { pos: u64, what: String },
    /// Reading the file failed (not damage: an I/O error of the device).
    Io(String),
}

#[derive(Debug, Default)]
pub struct Package {
    pub file_name: String,
    pub size: u64,
    pub container: Option<Container>,
    /// Container found inside the gzip stream when it is not a tar.
    pub inner_container: Option<Container>,
    pub trailing: Option<Trailing>,
    /// Whether a tar or zip walk took place.
    pub walked: bool,
    pub stop: Option<Stop>,
    pub uncompressed_bytes: u64,
    pub entry_count: u64,
    pub entries: Vec<Entry>,
    pub shallow: Vec<Shallow>,
    pub shallow_cut: bool,
    pub unsafe_paths: Vec<Unsafe>,
    pub special_files: Vec<Unsafe>,
    pub metadata: Vec<MetadataFile>,
    pub archives: Vec<ImageArchive>,
    /// `*.tar` files not walked because of [`MAX_IMAGE_ARCHIVES`].
    pub archives_skipped: u64,
    budget: archive::Budget,
    /// Zip members whose directory has no entry before them (LAY009).
    pub unzip_orphans: Vec<(String, u64)>,
    /// Zip members compressed with a method other than Store or Deflate:
    /// path, method name, offset (PKG010).
    pub zip_methods: Vec<(String, String, u64)>,
    pub bytes_read: u64,
}

impl Package {
    /// Whether every byte was walked: absence-based rules only speak then.
    pub fn complete(&self) -> bool {
        self.walked && self.stop.is_none()
    }

    /// Whether the walk stopped inside the member at `path` (normalised): a
    /// size that runs past the end of the package is damage, not content.
    pub fn stopped_inside(&self, path: &str) -> bool {
        match &self.stop {
            Some(Stop::TarDamaged { member: Some(m), .. } | Stop::Damaged { member: Some(m), .. }) => paths::normalize(m) == path,
            _ => false,
        }
    }

    /// Top-level names with their first position, in the importer's order.
    pub fn top_level(&self) -> BTreeMap<String, (u64, bool)> {
        let mut tops: BTreeMap<String, (u64, bool)> = BTreeMap::new();
        for m in &self.shallow {
            if let Some(first) = paths::components(&m.path).first() {
                let is_dir = m.depth() > 1 || m.kind == Kind::Dir;
                let slot = tops.entry(first.to_string()).or_insert((m.pos, is_dir));
                slot.1 |= is_dir;
            }
        }
        tops
    }

    fn record(&mut self, path: &str, kind: Kind, size: u64, link: Option<&str>) {
        self.entry_count += 1;
        if self.entries.len() < MAX_DISPLAY_ENTRIES {
            let kind = format!("{kind:?}").to_lowercase();
            self.entries.push(Entry { path: path.to_string(), size, kind, link: link.map(str::to_string) });
        }
    }
}

pub struct Options {
    pub deep: bool,
}

/// Refills the walk's buffer with inflated bytes made elsewhere (see
/// [`gzip::Chunked`]).
pub type Refill<'r> = &'r mut dyn FnMut(&mut [u8]) -> Fill;

/// Runs the pass. Never fails: every problem ends up in the returned facts.
pub fn scan<'a>(source: &'a dyn ByteSource, file_name: &str, options: &Options, progress: Option<Progress<'a>>) -> Package {
    scan_with(source, file_name, options, progress, None)
}

/// [`scan`], with the gzip layer of a gzip package run by `inflater` (which
/// reads `source` on another thread) instead of here.
pub fn scan_with<'a>(
    source: &'a dyn ByteSource,
    file_name: &str,
    options: &Options,
    progress: Option<Progress<'a>>,
    inflater: Option<Refill<'_>>,
) -> Package {
    let mut pkg = Package { file_name: file_name.to_string(), size: source.len(), ..Default::default() };
    let mut head = [0u8; 512];
    let n = match SourceReader::new(source, None).read(&mut head) {
        Ok(n) => n,
        Err(e) => {
            pkg.stop = Some(Stop::Io(e.to_string()));
            return pkg;
        }
    };
    let container = Container::sniff(&head[..n]);
    pkg.container = Some(container);
    let mut reader = SourceReader::new(source, progress);
    match container {
        Container::Gzip => match inflater {
            Some(refill) => walk_gzip(&mut pkg, Chunked::new(refill), options),
            None => walk_gzip(&mut pkg, gzip::inflate_here(reader), options),
        },
        Container::Tar => {
            walk_tar(&mut pkg, &mut reader, options);
            pkg.uncompressed_bytes = pkg.size;
            pkg.bytes_read = reader.bytes_read();
        }
        Container::Zip => {
            crate::zipwalk::walk(&mut pkg, &mut reader, options);
            pkg.bytes_read = reader.bytes_read().min(pkg.size);
        }
        Container::Compressed(_) | Container::Empty | Container::Unknown => {}
    }
    pkg
}

fn walk_gzip<F: FnMut(&mut [u8]) -> Fill>(pkg: &mut Package, mut gz: Chunked<F>, options: &Options) {
    walk_inflated(pkg, &mut gz, options);
    pkg.trailing = gz.trailing().cloned();
    pkg.bytes_read = gz.compressed_position();
}

fn walk_inflated<F: FnMut(&mut [u8]) -> Fill>(pkg: &mut Package, gz: &mut Chunked<F>, options: &Options) {
    let head = match archive::read_head(gz, 512) {
        Ok(h) => h,
        Err(e) => {
            pkg.stop = Some(stream_failure(e, Some(gz.compressed_position()), None));
            return;
        }
    };
    let inner = Container::sniff(&head);
    if inner == Container::Gzip {
        // Double-compressed (PKG002): the import fails, but what the inner
        // stream holds is judged too, so one pass reports everything.
        pkg.inner_container = Some(inner);
        let mut inner_gz = flate2::read::MultiGzDecoder::new(Cursor::new(head).chain(&mut *gz));
        match archive::read_head(&mut inner_gz, 512) {
            Ok(h) if Container::sniff(&h) == Container::Tar => walk_tar(pkg, &mut Cursor::new(h).chain(&mut inner_gz), options),
            Ok(_) => {}
            Err(e) => pkg.stop = Some(stream_failure(e, None, None)),
        }
    } else if inner != Container::Tar {
        pkg.inner_container = Some(inner);
        drain(pkg, gz);
        return;
    } else {
        walk_tar(pkg, &mut Cursor::new(head).chain(&mut *gz), options);
    }
    if pkg.stop.is_none() {
        drain(pkg, gz);
    }
    pkg.uncompressed_bytes = gz.inflated();
}

/// Reads the gzip stream to its end, so its checksums and what follows it are
/// checked too.
fn drain<F: FnMut(&mut [u8]) -> Fill>(pkg: &mut Package, gz: &mut Chunked<F>) {
    if let Err(e) = io::copy(gz, &mut io::sink()) {
        pkg.stop = Some(stream_failure(e, Some(gz.compressed_position()), None));
    }
    pkg.uncompressed_bytes = gz.inflated();
}

fn stream_failure(e: io::Error, pos: Option<u64>, member: Option<String>) -> Stop {
    let what = match StreamError::from(e) {
        StreamError::Limit { inflated, compressed } => return Stop::InflateLimit { inflated, compressed },
        StreamError::Io(message) => return Stop::Io(message),
        StreamError::Eof(_) => "the compressed stream ends early".to_string(),
        StreamError::Damaged(message) => format!("the compressed stream is damaged ({message})"),
    };
    Stop::Damaged { pos, member, what }
}

fn walk_tar<R: Read>(pkg: &mut Package, r: R, options: &Options) {
    pkg.walked = true;
    let mut walker = TarWalker::new(r);
    loop {
        let member = match walker.next_member() {
            Ok(Some(m)) => m,
            Ok(None) => return,
            Err(e) => {
                pkg.stop = Some(tar_stop(e, None));
                return;
            }
        };
        let result = visit(pkg, &member.path, member.kind, member.size, member.link.as_deref(), member.pos, &mut walker.data(), options);
        if let Err(e) = result {
            pkg.stop = Some(tar_stop(walker.fail(e), Some(member.path)));
            return;
        }
    }
}

fn tar_stop(e: TarError, member: Option<String>) -> Stop {
    match e {
        TarError::Below(e) => stream_failure(e, None, member),
        TarError::Truncated { pos, path } => {
            Stop::TarDamaged { pos, member: path.or(member), what: "the package ends inside a member: it was cut short".into() }
        }
        TarError::BadChecksum { pos } => Stop::TarDamaged { pos, member: None, what: "a tar header's checksum is wrong".into() },
        TarError::BadHeader { pos, what } => Stop::TarDamaged { pos, member: None, what },
        TarError::Limit { pos, what, limit } => {
            Stop::Limit { pos, what: format!("a {what} is larger than the {limit} bytes ramcheck reads") }
        }
    }
}

/// Looks at one member of the outer archive. An `Err` comes from the stream
/// below and ends the walk.
#[allow(clippy::too_many_arguments)]
pub(crate) fn visit(
    pkg: &mut Package,
    raw_path: &str,
    kind: Kind,
    size: u64,
    link: Option<&str>,
    pos: u64,
    data: &mut dyn Read,
    options: &Options,
) -> io::Result<()> {
    let path = paths::normalize(raw_path);
    pkg.record(&path, kind, size, link);
    check_path_safety(pkg, raw_path, kind, link, pos);
    let depth = paths::components(&path).len();
    if depth <= 3 {
        if pkg.shallow.len() < MAX_SHALLOW_MEMBERS {
            pkg.shallow.push(Shallow { raw: raw_path.to_string(), path: path.clone(), kind, size, pos });
        } else {
            pkg.shallow_cut = true;
        }
    }
    if kind != Kind::File {
        return Ok(());
    }
    let name = paths::file_name(&path);
    if name == "metadata.json" && depth <= 2 && pkg.metadata.len() < MAX_METADATA_CANDIDATES {
        let bytes = if size <= MAX_METADATA_BYTES {
            let mut bytes = Vec::with_capacity(size as usize);
            data.read_to_end(&mut bytes)?;
            Some(bytes)
        } else {
            None
        };
        pkg.metadata.push(MetadataFile { path, pos, size, bytes });
        return Ok(());
    }
    // The importer loads every *.tar at depth 1 and 2 below the app directory;
    // a flat repack puts them at the top, which is worth reading too.
    if name.ends_with(".tar") && depth <= 3 {
        if pkg.archives.len() >= MAX_IMAGE_ARCHIVES {
            pkg.archives_skipped += 1;
            return Ok(());
        }
        let walked = archive::walk(&path, pos, size, data, options.deep, &mut pkg.budget)?;
        for m in &walked.members {
            let inner = paths::nested(&path, &m.path);
            pkg.record(&inner, m.kind, m.size, m.link.as_deref());
        }
        pkg.archives.push(walked);
    }
    Ok(())
}

fn check_path_safety(pkg: &mut Package, raw: &str, kind: Kind, link: Option<&str>, pos: u64) {
    let record = || Unsafe { path: raw.to_string(), kind, link: link.map(str::to_string), pos };
    if paths::leaves_archive(raw, kind, link) && pkg.unsafe_paths.len() < MAX_UNSAFE_RECORDED {
        pkg.unsafe_paths.push(record());
    }
    if matches!(kind, Kind::Device | Kind::Fifo) && pkg.special_files.len() < MAX_UNSAFE_RECORDED {
        pkg.special_files.push(record());
    }
}
