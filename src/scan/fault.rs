//! Why a walk stopped: the damage and limit facts of the package and of its
//! image archives, each said once, in both languages.

use std::io;

use crate::container::tarwalk::{Extension, HeaderFault, TarError};
use crate::lang::{quoted, Describe};

/// What is wrong at the place a walk stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The compressed stream ends before its last member does.
    StreamEnds,
    /// The inflater refused the compressed data (its words).
    StreamDamaged(String),
    /// The package ends inside a member.
    PackageCut,
    /// An image archive ends inside a member.
    ArchiveCut,
    /// A tar header's checksum is wrong.
    BadChecksum,
    /// The first block of an image archive is not a tar header.
    NotTar,
    /// A header field cannot be decoded.
    Header(HeaderFault),
    /// An extension header over [`crate::limits::MAX_EXTENSION_BYTES`].
    TooLarge { header: Extension, limit: u64 },
    /// The zip central directory cannot be read (the zip reader's words).
    ZipDirectory(String),
    /// A zip member's entry cannot be read.
    ZipMember { index: usize, error: String },
    /// A zip member's data does not inflate.
    ZipData(String),
}

/// Which tar a walk was reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whole {
    /// The package's own tar.
    Package,
    /// An image archive inside it.
    Archive,
}

/// Where a tar walk stopped and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarFault {
    /// Offset in that tar.
    pub pos: u64,
    /// The member it stopped inside, when known.
    pub member: Option<String>,
    pub fault: Fault,
}

impl TarFault {
    /// The fault a tar walk of `whole` met; `Err` is the failure of the
    /// stream below the tar, which is not this tar's fault.
    pub fn new(e: TarError, whole: Whole) -> Result<TarFault, io::Error> {
        let (pos, member, fault) = match e {
            TarError::Below(e) => return Err(e),
            TarError::Truncated { pos, path } => (pos, path, if whole == Whole::Package { Fault::PackageCut } else { Fault::ArchiveCut }),
            // A package whose first block is no tar header is not walked.
            TarError::BadChecksum { pos: 0 } if whole == Whole::Archive => (0, None, Fault::NotTar),
            TarError::BadChecksum { pos } => (pos, None, Fault::BadChecksum),
            TarError::BadHeader { pos, fault } => (pos, None, Fault::Header(fault)),
            TarError::Limit { pos, header, limit } => (pos, None, Fault::TooLarge { header, limit }),
        };
        Ok(TarFault { pos, member, fault })
    }
}

impl Describe for Fault {
    fn en(&self) -> String {
        match self {
            Fault::StreamEnds => "the compressed stream ends early".into(),
            Fault::StreamDamaged(e) => format!("the compressed stream is damaged ({e})"),
            Fault::PackageCut => "the package ends inside a member: it was cut short".into(),
            Fault::ArchiveCut => "the archive ends inside a member".into(),
            Fault::BadChecksum => "a tar header's checksum is wrong".into(),
            Fault::NotTar => "the first block is not a tar header".into(),
            Fault::Header(h) => h.en(),
            Fault::TooLarge { header, limit } => format!("a {} is larger than the {limit} bytes ramcheck reads", header.en()),
            Fault::ZipDirectory(e) => format!("the zip directory cannot be read ({e})"),
            Fault::ZipMember { index, error } => format!("zip member {index} cannot be read ({error})"),
            Fault::ZipData(e) => format!("the member's data is damaged ({e})"),
        }
    }

    fn zh(&self) -> String {
        match self {
            Fault::StreamEnds => "压缩数据提前结束".into(),
            Fault::StreamDamaged(e) => format!("压缩数据已损坏（{}）", quoted(e)),
            Fault::PackageCut => "数据在某个文件中间中断：文件被截断".into(),
            Fault::ArchiveCut => "镜像包在某个文件中间结束".into(),
            Fault::BadChecksum => "tar 文件头校验和错误".into(),
            Fault::NotTar => "第一个数据块不是 tar 文件头".into(),
            Fault::Header(h) => h.zh(),
            Fault::TooLarge { header, limit } => format!("{}大于 ramcheck 读取的上限 {limit} 字节", header.zh()),
            Fault::ZipDirectory(e) => format!("无法读取 zip 目录（{}）", quoted(e)),
            Fault::ZipMember { index, error } => format!("无法读取第 {index} 个 zip 成员（{}）", quoted(error)),
            Fault::ZipData(e) => format!("文件数据已损坏（{}）", quoted(e)),
        }
    }
}
