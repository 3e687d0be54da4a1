//! Targets: the Rainbond release line and image runtime that will import the
//! package (`shared/spec/targets.md`). Whether an import fails depends on
//! both, so every finding says on which targets it fails, and the verdict is
//! for the target the user chose.

use std::fmt;

use serde::{Serialize, Serializer};

/// A release line of the importer (rainbond-oam as the releases vendor it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Line {
    /// v5.15.1 to v5.17.3: loads every `*.tar`, plugin-images.tar included.
    V5_16,
    /// v6.0 to v6.6: skips `*.tar` paths containing `plugin` when the template has no plugins.
    V6_0,
    /// v6.7 to v6.8: as 6.0.
    V6_7,
    /// v6.9 and later: as 6.0, and validates the template.
    V6_9,
}

/// The image runtime the importer loads archives into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// containerd (`ctr images import`).
    Containerd,
    /// Docker (`docker load`).
    Docker,
}

/// The release lines, oldest first.
pub const LINES: [Line; 4] = [Line::V5_16, Line::V6_0, Line::V6_7, Line::V6_9];
/// The runtimes, in report order.
pub const RUNTIMES: [Runtime; 2] = [Runtime::Containerd, Runtime::Docker];

impl Line {
    /// Its name: `5.16`, `6.0` …
    pub fn as_str(self) -> &'static str {
        match self {
            Line::V5_16 => "5.16",
            Line::V6_0 => "6.0",
            Line::V6_7 => "6.7",
            Line::V6_9 => "6.9",
        }
    }

    fn first_release(self) -> &'static str {
        match self {
            Line::V5_16 => "5.15.1",
            Line::V6_0 => "6.0",
            Line::V6_7 => "6.7",
            Line::V6_9 => "6.9",
        }
    }

    /// The last release of the line; `None` for the newest, which goes on.
    fn last_release(self) -> Option<&'static str> {
        match self {
            Line::V5_16 => Some("5.17.3"),
            Line::V6_0 => Some("6.6"),
            Line::V6_7 => Some("6.8"),
            Line::V6_9 => None,
        }
    }

    /// The line a release belongs to; `None` before v5.15.1 (no line).
    fn of_version(major: u64, minor: u64, patch: u64) -> Option<Line> {
        Some(match (major, minor) {
            (5, m) if m < 15 || (m == 15 && patch < 1) => return None,
            (0..=4, _) => return None,
            (5, _) => Line::V5_16,
            (6, 0..=6) => Line::V6_0,
            (6, 7..=8) => Line::V6_7,
            _ => Line::V6_9,
        })
    }
}

impl Runtime {
    /// Its name: `containerd`, `docker`.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Containerd => "containerd",
            Runtime::Docker => "docker",
        }
    }
}

/// A set of line × runtime pairs: bit `2 * line + runtime`, in the order of
/// the report's `targets` (5.16/containerd, 5.16/docker, 6.0/containerd, …).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Targets(u8);

impl fmt::Debug for Targets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Targets {
    /// No target.
    pub const NONE: Targets = Targets(0);
    /// Every line with either runtime.
    pub const ALL: Targets = Targets(0xff);
    /// Every line with containerd.
    pub const CONTAINERD: Targets = Targets(0x55);
    /// Every line with Docker.
    pub const DOCKER: Targets = Targets(0xaa);

    /// One line with one runtime.
    pub const fn one(line: Line, runtime: Runtime) -> Targets {
        Targets(1 << (2 * line as u8 + runtime as u8))
    }

    /// Both runtimes of one line.
    pub const fn line(line: Line) -> Targets {
        Targets(0b11 << (2 * line as u8))
    }

    /// Every runtime of `line` and of the lines after it.
    pub const fn from_line(line: Line) -> Targets {
        Targets(0xff << (2 * line as u8))
    }

    /// The targets in both sets.
    pub const fn and(self, other: Targets) -> Targets {
        Targets(self.0 & other.0)
    }

