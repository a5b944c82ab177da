package rest

import (
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/worker"
)

// Wire types: the JSON shapes of Kafka Connect's REST entities, with
// fields in Connect's order.

type connectorTaskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

type connectorInfo struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Tasks  []connectorTaskID `json:"tasks"`
	Type   string            `json:"type"`
}

func toConnectorInfo(i worker.ConnectorInfo) connectorInfo {
	out := connectorInfo{Name: i.Name, Config: i.Config, Type: i.Type, Tasks: make([]connectorTaskID, len(i.Tasks))}
	for n, t := range i.Tasks {
		out.Tasks[n] = connectorTaskID{Connector: i.Name, Task: t}
	}
	return out
}

type instanceState struct {
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
}

type taskState struct {
	ID       int    `json:"id"`
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
}

type connectorStatus struct {
	Name      string        `json:"name"`
	Connector instanceState `json:"connector"`
	Tasks     []taskState   `json:"tasks"`
	Type      string        `json:"type"`
}

func toTaskState(t worker.TaskStatus) taskState {
	return taskState{ID: t.ID, State: t.State, WorkerID: t.WorkerID, Trace: t.Trace}
}

func toStatus(s worker.ConnectorStatus) connectorStatus {
	out := connectorStatus{Name: s.Name, Type: s.Type, Tasks: make([]taskState, len(s.Tasks)),
		Connector: instanceState{State: s.Connector.State, WorkerID: s.Connector.WorkerID, Trace: s.Connector.Trace}}
	for i, t := range s.Tasks {
		out.Tasks[i] = toTaskState(t)
	}
	return out
}

type taskInfo struct {
	ID     connectorTaskID   `json:"id"`
	Config map[string]string `json:"config"`
}

type pluginInfo struct {
	Class   string `json:"class"`
	Type    string `json:"type"`
	Version string `json:"version,omitempty"`
}

func toPluginInfo(p connector.Plugin) pluginInfo {
	return pluginInfo{Class: p.Class, Type: string(p.Type), Version: p.Version}
}

type configKeyInfo struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Required      bool     `json:"required"`
	DefaultValue  *string  `json:"default_value"`
	Importance    string   `json:"importance"`
	Documentation string   `json:"documentation"`
	Group         *string  `json:"group"`
	Width         string   `json:"width"`
	DisplayName   string   `json:"display_name"`
	Dependents    []string `json:"dependents"`
	Order         int      `json:"order"`
}

func toKeyInfo(k *config.Key) configKeyInfo {
	out := configKeyInfo{Name: k.Name, Type: k.Type.String(), Required: k.Required(), Importance: k.Importance.String(),
		Documentation: k.Doc, Width: k.Width.String(), DisplayName: k.DisplayName, Dependents: k.Dependents,
		Order: k.OrderInGroup}
	if !k.Required() && k.Default != nil {
		s := config.FormatValue(k.Default)
		if k.Type == config.Password {
			s = config.Hidden
		}
		out.DefaultValue = &s
	}
	if k.Group != "" {
		out.Group = &k.Group
	}
	if out.DisplayName == "" {
		out.DisplayName = k.Name
	}
	if out.Dependents == nil {
		out.Dependents = []string{}
	}
	if k.OrderInGroup == 0 {
		out.Order = -1
	}
	return out
}

type configValueInfo struct {
	Name              string   `json:"name"`
	Value             *string  `json:"value"`
	RecommendedValues []string `json:"recommended_values"`
	Errors            []string `json:"errors"`
	Visible           bool     `json:"visible"`
}

type configInfo struct {
	Definition *configKeyInfo  `json:"definition"`
	Value      configValueInfo `json:"value"`
}

type configInfos struct {
	Name       string       `json:"name"`
	ErrorCount int          `json:"error_count"`
	Groups     []string     `json:"groups"`
	Configs    []configInfo `json:"configs"`
}

func toConfigInfos(in worker.ConfigInfos) configInfos {
	out := configInfos{Name: in.Name, ErrorCount: in.ErrorCount, Groups: in.Groups, Configs: make([]configInfo, len(in.Configs))}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	for i, c := range in.Configs {
		var def *configKeyInfo
		if c.Key != nil {
			d := toKeyInfo(c.Key)
			def = &d
		}
		v := configValueInfo{Name: c.Result.Name, Errors: c.Result.Errors, Visible: c.Result.Visible,
			RecommendedValues: make([]string, 0, len(c.Result.RecommendedValues))}
		if v.Errors == nil {
			v.Errors = []string{}
		}
		if c.Result.Value != nil && c.Result.Value != worker.NullValue {
			s := config.FormatValue(c.Result.Value)
			if c.Key != nil && c.Key.Type == config.Password {
				s = config.Hidden
			}
			v.Value = &s
		}
		for _, r := range c.Result.RecommendedValues {
			v.RecommendedValues = append(v.RecommendedValues, config.FormatValue(r))
		}
		out.Configs[i] = configInfo{Definition: def, Value: v}
	}
	return out
}

type offsetEntry struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

type connectorOffsets struct {
	Offsets []offsetEntry `json:"offsets"`
}

type message struct {
	Message string `json:"message"`
}

type loggerLevel struct {
	Level        string `json:"level"`
	LastModified *int64 `json:"last_modified"`
}
