//! The importer's Go structs (rainbond-oam `pkg/ram/v1alpha1/types.go`) as a
//! type schema, so that metadata.json is judged the way Go's `encoding/json`
//! decodes it: unknown keys ignored, keys matched without regard to case,
//! `null` accepted anywhere, and a non-null value of the wrong JSON type
//! refused.

/// A Go type as `encoding/json` sees it.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    Str,
    /// `int` (64-bit on the importer's platforms).
    Int,
    Int32,
    Uint32,
    Bool,
    /// `interface{}`: anything.
    Any,
    List(&'static Ty),
    Map(&'static Ty),
    Struct(&'static Struct),
}

#[derive(Debug)]
pub struct Struct {
    pub fields: &'static [(&'static str, Ty)],
}

use crate::target::{Line, Targets};
use Ty::*;

const STRINGS: Ty = Map(&Str);
const ANY_MAP: Ty = Map(&Any);

/// Go's `RainbondApplicationConfig`.
pub static TEMPLATE: Struct = Struct {
    fields: &[
        ("group_key", Str),
        ("group_name", Str),
        ("group_version", Str),
        ("template_version", Str),
        ("apps", List(&Struct(&COMPONENT))),
        ("plugins", List(&Struct(&PLUGIN))),
        ("app_config_groups", List(&Struct(&APP_CONFIG_GROUP))),
        ("ingress_http_routes", List(&Struct(&INGRESS_HTTP_ROUTE))),
        ("ingress_stream_routes", List(&Struct(&INGRESS_STREAM_ROUTE))),
        ("annotations", STRINGS),
        ("k8s_resources", List(&Struct(&K8S_RESOURCE))),
        ("governance_mode", Str),
        ("helm_chart", STRINGS),
        ("group_dev_status", Str),
        ("platform_plugin", Struct(&PLATFORM_PLUGIN)),
    ],
};

/// Go's `K8sResource`.
static K8S_RESOURCE: Struct = Struct { fields: &[("name", Str), ("kind", Str), ("content", Str)] };

/// Go's `PlatformPlugin`.
static PLATFORM_PLUGIN: Struct = Struct {
    fields: &[
        ("is_platform_plugin", Bool),
        ("plugin_id", Str),
        ("plugin_name", Str),
        ("plugin_type", Str),
        ("frontend_component", Str),
        ("entry_path", Str),
        ("inject_position", List(&Str)),
        ("menu_title", Str),
        ("route_path", Str),
    ],
};

/// Go's `Component`.
pub static COMPONENT: Struct = Struct {
    fields: &[
        ("memory", Int),
        ("cpu", Int),
        ("probes", List(&Struct(&PROBE))),
        ("service_image", Struct(&IMAGE_INFO)),
        ("service_id", Str),
        ("extend_method", Str),
        ("service_key", Str),
        ("service_share_uuid", Str),
        ("share_type", Str),
        ("mnt_relation_list", List(&Struct(&SHARE_VOLUME))),
        ("service_source", Str),
        ("dep_service_map_list", List(&Struct(&DEP))),
        ("service_connect_info_map_list", List(&Struct(&ENV))),
        ("service_volume_map_list", List(&Struct(&VOLUME))),
        ("version", Str),
        ("k8s_component_name", Str),
        ("port_map_list", List(&Struct(&PORT))),
        ("service_name", Str),
        ("category", Str),
        ("service_env_map_list", List(&Struct(&ENV))),
        ("service_alias", Str),
        ("deploy_version", Str),
        ("extend_method_map", Struct(&EXTEND_METHOD_RULE)),
        ("service_type", Str),
        ("arch", Str),
        ("report", List(&Struct(&REPORT))),
        ("service_cname", Str),
        ("share_image", Str),
        ("image", Str),
        ("cmd", Str),
        ("language", Str),
        ("service_related_plugin_config", List(&Struct(&PLUGIN_CONFIG))),
        ("component_monitors", List(&Struct(&MONITOR))),
        ("component_graphs", List(&Struct(&GRAPH))),
        ("endpoints", Struct(&ENDPOINTS)),
        ("labels", STRINGS),
        ("component_k8s_attributes", List(&Struct(&K8S_ATTRIBUTE))),
        ("vm", Struct(&VM)),
    ],
};