    /// The targets in either set.
    pub const fn or(self, other: Targets) -> Targets {
        Targets(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the sets share a target.
    pub const fn intersects(self, other: Targets) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set holds `line` with `runtime`.
    pub fn contains(self, line: Line, runtime: Runtime) -> bool {
        self.intersects(Targets::one(line, runtime))
    }

    /// The pairs in the set, in report order.
    pub fn pairs(self) -> impl Iterator<Item = (Line, Runtime)> {
        LINES.into_iter().flat_map(|l| RUNTIMES.into_iter().map(move |r| (l, r))).filter(move |(l, r)| self.contains(*l, *r))
    }

    /// `5.16/docker`-style names, in report order.
    pub fn names(self) -> Vec<String> {
        self.pairs().map(|(l, r)| format!("{}/{}", l.as_str(), r.as_str())).collect()
    }

    /// " on Rainbond 6.9 and later" (English) or "在Rainbond 6.9 及以上版本上"
    /// (Chinese), for a sentence about where something fails; empty for all
    /// targets.
    pub fn on(self, lang: crate::lang::Lang) -> String {
        match lang {
            _ if self == Targets::ALL => String::new(),
            crate::lang::Lang::En => format!(" on {}", self.describe(lang)),
            crate::lang::Lang::Zh => format!("在{}上", self.describe(lang)),
        }
    }

    /// For people: "Rainbond 5.15.1 to 5.17.3 with Docker; Rainbond 6.0 and
    /// later", consecutive lines with the same runtimes folded into one range.
    pub fn describe(self, lang: crate::lang::Lang) -> String {
        let zh = lang == crate::lang::Lang::Zh;
        let runtimes = |line: Line| self.and(Targets::line(line)).0 >> (2 * line as u8);
        let mut parts = Vec::new();
        let mut i = 0;
        while i < LINES.len() {
            let set = runtimes(LINES[i]);
            if set == 0 {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < LINES.len() && runtimes(LINES[j + 1]) == set {
                j += 1;
            }
            let (first, last) = (LINES[i].first_release(), LINES[j].last_release());
            let range = match (last, zh) {
                (Some(end), false) => format!("Rainbond {first} to {end}"),
                (None, false) => format!("Rainbond {first} and later"),
                (Some(end), true) => format!("Rainbond {first} 至 {end} 版本"),
                (None, true) => format!("Rainbond {first} 及以上版本"),
            };
            parts.push(match (set, zh) {
                (0b11, _) => range,
                (0b01, false) => format!("{range} with containerd"),
                (_, false) => format!("{range} with Docker"),
                (0b01, true) => format!("使用 containerd 的 {range}"),
                (_, true) => format!("使用 Docker 的 {range}"),
            });
            i = j + 1;
        }
        parts.join(if zh { "、" } else { "; " })
    }
}

impl Serialize for Targets {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de> serde::Deserialize<'de> for Targets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Targets, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut set = Targets::NONE;
        for name in names {
            let target = Target::parse(&name).map_err(serde::de::Error::custom)?;
            set = set.or(target.set);
        }
        Ok(set)
    }
}

/// What a check is made for: a set of line × runtime pairs with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The normalised name: `all`, `6.9`, `5.16/docker`.
    pub name: String,
    /// The pairs it covers.
    pub set: Targets,
    /// The architectures of the cluster's nodes, when the console knows them
    /// (`amd64`, `arm64`); empty when unknown.
    pub arch: Vec<String>,
    /// Set when the asked version could not be read and `all` was used.
    pub note: Option<String>,
}

impl Default for Target {
    fn default() -> Target {
        Target::all()
    }
}

/// A target that names no line (an unknown runtime, a version before v5.15.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError(pub String);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; targets are `all` or VERSION[/RUNTIME] with VERSION a Rainbond version from 5.15.1 on (5.17.1, v6.9.8, 6.1, latest) or a line ({}) and RUNTIME containerd or docker",
            self.0,
            LINES.map(Line::as_str).join(", ")
        )
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// Every line with either runtime (the default).
    pub fn all() -> Target {
        Target { name: "all".into(), set: Targets::ALL, arch: Vec::new(), note: None }
    }

    /// `all`, or `VERSION[/RUNTIME]`: VERSION a Rainbond version (`5.17.1`,
    /// `v6.9.8`, `6.1`, `v6.1.2-release`) or `latest`.
    pub fn parse(text: &str) -> Result<Target, TargetError> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") || text.is_empty() {
            return Ok(Target::all());
        }
        let (version, runtime) = match text.split_once('/') {
            Some((v, r)) => (v, Some(parse_runtime(r)?)),
            None => (text, None),
        };
        if let (true, Some(r)) = (version.eq_ignore_ascii_case("all"), runtime) {
            return Ok(Target { name: format!("all/{}", r.as_str()), set: runtime_set(r), arch: Vec::new(), note: None });
        }
        let line = parse_version(version)?.ok_or_else(|| TargetError(format!("{version} is older than v5.15.1")))?;
        let set = match runtime {
            Some(r) => Targets::one(line, r),
            None => Targets::line(line),
        };
        let name = match runtime {
            Some(r) => format!("{}/{}", line.as_str(), r.as_str()),
            None => line.as_str().to_string(),
        };
        Ok(Target { name, set, arch: Vec::new(), note: None })
    }

    /// The target from what the Rainbond console knows: a cluster's
    /// `rbd_version` as rbd-api reports it (`v6.1.2-release`, or a build
    /// hash), maybe a runtime, and its nodes' architectures. A version that
    /// cannot be read falls back to `all`, with a note saying so.
    pub fn from_platform(rainbond: Option<&str>, runtime: Option<&str>, arch: Vec<String>) -> Result<Target, TargetError> {
        let runtime = runtime.filter(|r| !r.is_empty()).map(parse_runtime).transpose()?;
        let line = match rainbond.map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => match parse_version(v) {
                Ok(line) => Some(line.ok_or_else(|| TargetError(format!("{v} is older than v5.15.1")))?),
                Err(_) => {
                    let mut t = Target::all();
                    t.note = Some(v.to_string());
                    t.arch = arch;
                    if let Some(r) = runtime {
                        t.set = runtime_set(r);
                        t.name = format!("all/{}", r.as_str());
                    }
                    return Ok(t);
                }
            },
        };
        let (name, set) = match (line, runtime) {
            (Some(l), Some(r)) => (format!("{}/{}", l.as_str(), r.as_str()), Targets::one(l, r)),
            (Some(l), None) => (l.as_str().to_string(), Targets::line(l)),
            (None, Some(r)) => (format!("all/{}", r.as_str()), runtime_set(r)),
            (None, None) => ("all".to_string(), Targets::ALL),
        };
        Ok(Target { name, set, arch, note: None })
    }
}

