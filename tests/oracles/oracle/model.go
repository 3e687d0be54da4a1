// The application template as the importer decodes it: the structs of
// rainbond-oam pkg/ram/v1alpha1/types.go, field by field (names, JSON keys
// and Go types: these decide what json.Decoder accepts). Written for the
// oracle from the field list at oam 3b1f45c9 (v6.9.2+); older lines lack
// some fields, see linesFields.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

type ramApp struct {
	AppKeyID           string             `json:"group_key"`
	AppName            string             `json:"group_name"`
	AppVersion         string             `json:"group_version"`
	TempleteVersion    string             `json:"template_version"`
	Components         []*ramComponent    `json:"apps"`
	Plugins            []*ramPlugin       `json:"plugins,omitempty"`
	AppConfigGroups    []*ramConfigGroup  `json:"app_config_groups,omitempty"`
	IngressHTTPRoutes  []*ramHTTPRoute    `json:"ingress_http_routes,omitempty"`
	IngressSreamRoutes []*ramStreamRoute  `json:"ingress_stream_routes,omitempty"`
	Annotations        map[string]string  `json:"annotations,omitempty"`
	K8sResources       []*ramK8sResource  `json:"k8s_resources,omitempty"`
	GovernanceMode     string             `json:"governance_mode"`
	HelmChart          map[string]string  `json:"helm_chart,omitempty"`
	GroupDevStatus     string             `json:"group_dev_status,omitempty"`
	PlatformPlugin     *ramPlatformPlugin `json:"platform_plugin,omitempty"`
}

type ramK8sResource struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Content string `json:"content"`
}

type ramPlatformPlugin struct {
	IsPlatformPlugin  bool     `json:"is_platform_plugin"`
	PluginID          string   `json:"plugin_id,omitempty"`
	PluginName        string   `json:"plugin_name,omitempty"`
	PluginType        string   `json:"plugin_type,omitempty"`
	FrontendComponent string   `json:"frontend_component,omitempty"`
	EntryPath         string   `json:"entry_path,omitempty"`
	InjectPosition    []string `json:"inject_position,omitempty"`
	MenuTitle         string   `json:"menu_title,omitempty"`
	RoutePath         string   `json:"route_path,omitempty"`
}

type ramComponent struct {
	Memory                    int                 `json:"memory"`
	CPU                       int                 `json:"cpu"`
	Probes                    []ramProbe          `json:"probes"`
	AppImage                  ramImageInfo        `json:"service_image"`
	ComponentID               string              `json:"service_id"`
	DeployType                string              `json:"extend_method"`
	ComponentKey              string              `json:"service_key"`
	ServiceShareID            string              `json:"service_share_uuid,omitempty"`
	ShareType                 string              `json:"share_type,omitempty"`
	MntReleationList          []ramShareVolume    `json:"mnt_relation_list"`
	ServiceSource             string              `json:"service_source"`
	DepServiceMapList         []ramDep            `json:"dep_service_map_list"`
	ServiceConnectInfoMapList []ramEnv            `json:"service_connect_info_map_list"`
	ServiceVolumeMapList      []ramVolume         `json:"service_volume_map_list"`
	Version                   string              `json:"version"`
	K8SComponentName          string              `json:"k8s_component_name"`
	Ports                     []ramPort           `json:"port_map_list"`
	ServiceName               string              `json:"service_name"`
	Category                  string              `json:"category"`
	Envs                      []ramEnv            `json:"service_env_map_list"`
	ServiceAlias              string              `json:"service_alias"`
	DeployVersion             string              `json:"deploy_version"`
	ExtendMethodRule          ramExtendMethodRule `json:"extend_method_map"`
	ServiceType               string              `json:"service_type"`
	Arch                      string              `json:"arch"`
	Reports                   []ramReport         `json:"report"`
	ServiceCname              string              `json:"service_cname"`
	ShareImage                string              `json:"share_image"`
	Image                     string              `json:"image"`
	Cmd                       string              `json:"cmd"`
	Language                  string              `json:"language"`
	ServicePluginConfigs      []ramPluginConfig   `json:"service_related_plugin_config,omitempty"`
	ComponentMonitor          []ramMonitor        `json:"component_monitors"`
	ComponentGraphs           []ramGraph          `json:"component_graphs"`
	Endpoints                 ramEndpoints        `json:"endpoints,omitempty"`
	Labels                    map[string]string   `json:"labels,omitempty"`
	ComponentK8sAttributes    []ramK8sAttribute   `json:"component_k8s_attributes"`
	VM                        *ramVM              `json:"vm,omitempty"`
}

