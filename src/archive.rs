//! One image archive (`component-images.tar`, `plugin-images.tar`, any `*.tar`
//! the importer loads), walked while it streams past inside the package.
//!
//! Layer bodies are skipped (or hashed with `--deep`), never buffered; small
//! JSON members are kept because `manifest.json` may come after the configs
//! it names.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Cursor, Read};

use sha2::{Digest, Sha256};

use crate::metadata::{json_nodes, syntax_message};
use crate::paths;
use crate::tarwalk::{Kind, TarError, TarWalker};

/// A JSON member (manifest, index, config) larger than this is not parsed:
/// real ones are a few KiB, a config with a long history some hundred KiB.
pub const MAX_JSON_MEMBER: u64 = 4 << 20;
/// JSON bytes parsed for all the image archives of a package together.
pub const MAX_JSON_BYTES: u64 = 64 << 20;
/// JSON values (see [`json_nodes`]) parsed for all the image archives of a
/// package together. Parsed, a value takes up to ~160 bytes however short
/// its text, so this, not the byte count, bounds their memory (~160 MB); 200
/// images with long histories have some 250,000.
pub const MAX_JSON_NODES: usize = 1_000_000;
/// Members recorded per image archive; past it the rest is walked but not
/// kept (a `docker save` of 200 images with 50 layers has about 40,000).
pub const MAX_ARCHIVE_MEMBERS: usize = 100_000;
/// Members recorded for all the image archives of a package together
/// (~200 bytes each).
pub const MAX_MEMBERS_KEPT: usize = 500_000;

/// What the image archives of one package may keep in memory, together: a
/// crafted package of many archives must not multiply the per-archive bounds.
#[derive(Debug)]
pub struct Budget {
    json_bytes: u64,
    json_nodes: usize,
    members: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { json_bytes: MAX_JSON_BYTES, json_nodes: MAX_JSON_NODES, members: MAX_MEMBERS_KEPT }
    }
}

/// Compressions recognised by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Compression {
    pub fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(b"BZh") {
            Some(Compression::Bzip2)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Compression::Xz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }
}

/// sha256 of a member as stored and, for a gzip member, of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub stored: String,
    pub content: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ArchiveMember {
    /// Normalised path inside the archive.
    pub path: String,
    pub kind: Kind,
    pub size: u64,
    pub link: Option<String>,
    /// Offset of the member's header inside the archive.
    pub pos: u64,
    pub compression: Option<Compression>,
    pub digests: Option<Digests>,
}

/// A JSON member as read.
#[derive(Debug, Clone)]
pub enum JsonDoc {
    Value(serde_json::Value),
    Invalid(String),
    /// Not parsed: a limit was reached; says which.
    NotRead(String),
}

/// Damage inside the archive: where the walk of it stopped.
#[derive(Debug, Clone)]
pub struct Damage {
    pub pos: u64,
    pub member: Option<String>,
    pub what: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImageArchive {
    /// Path of the archive in the package (normalised).
    pub path: String,
    /// Offset of the archive's header in the package stream.
    pub pos: u64,
    pub size: u64,
    pub members: Vec<ArchiveMember>,
    /// Index of the first member of each path in `members`.
    index: HashMap<String, usize>,
    /// Members past [`MAX_ARCHIVE_MEMBERS`] or the package's budget were not
    /// recorded.
    pub members_cut: bool,
    pub json: BTreeMap<String, JsonDoc>,
    /// The archive is compressed as a whole (LAY007), so it was not walked.
    pub compression: Option<Compression>,
    /// Its first block is not a tar header.
    pub not_tar: bool,
    pub damage: Option<Damage>,
    /// Members whose path or link leaves the archive, and devices and FIFOs
    /// (IMG011), as written (at most [`crate::scan::MAX_UNSAFE_RECORDED`]).
    pub unsafe_members: Vec<crate::scan::Unsafe>,
}

impl ImageArchive {
    pub fn member(&self, path: &str) -> Option<&ArchiveMember> {
        self.index.get(path).map(|&i| &self.members[i])
    }

    fn push(&mut self, member: ArchiveMember, budget: &mut Budget) {
        if self.members.len() >= MAX_ARCHIVE_MEMBERS || budget.members == 0 {
            self.members_cut = true;
            return;
        }
        budget.members -= 1;
        self.index.entry(member.path.clone()).or_insert(self.members.len());
        self.members.push(member);
    }

