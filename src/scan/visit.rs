//! One member of the outer archive, from the tar walk or the zip walk alike.

use std::io::{self, Read};

use super::archive;
use super::package::{MetadataFile, Options, Package, Shallow};
use crate::container::paths::{self, Unsafe};
use crate::container::source::CurrentMember;
use crate::container::tarwalk::Kind;
use crate::limits::{MAX_IMAGE_ARCHIVES, MAX_METADATA_BYTES, MAX_METADATA_CANDIDATES, MAX_SHALLOW_MEMBERS, MAX_UNSAFE_RECORDED};

/// Looks at one member of the outer archive. An `Err` comes from the stream
/// below and ends the walk. A large member is named to the progress hook
/// through `current` until the next member begins (the walk skips what is
/// not read here, so its bytes go by after this returns).
#[allow(clippy::too_many_arguments)]
pub(super) fn visit(
    pkg: &mut Package,
    raw_path: &str,
    kind: Kind,
    size: u64,
    link: Option<&str>,
    pos: u64,
    data: &mut dyn Read,
    options: &Options,
    current: &CurrentMember,
) -> io::Result<()> {
    let path = paths::normalize(raw_path);
    current.enter(size, || path.clone());
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
    let Some((member, leaves, special)) = Unsafe::judge(raw, kind, link, pos) else { return };
    if leaves && pkg.unsafe_paths.len() < MAX_UNSAFE_RECORDED {
        pkg.unsafe_paths.push(member.clone());
    }
    if special && pkg.special_files.len() < MAX_UNSAFE_RECORDED {
        pkg.special_files.push(member);
    }
}
