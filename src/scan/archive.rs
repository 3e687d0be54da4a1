//! One image archive (`component-images.tar`, `plugin-images.tar`, any `*.tar`
//! the importer loads), walked while it streams past inside the package.
//!
//! Layer bodies are skipped (or hashed with `--deep`), never buffered; small
//! JSON members are kept because `manifest.json` may come after the configs
//! it names.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Cursor, Read};

use sha2::{Digest, Sha256};

use super::fault::{Fault, TarFault, Whole};
use crate::container::paths;
use crate::container::paths::Unsafe;
use crate::container::source::read_full;
use crate::container::tarwalk::{Kind, TarError, TarWalker, BLOCK};
use crate::facts::metadata::{json_nodes, Syntax};
use crate::lang::Describe;
use crate::limits::MAX_UNSAFE_RECORDED;
use crate::limits::{MAX_ARCHIVE_MEMBERS, MAX_JSON_BYTES, MAX_JSON_MEMBER, MAX_JSON_NODES, MAX_MEMBERS_KEPT};

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
    Invalid(JsonError),
    /// Not parsed: a limit was reached; says which.
    NotRead(NotRead),
}

/// A JSON member that does not parse: what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub syntax: Syntax,
    pub line: usize,
    pub column: usize,
}

impl Describe for JsonError {
    fn en(&self) -> String {
        format!("{} at line {} column {}", self.syntax.en(), self.line, self.column)
    }
    fn zh(&self) -> String {
        format!("第 {} 行第 {} 列：{}", self.line, self.column, self.syntax.zh())
    }
}

/// The limit that kept a JSON member from being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRead {
    /// The member, of this size, is over [`MAX_JSON_MEMBER`].
    MemberSize(u64),
    /// The package's JSON is over [`MAX_JSON_BYTES`].
    Bytes,
    /// The package's JSON values are over [`MAX_JSON_NODES`].
    Nodes,
}

impl Describe for NotRead {
    fn en(&self) -> String {
        match self {
            NotRead::MemberSize(size) => format!("it is {size} bytes, more than the {MAX_JSON_MEMBER} ramcheck reads of a JSON member"),
            NotRead::Bytes => format!("the image archives hold more than the {MAX_JSON_BYTES} bytes of JSON ramcheck reads in a package"),
            NotRead::Nodes => format!("the image archives hold more than the {MAX_JSON_NODES} JSON values ramcheck parses in a package"),
        }
    }
    fn zh(&self) -> String {
        match self {
            NotRead::MemberSize(size) => format!("它有 {size} 字节，超过 ramcheck 读取单个 JSON 文件的上限 {MAX_JSON_MEMBER} 字节"),
            NotRead::Bytes => format!("各镜像包中的 JSON 超过 ramcheck 在一个安装包中读取的上限 {MAX_JSON_BYTES} 字节"),
            NotRead::Nodes => format!("各镜像包中的 JSON 值超过 ramcheck 在一个安装包中解析的上限 {MAX_JSON_NODES} 个"),
        }
    }
}