type ramVM struct {
	BootMode         string      `json:"boot_mode,omitempty"`
	MachineType      string      `json:"machine_type,omitempty"`
	BootSourceFormat string      `json:"boot_source_format,omitempty"`
	DiskLayout       []ramVMDisk `json:"disk_layout,omitempty"`
}

type ramVMDisk struct {
	DiskKey     string `json:"disk_key,omitempty"`
	DiskName    string `json:"disk_name,omitempty"`
	DiskRole    string `json:"disk_role,omitempty"`
	DeviceType  string `json:"device_type,omitempty"`
	Bus         string `json:"bus,omitempty"`
	OrderIndex  int    `json:"order_index,omitempty"`
	VolumeName  string `json:"volume_name,omitempty"`
	RequestSize string `json:"request_size,omitempty"`
	Format      string `json:"format,omitempty"`
	SourceType  string `json:"source_type,omitempty"`
	Image       string `json:"image,omitempty"`
	Checksum    string `json:"checksum,omitempty"`
}

type ramProbe struct {
	ID                 int    `json:"ID"`
	InitialDelaySecond int    `json:"initial_delay_second"`
	FailureThreshold   int    `json:"failure_threshold"`
	ServiceID          string `json:"service_id"`
	HTTPHeader         string `json:"http_header"`
	Cmd                string `json:"cmd"`
	ProbeID            string `json:"probe_id"`
	Scheme             string `json:"scheme"`
	SuccessThreshold   int    `json:"success_threshold"`
	TimeoutSecond      int    `json:"timeout_second"`
	IsUsed             bool   `json:"is_used"`
	PeriodSecond       int    `json:"period_second"`
	Port               int    `json:"port"`
	Mode               string `json:"mode"`
	Path               string `json:"path"`
}

type ramImageInfo struct {
	HubPassword string `json:"hub_password"`
	Namespace   string `json:"namespace"`
	HubURL      string `json:"hub_url"`
	HubUser     string `json:"hub_user"`
	IsTrust     bool   `json:"is_trust"`
}

type ramPort struct {
	PortAlias      string `json:"port_alias"`
	Protocol       string `json:"protocol"`
	TenantID       string `json:"tenant_id"`
	ContainerPort  int    `json:"container_port"`
	IsOuter        bool   `json:"is_outer_service"`
	IsInner        bool   `json:"is_inner_service"`
	Name           string `json:"name"`
	K8sServiceName string `json:"k8s_service_name"`
}

type ramEnv struct {
	AttrName      string `json:"attr_name"`
	Name          string `json:"name"`
	IsChange      bool   `json:"is_change"`
	AttrValue     string `json:"attr_value"`
	ContainerPort int32  `json:"container_port"`
}

type ramExtendMethodRule struct {
	MinNode    int `json:"min_node"`
	StepMemory int `json:"step_memory"`
	IsRestart  int `json:"is_restart"`
	StepNode   int `json:"step_node"`
	MaxMemory  int `json:"max_memory"`
	MaxNode    int `json:"max_node"`
	MinMemory  int `json:"min_memory"`
	InitMemory int `json:"init_memory"`
}

type ramReport struct {
	PrimaryLink string `json:"primary_link"`
	Level       int    `json:"level"`
	Message     string `json:"message"`
	Type        string `json:"type"`
	CreateTime  string `json:"create_time"`
}

type ramPlugin struct {
	Origin        string           `json:"origin"`
	CodeRepo      string           `json:"code_repo"`
	Image         string           `json:"image"`
	PluginAlias   string           `json:"plugin_alias"`
	PluginName    string           `json:"plugin_name"`
	CreateTime    string           `json:"create_time"`
	ShareImage    string           `json:"share_image"`
	ConfigGroups  []ramPluginGroup `json:"config_groups,omitempty"`
	PluginKey     string           `json:"plugin_key"`
	BuildSource   string           `json:"build_source"`
	Desc          string           `json:"desc"`
	PluginID      string           `json:"plugin_id"`
	Category      string           `json:"category"`
	OriginShareID string           `json:"origin_share_id"`
	PluginImage   ramImageInfo     `json:"plugin_image"`
	BuildVersion  string           `json:"build_version"`
}

