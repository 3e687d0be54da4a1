//! MET: metadata.json, judged as the importer's Go code decodes it.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::repairable::{Repairable, CHANGES_THE_APP};
use super::{Context, Rule, Text};
use crate::facts::metadata::{self, get, get_list, get_str, ParseError, Replaced};
use crate::facts::model;
use crate::facts::reference;
use crate::lang::human_bytes;
use crate::lang::{Describe, Lang};
use crate::limits::MAX_LISTED;
use crate::limits::MAX_METADATA_BYTES;
use crate::limits::{MAX_METADATA_NODES, MAX_TYPE_ERRORS};
use crate::rules::{Finding, Listed, Severity};
use crate::target::{Line, Targets};

pub static MET001: Rule = Rule {
    code: "MET001",
    name: "invalid-json",
    severity: Severity::Error,
    title: Text { en: "metadata.json is not valid JSON", zh: "metadata.json 不是有效的 JSON" },
    why: Text {
        en: "The importer decodes metadata.json with Go's encoding/json. A byte-order mark, a syntax error, a truncated file or a top level that is not an object fails the import with \"Failed to read meta file\".",
        zh: "导入程序用 Go 的 encoding/json 解析 metadata.json。字节序标记（BOM）、语法错误、文件被截断或顶层不是对象，都会使导入以 \"Failed to read meta file\" 失败。",
    },
    fix: Text {
        en: "Export the app again. If you edited metadata.json by hand, fix it at the line and column given and save it as UTF-8 without a byte-order mark.",
        zh: "重新导出应用。如果手工修改过 metadata.json，请按给出的行号和列号修正，并保存为不带 BOM 的 UTF-8。",
    },
    example: "metadata.json saved by Windows Notepad with a BOM, or cut off in the middle",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import decodes metadata.json with encoding/json Decoder.Decode: a BOM, a syntax error or a non-object fails, all lines; invalid UTF-8 and lone surrogates become U+FFFD without error (Go encoding/json, checked with Go 1.19)",
    fails_on: Targets::ALL,
    repair: Repairable::Yes { unless: CHANGES_THE_APP },
};