/// Go's `VMTemplate`.
static VM: Struct =
    Struct { fields: &[("boot_mode", Str), ("machine_type", Str), ("boot_source_format", Str), ("disk_layout", List(&Struct(&VM_DISK)))] };

/// Go's `VMDiskLayoutItem`.
static VM_DISK: Struct = Struct {
    fields: &[
        ("disk_key", Str),
        ("disk_name", Str),
        ("disk_role", Str),
        ("device_type", Str),
        ("bus", Str),
        ("order_index", Int),
        ("volume_name", Str),
        ("request_size", Str),
        ("format", Str),
        ("source_type", Str),
        ("image", Str),
        ("checksum", Str),
    ],
};

/// Go's `ComponentProbe`.
static PROBE: Struct = Struct {
    fields: &[
        ("ID", Int),
        ("initial_delay_second", Int),
        ("failure_threshold", Int),
        ("service_id", Str),
        ("http_header", Str),
        ("cmd", Str),
        ("probe_id", Str),
        ("scheme", Str),
        ("success_threshold", Int),
        ("timeout_second", Int),
        ("is_used", Bool),
        ("period_second", Int),
        ("port", Int),
        ("mode", Str),
        ("path", Str),
    ],
};

/// Go's `ImageInfo`.
static IMAGE_INFO: Struct =
    Struct { fields: &[("hub_password", Str), ("namespace", Str), ("hub_url", Str), ("hub_user", Str), ("is_trust", Bool)] };

/// Go's `ComponentPort`.
static PORT: Struct = Struct {
    fields: &[
        ("port_alias", Str),
        ("protocol", Str),
        ("tenant_id", Str),
        ("container_port", Int),
        ("is_outer_service", Bool),
        ("is_inner_service", Bool),
        ("name", Str),
        ("k8s_service_name", Str),
    ],
};

/// Go's `ComponentEnv`.
static ENV: Struct =
    Struct { fields: &[("attr_name", Str), ("name", Str), ("is_change", Bool), ("attr_value", Str), ("container_port", Int32)] };

/// Go's `ComponentExtendMethodRule`.
static EXTEND_METHOD_RULE: Struct = Struct {
    fields: &[
        ("min_node", Int),
        ("step_memory", Int),
        ("is_restart", Int),
        ("step_node", Int),
        ("max_memory", Int),
        ("max_node", Int),
        ("min_memory", Int),
        ("init_memory", Int),
    ],
};

/// Go's `ComponentReport`.
static REPORT: Struct = Struct { fields: &[("primary_link", Str), ("level", Int), ("message", Str), ("type", Str), ("create_time", Str)] };

/// Go's `Plugin`.
pub static PLUGIN: Struct = Struct {
    fields: &[
        ("origin", Str),
        ("code_repo", Str),
        ("image", Str),
        ("plugin_alias", Str),
        ("plugin_name", Str),
        ("create_time", Str),
        ("share_image", Str),
        ("config_groups", List(&Struct(&PLUGIN_CONFIG_GROUP))),
        ("plugin_key", Str),
        ("build_source", Str),
        ("desc", Str),
        ("plugin_id", Str),
        ("category", Str),
        ("origin_share_id", Str),
        ("plugin_image", Struct(&IMAGE_INFO)),
        ("build_version", Str),
    ],
};

/// Go's `PluginConfigGroup`.
static PLUGIN_CONFIG_GROUP: Struct = Struct {
    fields: &[
        ("config_name", Str),
        ("options", List(&Struct(&PLUGIN_CONFIG_OPTION))),
        ("build_version", Str),
        ("plugin_id", Str),
        ("injection", Str),
        ("service_meta_type", Str),
    ],
};

/// Go's `PluginConfigGroupOption`.
static PLUGIN_CONFIG_OPTION: Struct = Struct {
    fields: &[
        ("attr_alt_value", Str),
        ("attr_type", Str),
        ("is_change", Bool),
        ("build_version", Str),
        ("plugin_id", Str),
        ("service_meta_type", Str),
        ("attr_default_value", Str),
        ("attr_name", Str),
        ("attr_info", Str),
        ("protocol", Str),
    ],
};

/// Go's `ComponentShareVolume`.
static SHARE_VOLUME: Struct = Struct { fields: &[("mnt_name", Str), ("mnt_dir", Str), ("service_share_uuid", Str)] };

/// Go's `ComponentDep`.
static DEP: Struct = Struct { fields: &[("dep_service_key", Str)] };