    /// Location of a member for messages: `app/x.tar!/manifest.json`.
    pub fn location(&self, member: &str) -> String {
        paths::nested(&self.path, member)
    }
}

/// Whether a member is worth reading as JSON, from its name and first bytes.
fn looks_like_json(path: &str, head: &[u8]) -> bool {
    let named = matches!(paths::file_name(path), "manifest.json" | "index.json" | "repositories" | "oci-layout" | "json")
        || path.ends_with(".json");
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    named || matches!(first, Some(b'{') | Some(b'['))
}

/// Walks an image archive from `data` (the member's bytes). An `Err` is a
/// failure of the stream below (the package itself is damaged); damage of the
/// archive is recorded in the returned value.
pub fn walk<R: Read>(path: &str, pos: u64, size: u64, mut data: R, deep: bool, budget: &mut Budget) -> io::Result<ImageArchive> {
    let mut archive = ImageArchive { path: path.to_string(), pos, size, ..Default::default() };
    let head = read_head(&mut data, 512)?;
    if let Some(c) = Compression::sniff(&head) {
        archive.compression = Some(c);
        return Ok(archive);
    }
    let mut walker = TarWalker::new(Cursor::new(head).chain(data));
    loop {
        let member = match walker.next_member() {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(e) => return record_damage(archive, e),
        };
        let special = matches!(member.kind, Kind::Device | Kind::Fifo);
        if (special || paths::leaves_archive(&member.path, member.kind, member.link.as_deref()))
            && archive.unsafe_members.len() < crate::scan::MAX_UNSAFE_RECORDED
        {
            let unsafe_member =
                crate::scan::Unsafe { path: member.path.clone(), kind: member.kind, link: member.link.clone(), pos: member.pos };
            archive.unsafe_members.push(unsafe_member);
        }
        let normalized = paths::normalize(&member.path);
        let mut record = ArchiveMember {
            path: normalized.clone(),
            kind: member.kind,
            size: member.size,
            link: member.link.clone(),
            pos: member.pos,
            compression: None,
            digests: None,
        };
        if member.kind == Kind::File {
            let read = read_member(&normalized, member.size, &mut walker.data(), deep, budget);
            match read {
                Ok((compression, digests, json)) => {
                    record.compression = compression;
                    record.digests = digests;
                    if let Some(doc) = json {
                        archive.json.insert(normalized.clone(), doc);
                    }
                }
                Err(e) => {
                    let err = walker.fail(e);
                    return record_damage(archive, err);
                }
            }
        }
        archive.push(record, budget);
    }
    Ok(archive)
}

fn record_damage(mut archive: ImageArchive, e: TarError) -> io::Result<ImageArchive> {
    let (pos, member, what) = match e {
        TarError::Below(e) => return Err(e),
        TarError::Truncated { pos, path } => (pos, path, "the archive ends inside a member".to_string()),
        TarError::BadChecksum { pos } if pos == 0 => {
            archive.not_tar = true;
            (pos, None, "the first block is not a tar header".to_string())
        }
        TarError::BadChecksum { pos } => (pos, None, "a tar header's checksum is wrong".to_string()),
        TarError::BadHeader { pos, what } => (pos, None, what),
        TarError::Limit { pos, what, limit } => (pos, None, format!("a {what} is larger than the {limit} bytes ramcheck reads")),
    };
    archive.damage = Some(Damage { pos, member, what });
    Ok(archive)
}

type MemberFacts = (Option<Compression>, Option<Digests>, Option<JsonDoc>);

/// Reads what the check needs of one file member; the walker skips the rest.
fn read_member<R: Read>(path: &str, size: u64, data: &mut R, deep: bool, budget: &mut Budget) -> io::Result<MemberFacts> {
    let head = read_head(data, 512)?;
    let compression = Compression::sniff(&head);
    let wants_json = compression.is_none() && looks_like_json(path, &head);
    let over = if size > MAX_JSON_MEMBER {
        Some(format!("it is {size} bytes, more than the {MAX_JSON_MEMBER} ramcheck reads of a JSON member"))
    } else if size > budget.json_bytes {
        Some(format!("the image archives hold more than the {MAX_JSON_BYTES} bytes of JSON ramcheck reads in a package"))
    } else {
        None
    };
    if let Some(why) = over.filter(|_| wants_json) {
        let digests = if deep { Some(hash(head, data, None)?) } else { None };
        return Ok((None, digests, Some(JsonDoc::NotRead(why))));
    }
    if wants_json {
        budget.json_bytes -= size;
        let mut bytes = head;
        data.read_to_end(&mut bytes)?;
        let digests = deep.then(|| Digests { stored: hex(&Sha256::digest(&bytes)), content: None });
        let nodes = json_nodes(&bytes);
        let doc = if nodes > budget.json_nodes {
            JsonDoc::NotRead(format!("the image archives hold more than the {MAX_JSON_NODES} JSON values ramcheck parses in a package"))
        } else {
            budget.json_nodes -= nodes;
            match serde_json::from_slice(&bytes) {
                Ok(v) => JsonDoc::Value(v),
                Err(e) => JsonDoc::Invalid(format!("{} at line {} column {}", syntax_message(&e), e.line(), e.column())),
            }
        };
        return Ok((None, digests, Some(doc)));
    }
    let digests = if deep { Some(hash(head, data, compression)?) } else { None };
    Ok((compression, digests, None))
}

/// Hashes a member as stored and, when it is gzip, its inflated content.
fn hash<R: Read>(head: Vec<u8>, data: &mut R, compression: Option<Compression>) -> io::Result<Digests> {
    let mut tee = HashingReader { inner: Cursor::new(head).chain(data), hasher: Sha256::new() };
    let content = if compression == Some(Compression::Gzip) {
        let mut inflated = HashingReader { inner: flate2::read::GzDecoder::new(&mut tee), hasher: Sha256::new() };
        // A layer that does not inflate cleanly has no content digest; its
        // stored digest still says whether the blob is intact.
        let ok = io::copy(&mut inflated, &mut io::sink()).is_ok();
        ok.then(|| hex(&inflated.hasher.finalize()))
    } else {
        None
    };
    io::copy(&mut tee, &mut io::sink())?;
    Ok(Digests { stored: hex(&tee.hasher.finalize()), content })
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads up to `n` bytes (fewer only at the end of the data).
pub fn read_head<R: Read>(data: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    data.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}
