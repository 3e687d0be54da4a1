//! A `.zip` package written as a tar: member by member in the zip's order,
//! with names, modes and modification times kept, and an entry for every
//! directory before its first member (as `tar -czf` of a directory has; the
//! zip may lack them, LAY009).

use std::collections::HashSet;
use std::io::{self, Read};

use zip::extra_fields::ExtraField;

use super::header;
use super::plan::Plan;
use super::tar_out::TarOut;
use crate::container::paths;
use crate::container::source::{CurrentMember, SourceReader};
use crate::container::tarwalk::Kind;
use crate::container::zip_member;

pub fn convert(reader: SourceReader<'_>, plan: &Plan, out: &mut TarOut<'_>, current: &CurrentMember) -> io::Result<()> {
    let mut archive = zip::ZipArchive::new(reader).map_err(io::Error::other)?;
    let mut dirs: HashSet<String> = HashSet::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(io::Error::other)?;
        let name = String::from_utf8_lossy(file.name_raw()).into_owned();
        current.enter(file.size(), || paths::normalize(&name));
        if plan.drops(&name) {
            continue;
        }
        let edit = plan.edit(&name, None);
        let path = paths::normalize(edit.path.as_deref().unwrap_or(&name));
        let mtime = mtime(&file);
        let kind = zip_member::kind(&file);
        // Parents first, then the member itself when it is a directory.
        let parts = paths::components(&path);
        let own = usize::from(kind == Kind::Dir);
        for depth in 1..parts.len() + own {
            let dir = parts[..depth].join("/");
            if !dirs.contains(&dir) {
                let mode = if depth == parts.len() { dir_mode(mode(&file, 0o755)) } else { 0o755 };
                out.write(&header::new_member(Kind::Dir, &format!("{dir}/"), None, 0, mode, mtime))?;
                dirs.insert(dir);
            }
        }
        match kind {
            Kind::Dir => {}
            Kind::Symlink => {
                let target = zip_member::link_target(&mut file)?;
                out.write(&header::new_member(kind, &path, Some(&target), 0, mode(&file, 0o777), mtime))?;
            }
            _ => {
                let (size, mode) = (file.size(), mode(&file, 0o644));
                if edit.strip_bom {
                    let mut bytes = Vec::new();
                    (&mut file).take(crate::limits::MAX_METADATA_BYTES).read_to_end(&mut bytes)?;
                    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
                    out.write(&header::new_member(kind, &path, None, body.len() as u64, mode, mtime))?;
                    out.data(&mut &body[..], body.len() as u64)?;
                } else {
                    out.write(&header::new_member(kind, &path, None, size, mode, mtime))?;
                    out.data(&mut file, size)?;
                }
            }
        }
    }
    Ok(())
}

/// The permission bits the zip records, or `default`.
fn mode<R: Read>(file: &zip::read::ZipFile<'_, R>, default: u32) -> u32 {
    file.unix_mode().map_or(default, |m| m & 0o7777)
}

/// A directory can be entered wherever it can be read: zip tools often
/// store the mode of a file (0644) for a directory.
fn dir_mode(mode: u32) -> u32 {
    mode | (mode & 0o444) >> 2
}

/// The modification time: the exact Unix time when the zip has it (the
/// extended-timestamp field Info-ZIP writes), else the DOS time read as UTC.
fn mtime<R: Read>(file: &zip::read::ZipFile<'_, R>) -> u64 {
    let exact = file.extra_data_fields().find_map(|f| match f {
        ExtraField::ExtendedTimestamp(t) => t.mod_time(),
        _ => None,
    });
    if let Some(t) = exact {
        return u64::from(t);
    }
    file.last_modified().map_or(0, |d| {
        let days = days_from_civil(i64::from(d.year()), u32::from(d.month()), u32::from(d.day()));
        let secs = days * 86_400 + i64::from(d.hour()) * 3600 + i64::from(d.minute()) * 60 + i64::from(d.second());
        secs.max(0) as u64
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::days_from_civil(1970, 1, 1), 0);
        assert_eq!(super::days_from_civil(2023, 11, 14), 19_675);
        assert_eq!(super::days_from_civil(2000, 3, 1), 11_017);
    }
}
