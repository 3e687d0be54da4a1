//! Paths inside the package, as the importer sees them after extraction.

use crate::container::tarwalk::Kind;

/// The components of an archive path, without empty and `.` components
/// (`./app/x.tar` and `app//x.tar` both extract to `app/x.tar`).
pub fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".").collect()
}

/// The path with empty and `.` components removed.
pub fn normalize(path: &str) -> String {
    components(path).join("/")
}

/// Where a member of a nested archive is: `outer!/inner`.
pub fn nested(archive: &str, member: &str) -> String {
    format!("{archive}!/{member}")
}

/// The last component.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').find(|c| !c.is_empty()).unwrap_or("")
}

/// The directory of a relative path inside an archive, for resolving a link.
pub fn resolve(from: &str, target: &str) -> Option<String> {
    let mut out: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut dir = components(from);
        dir.pop();
        dir
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out.join("/"))
}

/// Whether a member would land or point outside the extraction directory:
/// an absolute path, a `..` component, or a link whose target leaves the
/// archive. Such members are reported, never followed.
pub fn leaves_archive(raw: &str, kind: Kind, link: Option<&str>) -> bool {
    let escapes = |p: &str| p.starts_with('/') || p.split('/').any(|c| c == "..");
    escapes(raw)
        || match (kind, link) {
            (Kind::Symlink, Some(target)) => target.starts_with('/') || resolve(raw, target).is_none(),
            (Kind::Hardlink, Some(target)) => escapes(target),
            _ => false,
        }
}

/// A member unsafe to extract: its path or link leaves the archive (LAY006),
/// or it is a device or FIFO (LAY010).
#[derive(Debug, Clone)]
pub struct Unsafe {
    /// The path as written in the archive.
    pub path: String,
    /// Its kind (a link, a device, a FIFO …).
    pub kind: Kind,
    /// Where a link points, as written.
    pub link: Option<String>,
    /// The offset of its header.
    pub pos: u64,
}

impl Unsafe {
    /// The member at `pos` as unsafe to extract, with whether its path or link
    /// leaves the archive (LAY006, IMG011) and whether it is a device or FIFO
    /// (LAY010, IMG011); `None` when it is neither.
    pub fn judge(raw: &str, kind: Kind, link: Option<&str>, pos: u64) -> Option<(Unsafe, bool, bool)> {
        let leaves = leaves_archive(raw, kind, link);
        let special = matches!(kind, Kind::Device | Kind::Fifo);
        (leaves || special).then(|| (Unsafe { path: raw.to_string(), kind, link: link.map(str::to_string), pos }, leaves, special))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_extraction() {
        assert_eq!(normalize("./app//x.tar"), "app/x.tar");
        assert_eq!(components("app/"), vec!["app"]);
        assert_eq!(file_name("a/b/c.json"), "c.json");
    }

    #[test]
    fn resolves_links_and_refuses_escapes() {
        assert_eq!(resolve("abc/layer.tar", "../blobs/sha256/ff").as_deref(), Some("blobs/sha256/ff"));
        assert_eq!(resolve("abc/layer.tar", "x.tar").as_deref(), Some("abc/x.tar"));
        assert_eq!(resolve("layer.tar", "../../etc/passwd"), None);
    }
}