type ramPluginGroup struct {
	ConfigName      string            `json:"config_name"`
	Options         []ramPluginOption `json:"options,omitempty"`
	BuildVersion    string            `json:"build_version"`
	PluginID        string            `json:"plugin_id"`
	Injection       string            `json:"injection"`
	ServiceMetaType string            `json:"service_meta_type"`
}

type ramPluginOption struct {
	AttrValue        string `json:"attr_alt_value"`
	AttrType         string `json:"attr_type"`
	IsChange         bool   `json:"is_change"`
	BuildVersion     string `json:"build_version"`
	PluginID         string `json:"plugin_id"`
	ServiceMetaType  string `json:"service_meta_type"`
	AttrDefaultValue string `json:"attr_default_value"`
	AttrName         string `json:"attr_name"`
	AttrInfo         string `json:"attr_info"`
	Protocol         string `json:"protocol"`
}

type ramShareVolume struct {
	VolumeName       string `json:"mnt_name"`
	VolumeMountDir   string `json:"mnt_dir"`
	ShareServiceUUID string `json:"service_share_uuid"`
}

type ramDep struct {
	DepServiceKey string `json:"dep_service_key"`
}

type ramVolume struct {
	VolumeName      string `json:"volume_name"`
	FileConent      string `json:"file_content"`
	VolumeMountPath string `json:"volume_path"`
	VolumeType      string `json:"volume_type"`
	VolumeCapacity  int    `json:"volume_capacity,omitempty"`
	AccessMode      string `json:"access_mode,omitempty"`
	SharePolicy     string `json:"share_policy,omitempty"`
	Mode            *int   `json:"mode,omitempty"`
}

type ramPluginConfig struct {
	CreateTime      string                   `json:"create_time"`
	PluginStatus    bool                     `json:"plugin_status"`
	ServiceID       string                   `json:"service_id"`
	PluginID        string                   `json:"plugin_id"`
	ServiceMetaType string                   `json:"service_meta_type"`
	MemoryRequired  int                      `json:"memory_required"`
	CPURequired     int                      `json:"cpu_required"`
	Attr            []map[string]interface{} `json:"attr"`
	PluginKey       string                   `json:"plugin_key"`
	BuildVersion    string                   `json:"build_version"`
}

type ramMonitor struct {
	Name            string `json:"name"`
	ServiceShowName string `json:"service_show_name"`
	Port            int    `json:"port"`
	Path            string `json:"path"`
	Interval        string `json:"interval"`
}

type ramGraph struct {
	ComponentID string `json:"component_id"`
	GraphID     string `json:"graph_id"`
	Title       string `json:"title"`
	PromQL      string `json:"promql"`
	Sequence    int    `json:"sequence"`
}

type ramConfigGroup struct {
	Name          string            `json:"name"`
	InjectionType string            `json:"injection_type"`
	ConfigItems   map[string]string `json:"config_items"`
	ComponentKeys []string          `json:"component_keys"`
}

type ramTarget struct {
	ComponentKey string `json:"component_key"`
	Port         uint32 `json:"port"`
}

type ramHTTPRoute struct {
	DefaultDomain        bool              `json:"default_domain"`
	Location             string            `json:"location"`
	Cookies              map[string]string `json:"cookies"`
	Headers              map[string]string `json:"headers"`
	SSL                  bool              `json:"ssl"`
	LoadBalancing        string            `json:"load_balancing"`
	ConnectionTimeout    int               `json:"connection_timeout"`
	RequestTimeout       int               `json:"request_timeout"`
	ResponseTimeout      int               `json:"response_timeout"`
	RequestBodySizeLimit int               `json:"request_body_size_limit"`
	Websocket            bool              `json:"websocket"`
	ProxyBuffer          bool              `json:"proxy_buffer"`
	ProxyBufferSize      int               `json:"proxy_buffer_size"`
	ProxyBufferNumbers   int               `json:"proxy_buffer_numbers"`
	ProxyHeader          map[string]string `json:"proxy_header"`
	ramTarget
}

