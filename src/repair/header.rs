//! Header blocks for the members a repair changes: a renamed path or link,
//! a new size, and members made from zip entries.
//!
//! Everything else in a header (format, mode, owner, times, PAX records) is
//! kept. Names that do not fit get a GNU long-name (`L`) or long-link (`K`)
//! block, as GNU tar writes them, unless a PAX record already carries them.

use std::io;

use crate::container::tarwalk::{self, Kind};

const BLOCK: usize = tarwalk::BLOCK as usize;
/// The name field of every tar header format.
const NAME_LEN: usize = 100;
const PREFIX_LEN: usize = 155;

/// What changes in a member's headers.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub path: Option<&'a str>,
    pub link: Option<&'a str>,
    pub size: Option<u64>,
}

/// Rewrites `raw`, the header blocks of one member as stored (its extension
/// headers, then its header), with `change` applied.
pub fn rewrite(raw: &[u8], change: &Change<'_>) -> io::Result<Vec<u8>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "a member's header blocks are malformed");
    let main_at = raw.len().checked_sub(BLOCK).ok_or_else(bad)?;
    let (mut rest, main) = raw.split_at(main_at);
    let mut out = Vec::with_capacity(raw.len() + 2 * BLOCK);
    let (mut pax_path, mut pax_link) = (false, false);
    while !rest.is_empty() {
        let block = rest.get(..BLOCK).ok_or_else(bad)?;
        let size = usize::try_from(tar::Header::from_byte_slice(block).entry_size()?).map_err(|_| bad())?;
        let end = BLOCK + size.div_ceil(BLOCK) * BLOCK;
        let data = rest.get(BLOCK..BLOCK + size).ok_or_else(bad)?;
        match block[156] {
            // Regenerated below for the new name.
            b'L' if change.path.is_some() => {}
            b'K' if change.link.is_some() => {}
            b'x' => {
                let pax = rewrite_pax(data, change);
                pax_path |= pax.has_path;
                pax_link |= pax.has_link;
                let mut h = tar::Header::from_byte_slice(block).clone();
                h.set_size(pax.records.len() as u64);
                h.set_cksum();
                out.extend_from_slice(h.as_bytes());
                push_padded(&mut out, &pax.records);
            }
            _ => out.extend_from_slice(rest.get(..end).ok_or_else(bad)?),
        }
        rest = &rest[end.min(rest.len())..];
    }
    let mut h = tar::Header::from_byte_slice(main).clone();
    if let Some(size) = change.size {
        h.set_size(size);
    }
    if let Some(path) = change.path {
        set_path(&mut h, path, pax_path, &mut out);
    }
    if let Some(link) = change.link {
        set_link(&mut h, link, pax_link, &mut out);
    }
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    Ok(out)
}

/// The header blocks of a new member, in GNU format as GNU tar writes it.
pub fn new_member(kind: Kind, path: &str, link: Option<&str>, size: u64, mode: u32, mtime: u64) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(match kind {
        Kind::Dir => tar::EntryType::Directory,
        Kind::Symlink => tar::EntryType::Symlink,
        Kind::Hardlink => tar::EntryType::Link,
        _ => tar::EntryType::Regular,
    });
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_size(size);
    let mut out = Vec::new();
    set_path(&mut h, path, false, &mut out);
    if let Some(link) = link {
        set_link(&mut h, link, false, &mut out);
    }
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out
}

/// Puts `path` in the header: in the name field, or split over ustar's
/// prefix and name, or (too long for either) truncated there and whole in a
/// GNU `L` block pushed to `out`, unless a PAX record carries it.
fn set_path(h: &mut tar::Header, path: &str, in_pax: bool, out: &mut Vec<u8>) {
    let bytes = path.as_bytes();
    if let Some(ustar) = h.as_ustar_mut() {
        ustar.prefix = [0; PREFIX_LEN];
        if let Some((prefix, name)) = ustar_split(bytes) {
            fill(&mut ustar.prefix, prefix);
            fill(&mut ustar.name, name);
            return;
        }
    }
    fill(&mut h.as_old_mut().name, bytes);
    if bytes.len() > NAME_LEN && !in_pax {
        out.extend(long_block(b'L', bytes));
    }
}

fn set_link(h: &mut tar::Header, link: &str, in_pax: bool, out: &mut Vec<u8>) {
    let bytes = link.as_bytes();
    fill(&mut h.as_old_mut().linkname, bytes);
    if bytes.len() > NAME_LEN && !in_pax {
        out.extend(long_block(b'K', bytes));
    }
}

