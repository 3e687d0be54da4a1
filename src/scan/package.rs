//! What the pass collects: the facts of one package, before any rule reads them.

use std::collections::BTreeMap;

use super::archive::{self, Compression, ImageArchive};
use super::fault::Fault;
use crate::container::gzip::{Fill, Trailing};
use crate::container::paths::{self, Unsafe};
use crate::container::tarwalk::{Kind, TarError, TarWalker, BLOCK};
use crate::lang::Describe;
use crate::limits::MAX_DISPLAY_ENTRIES;
use serde::{Deserialize, Serialize};

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

/// What a gzip stream holds when it is not a tar (PKG008).
pub struct Held(pub Container);

impl Describe for Held {
    fn en(&self) -> String {
        match self.0 {
            Container::Zip => "a zip archive",
            Container::Empty => "nothing: it is empty",
            Container::Compressed(c) => c.name(),
            _ => "not an archive",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self.0 {
            Container::Zip => "是 zip 压缩包",
            Container::Empty => "什么也没有：内容为空",
            Container::Compressed(c) => c.name(),
            _ => "不是任何归档格式",
        }
        .into()
    }
}

/// Whether a block looks like the first header of a tar archive.
pub fn is_tar_header(head: &[u8]) -> bool {
    head.len() >= BLOCK as usize
        && (&head[257..262] == b"ustar" || {
            // A v7 header has no magic: accept it when its checksum is right.
            let mut walker = TarWalker::new(&head[..BLOCK as usize]);
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
    Damaged { pos: Option<u64>, member: Option<String>, fault: Fault },
    /// The tar inside is cut or has a bad header (PKG003).
    TarDamaged { pos: u64, member: Option<String>, fault: Fault },
    /// The gzip (or zip) bomb guard fired.
    InflateLimit { inflated: u64, compressed: u64 },
    /// A tar extension header over [`crate::limits::MAX_EXTENSION_BYTES`].
    /// (A [`Fault::TooLarge`].)
    Limit { pos: u64, fault: Fault },
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
    pub(super) budget: archive::Budget,
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

    pub(super) fn record(&mut self, path: &str, kind: Kind, size: u64, link: Option<&str>) {
        self.entry_count += 1;
        if self.entries.len() < MAX_DISPLAY_ENTRIES {
            let kind = format!("{kind:?}").to_lowercase();
            self.entries.push(Entry { path: path.to_string(), size, kind, link: link.map(str::to_string) });
        }
    }
}

/// How thorough a check is.
pub struct Options {
    /// Hash every layer and blob to verify its digest (IMG008): reads every byte.
    pub deep: bool,
}

/// Refills the walk's buffer with inflated bytes made elsewhere (see
/// `gzip::Chunked`).
pub type Refill<'r> = &'r mut dyn FnMut(&mut [u8]) -> Fill;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A member of the package, for display.
pub struct Entry {
    /// Its path, normalised (nested archives as `outer.tar/inner`).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// `file`, `dir`, `symlink` …
    pub kind: String,
    /// Where a link points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}
