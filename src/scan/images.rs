//! What an image archive holds: its `manifest.json` (Docker) and `index.json`
//! (OCI) read into images with names, configs and layers, the way `docker
//! load` and containerd's importer read them.

use std::collections::HashSet;

use serde_json::Value;

use super::archive::{ArchiveMember, ImageArchive, JsonDoc, JsonError, NotRead};
use crate::container::paths;
use crate::container::tarwalk::Kind;
use crate::facts::metadata::get;
use crate::facts::reference;
use crate::lang::Describe;
use crate::limits::{MAX_IMAGES, MAX_INDEX_DEPTH};

/// containerd names an imported image from this annotation first…
pub const CONTAINERD_NAME: &str = "io.containerd.image.name";
/// …and falls back to this one, used as it is.
pub const OCI_REF_NAME: &str = "org.opencontainers.image.ref.name";

/// The state of one JSON document of the archive.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc<T> {
    Absent,
    Null,
    Invalid(Malformed),
    Present(T),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DockerEntry {
    pub config: Option<String>,
    pub repo_tags: Vec<String>,
    pub layers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OciDescriptor {
    pub digest: String,
    pub media_type: String,
    pub names: Vec<String>,
    pub ref_name: Option<String>,
}

/// Where an image's name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    DockerManifest,
    OciIndex,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub source: Source,
    /// Names as written (RepoTags, or the OCI annotations).
    pub tags: Vec<String>,
    /// Member path of the config, when it is known.
    pub config: Option<String>,
    pub layers: Vec<String>,
    pub diff_ids: Option<Vec<String>>,
    pub os: Option<String>,
    pub architecture: Option<String>,
    /// Sum of the layer sizes as stored.
    pub size: u64,
}

impl Image {
    /// Names after Docker normalisation (invalid ones left out).
    pub fn normalized_names(&self) -> Vec<String> {
        self.tags.iter().filter_map(|t| reference::normalize(t)).collect()
    }

    pub fn platform(&self) -> Option<String> {
        match (&self.os, &self.architecture) {
            (Some(os), Some(arch)) => Some(format!("{os}/{arch}")),
            _ => None,
        }
    }
}

/// A reference from a manifest to a member that is not there.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// The document that names it (`manifest.json`, a blob path).
    pub named_in: String,
    pub member: String,
    pub what: Part,
}

/// What a manifest names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A layer.
    Layer,
    /// An image config.
    Config,
    /// An OCI manifest (or index) blob.
    ManifestBlob,
}

impl Describe for Part {
    fn en(&self) -> String {
        match self {
            Part::Layer => "layer",
            Part::Config => "image config",
            Part::ManifestBlob => "manifest blob",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self {
            Part::Layer => "镜像层",
            Part::Config => "镜像配置",
            Part::ManifestBlob => "清单数据块",
        }
        .into()
    }
}

/// The JSON document a [`Malformed`] is about, as the sentence names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The member itself (`manifest.json`, `index.json`).
    It,
    /// An image config.
    Config,
    /// An OCI manifest blob.
    ManifestBlob,
}

impl Describe for Subject {
    fn en(&self) -> String {
        match self {
            Subject::It => "it",
            Subject::Config => "the image config",
            Subject::ManifestBlob => "the manifest blob",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self {
            Subject::It => "该文件",
            Subject::Config => "镜像配置",
            Subject::ManifestBlob => "清单数据块",
        }
        .into()
    }
}

/// What is wrong with a JSON document of an image archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformed {
    /// The member is not JSON at all.
    NotJson(Subject),
    /// It does not parse.
    Invalid(Subject, JsonError),
    /// It was not parsed: a limit.
    NotRead(Subject, NotRead),
    /// manifest.json is not an array.
    NotArray,
    /// Element `i` of manifest.json is not an object.
    NotObject(usize),
    /// A list field (`[0].RepoTags`) holds something other than strings.
    NotStrings(String),
    /// A field (`[0].Layers`) is not a list.
    NotList(String),
    /// `manifests` of this document is not a list.
    ManifestsNotList(String),
    /// A descriptor of this document has no digest.
    NoDigest(String),
    /// The image config has no `rootfs.diff_ids`.
    NoDiffIds,
    /// The image config is not an object.
    ConfigNotObject,
    /// A manifest.json entry without Config.
    NoConfig,
    /// A nested index too deep or not a list.
    NestedIndex,
    /// An OCI manifest without a config digest.
    NoConfigDigest,
}