/// A ustar (prefix, name) split of `path`, when there is one.
fn ustar_split(path: &[u8]) -> Option<(&[u8], &[u8])> {
    if path.len() <= NAME_LEN {
        return Some((&[], path));
    }
    (0..path.len().min(PREFIX_LEN + 1))
        .rev()
        .filter(|&i| path[i] == b'/')
        .map(|i| (&path[..i], &path[i + 1..]))
        .find(|(_, name)| !name.is_empty() && name.len() <= NAME_LEN)
}

/// Copies `value` into a header field, truncated, zero-filled.
fn fill(field: &mut [u8], value: &[u8]) {
    let n = value.len().min(field.len());
    field[..n].copy_from_slice(&value[..n]);
    field[n..].fill(0);
}

/// A GNU long-name or long-link block: a `././@LongLink` header and the name
/// with its terminating NUL.
fn long_block(flag: u8, value: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    fill(&mut h.as_old_mut().name, b"././@LongLink");
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(value.len() as u64 + 1);
    h.set_entry_type(tar::EntryType::new(flag));
    h.set_cksum();
    let mut out = h.as_bytes().to_vec();
    let mut data = value.to_vec();
    data.push(0);
    push_padded(&mut out, &data);
    out
}

fn push_padded(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(data);
    out.resize(out.len() + (BLOCK - data.len() % BLOCK) % BLOCK, 0);
}

struct Pax {
    records: Vec<u8>,
    has_path: bool,
    has_link: bool,
}

/// PAX records with `path`, `linkpath` and `size` replaced as `change` says;
/// every other record is kept as stored.
fn rewrite_pax(mut data: &[u8], change: &Change<'_>) -> Pax {
    let mut pax = Pax { records: Vec::with_capacity(data.len()), has_path: false, has_link: false };
    while let Some((len, key)) = pax_record(data) {
        let size = change.size.map(|s| s.to_string());
        let new = match key {
            b"path" => {
                pax.has_path = true;
                change.path
            }
            b"linkpath" => {
                pax.has_link = true;
                change.link
            }
            b"size" => size.as_deref(),
            _ => None,
        };
        match new {
            Some(value) => pax.records.extend(record(key, value)),
            None => pax.records.extend_from_slice(&data[..len]),
        }
        data = &data[len..];
    }
    // Whatever does not parse is kept too.
    pax.records.extend_from_slice(data);
    pax
}

/// The length and key of the first record of `data` (`"%d %s=%s\n"`).
fn pax_record(data: &[u8]) -> Option<(usize, &[u8])> {
    let space = data.iter().position(|&b| b == b' ')?;
    let len: usize = std::str::from_utf8(&data[..space]).ok()?.parse().ok()?;
    if len <= space + 1 || len > data.len() {
        return None;
    }
    let body = &data[space + 1..len];
    let eq = body.iter().position(|&b| b == b'=')?;
    Some((len, &body[..eq]))
}

/// One PAX record; its length counts its own digits.
fn record(key: &[u8], value: &str) -> Vec<u8> {
    let body = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    let mut out = format!("{len} ").into_bytes();
    out.extend_from_slice(key);
    out.push(b'=');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_count_their_own_length() {
        assert_eq!(record(b"path", "a"), b"9 path=a\n");
        let long = "x".repeat(95);
        let r = record(b"path", &long);
        assert_eq!(r.len().to_string(), String::from_utf8_lossy(&r[..3]));
    }

    #[test]
    fn long_names_get_a_gnu_block_and_ustar_uses_its_prefix() {
        let long = format!("{}/metadata.json", "d".repeat(120));
        let blocks = new_member(Kind::File, &long, None, 3, 0o644, 0);
        assert_eq!(blocks.len(), 512 * 3); // L header, the name, the header
        assert_eq!(blocks[156], b'L');
        let mut h = tar::Header::new_ustar();
        let mut out = Vec::new();
        set_path(&mut h, &long, false, &mut out);
        assert!(out.is_empty());
        assert_eq!(h.path_bytes().as_ref(), long.as_bytes());
    }

    #[test]
    fn rewrites_a_pax_path_in_place() {
        let mut pax = record(b"path", "old/x");
        pax.extend(record(b"mtime", "1700000000.5"));
        let changed = rewrite_pax(&pax, &Change { path: Some("new/x"), ..Default::default() });
        assert!(changed.has_path);
        let mut want = record(b"path", "new/x");
        want.extend(record(b"mtime", "1700000000.5"));
        assert_eq!(changed.records, want);
    }
}
