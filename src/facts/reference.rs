//! Docker image references, parsed and normalised the way the importer's
//! clients do (`reference.ParseDockerRef`): `nginx` is
//! `docker.io/library/nginx:latest`.

use crate::lang::Describe;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Why a string is not an image reference Docker accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    Empty,
    Uppercase,
    /// The part after `@` is not `algorithm:hex`.
    Digest,
    /// The tag has other characters or is over 128.
    Tag,
    NoName,
    /// The repository name is over [`MAX_NAME`].
    TooLong,
    Host,
    /// A path component with characters Docker refuses.
    Component,
    /// 64 hexadecimal digits: an image ID.
    ImageId,
}

impl Describe for RefError {
    fn en(&self) -> String {
        match self {
            RefError::Empty => "it is empty",
            RefError::Uppercase => "the repository name has upper-case letters",
            RefError::Digest => "the digest is malformed",
            RefError::Tag => "the tag is not valid (letters, digits, '_', '.', '-'; at most 128)",
            RefError::NoName => "it has no repository name",
            RefError::TooLong => "the repository name is longer than 255 characters",
            RefError::Host => "the registry host is not valid",
            RefError::Component => "a path component is not valid (lower-case letters, digits and . _ - between them)",
            RefError::ImageId => "a 64-character hexadecimal string is an image ID, not a name",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self {
            RefError::Empty => "它为空",
            RefError::Uppercase => "仓库名称中有大写字母",
            RefError::Digest => "摘要格式不正确",
            RefError::Tag => "标签不合法（只能是字母、数字、'_'、'.'、'-'，最多 128 个字符）",
            RefError::NoName => "没有仓库名称",
            RefError::TooLong => "仓库名称超过 255 个字符",
            RefError::Host => "镜像仓库地址不合法",
            RefError::Component => "路径中有不合法的部分（只能是小写字母、数字，中间可用 . _ -）",
            RefError::ImageId => "64 位十六进制字符串是镜像 ID，不是名称",
        }
        .into()
    }
}

/// The longest repository name Docker accepts.
const MAX_NAME: usize = 255;

pub fn parse(s: &str) -> Result<ImageRef, RefError> {
    if s.is_empty() {
        return Err(RefError::Empty);
    }
    let (rest, digest) = match s.split_once('@') {
        Some((n, d)) => {
            let (algo, hex) = d.split_once(':').ok_or(RefError::Digest)?;
            if algo.is_empty() || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(RefError::Digest);
            }
            (n, Some(d.to_string()))
        }
        None => (s, None),
    };
    // A tag follows the last ':' that comes after the last '/'.
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        if !valid_tag(tag) {
            return Err(RefError::Tag);
        }
    }
    if name.is_empty() {
        return Err(RefError::NoName);
    }
    if name.len() > MAX_NAME {
        return Err(RefError::TooLong);
    }
    let (domain, path) = split_domain(name);
    if path.is_empty() {
        return Err(RefError::NoName);
    }
    if let Some(d) = &domain {
        if !valid_domain(d) {
            return Err(RefError::Host);
        }
    }
    for component in path.split('/') {
        if component.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(RefError::Uppercase);
        }
        if !valid_component(component) {
            return Err(RefError::Component);
        }
    }
    if domain.is_none() && digest.is_none() && tag.is_none() && path.len() == 64 && path.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RefError::ImageId);
    }
    let domain = match domain.as_deref() {
        None | Some("index.docker.io") => "docker.io".to_string(),
        Some(d) => d.to_string(),
    };
    let path = if domain == "docker.io" && !path.contains('/') { format!("library/{path}") } else { path.to_string() };
    Ok(ImageRef { domain, path, tag: tag.map(str::to_string), digest })
}

impl ImageRef {
    /// The fully qualified name the clients compare: `docker.io/library/nginx:latest`.
    pub fn normalized(&self) -> String {
        format!("{}/{}:{}", self.domain, self.path, self.tag.as_deref().unwrap_or("latest"))
    }
}

/// Normalises a reference, or returns `None` when it does not parse.
pub fn normalize(s: &str) -> Option<String> {
    parse(s).ok().map(|r| r.normalized())
}

/// `docker.io`'s rule: the first component is a registry host when it has a
/// '.' or ':' or is `localhost`, or has upper-case letters.
fn split_domain(name: &str) -> (Option<String>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first.to_string()), rest)
        }
        _ => (None, name),
    }
}

fn valid_domain(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    host_ok && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    if bytes.is_empty() || !is_alnum(bytes[0]) || !is_alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if is_alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !is_alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[\w][\w.-]{0,127}`
fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_docker() {
        assert_eq!(normalize("nginx").unwrap(), "docker.io/library/nginx:latest");
        assert_eq!(normalize("nginx:1.25").unwrap(), "docker.io/library/nginx:1.25");
        assert_eq!(normalize("goodrain/app:v1").unwrap(), "docker.io/goodrain/app:v1");
        assert_eq!(normalize("goodrain.me/team/app:v1").unwrap(), "goodrain.me/team/app:v1");
        assert_eq!(normalize("localhost:5000/app").unwrap(), "localhost:5000/app:latest");
        assert_eq!(normalize("index.docker.io/library/nginx:1").unwrap(), "docker.io/library/nginx:1");
    }

    #[test]
    fn refuses_what_the_importer_refuses() {
        assert_eq!(parse(""), Err(RefError::Empty));
        assert_eq!(parse("goodrain.me/Team/app:v1"), Err(RefError::Uppercase));
        assert_eq!(parse("app:v1:v2"), Err(RefError::Component));
        assert_eq!(parse("a..b"), Err(RefError::Component));
        assert_eq!(parse("app:"), Err(RefError::Tag));
        let digest = format!("nginx@sha256:{}", "a".repeat(64));
        assert!(parse(&digest).unwrap().digest.is_some());
    }
}