impl Describe for Malformed {
    fn en(&self) -> String {
        match self {
            Malformed::NotJson(s) => format!("{} is not JSON", s.en()),
            Malformed::Invalid(s, e) => format!("{} is not valid JSON ({})", s.en(), e.en()),
            Malformed::NotRead(s, why) => format!("{} was not read: {}", s.en(), why.en()),
            Malformed::NotArray => "it is not a JSON array".into(),
            Malformed::NotObject(i) => format!("element {i} is not an object"),
            Malformed::NotStrings(field) => format!("{field} has an element that is not a string"),
            Malformed::NotList(field) => format!("{field} is not a list"),
            Malformed::ManifestsNotList(doc) => format!("{doc}: manifests is not a list"),
            Malformed::NoDigest(doc) => format!("{doc}: a descriptor has no digest"),
            Malformed::NoDiffIds => "the image config has no rootfs.diff_ids".into(),
            Malformed::ConfigNotObject => "the image config is not a JSON object".into(),
            Malformed::NoConfig => "an image has no Config".into(),
            Malformed::NestedIndex => "the nested index is too deep or not a list".into(),
            Malformed::NoConfigDigest => "the manifest has no config digest".into(),
        }
    }
    fn zh(&self) -> String {
        match self {
            Malformed::NotJson(s) => format!("{}不是 JSON", s.zh()),
            Malformed::Invalid(s, e) => format!("{}不是有效的 JSON（{}）", s.zh(), e.zh()),
            Malformed::NotRead(s, why) => format!("{}未被读取：{}", s.zh(), why.zh()),
            Malformed::NotArray => "该文件不是 JSON 数组".into(),
            Malformed::NotObject(i) => format!("第 {i} 个元素不是对象"),
            Malformed::NotStrings(field) => format!("{field} 中有不是字符串的元素"),
            Malformed::NotList(field) => format!("{field} 不是列表"),
            Malformed::ManifestsNotList(doc) => format!("{doc}：manifests 不是列表"),
            Malformed::NoDigest(doc) => format!("{doc}：有描述符没有 digest"),
            Malformed::NoDiffIds => "镜像配置中没有 rootfs.diff_ids".into(),
            Malformed::ConfigNotObject => "镜像配置不是 JSON 对象".into(),
            Malformed::NoConfig => "有镜像没有 Config".into(),
            Malformed::NestedIndex => "嵌套的索引过深或不是列表".into(),
            Malformed::NoConfigDigest => "清单中没有 config 摘要".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub manifest: Doc<Vec<DockerEntry>>,
    pub oci_layout: Doc<Option<String>>,
    pub index: Doc<Vec<OciDescriptor>>,
    pub images: Vec<Image>,
    pub missing: Vec<Missing>,
    /// JSON documents of the wrong shape: (member, what is wrong).
    pub malformed: Vec<(String, Malformed)>,
    /// More images than [`MAX_IMAGES`]: the rest were not judged.
    pub images_cut: bool,
}

impl Analysis {
    /// An OCI layout that containerd uses (it then ignores manifest.json).
    pub fn has_oci_layout(&self) -> bool {
        matches!(&self.oci_layout, Doc::Present(Some(_)))
    }

    pub fn docker_images(&self) -> usize {
        match &self.manifest {
            Doc::Present(entries) => entries.len(),
            _ => 0,
        }
    }

    pub fn oci_images(&self) -> usize {
        match &self.index {
            Doc::Present(d) => d.len(),
            _ => 0,
        }
    }

    /// manifest.json or index.json could not be read, so the archive's image
    /// names are unknown.
    pub fn names_unreadable(&self) -> bool {
        matches!(self.manifest, Doc::Invalid(_)) || matches!(self.index, Doc::Invalid(_))
    }

    /// No image at all, for any runtime.
    pub fn is_empty(&self) -> bool {
        self.docker_images() == 0 && self.oci_images() == 0
    }

    pub fn format(&self) -> &'static str {
        match (self.docker_images() > 0 || matches!(self.manifest, Doc::Present(_)), self.has_oci_layout()) {
            (true, true) => "docker-save (Docker 25+, with OCI layout)",
            (true, false) => "docker-save",
            (false, true) => "oci (containerd export)",
            (false, false) => "none",
        }
    }
}

pub fn analyze(archive: &ImageArchive) -> Analysis {
    let mut a = Analysis {
        manifest: doc(archive, "manifest.json", docker_entries),
        oci_layout: doc(archive, "oci-layout", |v| {
            let version = v.get("imageLayoutVersion").and_then(Value::as_str).map(str::to_string);
            Ok(version)
        }),
        index: doc(archive, "index.json", |v| oci_descriptors(v, "index.json")),
        images: Vec::new(),
        missing: Vec::new(),
        malformed: Vec::new(),
        images_cut: false,
    };
    for (name, d) in
        [("manifest.json", doc_error(&a.manifest)), ("oci-layout", doc_error(&a.oci_layout)), ("index.json", doc_error(&a.index))]
    {
        if let Some(e) = d {
            a.malformed.push((name.to_string(), e));
        }
    }
    a.images_cut = a.docker_images() > MAX_IMAGES || a.oci_images() > MAX_IMAGES;
    if let Doc::Present(entries) = a.manifest.clone() {
        for entry in entries.iter().take(MAX_IMAGES) {
            let image = docker_image(archive, entry, &mut a);
            a.images.push(image);
        }
    }
    if let Doc::Present(descriptors) = a.index.clone() {
        let names_from_docker: HashSet<String> = a.images.iter().flat_map(|i| i.normalized_names()).collect();
        for d in descriptors.iter().take(MAX_IMAGES) {
            let mut images = Vec::new();
            oci_image(archive, d, "index.json", 0, &mut images, &mut a);
            for mut image in images {
                image.tags = d.names.clone();
                if image.tags.is_empty() {
                    image.tags.extend(d.ref_name.clone());
                }
                // Docker 25 writes each image twice (manifest.json and
                // index.json): keep one.
                let dup = !image.tags.is_empty()
                    && image.normalized_names().iter().all(|n| names_from_docker.contains(n))
                    && a.images.iter().any(|i| i.source == Source::DockerManifest && i.diff_ids == image.diff_ids);
                if !dup {
                    a.images.push(image);
                }
            }
        }
    }
    a
}

fn doc_error<T>(d: &Doc<T>) -> Option<Malformed> {
    match d {
        Doc::Invalid(e) => Some(e.clone()),
        _ => None,
    }
}

fn doc<T>(archive: &ImageArchive, name: &str, read: impl Fn(&Value) -> Result<T, Malformed>) -> Doc<T> {
    match archive.json.get(name) {
        None if archive.member(name).is_some() => Doc::Invalid(Malformed::NotJson(Subject::It)),
        None => Doc::Absent,
        Some(JsonDoc::Invalid(e)) => Doc::Invalid(Malformed::Invalid(Subject::It, e.clone())),
        Some(JsonDoc::NotRead(why)) => Doc::Invalid(Malformed::NotRead(Subject::It, *why)),
        Some(JsonDoc::Value(Value::Null)) => Doc::Null,
        Some(JsonDoc::Value(v)) => match read(v) {
            Ok(t) => Doc::Present(t),
            Err(e) => Doc::Invalid(e),
        },
    }
}

fn strings(v: Option<&Value>, what: &str) -> Result<Vec<String>, Malformed> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            items.iter().map(|i| i.as_str().map(str::to_string).ok_or_else(|| Malformed::NotStrings(what.to_string()))).collect()
        }
        Some(_) => Err(Malformed::NotList(what.to_string())),
    }
}