fn runtime_set(r: Runtime) -> Targets {
    match r {
        Runtime::Containerd => Targets::CONTAINERD,
        Runtime::Docker => Targets::DOCKER,
    }
}

fn parse_runtime(text: &str) -> Result<Runtime, TargetError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "containerd" => Ok(Runtime::Containerd),
        "docker" => Ok(Runtime::Docker),
        other => Err(TargetError(format!("unknown runtime {other:?}"))),
    }
}

/// `Ok(None)` for a version before every line; `Err` when it is no version.
fn parse_version(text: &str) -> Result<Option<Line>, TargetError> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("latest") {
        return Ok(Some(Line::V6_9));
    }
    let bad = || TargetError(format!("unknown target {t:?}"));
    let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
    // `6.1.2-release`, `5.17.3-enterprise`: the numbers before the first `-`.
    let numbers = t.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    let n: Vec<u64> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    // A line's own name (5.16, 6.0, 6.7, 6.9) means that line.
    if n.len() == 2 {
        if let Some(line) = LINES.into_iter().find(|l| l.as_str() == numbers) {
            return Ok(Some(line));
        }
    }
    Ok(Line::of_version(n[0], n[1], n.get(2).copied().unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_map_to_their_lines() {
        let cases = [
            ("all", "all"),
            ("5.17.1", "5.16"),
            ("v5.15.1", "5.16"),
            ("5.16", "5.16"),
            ("6.0", "6.0"),
            ("6.1", "6.0"),
            ("v6.1.2-release", "6.0"),
            ("6.6.9", "6.0"),
            ("6.7", "6.7"),
            ("6.8.1", "6.7"),
            ("v6.9.8", "6.9"),
            ("7.0", "6.9"),
            ("latest", "6.9"),
            ("6.9/containerd", "6.9/containerd"),
            ("5.17.3/Docker", "5.16/docker"),
            ("all/docker", "all/docker"),
        ];
        for (text, want) in cases {
            assert_eq!(Target::parse(text).map(|t| t.name), Ok(want.to_string()), "{text}");
        }
    }

    #[test]
    fn near_misses_are_refused() {
        for text in ["5.15.0", "5.14", "4.0", "6.9/cri-o", "abc", "6", "6..1", "v6.1.2.3"] {
            assert!(Target::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn sets_follow_report_order() {
        assert_eq!(Targets::one(Line::V5_16, Runtime::Docker).names(), ["5.16/docker"]);
        assert_eq!(Targets::line(Line::V6_9).names(), ["6.9/containerd", "6.9/docker"]);
        assert_eq!(Targets::from_line(Line::V6_7).names(), ["6.7/containerd", "6.7/docker", "6.9/containerd", "6.9/docker"]);
        assert_eq!(Targets::DOCKER.and(Targets::line(Line::V6_0)).names(), ["6.0/docker"]);
        assert_eq!(Targets::ALL.names().len(), 8);
    }

    #[test]
    fn descriptions_fold_ranges() {
        use crate::lang::Lang;
        assert_eq!(Targets::ALL.describe(Lang::En), "Rainbond 5.15.1 and later");
        assert_eq!(Targets::one(Line::V5_16, Runtime::Docker).describe(Lang::En), "Rainbond 5.15.1 to 5.17.3 with Docker");
        let rest = Targets(Targets::ALL.0 & !Targets::one(Line::V5_16, Runtime::Docker).0);
        assert_eq!(rest.describe(Lang::En), "Rainbond 5.15.1 to 5.17.3 with containerd; Rainbond 6.0 and later");
        assert_eq!(Targets::line(Line::V6_0).or(Targets::line(Line::V6_7)).describe(Lang::Zh), "Rainbond 6.0 至 6.8 版本");
        assert_eq!(Targets::DOCKER.describe(Lang::Zh), "使用 Docker 的 Rainbond 5.15.1 及以上版本");
    }

    #[test]
    fn platform_versions_fall_back_to_all_with_a_note() {
        let t = Target::from_platform(Some("a1b2c3d"), None, vec!["arm64".into()]).unwrap();
        assert_eq!((t.name.as_str(), t.set, t.note.as_deref()), ("all", Targets::ALL, Some("a1b2c3d")));
        assert_eq!(t.arch, ["arm64"]);
        let t = Target::from_platform(Some("v5.17.3-release"), None, vec![]).unwrap();
        assert_eq!((t.name.as_str(), t.note), ("5.16", None));
        assert!(Target::from_platform(Some("5.3.0"), None, vec![]).is_err());
    }
}