/// Damage inside the archive: where the walk of it stopped.
#[derive(Debug, Clone)]
pub struct Damage {
    pub pos: u64,
    pub member: Option<String>,
    pub fault: Fault,
    /// The archive ends inside a member (cut short), rather than holding a
    /// bad header: a reader that seeks over the missing data sees a clean end.
    pub truncated: bool,
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
    /// (IMG011), as written (at most [`crate::limits::MAX_UNSAFE_RECORDED`]).
    pub unsafe_members: Vec<Unsafe>,
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
    let head = read_head(&mut data, BLOCK as usize)?;
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
        if archive.unsafe_members.len() < MAX_UNSAFE_RECORDED {
            if let Some((unsafe_member, ..)) = Unsafe::judge(&member.path, member.kind, member.link.as_deref(), member.pos) {
                archive.unsafe_members.push(unsafe_member);
            }
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
    let truncated = matches!(e, TarError::Truncated { .. });
    let TarFault { pos, member, fault } = TarFault::new(e, Whole::Archive)?;
    archive.not_tar = fault == Fault::NotTar;
    archive.damage = Some(Damage { pos, member, fault, truncated });
    Ok(archive)
}

type MemberFacts = (Option<Compression>, Option<Digests>, Option<JsonDoc>);

/// Reads what the check needs of one file member; the walker skips the rest.
fn read_member<R: Read>(path: &str, size: u64, data: &mut R, deep: bool, budget: &mut Budget) -> io::Result<MemberFacts> {
    let head = read_head(data, BLOCK as usize)?;
    let compression = Compression::sniff(&head);
    let wants_json = compression.is_none() && looks_like_json(path, &head);
    let over = if size > MAX_JSON_MEMBER {
        Some(NotRead::MemberSize(size))
    } else if size > budget.json_bytes {
        Some(NotRead::Bytes)
    } else {
        None
    };
    if let Some(why) = over.filter(|_| wants_json) {
        let digests = if deep { Some(hash(head, data, size, None)?) } else { None };
        return Ok((None, digests, Some(JsonDoc::NotRead(why))));
    }
    if wants_json {
        budget.json_bytes -= size;
        let mut bytes = head;
        data.read_to_end(&mut bytes)?;
        let digests = deep.then(|| Digests { stored: hex(&Sha256::digest(&bytes)), content: None });
        let nodes = json_nodes(&bytes);
        let doc = if nodes > budget.json_nodes {
            JsonDoc::NotRead(NotRead::Nodes)
        } else {
            budget.json_nodes -= nodes;
            match serde_json::from_slice(&bytes) {
                Ok(v) => JsonDoc::Value(v),
                Err(e) => JsonDoc::Invalid(JsonError { syntax: Syntax::of(&e), line: e.line(), column: e.column() }),
            }
        };
        return Ok((None, digests, Some(doc)));
    }
    let digests = if deep { Some(hash(head, data, size, compression)?) } else { None };
    Ok((compression, digests, None))
}

/// Members at least this large are hashed on another thread (native only).
const BACKGROUND_HASH_MIN: u64 = 1 << 20;
/// Chunk handed to the hashing thread; also the read size while hashing.
const HASH_CHUNK: usize = 256 << 10;
/// Read size while hashing a small member on this thread.
const INLINE_CHUNK: usize = 16 << 10;

/// Hashes a member as stored and, when it is gzip, its inflated content.
fn hash<R: Read>(head: Vec<u8>, data: &mut R, size: u64, compression: Option<Compression>) -> io::Result<Digests> {
    let background = size >= BACKGROUND_HASH_MIN;
    let mut stored = Sha::new(background);
    if compression != Some(Compression::Gzip) {
        // The common case (`docker save` layers are plain tars): read straight
        // into the buffers the hasher takes, no copy.
        stored.update(&head);
        loop {
            let mut buf = stored.buffer();
            let n = read_full(data, &mut buf)?;
            if n == 0 {
                stored.recycle(buf);
                break;
            }
            stored.submit(buf, n);
        }
        return Ok(Digests { stored: hex(&stored.finish()), content: None });
    }
    let mut tee = HashingReader { inner: Cursor::new(head).chain(data), hasher: stored };
    let mut inflated = HashingReader { inner: flate2::read::GzDecoder::new(&mut tee), hasher: Sha::new(background) };
    // A layer that does not inflate cleanly has no content digest; its
    // stored digest still says whether the blob is intact.
    let ok = copy_all(&mut inflated).is_ok();
    let content = ok.then(|| hex(&inflated.hasher.finish()));
    copy_all(&mut tee)?;
    Ok(Digests { stored: hex(&tee.hasher.finish()), content })
}

/// Reads `r` to its end in large reads (`io::copy` reads 8 KiB at a time,
/// each one a trip down the whole reader stack).
fn copy_all<R: Read>(r: &mut R) -> io::Result<()> {
    let mut buf = vec![0u8; HASH_CHUNK];
    while read_full(r, &mut buf)? > 0 {}
    Ok(())
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// sha256, computed on a second thread when asked to and threads exist, so
/// hashing overlaps inflating: `--deep` then costs little more than the plain
/// check on two cores.
enum Sha {
    Inline(Sha256, Vec<u8>),
    #[cfg(not(target_arch = "wasm32"))]
    Background(background::Hasher),
}

impl Sha {
    fn new(background: bool) -> Sha {
        #[cfg(not(target_arch = "wasm32"))]
        if background {
            return Sha::Background(background::Hasher::new());
        }
        let _ = background;
        Sha::Inline(Sha256::new(), Vec::new())
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Sha::Inline(h, _) => h.update(data),
            #[cfg(not(target_arch = "wasm32"))]
            Sha::Background(b) => b.update(data),
        }
    }

    /// A buffer to read into (its length is the size to read).
    fn buffer(&mut self) -> Vec<u8> {
        match self {
            Sha::Inline(_, spare) => {
                let mut buf = std::mem::take(spare);
                buf.resize(INLINE_CHUNK, 0);
                buf
            }
            #[cfg(not(target_arch = "wasm32"))]
            Sha::Background(b) => b.buffer(),
        }
    }

    /// Hashes the first `n` bytes of a buffer from [`Sha::buffer`].
    fn submit(&mut self, buf: Vec<u8>, n: usize) {
        match self {
            Sha::Inline(h, spare) => {
                h.update(&buf[..n]);
                *spare = buf;
            }
            #[cfg(not(target_arch = "wasm32"))]
            Sha::Background(b) => b.submit(buf, n),
        }
    }

    fn recycle(&mut self, buf: Vec<u8>) {
        match self {
            Sha::Inline(_, spare) => *spare = buf,
            #[cfg(not(target_arch = "wasm32"))]
            Sha::Background(b) => b.recycle(buf),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Sha::Inline(h, _) => h.finalize().to_vec(),
            #[cfg(not(target_arch = "wasm32"))]
            Sha::Background(b) => b.finish(),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod background {
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
    use std::thread::JoinHandle;

    use sha2::{Digest, Sha256};

    use super::HASH_CHUNK;

    /// Buffers in flight: one being filled, the others queued or hashing.
    const BUFFERS: usize = 4;

    /// A sha256 fed with owned buffers that a worker thread hashes.
    pub struct Hasher {
        work: Option<SyncSender<(Vec<u8>, usize)>>,
        free: Receiver<Vec<u8>>,
        made: usize,
        /// Small updates gathered until they make a chunk.
        pending: Vec<u8>,
        worker: Option<JoinHandle<Vec<u8>>>,
    }

    impl Hasher {
        pub fn new() -> Hasher {
            let (work, todo) = sync_channel::<(Vec<u8>, usize)>(BUFFERS);
            let (done, free) = sync_channel::<Vec<u8>>(BUFFERS);
            let worker = std::thread::spawn(move || {
                let mut h = Sha256::new();
                for (buf, n) in todo {
                    h.update(&buf[..n]);
                    // The reader may have stopped asking for buffers.
                    let _ = done.try_send(buf);
                }
                h.finalize().to_vec()
            });
            Hasher { work: Some(work), free, made: 0, pending: Vec::new(), worker: Some(worker) }
        }

        pub fn buffer(&mut self) -> Vec<u8> {
            self.flush();
            if let Ok(buf) = self.free.try_recv() {
                return buf;
            }
            if self.made < BUFFERS {
                self.made += 1;
                return vec![0; HASH_CHUNK];
            }
            self.free.recv().unwrap_or_else(|_| vec![0; HASH_CHUNK])
        }

        pub fn submit(&mut self, buf: Vec<u8>, n: usize) {
            if let Some(work) = &self.work {
                // The worker only stops when `work` is dropped.
                let _ = work.send((buf, n));
            }
        }

        pub fn recycle(&mut self, buf: Vec<u8>) {
            drop(buf);
            self.made -= 1;
        }

        pub fn update(&mut self, mut data: &[u8]) {
            while !data.is_empty() {
                if self.pending.capacity() == 0 {
                    self.pending = self.buffer();
                    self.pending.clear();
                }
                let take = data.len().min(HASH_CHUNK - self.pending.len());
                self.pending.extend_from_slice(&data[..take]);
                data = &data[take..];
                if self.pending.len() == HASH_CHUNK {
                    self.flush();
                }
            }
        }

        fn flush(&mut self) {
            if !self.pending.is_empty() {
                let mut buf = std::mem::take(&mut self.pending);
                let n = buf.len();
                buf.resize(HASH_CHUNK, 0);
                self.submit(buf, n);
            }
        }

        pub fn finish(mut self) -> Vec<u8> {
            self.flush();
            self.work = None;
            self.worker.take().and_then(|w| w.join().ok()).expect("the hashing thread does not panic")
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Reads in odd sizes, as the tar walkers below a member do.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(70_001);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn bytes(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    fn digests(data: &[u8], compression: Option<Compression>) -> Digests {
        let head = data[..data.len().min(512)].to_vec();
        hash(head, &mut Trickle(&data[data.len().min(512)..]), data.len() as u64, compression).unwrap()
    }

    #[test]
    fn plain_members_hash_the_same_inline_and_in_the_background() {
        // Around the thread threshold and the chunk size, and over the
        // number of buffers in flight.
        for n in [0, 3, 512, 513, HASH_CHUNK, BACKGROUND_HASH_MIN as usize - 1, BACKGROUND_HASH_MIN as usize, 5 * HASH_CHUNK + 9] {
            let data = bytes(n);
            let d = digests(&data, None);
            assert_eq!(d.stored, hex(&Sha256::digest(&data)), "{n} bytes");
            assert_eq!(d.content, None);
        }
    }

    #[test]
    fn gzip_members_hash_as_stored_and_inflated() {
        for n in [10, 3 << 20] {
            let content = bytes(n);
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&content).unwrap();
            let mut stored = gz.finish().unwrap();
            // Small members stay inline, large ones go to the hashing thread.
            stored.extend(std::iter::repeat_n(0u8, if n > 1000 { 2 << 20 } else { 0 }));
            let d = digests(&stored, Some(Compression::Gzip));
            assert_eq!(d.stored, hex(&Sha256::digest(&stored)), "{n} bytes");
            assert_eq!(d.content.as_deref(), Some(hex(&Sha256::digest(&content)).as_str()), "{n} bytes");
        }
    }
}