type ramStreamRoute struct {
	Protocol          string `json:"protocol"`
	ConnectionTimeout int    `json:"connection_timeout"`
	ramTarget
}

type ramK8sAttribute struct {
	ComponentID    string `json:"component_id"`
	Name           string `json:"name"`
	SaveType       string `json:"save_type"`
	AttributeValue string `json:"attribute_value"`
}

type ramEndpoints struct {
	Endpoints     string `json:"endpoints_info"`
	ServiceCname  string `json:"service_cname"`
	EndpointsType string `json:"endpoints_type"`
}

// Fields each line's struct does not have yet (oam 0067a4cf for 5.16,
// 067f8a6d for 6.0, 6fb55808 for 6.7): a wrong type there cannot fail
// that line's decoder.
var lineMissing = map[string]struct{ top, component, port []string }{
	"5.16": {[]string{"group_dev_status", "platform_plugin"}, []string{"report", "vm"}, []string{"k8s_service_name"}},
	"6.0":  {[]string{"group_dev_status", "platform_plugin"}, []string{"vm"}, []string{"k8s_service_name"}},
	"6.7":  {nil, []string{"vm"}, nil},
	"6.9":  {nil, nil, nil},
}

// deleteFold removes every key equal to one of names under Go's
// case-insensitive field matching.
func deleteFold(m map[string]interface{}, names []string) {
	for k := range m {
		for _, n := range names {
			if strings.EqualFold(k, n) {
				delete(m, k)
			}
		}
	}
}

// decodeForLine decodes metadata.json as `line`'s importer does:
// json.NewDecoder(f).Decode(&ram). Fields the line lacks are removed first
// (through a generic decode that keeps numbers verbatim); when the generic
// decode fails, the struct decode of the original bytes gives the error.
func decodeForLine(data []byte, line string) (*ramApp, error) {
	var ram ramApp
	miss := lineMissing[line]
	if len(miss.top)+len(miss.component)+len(miss.port) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var generic interface{}
		if err := dec.Decode(&generic); err == nil {
			if top, ok := generic.(map[string]interface{}); ok {
				deleteFold(top, miss.top)
				for k, apps := range top {
					if !strings.EqualFold(k, "apps") {
						continue
					}
					list, _ := apps.([]interface{})
					for _, c := range list {
						if cm, ok := c.(map[string]interface{}); ok {
							deleteFold(cm, miss.component)
							for pk, ports := range cm {
								if strings.EqualFold(pk, "port_map_list") {
									pl, _ := ports.([]interface{})
									for _, p := range pl {
										if pm, ok := p.(map[string]interface{}); ok {
											deleteFold(pm, miss.port)
										}
									}
								}
							}
						}
					}
				}
				if b, err := json.Marshal(top); err == nil {
					data = b
				}
			}
		}
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&ram); err != nil {
		return nil, err
	}
	return &ram, nil
}

// handleNullAndValidate is v6.9's HandleNullValue + Validation: a null
// entry in apps or plugins is dereferenced (a panic in the importer's
// goroutine), then an empty template and a VM without a root disk are
// refused.
func handleNullAndValidate(ram *ramApp) (string, error) {
	for i, c := range ram.Components {
		if c == nil {
			return "HandleNullValue", fmt.Errorf("panic: nil pointer dereference (apps[%d] is null)", i)
		}
	}
	for i, p := range ram.Plugins {
		if p == nil {
			return "HandleNullValue", fmt.Errorf("panic: nil pointer dereference (plugins[%d] is null)", i)
		}
	}
	if len(ram.Components) == 0 && len(ram.K8sResources) == 0 {
		return "Validation", fmt.Errorf("invalid ram meta file: template is empty")
	}
	for _, c := range ram.Components {
		if c.VM != nil {
			roots := 0
			for _, d := range c.VM.DiskLayout {
				if d.DiskRole == "root" {
					roots++
				}
			}
			if roots == 0 {
				return "Validation", fmt.Errorf("invalid ram meta file: vm disk layout requires root disk")
			}
		}
	}
	return "", nil
}