fn docker_entries(v: &Value) -> Result<Vec<DockerEntry>, Malformed> {
    let items = v.as_array().ok_or(Malformed::NotArray)?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !item.is_object() {
                return Err(Malformed::NotObject(i));
            }
            Ok(DockerEntry {
                config: get(item, "Config").and_then(Value::as_str).map(str::to_string),
                repo_tags: strings(get(item, "RepoTags"), &format!("[{i}].RepoTags"))?,
                layers: strings(get(item, "Layers"), &format!("[{i}].Layers"))?,
            })
        })
        .collect()
}

fn oci_descriptors(v: &Value, doc_name: &str) -> Result<Vec<OciDescriptor>, Malformed> {
    let manifests = match v.get("manifests") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(m)) => m,
        Some(_) => return Err(Malformed::ManifestsNotList(doc_name.to_string())),
    };
    manifests
        .iter()
        .map(|m| {
            let digest = m.get("digest").and_then(Value::as_str).ok_or_else(|| Malformed::NoDigest(doc_name.to_string()))?;
            let annotation = |key: &str| m.get("annotations").and_then(|a| a.get(key)).and_then(Value::as_str).map(str::to_string);
            Ok(OciDescriptor {
                digest: digest.to_string(),
                media_type: m.get("mediaType").and_then(Value::as_str).unwrap_or_default().to_string(),
                names: annotation(CONTAINERD_NAME).into_iter().collect(),
                ref_name: annotation(OCI_REF_NAME),
            })
        })
        .collect()
}

/// The member path of a blob named by digest.
pub fn blob_path(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algo, hex)) => format!("blobs/{algo}/{hex}"),
        None => format!("blobs/{digest}"),
    }
}

/// Follows symlinks inside the archive; `None` when a link points nowhere
/// or out of the archive.
pub fn resolve<'a>(archive: &'a ImageArchive, path: &str) -> Option<&'a ArchiveMember> {
    let mut path = paths::normalize(path);
    for _ in 0..8 {
        let m = archive.member(&path)?;
        match (&m.kind, &m.link) {
            (Kind::Symlink, Some(target)) => path = paths::resolve(&path, target)?,
            (Kind::Hardlink, Some(target)) => path = paths::normalize(target),
            _ => return Some(m),
        }
    }
    None
}

