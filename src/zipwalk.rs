//! The `.zip` path: the importer unzips an upload whose name ends in `.zip`,
//! so such a package is walked member by member through its central
//! directory, with the same visitor as the tar path.

use std::collections::HashSet;
use std::io::{self, Read};

use crate::paths;
use crate::scan::{self, Options, Package, Stop};
use crate::source::SourceReader;
use crate::tarwalk::Kind;

/// Symlink targets longer than this are not read (they are stored as data).
const MAX_LINK_TARGET: u64 = 4096;
/// Files recorded whose directory the importer's unzip would not have made.
const MAX_ORPHANS: usize = 20;
/// Directories remembered for that check (a real package has a handful).
const MAX_DIRS: usize = 10_000;

pub fn walk(pkg: &mut Package, reader: &mut SourceReader<'_>, options: &Options) {
    pkg.walked = true;
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => {
            pkg.stop = Some(Stop::Damaged { pos: None, member: None, what: format!("the zip directory cannot be read ({e})") });
            return;
        }
    };
    // The importer's unzip creates a directory only for a directory entry, and
    // opens each file without creating its parents (LAY009).
    let mut dirs: HashSet<String> = HashSet::new();
    for index in 0..archive.len() {
        let mut file = match archive.by_index(index) {
            Ok(f) => f,
            Err(e) => {
                pkg.stop = Some(Stop::Damaged { pos: None, member: None, what: format!("zip member {index} cannot be read ({e})") });
                return;
            }
        };
        let name = String::from_utf8_lossy(file.name_raw()).into_owned();
        let pos = file.header_start();
        let size = file.size();
        let (kind, link) = if file.is_dir() {
            (Kind::Dir, None)
        } else if file.is_symlink() {
            let mut target = String::new();
            let read = (&mut file).take(MAX_LINK_TARGET).read_to_string(&mut target);
            (Kind::Symlink, read.ok().map(|_| target))
        } else {
            (Kind::File, None)
        };
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
        let result = scan::visit(pkg, &name, kind, size, link.as_deref(), pos, &mut file, options)
            .and_then(|()| io::copy(&mut file, &mut io::sink()).map(|_| ()));
        if let Err(e) = result {
            let what = format!("the member's data is damaged ({e})");
            pkg.stop = Some(Stop::Damaged { pos: Some(pos), member: Some(name), what });
            return;
        }
    }
}
