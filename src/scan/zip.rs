//! The `.zip` path: the importer unzips an upload whose name ends in `.zip`,
//! so such a package is walked member by member through its central
//! directory, with the same visitor as the tar path.

use std::collections::HashSet;
use std::io::{self, Read};

use super::fault::Fault;
use super::package::{Options, Package, Stop};
use super::visit::visit;
use crate::container::gzip::{BombGuard, InflateLimit};
use crate::container::paths;
use crate::container::source::{CurrentMember, SourceReader};
use crate::container::tarwalk::Kind;
use crate::container::zip_member;
use crate::limits::{MAX_DIRS, MAX_ORPHANS};

/// Walks the zip's members; `current` names the large ones while they are read.
pub fn walk(pkg: &mut Package, reader: &mut SourceReader<'_>, options: &Options, current: &CurrentMember) {
    walk_members(pkg, reader, options, current);
    current.leave();
}

fn walk_members(pkg: &mut Package, reader: &mut SourceReader<'_>, options: &Options, current: &CurrentMember) {
    pkg.walked = true;
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => {
            pkg.stop = Some(Stop::Damaged { pos: None, member: None, fault: Fault::ZipDirectory(e.to_string()) });
            return;
        }
    };
    // A zip bomb shows in its directory: sizes that no file of this size holds.
    let declared = archive.decompressed_size().map_or(0, |n| u64::try_from(n).unwrap_or(u64::MAX));
    if BombGuard::DEFAULT.fires(declared, pkg.size) {
        pkg.stop = Some(Stop::InflateLimit { inflated: declared, compressed: pkg.size });
        return;
    }
    let mut inflated = 0u64;
    // The importer's unzip creates a directory only for a directory entry, and
    // opens each file without creating its parents (LAY009).
    let mut dirs: HashSet<String> = HashSet::new();
    for index in 0..archive.len() {
        // The importer's unzip knows Store and Deflate only: it fails on any
        // other method, so such a member is recorded and not read.
        if let Ok(raw) = archive.by_index_raw(index) {
            let method = raw.compression();
            if method != zip::CompressionMethod::Stored && method != zip::CompressionMethod::Deflated {
                if pkg.zip_methods.len() < MAX_ORPHANS {
                    let name = String::from_utf8_lossy(raw.name_raw()).into_owned();
                    pkg.zip_methods.push((name, method.to_string(), raw.header_start()));
                }
                continue;
            }
        }
        let mut file = match archive.by_index(index) {
            Ok(f) => f,
            Err(e) => {
                pkg.stop = Some(Stop::Damaged { pos: None, member: None, fault: Fault::ZipMember { index, error: e.to_string() } });
                return;
            }
        };
        let name = String::from_utf8_lossy(file.name_raw()).into_owned();
        let pos = file.header_start();
        let size = file.size();
        let kind = zip_member::kind(&file);
        let link = if kind == Kind::Symlink { zip_member::link_target(&mut file).ok() } else { None };
        let path = paths::normalize(&name);
        if kind == Kind::Dir {
            // MkdirAll: the directory and all its parents.
            let mut prefix = path.as_str();
            while dirs.len() < MAX_DIRS && dirs.insert(prefix.to_string()) {
                match prefix.rsplit_once('/') {
                    Some((parent, _)) => prefix = parent,
                    None => break,
                }
            }
        } else if let Some((parent, _)) = path.rsplit_once('/') {
            if !dirs.contains(parent) && pkg.unzip_orphans.len() < MAX_ORPHANS {
                pkg.unzip_orphans.push((path, pos));
            }
        }
        pkg.uncompressed_bytes = pkg.uncompressed_bytes.saturating_add(size);
        let compressed = pkg.size;
        let mut data = Guarded { inner: &mut file, inflated: &mut inflated, compressed };
        let result = visit(pkg, &name, kind, size, link.as_deref(), pos, &mut data, options, current)
            .and_then(|()| io::copy(&mut data, &mut io::sink()).map(|_| ()));
        if let Err(e) = result {
            if let Some(limit) = e.get_ref().and_then(|i| i.downcast_ref::<InflateLimit>()) {
                pkg.stop = Some(Stop::InflateLimit { inflated: limit.inflated, compressed: limit.compressed });
                return;
            }
            pkg.stop = Some(Stop::Damaged { pos: Some(pos), member: Some(name), fault: Fault::ZipData(e.to_string()) });
            return;
        }
    }
}

/// A member's data, counted against the bomb guard (sizes in the directory
/// may lie, members may overlap).
struct Guarded<'a, R> {
    inner: R,
    inflated: &'a mut u64,
    compressed: u64,
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.inflated += n as u64;
        if BombGuard::DEFAULT.fires(*self.inflated, self.compressed) {
            return Err(io::Error::other(InflateLimit { inflated: *self.inflated, compressed: self.compressed }));
        }
        Ok(n)
    }
}