pub static MET002: Rule = Rule {
    code: "MET002",
    name: "type-mismatch",
    severity: Severity::Error,
    title: Text { en: "A metadata.json value has the wrong JSON type", zh: "metadata.json 中的值类型错误" },
    why: Text {
        en: "Go's encoding/json refuses a non-null value whose JSON type does not fit the importer's struct field (a string for an integer, a number with a fraction for an integer, a list for a map). The import fails with \"Failed to read meta file: json: cannot unmarshal …\".",
        zh: "Go 的 encoding/json 会拒绝与导入程序结构体字段类型不符的非 null 值（整数字段写成字符串、整数字段带小数、需要对象的地方写成列表等），导入以 \"Failed to read meta file: json: cannot unmarshal …\" 失败。",
    },
    fix: Text {
        en: "Correct the value at the path given (for example write `\"memory\": 512`, not `\"memory\": \"512\"`), or export the app again from the source cluster.",
        zh: "按给出的字段路径修正该值（例如写 `\"memory\": 512`，而不是 `\"memory\": \"512\"`），或从源集群重新导出应用。",
    },
    example: "`\"memory\": \"512\"` or `\"cpu\": 0.5` in a component",
    evidence: "goodrain/rainbond-oam pkg/ram/v1alpha1/types.go: encoding/json fails on a non-null value of the wrong type; no field changed type since the v5.15.1 importer (0067a4cf)",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET003: Rule = Rule {
    code: "MET003",
    name: "empty-template",
    severity: Severity::Error,
    title: Text { en: "The template has no components", zh: "模板中没有组件" },
    why: Text {
        en: "Importers since v6.9 reject a template with no `apps` and no `k8s_resources` (\"invalid ram meta file: template is empty\"); older ones import an app with nothing in it.",
        zh: "v6.9 起的导入程序会拒绝既没有 `apps` 也没有 `k8s_resources` 的模板（\"invalid ram meta file: template is empty\"）；更早的版本会导入一个空应用。",
    },
    fix: Text {
        en: "Export the app again after adding its components to the app version you publish.",
        zh: "把组件加入要发布的应用版本后重新导出。",
    },
    example: "`\"apps\": []` with no `k8s_resources`",
    evidence: "goodrain/rainbond-oam pkg/ram/v1alpha1/types.go:Validation \"template is empty\", called by Import since oam b5d11f2 (v6.9.0 and later); older lines import an empty app",
    fails_on: Targets::line(Line::V6_9),
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET004: Rule = Rule {
    code: "MET004",
    name: "vm-no-root-disk",
    severity: Severity::Error,
    title: Text { en: "A VM component has no root disk", zh: "虚拟机组件没有系统盘" },
    why: Text {
        en: "Importers since v6.9 require every component with `vm` to list a disk whose `disk_role` is exactly `root` in `vm.disk_layout` (\"vm disk layout requires root disk\").",
        zh: "v6.9 起的导入程序要求每个带 `vm` 的组件在 `vm.disk_layout` 中有一块 `disk_role` 恰好为 `root` 的磁盘（\"vm disk layout requires root disk\"）。",
    },
    fix: Text {
        en: "Export the VM app again from a cluster where its root disk is set, or add `{\"disk_role\": \"root\", …}` to `vm.disk_layout`.",
        zh: "在已设置系统盘的集群中重新导出虚拟机应用，或在 `vm.disk_layout` 中加入 `{\"disk_role\": \"root\", …}`。",
    },
    example: "`\"vm\": {\"disk_layout\": [{\"disk_role\": \"data\"}]}`",
    evidence: "goodrain/rainbond-oam pkg/ram/v1alpha1/types.go:(*VMTemplate).Validation, called since oam b5d11f2 (v6.9.0 and later)",
    fails_on: Targets::line(Line::V6_9),
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET005: Rule = Rule {
    code: "MET005",
    name: "invalid-share-image",
    severity: Severity::Error,
    title: Text { en: "A share_image is not a valid image reference", zh: "share_image 不是有效的镜像地址" },
    why: Text {
        en: "The importer parses each component's and plugin's `share_image` to re-tag it for the local registry. An empty value, upper-case letters or an invalid name fail with \"invalid reference format\"; a name pinned by digest (`@sha256:…`) becomes an invalid tag.",
        zh: "导入程序会解析每个组件和插件的 `share_image`，并重新打标签推送到本地镜像仓库。空值、大写字母或不合法的名称会以 \"invalid reference format\" 失败；用摘要固定的名称（`@sha256:…`）会变成不合法的标签。",
    },
    fix: Text {
        en: "Export the app again; if you edited metadata.json, give the component the exact `name:tag` its image was saved under, in lower case, without `@sha256:`.",
        zh: "重新导出应用；如果手工修改过 metadata.json，请填写镜像保存时使用的 `名称:标签`，全部小写，不带 `@sha256:`。",
    },
    example: "`\"share_image\": \"goodrain.me/Team/web:v1\"`",
    evidence: "goodrain/rainbond-oam pkg/util/docker/image.go:NewImageName / GetTagFromNamedRef, called for every component and plugin by Import before ImageTag, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET006: Rule = Rule {
    code: "MET006",
    name: "too-long",
    severity: Severity::Warning,
    title: Text { en: "A value is longer than the console stores", zh: "字段值超过控制台可存储的长度" },
    why: Text {
        en: "The console stores `group_key` and `group_version` in 32-character columns and `group_name` in 64; a longer value fails the import when the app template is saved (\"Data too long for column\").",
        zh: "控制台用 32 个字符的字段保存 `group_key` 和 `group_version`，用 64 个字符保存 `group_name`；超长时保存应用模板会失败（\"Data too long for column\"）。",
    },
    fix: Text {
        en: "Shorten the value in the source cluster (app name or version) and export again.",
        zh: "在源集群缩短应用名称或版本号后重新导出。",
    },
    example: "a group_version of 40 characters",
    evidence: "goodrain/rainbond-console console/models/main.py (app_id, version: 32; app_name: 64); enforced only by a MySQL console in strict mode (goodrain_web/settings.py), the default SQLite console stores any length",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET007: Rule = Rule {
    code: "MET007",
    name: "arch",
    severity: Severity::Warning,
    title: Text { en: "A component's architecture is unset, unknown or mixed", zh: "组件架构未设置、无法识别或不一致" },
    why: Text {
        en: "The console treats a missing `arch` as amd64 and refuses to install a template whose architecture differs from the build node's (\"应用架构与构建节点架构不匹配\"). Values other than amd64 and arm64, or components of different architectures, install on no single cluster.",
        zh: "控制台把缺失的 `arch` 当作 amd64，并拒绝安装与构建节点架构不同的模板（“应用架构与构建节点架构不匹配”）。amd64 和 arm64 以外的值，或组件架构互不相同，都无法在同一个集群中安装。",
    },
    fix: Text {
        en: "Export from a cluster of the target architecture so that every component has the same `arch` (amd64 or arm64).",
        zh: "在目标架构的集群中导出，使所有组件的 `arch` 一致（amd64 或 arm64）。",
    },
    example: "one component `arm64`, the others `amd64`",
    evidence: "goodrain/rainbond-console market_app_service.py: template_arch = share_app.arch or \"amd64\", install refused on build nodes of another arch (skipped on clusters with two arches)",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET008: Rule = Rule {
    code: "MET008",
    name: "legacy-fields",
    severity: Severity::Warning,
    title: Text { en: "Fields that current importers drop", zh: "当前导入程序会丢弃的旧字段" },
    why: Text {
        en: "Templates from old exporters carry `service_extend_method` or keep a component's memory only in `extend_method_map`; the importer's struct has no such field, so the setting is lost and the component gets default resources.",
        zh: "旧版导出程序生成的模板含有 `service_extend_method`，或只在 `extend_method_map` 中记录组件内存；导入程序的结构体没有这些字段，设置会丢失，组件使用默认资源。",
    },
    fix: Text {
        en: "Check the component's memory and scaling after the import, or export again from a current cluster.",
        zh: "导入后检查组件的内存和伸缩设置，或在新版集群中重新导出。",
    },
    example: "`\"service_extend_method\": \"stateless\"` and no `memory`",
    evidence: "goodrain/rainbond builder/exector/import_app.go:normalizeImportedRAM restores legacy memory fields since v6.9.0 (6dca66907); earlier importers drop them",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET009: Rule = Rule {
    code: "MET009",
    name: "dangling-reference",
    severity: Severity::Warning,
    title: Text { en: "A reference names no component or plugin of the template", zh: "引用的组件或插件不在模板中" },
    why: Text {
        en: "Dependencies (`dep_service_key`) and shared volumes (`mnt_relation_list`) name another component by its `service_share_uuid` (`<service_key>+<service_id>`, or its `service_key` when it has no uuid); config groups and gateway routes by `service_key`; plugin configs a plugin by `plugin_id`. The install logs a name that matches none and skips the relation: the import succeeds, the app runs without it.",
        zh: "依赖（`dep_service_key`）和共享存储（`mnt_relation_list`）通过 `service_share_uuid`（`<service_key>+<service_id>`，没有时为 `service_key`）引用其他组件；配置组和网关路由通过 `service_key` 引用组件；插件配置通过 `plugin_id` 引用插件。引用不到时，安装程序会记录日志并跳过该关系：导入可以成功，但应用运行时缺少这一关系。",
    },
    fix: Text {
        en: "Publish the app version again with all the components it depends on (or remove the dependency in the source app), then export again.",
        zh: "把依赖的组件一起加入应用版本后重新发布（或在源应用中删除该依赖），再重新导出。",
    },
    example: "apps[1] depends on a service_key that no component has",
    evidence: "goodrain/rainbond-console console/services/share_services.py writes dep_service_key as the dependency's service_share_uuid (since v5.3); market_app/app_upgrade.py:_create_component_deps resolves it by service_share_uuid (service_key without one), logs and skips an unknown one",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET010: Rule = Rule {
    code: "MET010",
    name: "duplicate-key",
    severity: Severity::Warning,
    title: Text { en: "Two components or plugins share a key", zh: "两个组件或插件使用了相同的标识" },
    why: Text {
        en: "Components are told apart by `service_key` and `service_share_uuid`, plugins by `plugin_id`; two with the same one overwrite each other during install. A key written twice in one JSON object is decoded as the last one (a warning: the first is lost).",
        zh: "组件以 `service_key` 和 `service_share_uuid` 区分，插件以 `plugin_id` 区分；相同时安装过程中会相互覆盖。同一 JSON 对象中重复的键只保留最后一个（警告：前一个会丢失）。",
    },
    fix: Text {
        en: "Export the app again; if you merged templates by hand, give each component its own key.",
        zh: "重新导出应用；如果是手工合并的模板，请为每个组件设置不同的标识。",
    },
    example: "apps[0] and apps[2] with the same service_key",
    evidence: "goodrain/rainbond-console market_app/app_upgrade.py keys components by service_share_uuid and config groups and routes by service_key: a duplicate overwrites the other at install; encoding/json keeps the last duplicate key",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET011: Rule = Rule {
    code: "MET011",
    name: "missing-field",
    severity: Severity::Warning,
    title: Text { en: "A required field is missing or empty", zh: "缺少必填字段或字段为空" },
    why: Text {
        en: "The console files the imported template under `group_key`, `group_name` and `group_version`, and installs each component by its `service_key` and `service_cname`; missing or empty, the import fails or creates an app that cannot be installed.",
        zh: "控制台按 `group_key`、`group_name` 和 `group_version` 保存导入的模板，并按 `service_key` 和 `service_cname` 安装各组件；缺失或为空时导入失败，或生成无法安装的应用。",
    },
    fix: Text {
        en: "Export the app again from the source cluster; if you wrote metadata.json by hand, fill in the fields named.",
        zh: "从源集群重新导出应用；如果 metadata.json 是手工编写的，请补全所列字段。",
    },
    example: "a component without `service_cname`",
    evidence: "no upstream code fails on it: Import reads none of these fields and app_import_and_export_service.py:__save_enterprise_import_info saves \"\"",
    fails_on: Targets::NONE,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub static MET012: Rule = Rule {
    code: "MET012",
    name: "null-entry",
    severity: Severity::Error,
    title: Text { en: "A null entry in apps or plugins", zh: "apps 或 plugins 中有 null 元素" },
    why: Text {
        en: "`apps` and `plugins` decode into lists of pointers: a `null` element becomes a nil pointer that the importer dereferences, and the import task crashes instead of failing with a message.",
        zh: "`apps` 和 `plugins` 会被解析为指针列表：`null` 元素成为空指针，导入程序解引用时崩溃，导入任务异常中止而不是给出错误信息。",
    },
    fix: Text {
        en: "Remove the `null` element from the list (often left by deleting a component by hand), or export the app again.",
        zh: "删除列表中的 `null` 元素（通常是手工删除组件时留下的），或重新导出应用。",
    },
    example: "`\"apps\": [{…}, null]`",
    evidence: "goodrain/rainbond-oam pkg/localimport/import.go:(*ramImport).Import dereferences each component and plugin (up to v6.8), (*Component).HandleNullValue on nil (v6.9): the import goroutine panics, all lines",
    fails_on: Targets::ALL,
    repair: Repairable::No(CHANGES_THE_APP),
};

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(meta) = cx.metadata else { return };
    let loc = meta.path.as_str();
    let pos = meta.pos;
    if meta.bytes.is_none() {
        if cx.pkg.stopped_inside(&meta.path) {
            return; // its size runs past the end of the package: PKG003 says so
        }
        out.push(MET001.at(
            loc,
            pos,
            format!(
                "metadata.json is {}, larger than the {} ramcheck reads; a real template is far smaller, so this file is not one.",
                human_bytes(meta.size),
                human_bytes(MAX_METADATA_BYTES)
            ),
            format!(
                "metadata.json 大小为 {}，超过 ramcheck 读取的上限 {}；真实的应用模板远小于此，该文件不是应用模板。",
                human_bytes(meta.size),
                human_bytes(MAX_METADATA_BYTES)
            ),
        ));
        return;
    }
    if let Some(error) = &cx.parse_error {
        out.push(invalid(loc, pos, error));
    }
    if let (Some(_), Some(replaced)) = (&cx.template, meta.bytes.as_deref().and_then(metadata::replaced)) {
        let (en, zh) = match replaced {
            Replaced::InvalidUtf8(at) => (
                format!("metadata.json is not valid UTF-8 (from byte {at}; it was perhaps saved as GBK)"),
                format!("metadata.json 不是有效的 UTF-8（自第 {at} 字节起；可能被保存成了 GBK 编码）"),
            ),
            Replaced::LoneSurrogate(at) => (
                format!("metadata.json has a lone UTF-16 surrogate escape at byte {at}"),
                format!("metadata.json 第 {at} 字节处有不成对的 UTF-16 代理项转义"),
            ),
        };
        out.push(
            MET001
                .at(
                    loc,
                    pos,
                    format!("{en}: the importer's decoder replaces such characters with U+FFFD (�) and goes on, so the import succeeds but those texts change."),
                    format!("{zh}：导入程序的解析器会把这些字符替换为 U+FFFD（�）后继续，导入可以成功，但相关文字会改变。"),
                )
                .severity(Severity::Warning)
                .fix(
                    "Save metadata.json as UTF-8 (for example `iconv -f GBK -t UTF-8`) and pack the directory again.",
                    "将 metadata.json 另存为 UTF-8（例如 `iconv -f GBK -t UTF-8`），然后重新打包目录。",
                ),
        );
    }
    if let Some(template) = &cx.template {
        let (errors, count) = metadata::type_errors(template);
        for e in &errors {
            // A field newer importers added is ignored by the older ones.
            let lines = model::decoded_on(&e.path);
            let (on, on_zh) = (lines.on(Lang::En), lines.on(Lang::Zh));
            out.push(
                MET002
                    .at(
                        format!("{loc}#{}", e.path),
                        pos,
                        format!(
                            "{}: expected {}, found {}. The import fails{on} with \"json: cannot unmarshal\".",
                            e.path,
                            e.expected.en(),
                            e.found.en()
                        ),
                        format!(
                            "{}：应为{}，实际为{}。导入{on_zh}会以 \"json: cannot unmarshal\" 失败。",
                            e.path,
                            e.expected.zh(),
                            e.found.zh()
                        ),
                    )
                    .only_on(lines),
            );
        }
        if count > errors.len() {
            let more = count - MAX_TYPE_ERRORS;
            out.push(MET002.at(
                loc,
                pos,
                format!("{more} more values have the wrong type (only the first {MAX_TYPE_ERRORS} are listed)."),
                format!("另有 {more} 个值类型错误（只列出前 {MAX_TYPE_ERRORS} 个）。"),
            ));
        }
        let t = Template { cx, root: template, loc, pos };
        t.empty(out);
        t.null_entries(out);
        t.missing_fields(out);
        t.too_long(out);
        t.share_images(out);
        t.vm_root_disks(out);
        t.arch(out);
        t.legacy_fields(out);
        t.references(out);
        t.duplicates(out);
        if let Some(bytes) = meta.bytes.as_deref() {
            for path in metadata::duplicate_keys(bytes, MAX_LISTED) {
                out.push(
                    MET010
                        .at(
                            format!("{loc}#{path}"),
                            pos,
                            format!(
                                "The key {path} appears twice in the same object: the importer keeps the last value and the first is lost."
                            ),
                            format!("键 {path} 在同一对象中出现了两次：导入程序只保留最后一个值，前一个会丢失。"),
                        )
                        .severity(Severity::Warning),
                );
            }
        }
    }
}

/// The checks of a parsed template.
struct Template<'a> {
    cx: &'a Context<'a>,
    root: &'a Value,
    loc: &'a str,
    pos: u64,
}

impl Template<'_> {
    fn at(&self, rule: &'static Rule, path: &str, en: String, zh: String) -> Finding {
        let loc = if path.is_empty() { self.loc.to_string() } else { format!("{}#{path}", self.loc) };
        rule.at(loc, self.pos, en, zh)
    }

    /// Components with their index, skipping null entries (MET012's).
    fn apps(&self) -> impl Iterator<Item = (usize, &Value)> {
        self.cx.components().iter().enumerate().filter(|(_, v)| v.is_object())
    }

    fn plugins(&self) -> impl Iterator<Item = (usize, &Value)> {
        self.cx.plugins().iter().enumerate().filter(|(_, v)| v.is_object())
    }

    /// MET003.
    fn empty(&self, out: &mut Vec<Finding>) {
        let apps = get(self.root, "apps");
        let k8s = get_list(self.root, "k8s_resources").len();
        let (en, zh) = match apps {
            None | Some(Value::Null) => ("metadata.json has no `apps` list", "metadata.json 中没有 `apps` 列表"),
            Some(Value::Array(a)) if a.is_empty() && k8s == 0 => {
                ("`apps` is empty and there are no `k8s_resources`", "`apps` 为空，且没有 `k8s_resources`")
            }
            Some(Value::Array(_)) => return,
            Some(_) => ("`apps` is not a list", "`apps` 不是列表"),
        };
        if apps.is_some_and(|a| !a.is_array()) && k8s > 0 {
            return;
        }
        out.push(self.at(
            &MET003,
            "apps",
            format!("{en}: the template holds no component. Importers since v6.9 reject it (\"template is empty\"); older ones import an empty app."),
            format!("{zh}：模板中没有任何组件。v6.9 起的导入程序会拒绝（\"template is empty\"），更早的版本会导入一个空应用。"),
        ));
    }

    /// MET012.
    fn null_entries(&self, out: &mut Vec<Finding>) {
        for (field, list) in [("apps", self.cx.components()), ("plugins", self.cx.plugins())] {
            let mut listed = Listed::default();
            for (i, _) in list.iter().enumerate().filter(|(_, v)| v.is_null()) {
                listed.add(|| {
                    self.at(
                        &MET012,
                        &format!("{field}[{i}]"),
                        format!("{field}[{i}] is null: the importer dereferences it and the import task crashes."),
                        format!("{field}[{i}] 为 null：导入程序解引用时会崩溃，导入任务异常中止。"),
                    )
                });
            }
            listed.flush(out);
        }
    }

    /// MET011.
    fn missing_fields(&self, out: &mut Vec<Finding>) {
        let mut missing: Vec<String> = ["group_key", "group_name", "group_version"]
            .iter()
            .filter(|f| get_str(self.root, f).is_none_or(str::is_empty))
            .map(|f| f.to_string())
            .collect();
        for (i, app) in self.apps() {
            for f in ["service_key", "service_cname"] {
                if get_str(app, f).is_none_or(str::is_empty) {
                    missing.push(format!("apps[{i}].{f}"));
                }
            }
        }
        let mut listed = Listed::default();
        for path in &missing {
            listed.push(self.at(
                &MET011,
                path,
                format!("{path} is missing or empty: no importer step fails on it, but the app market shows it blank and it cannot be told apart from others."),
                format!("{path} 缺失或为空：导入的任何步骤都不会因此失败，但应用市场中该项显示为空，无法与其他项区分。"),
            ));
        }
        listed.flush(out);
    }

    /// MET006.
    fn too_long(&self, out: &mut Vec<Finding>) {
        for (field, max) in [("group_key", 32), ("group_version", 32), ("group_name", 64)] {
            let Some(v) = get_str(self.root, field) else { continue };
            let n = v.chars().count();
            if n > max {
                out.push(self.at(
                    &MET006,
                    field,
                    format!(
                        "{field} is {n} characters long ({}); the console's column holds {max}: a console on MySQL (strict mode) refuses to store the template (\"Data too long\"), the default SQLite console stores it.",
                        metadata::quote(v, 40)
                    ),
                    format!(
                        "{field} 长 {n} 个字符（{}）；控制台的字段最多 {max} 个字符：使用 MySQL（严格模式）的控制台会拒绝保存该模板（\"Data too long\"），默认的 SQLite 控制台可以保存。",
                        metadata::quote(v, 40)
                    ),
                ));
            }
        }
    }

    /// MET005.
    fn share_images(&self, out: &mut Vec<Finding>) {
        let users = self.apps().map(|(i, v)| (format!("apps[{i}]"), v)).chain(self.plugins().map(|(i, v)| (format!("plugins[{i}]"), v)));
        for (path, item) in users.take(10_000) {
            let image = get_str(item, "share_image").unwrap_or("");
            let problem = match reference::parse(image) {
                Ok(r) if r.digest.is_some() => Some((
                    "it is pinned by digest (@sha256:…), which the importer turns into an invalid tag".to_string(),
                    "它用摘要（@sha256:…）固定，导入程序会把它变成不合法的标签".to_string(),
                )),
                Ok(_) => None,
                Err(e) => Some((e.en(), e.zh())),
            };
            if let Some((why, why_zh)) = problem {
                out.push(self.at(
                    &MET005,
                    &format!("{path}.share_image"),
                    format!("{path}.share_image {} is not a valid image reference: {why}. The import fails when it re-tags the image (\"invalid reference format\").", metadata::quote(image, 80)),
                    format!("{path}.share_image {} 不是有效的镜像地址：{why_zh}。导入程序重新打标签时会失败（\"invalid reference format\"）。", metadata::quote(image, 80)),
                ));
            }
        }
    }

    /// MET004.
    fn vm_root_disks(&self, out: &mut Vec<Finding>) {
        for (i, app) in self.apps() {
            let Some(vm) = get(app, "vm").filter(|v| v.is_object()) else { continue };
            let has_root = get_list(vm, "disk_layout").iter().any(|d| get_str(d, "disk_role") == Some("root"));
            if !has_root {
                let name = get_str(app, "service_cname").unwrap_or("");
                out.push(self.at(
                    &MET004,
                    &format!("apps[{i}].vm.disk_layout"),
                    format!("VM component \"{name}\" (apps[{i}]) has no disk with disk_role \"root\": importers since v6.9 fail with \"vm disk layout requires root disk\"."),
                    format!("虚拟机组件“{name}”（apps[{i}]）没有 disk_role 为 \"root\" 的磁盘：v6.9 起的导入程序会以 \"vm disk layout requires root disk\" 失败。"),
                ));
            }
        }
    }

    /// MET007.
    fn arch(&self, out: &mut Vec<Finding>) {
        let mut seen: Vec<&str> = Vec::new();
        for (i, app) in self.apps() {
            let arch = get_str(app, "arch").unwrap_or("");
            let effective = if arch.is_empty() { "amd64" } else { arch };
            if !seen.contains(&effective) {
                seen.push(effective);
            }
            let (en, zh) = match arch {
                "amd64" | "arm64" => continue,
                "" => (
                    format!("apps[{i}] has no arch: the console treats it as amd64 and refuses to install it on arm64 build nodes."),
                    format!("apps[{i}] 没有设置 arch：控制台会按 amd64 处理，在 arm64 构建节点上拒绝安装。"),
                ),
                other => (
                    format!("apps[{i}].arch is \"{other}\", which is neither amd64 nor arm64: no Rainbond build node matches it."),
                    format!("apps[{i}].arch 为 \"{other}\"，既不是 amd64 也不是 arm64：没有与之匹配的 Rainbond 构建节点。"),
                ),
            };
            out.push(self.at(&MET007, &format!("apps[{i}].arch"), en, zh));
        }
        if seen.len() > 1 {
            let list = seen.join(", ");
            out.push(self.at(
                &MET007,
                "apps",
                format!("The components are built for different architectures ({list}): the console installs a template only on build nodes of its one architecture."),
                format!("组件的架构不一致（{list}）：控制台只会在与模板架构一致的构建节点上安装。"),
            ));
        }
    }

    /// MET008.
    fn legacy_fields(&self, out: &mut Vec<Finding>) {
        for (i, app) in self.apps() {
            if get(app, "service_extend_method").is_some() {
                out.push(self.at(
                    &MET008,
                    &format!("apps[{i}].service_extend_method"),
                    format!("apps[{i}] has service_extend_method, a field of old exporters that current importers drop: the component's deploy type falls back to the default."),
                    format!("apps[{i}] 含有旧版导出程序的字段 service_extend_method，当前导入程序会丢弃它：组件的部署类型将使用默认值。"),
                ));
            }
            let memory_absent = get(app, "memory").is_none_or(Value::is_null);
            let rule = get(app, "extend_method_map");
            let in_rule = rule.is_some_and(|r| ["init_memory", "min_memory"].iter().any(|k| get(r, k).is_some_and(|v| !v.is_null())));
            if memory_absent && in_rule {
                out.push(self.at(
                    &MET008,
                    &format!("apps[{i}].memory"),
                    format!("apps[{i}] has no memory, only extend_method_map's: current importers read memory alone, so the component gets the default."),
                    format!("apps[{i}] 没有 memory 字段，只在 extend_method_map 中有：当前导入程序只读取 memory，组件将使用默认值。"),
                ));
            }
        }
    }

    /// MET009.
    fn references(&self, out: &mut Vec<Finding>) {
        let keys: HashSet<&str> = self.apps().filter_map(|(_, a)| get_str(a, "service_key")).collect();
        // Install resolves dependencies and mounts by service_share_uuid, and
        // by service_key for a component that has none (new_components.py).
        let uuids: HashSet<&str> = self
            .apps()
            .filter_map(|(_, a)| get_str(a, "service_share_uuid").filter(|u| !u.is_empty()).or_else(|| get_str(a, "service_key")))
            .collect();
        let plugin_ids: HashSet<&str> = self.plugins().filter_map(|(_, p)| get_str(p, "plugin_id")).collect();
        let mut dangling: Vec<(String, String, &str)> = Vec::new();
        let mut check = |path: String, name: Option<&str>, set: &HashSet<&str>, what: &'static str| {
            if let Some(name) = name.filter(|n| !n.is_empty() && !set.contains(n)) {
                dangling.push((path, name.to_string(), what));
            }
        };
        for (i, app) in self.apps() {
            for (j, d) in get_list(app, "dep_service_map_list").iter().enumerate() {
                check(format!("apps[{i}].dep_service_map_list[{j}].dep_service_key"), get_str(d, "dep_service_key"), &uuids, "component");
            }
            for (j, m) in get_list(app, "mnt_relation_list").iter().enumerate() {
                check(
                    format!("apps[{i}].mnt_relation_list[{j}].service_share_uuid"),
                    get_str(m, "service_share_uuid"),
                    &uuids,
                    "component",
                );
            }
            for (j, p) in get_list(app, "service_related_plugin_config").iter().enumerate() {
                check(format!("apps[{i}].service_related_plugin_config[{j}].plugin_id"), get_str(p, "plugin_id"), &plugin_ids, "plugin");
            }
        }
        for (i, g) in get_list(self.root, "app_config_groups").iter().enumerate() {
            for (j, k) in get_list(g, "component_keys").iter().enumerate() {
                check(format!("app_config_groups[{i}].component_keys[{j}]"), k.as_str(), &keys, "component");
            }
        }
        for field in ["ingress_http_routes", "ingress_stream_routes"] {
            for (i, r) in get_list(self.root, field).iter().enumerate() {
                check(format!("{field}[{i}].component_key"), get_str(r, "component_key"), &keys, "component");
            }
        }
        let mut listed = Listed::default();
        for (path, name, what) in &dangling {
            let what_zh = if *what == "plugin" { "插件" } else { "组件" };
            listed.push(self.at(
                &MET009,
                path,
                format!(
                    "{path} names {what} {}, which is not in this template: the import succeeds, but the install skips this relation.",
                    metadata::quote(name, 40)
                ),
                format!("{path} 引用的{what_zh} {} 不在此模板中：导入可以成功，但安装时会跳过这一关系。", metadata::quote(name, 40)),
            ));
        }
        listed.flush(out);
    }

    /// MET010 for keys shared by two components or plugins.
    fn duplicates(&self, out: &mut Vec<Finding>) {
        let apps: Vec<(usize, &Value)> = self.apps().collect();
        let plugins: Vec<(usize, &Value)> = self.plugins().collect();
        for (list, items, field) in
            [("apps", &apps, "service_key"), ("apps", &apps, "service_share_uuid"), ("plugins", &plugins, "plugin_id")]
        {
            let mut first: HashMap<&str, usize> = HashMap::new();
            for &(i, item) in items {
                let Some(v) = get_str(item, field).filter(|v| !v.is_empty()) else { continue };
                if let Some(j) = first.get(v) {
                    out.push(self.at(
                        &MET010,
                        &format!("{list}[{i}].{field}"),
                        format!(
                            "{list}[{i}] and {list}[{j}] have the same {field} {}: the import succeeds, but they overwrite each other when the app is installed.",
                            metadata::quote(v, 40)
                        ),
                        format!("{list}[{i}] 与 {list}[{j}] 的 {field} 相同（{}）：导入可以成功，但安装应用时会相互覆盖。", metadata::quote(v, 40)),
                    ));
                } else {
                    first.insert(v, i);
                }
            }
        }
    }
}

fn invalid(loc: &str, pos: u64, error: &ParseError) -> Finding {
    match error {
        ParseError::Bom => MET001
            .at(
                loc,
                pos,
                "metadata.json starts with a UTF-8 byte-order mark (EF BB BF). Go's JSON decoder fails on it (\"invalid character 'ï' looking for beginning of value\").".into(),
                "metadata.json 以 UTF-8 字节序标记（EF BB BF，BOM）开头，Go 的 JSON 解析器会报错（\"invalid character 'ï' looking for beginning of value\"）。".into(),
            )
            .fix(
                "Save metadata.json as UTF-8 without BOM (or run `ramcheck fix`, which strips it).",
                "将 metadata.json 另存为不带 BOM 的 UTF-8（或执行 `ramcheck fix` 自动去除）。",
            ),
        ParseError::Empty => MET001.at(
            loc,
            pos,
            "metadata.json is empty: the import fails with \"Failed to read meta file : EOF\".".into(),
            "metadata.json 是空文件，导入会以 \"Failed to read meta file : EOF\" 失败。".into(),
        ),
        ParseError::Syntax { line, column, message } => MET001.at(
            format!("{loc}:{line}:{column}"),
            pos,
            format!("metadata.json is not valid JSON at line {line}, column {column}: {}.", message.en()),
            format!("metadata.json 在第 {line} 行第 {column} 列不是有效的 JSON：{}。", message.zh()),
        ),
        ParseError::NotObject(kind) => MET001.at(
            loc,
            pos,
            format!("The top level of metadata.json is {}, not an object: the import fails with \"cannot unmarshal\".", kind.en()),
            format!("metadata.json 的顶层是{}而不是对象，导入会以 \"cannot unmarshal\" 失败。", kind.zh()),
        ),
        ParseError::TooManyValues(n) => MET001.at(
            loc,
            pos,
            format!("metadata.json holds about {n} JSON values, more than the {MAX_METADATA_NODES} ramcheck parses (a real template has some thousands): it was not read."),
            format!("metadata.json 约含 {n} 个 JSON 值，超过 ramcheck 解析的上限 {MAX_METADATA_NODES}（真实模板只有数千个）：未读取该文件。"),
        ),
    }
}
