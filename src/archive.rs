//! One image archive (`component-images.tar`, `plugin-images.tar`, any `*.tar`
//! the importer loads), walked while it streams past inside the package.
//!
//! Layer bodies are skipped (or hashed with `--deep`), never buffered; small
//! JSON members are kept because `manifest.json` may come after the configs
//! it names.

use std::collections::BTreeMap;
use std::io::{self, Cursor, Read};

use sha2::{Digest, Sha256};

use crate::paths;
use crate::tarwalk::{Kind, TarError, TarWalker};

/// A JSON member (manifest, index, config) larger than this is not parsed:
/// real ones are a few KiB, a config with a long history some hundred KiB.
pub const MAX_JSON_MEMBER: u64 = 4 << 20;
/// At most this many JSON bytes are kept per image archive.
pub const MAX_JSON_PER_ARCHIVE: u64 = 64 << 20;
/// Members recorded per image archive; past it the rest is walked but not
/// kept (a `docker save` of 200 images with 50 layers has about 40,000).
pub const MAX_ARCHIVE_MEMBERS: usize = 100_000;

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
    TooLarge(u64),
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
    pub members_cut: bool,
    pub json: BTreeMap<String, JsonDoc>,
    /// The archive is compressed as a whole (LAY007), so it was not walked.
    pub compression: Option<Compression>,
    /// Its first block is not a tar header.
    pub not_tar: bool,
    pub damage: Option<Damage>,
}

impl ImageArchive {
    pub fn member(&self, path: &str) -> Option<&ArchiveMember> {
        self.members.iter().find(|m| m.path == path)
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
pub fn walk<R: Read>(path: &str, pos: u64, size: u64, mut data: R, deep: bool) -> io::Result<ImageArchive> {
    let mut archive = ImageArchive { path: path.to_string(), pos, size, ..Default::default() };
    let head = read_head(&mut data, 512)?;
    if let Some(c) = Compression::sniff(&head) {
        archive.compression = Some(c);
        return Ok(archive);
    }
    let mut walker = TarWalker::new(Cursor::new(head).chain(data));
    let mut json_budget = MAX_JSON_PER_ARCHIVE;
    loop {
        let member = match walker.next_member() {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(e) => return record_damage(archive, e),
        };
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
            let read = read_member(&normalized, member.size, &mut walker.data(), deep, &mut json_budget);
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
        if archive.members.len() < MAX_ARCHIVE_MEMBERS {
            archive.members.push(record);
        } else {
            archive.members_cut = true;
        }
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
        TarError::Limit { pos, what, limit } => (pos, None, format!("a {what} is larger than {limit} bytes")),
    };
    archive.damage = Some(Damage { pos, member, what });
    Ok(archive)
}

type MemberFacts = (Option<Compression>, Option<Digests>, Option<JsonDoc>);

/// Reads what the check needs of one file member; the walker skips the rest.
fn read_member<R: Read>(path: &str, size: u64, data: &mut R, deep: bool, budget: &mut u64) -> io::Result<MemberFacts> {
    let head = read_head(data, 512)?;
    let compression = Compression::sniff(&head);
    let wants_json = compression.is_none() && looks_like_json(path, &head);
    if wants_json && (size > MAX_JSON_MEMBER || size > *budget) {
        let digests = if deep { Some(hash(head, data, None)?) } else { None };
        return Ok((None, digests, Some(JsonDoc::TooLarge(size))));
    }
    if wants_json {
        *budget -= size;
        let mut bytes = head;
        data.read_to_end(&mut bytes)?;
        let digests = deep.then(|| Digests { stored: hex(&Sha256::digest(&bytes)), content: None });
        let doc = match serde_json::from_slice(&bytes) {
            Ok(v) => JsonDoc::Value(v),
            Err(e) => JsonDoc::Invalid(e.to_string()),
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