fn config_facts(archive: &ImageArchive, path: &str, image: &mut Image, a: &mut Analysis) {
    let Some(member) = resolve(archive, path) else { return };
    match archive.json.get(&member.path) {
        Some(JsonDoc::Value(cfg)) if cfg.is_object() => {
            image.os = cfg.get("os").and_then(Value::as_str).map(str::to_string);
            image.architecture = cfg.get("architecture").and_then(Value::as_str).map(str::to_string);
            match cfg.get("rootfs").and_then(|r| r.get("diff_ids")) {
                Some(ids) => match strings(Some(ids), "rootfs.diff_ids") {
                    Ok(ids) => image.diff_ids = Some(ids),
                    Err(e) => a.malformed.push((path.to_string(), e)),
                },
                None => a.malformed.push((path.to_string(), Malformed::NoDiffIds)),
            }
        }
        Some(JsonDoc::Value(_)) => a.malformed.push((path.to_string(), Malformed::ConfigNotObject)),
        Some(JsonDoc::Invalid(e)) => a.malformed.push((path.to_string(), Malformed::Invalid(Subject::Config, e.clone()))),
        Some(JsonDoc::NotRead(why)) => a.malformed.push((path.to_string(), Malformed::NotRead(Subject::Config, *why))),
        None => a.malformed.push((path.to_string(), Malformed::NotJson(Subject::Config))),
    }
}

fn docker_image(archive: &ImageArchive, entry: &DockerEntry, a: &mut Analysis) -> Image {
    let mut image = Image {
        source: Source::DockerManifest,
        tags: entry.repo_tags.clone(),
        config: entry.config.clone(),
        layers: entry.layers.clone(),
        diff_ids: None,
        os: None,
        architecture: None,
        size: 0,
    };
    match &entry.config {
        Some(config) if resolve(archive, config).is_some() => config_facts(archive, config, &mut image, a),
        Some(config) => a.missing.push(Missing { named_in: "manifest.json".into(), member: config.clone(), what: Part::Config }),
        None => a.malformed.push(("manifest.json".into(), Malformed::NoConfig)),
    }
    for layer in &entry.layers {
        match resolve(archive, layer) {
            Some(m) => image.size = image.size.saturating_add(m.size),
            None => a.missing.push(Missing { named_in: "manifest.json".into(), member: layer.clone(), what: Part::Layer }),
        }
    }
    image
}

/// Reads the OCI manifest (or index) that a descriptor names into images.
fn oci_image(archive: &ImageArchive, d: &OciDescriptor, named_in: &str, depth: usize, out: &mut Vec<Image>, a: &mut Analysis) {
    let path = blob_path(&d.digest);
    let Some(member) = resolve(archive, &path) else {
        a.missing.push(Missing { named_in: named_in.to_string(), member: path, what: Part::ManifestBlob });
        return;
    };
    let Some(JsonDoc::Value(v)) = archive.json.get(&member.path) else {
        a.malformed.push((path, Malformed::NotJson(Subject::ManifestBlob)));
        return;
    };
    if let Some(manifests) = v.get("manifests") {
        if depth >= MAX_INDEX_DEPTH || !manifests.is_array() {
            a.malformed.push((path, Malformed::NestedIndex));
            return;
        }
        match oci_descriptors(v, &path) {
            Ok(children) => {
                for child in children.iter().take(MAX_IMAGES) {
                    oci_image(archive, child, &path, depth + 1, out, a);
                }
            }
            Err(e) => a.malformed.push((path, e)),
        }
        return;
    }
    let mut image = Image {
        source: Source::OciIndex,
        tags: Vec::new(),
        config: None,
        layers: Vec::new(),
        diff_ids: None,
        os: None,
        architecture: None,
        size: 0,
    };
    match v.get("config").and_then(|c| c.get("digest")).and_then(Value::as_str) {
        Some(digest) => {
            let config = blob_path(digest);
            if resolve(archive, &config).is_some() {
                config_facts(archive, &config, &mut image, a);
            } else {
                a.missing.push(Missing { named_in: path.clone(), member: config.clone(), what: Part::Config });
            }
            image.config = Some(config);
        }
        None => a.malformed.push((path.clone(), Malformed::NoConfigDigest)),
    }
    for layer in v.get("layers").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
        let Some(digest) = layer.get("digest").and_then(Value::as_str) else { continue };
        let lp = blob_path(digest);
        match resolve(archive, &lp) {
            Some(m) => image.size = image.size.saturating_add(m.size),
            None => a.missing.push(Missing { named_in: path.clone(), member: lp.clone(), what: Part::Layer }),
        }
        image.layers.push(lp);
    }
    out.push(image);
}