/// Go's `ComponentVolume`.
static VOLUME: Struct = Struct {
    fields: &[
        ("volume_name", Str),
        ("file_content", Str),
        ("volume_path", Str),
        ("volume_type", Str),
        ("volume_capacity", Int),
        ("access_mode", Str),
        ("share_policy", Str),
        ("mode", Int),
    ],
};

/// Go's `ComponentPluginConfig`.
static PLUGIN_CONFIG: Struct = Struct {
    fields: &[
        ("create_time", Str),
        ("plugin_status", Bool),
        ("service_id", Str),
        ("plugin_id", Str),
        ("service_meta_type", Str),
        ("memory_required", Int),
        ("cpu_required", Int),
        ("attr", List(&ANY_MAP)),
        ("plugin_key", Str),
        ("build_version", Str),
    ],
};

/// Go's `ComponentMonitor`.
static MONITOR: Struct = Struct { fields: &[("name", Str), ("service_show_name", Str), ("port", Int), ("path", Str), ("interval", Str)] };

/// Go's `ComponentGraph`.
static GRAPH: Struct = Struct { fields: &[("component_id", Str), ("graph_id", Str), ("title", Str), ("promql", Str), ("sequence", Int)] };

/// Go's `AppConfigGroup`.
static APP_CONFIG_GROUP: Struct =
    Struct { fields: &[("name", Str), ("injection_type", Str), ("config_items", STRINGS), ("component_keys", List(&Str))] };

/// Go's `IngressHTTPRoute`.
static INGRESS_HTTP_ROUTE: Struct = Struct {
    fields: &[
        ("default_domain", Bool),
        ("location", Str),
        ("cookies", STRINGS),
        ("headers", STRINGS),
        ("ssl", Bool),
        ("load_balancing", Str),
        ("connection_timeout", Int),
        ("request_timeout", Int),
        ("response_timeout", Int),
        ("request_body_size_limit", Int),
        ("websocket", Bool),
        ("proxy_buffer", Bool),
        ("proxy_buffer_size", Int),
        ("proxy_buffer_numbers", Int),
        ("proxy_header", STRINGS),
        // TargetComponent is embedded without a tag: its keys sit here.
        ("component_key", Str),
        ("port", Uint32),
    ],
};

/// Go's `IngressSreamRoute`.
static INGRESS_STREAM_ROUTE: Struct =
    Struct { fields: &[("protocol", Str), ("connection_timeout", Int), ("component_key", Str), ("port", Uint32)] };

/// Go's `Endpoints`.
static ENDPOINTS: Struct = Struct { fields: &[("endpoints_info", Str), ("service_cname", Str), ("endpoints_type", Str)] };

/// Go's `ComponentK8sAttribute`.
static K8S_ATTRIBUTE: Struct = Struct { fields: &[("component_id", Str), ("name", Str), ("save_type", Str), ("attribute_value", Str)] };

impl Struct {
    /// The field a JSON key decodes into: an exact match first, else one
    /// that matches without regard to case (Go's rule).
    pub fn field(&self, key: &str) -> Option<&(&'static str, Ty)> {
        self.fields.iter().find(|(name, _)| *name == key).or_else(|| self.fields.iter().find(|(name, _)| fold_eq(name, key)))
    }
}

/// Go's case-insensitive key match (simple Unicode folding).
pub fn fold_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

/// Fields added to the template types after the v5.15.1 importer (0067a4cf),
/// with the first line whose importer decodes them: a value of the wrong type
/// in one fails the import only from that line on (older importers ignore
/// unknown fields).
const ADDED_FIELDS: &[(&str, Line)] = &[
    ("report", Line::V6_0),
    ("group_dev_status", Line::V6_7),
    ("platform_plugin", Line::V6_7),
    ("k8s_service_name", Line::V6_7),
    ("vm", Line::V6_9),
];

/// The targets whose importer decodes the value at `path` (`apps[0].vm.boot_mode`).
pub fn decoded_on(path: &str) -> Targets {
    path.split('.')
        .map(|segment| segment.split('[').next().unwrap_or(segment))
        .filter_map(|field| ADDED_FIELDS.iter().find(|(name, _)| *name == field).map(|(_, line)| Targets::from_line(*line)))
        .fold(Targets::ALL, Targets::and)
}
