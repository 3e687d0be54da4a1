//! The facts the checks judge, derived once from the pass.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::container::paths;
use crate::facts::metadata::get_str;
use crate::facts::metadata::{self, ParseError};
use crate::facts::reference;
use crate::scan::archive::ImageArchive;
use crate::scan::images::{self, Analysis};
use crate::scan::{MetadataFile, Package};
use crate::target::{Line, Targets};

/// An image archive with what it holds and whether the importer loads it.
pub struct ArchiveView<'a> {
    pub archive: &'a ImageArchive,
    pub analysis: Analysis,
    /// At depth 1 or 2 under the app directory, so the importer loads it.
    pub loaded_path: bool,
    /// The v6 importer skips it: its path contains "plugin" and the template
    /// has no plugins.
    pub plugin_skipped: bool,
}

impl ArchiveView<'_> {
    /// Loaded by every importer generation.
    pub fn loaded(&self) -> bool {
        self.loaded_path && !self.plugin_skipped
    }

    /// A macOS AppleDouble file (`._x.tar`): metadata, not an image archive.
    pub fn apple_double(&self) -> bool {
        paths::file_name(&self.archive.path).starts_with("._")
    }

    /// The targets whose importer loads it: none outside depth 1 and 2, only
    /// line 5.16 when v6's plugin skip applies.
    pub fn loaded_on(&self) -> Targets {
        match (self.loaded_path, self.plugin_skipped) {
            (false, _) => Targets::NONE,
            (true, true) => Targets::line(Line::V5_16),
            (true, false) => Targets::ALL,
        }
    }
}

pub struct Context<'a> {
    pub pkg: &'a Package,
    /// Top-level names in the importer's (byte) order: first position and
    /// whether it is a directory.
    pub top: BTreeMap<String, (u64, bool)>,
    /// The top-level directory that holds the app: the one with
    /// metadata.json, else the first in order.
    pub app_dir: Option<String>,
    pub metadata: Option<&'a MetadataFile>,
    /// The parsed template, when metadata.json parsed.
    pub template: Option<Value>,
    pub parse_error: Option<ParseError>,
    pub archives: Vec<ArchiveView<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(pkg: &'a Package) -> Context<'a> {
        let top = pkg.top_level();
        let with_metadata = pkg.metadata.iter().find_map(|m| match paths::components(&m.path)[..] {
            [dir, "metadata.json"] => Some(dir.to_string()),
            _ => None,
        });
        let first_dir = top.iter().find(|(_, (_, is_dir))| *is_dir).map(|(name, _)| name.clone());
        let app_dir = with_metadata.or(first_dir);
        // Extraction keeps the last copy of a path written twice (LAY011).
        let metadata = app_dir
            .as_ref()
            .and_then(|dir| pkg.metadata.iter().rfind(|m| m.path == format!("{dir}/metadata.json")))
            .or_else(|| pkg.metadata.first());
        let (template, parse_error) = match metadata.and_then(|m| m.bytes.as_deref()) {
            Some(bytes) => match metadata::parse(bytes) {
                Ok(v) => (Some(v), None),
                Err(e) => (None, Some(e)),
            },
            None => (None, None),
        };
        let no_plugins = template.as_ref().is_some_and(|t| metadata::get_list(t, "plugins").is_empty());
        let archives = pkg
            .archives
            .iter()
            .map(|archive| {
                let parts = paths::components(&archive.path);
                let loaded_path =
                    app_dir.as_deref().is_some_and(|dir| parts.first() == Some(&dir) && (parts.len() == 2 || parts.len() == 3));
                // The v6 importer tests the whole extraction path, which
                // starts with the upload's name.
                let full = format!("{}-cache/{}", pkg.file_name, archive.path);
                ArchiveView {
                    archive,
                    analysis: images::analyze(archive),
                    loaded_path,
                    plugin_skipped: no_plugins && full.contains("plugin"),
                }
            })
            .collect();
        Context { pkg, top, app_dir, metadata, template, parse_error, archives }
    }

    pub fn components(&self) -> &[Value] {
        self.template.as_ref().map(|t| metadata::get_list(t, "apps")).unwrap_or(&[])
    }

    pub fn plugins(&self) -> &[Value] {
        self.template.as_ref().map(|t| metadata::get_list(t, "plugins")).unwrap_or(&[])
    }

    /// Every component and plugin with its share_image.
    pub fn image_users(&self) -> Vec<ImageUser<'_>> {
        image_users_of(self)
    }

    /// The normalised names the components and plugins use.
    pub fn wanted_images(&self) -> HashSet<String> {
        self.image_users().iter().filter_map(|u| reference::normalize(u.share_image)).collect()
    }

    /// Whether some wanted image is carried by none of the archives `keep`
    /// accepts (an archive that is not walked, or is damaged, can be the one).
    pub fn images_missing_from(&self, keep: impl Fn(&ArchiveView<'_>) -> bool) -> bool {
        let carried: HashSet<String> =
            self.archives.iter().filter(|v| keep(v)).flat_map(|v| v.analysis.images.iter().flat_map(|i| i.normalized_names())).collect();
        self.wanted_images().iter().any(|w| !carried.contains(w))
    }

    /// Where metadata.json is (or should be).
    pub fn metadata_location(&self) -> String {
        match (self.metadata, &self.app_dir) {
            (Some(m), _) => m.path.clone(),
            (None, Some(dir)) => format!("{dir}/metadata.json"),
            (None, None) => "metadata.json".into(),
        }
    }

    /// Offset of metadata.json in the stream (for ordering findings).
    pub fn metadata_position(&self) -> u64 {
        self.metadata.map_or(0, |m| m.pos)
    }
}

/// One component or plugin that names an image.
pub struct ImageUser<'a> {
    /// `apps[2]` or `plugins[0]`.
    pub path: String,
    /// The component's service_cname or the plugin's plugin_alias.
    pub label: String,
    pub share_image: &'a str,
    pub is_plugin: bool,
}

/// Every component and plugin with its share_image.
pub fn image_users_of<'a>(cx: &'a Context<'_>) -> Vec<ImageUser<'a>> {
    let mut users = Vec::new();
    let mut add = |list: &'a [Value], field: &str, label: &str, is_plugin: bool| {
        for (i, item) in list.iter().enumerate() {
            if let Some(share_image) = get_str(item, "share_image") {
                let label = get_str(item, label).unwrap_or("").to_string();
                users.push(ImageUser { path: format!("{field}[{i}]"), label, share_image, is_plugin });
            }
        }
    };
    add(cx.components(), "apps", "service_cname", false);
    add(cx.plugins(), "plugins", "plugin_alias", true);
    users
}
