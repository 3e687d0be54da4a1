//! A member of a zip upload as the importer's unzip sees it: its kind and,
//! for a symlink, its target (stored as the member's data). The check
//! (`scan/zip.rs`) and the conversion to tar (`repair/from_zip.rs`) both read
//! members this way.

use std::io::{self, Read};

use zip::read::ZipFile;

use super::tarwalk::Kind;
use crate::limits::MAX_LINK_TARGET;

/// A directory, a symlink or a regular file.
pub fn kind<R: Read>(file: &ZipFile<'_, R>) -> Kind {
    if file.is_dir() {
        Kind::Dir
    } else if file.is_symlink() {
        Kind::Symlink
    } else {
        Kind::File
    }
}

/// A symlink's target: its data, up to [`MAX_LINK_TARGET`] bytes.
pub fn link_target<R: Read>(file: &mut ZipFile<'_, R>) -> io::Result<String> {
    let mut target = String::new();
    file.take(MAX_LINK_TARGET).read_to_string(&mut target)?;
    Ok(target)
}
