package worker

import (
	"context"
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/worker/transform"
)

// ConfigInfo is one entry of a validation answer: the key's definition (nil
// for values a connector returned without defining them) and its result.
type ConfigInfo struct {
	Key    *config.Key
	Result config.Result
}

// ConfigInfos is the answer of PUT /connector-plugins/{plugin}/config/validate.
type ConfigInfos struct {
	Name       string
	ErrorCount int
	Groups     []string
	Configs    []ConfigInfo
}

// javaMap renders props as Java's Map.toString, which Connect puts in some
// messages ("Connector config {a=b, c=d} contains no connector type").
func javaMap(props map[string]string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range config.SortedKeys(props) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(props[k])
	}
	b.WriteByte('}')
	return b.String()
}

// lookupConnector resolves connector.class, with Connect's message when it is
// missing and a helpful one (the available classes) when it is unknown.
func (h *Herder) lookupConnector(props map[string]string) (connector.Plugin, error) {
	cls := strings.TrimSpace(props[keyConnectorClass])
	if cls == "" {
		return connector.Plugin{}, errorf(KindBadRequest, "Connector config %s contains no connector type", javaMap(props))
	}
	p, ok := h.reg.LookupConnector(cls)
	if !ok {
		var names []string
		for _, p := range h.reg.List(true) {
			names = append(names, p.Class)
		}
		return connector.Plugin{}, errorf(KindBadRequest,
			"Failed to find any class that implements Connector and which name matches %s, available connectors are: %s",
			cls, strings.Join(names, ", "))
	}
	return p, nil
}

// validate runs the full validation of a connector configuration. It does
// not touch herder state, so it runs outside the herder loop: a connector's
// Validate may take seconds (it may connect to its database).
func (h *Herder) validate(ctx context.Context, props map[string]string) (ConfigInfos, connector.Plugin, error) {
	p, err := h.lookupConnector(props)
	if err != nil {
		return ConfigInfos{}, p, err
	}
	conn, ok := p.New().(connector.Connector)
	if !ok {
		return ConfigInfos{}, p, errorf(KindInternal, "plugin %s does not implement Connector", p.Class)
	}
	def := frameworkDef(p.Type).Merge(conn.Config())
	if td, err := transform.ConfigDef(h.reg, props); err == nil {
		def = def.Merge(td)
	}
	results := def.Validate(props)
	byName := make(map[string]int, len(results))
	for i := range results {
		byName[results[i].Name] = i
	}
	var extra []config.Result // errors on keys nobody defines
	addErr := func(key, msg string) {
		if i, ok := byName[key]; ok {
			results[i].Errors = append(results[i].Errors, msg)
			return
		}
		extra = append(extra, config.Result{Name: key, Value: nil, Errors: []string{msg}, RecommendedValues: []any{}, Visible: true})
	}
	for k, v := range props {
		if v == NullValue {
			addErr(k, "Null value can not be supplied as the configuration value.")
		}
	}
	if _, err := transform.NewChain(h.reg, props); err != nil {
		addErr(keyTransforms, err.Error())
	}
	for _, key := range []string{keyKeyConverter, keyValueConverter, keyHeaderConv} {
		if cls := strings.TrimSpace(props[key]); cls != "" {
			if _, ok := h.reg.Lookup(cls); !ok {
				addErr(key, config.InvalidValue(key, cls, fmt.Sprintf("Class %s could not be found.", cls)).Msg)
			}
		}
	}
	if p.Type == connector.TypeSink {
		for _, msg := range sinkTopicsErrors(props) {
			addErr(keyTopics, msg)
			addErr(keyTopicsRegex, msg)
		}
	}
	configs := make([]ConfigInfo, 0, len(results))
	keys := def.Keys()
	for i := range results {
		configs = append(configs, ConfigInfo{Key: &keys[i], Result: results[i]})
	}
	for _, r := range extra {
		configs = append(configs, ConfigInfo{Result: r})
	}
	if v, ok := conn.(connector.Validator); ok {
		for _, r := range v.Validate(ctx, props) {
			if i, known := byName[r.Name]; known {
				configs[i].Result.Errors = append(configs[i].Result.Errors, r.Errors...)
				if len(r.RecommendedValues) > 0 {
					configs[i].Result.RecommendedValues = r.RecommendedValues
				}
				continue
			}
			if r.Errors == nil {
				r.Errors = []string{}
			}
			configs = append(configs, ConfigInfo{Result: r})
		}
	}
	infos := ConfigInfos{Name: props[keyConnectorClass], Groups: def.Groups(), Configs: configs}
	for _, c := range configs {
		infos.ErrorCount += len(c.Result.Errors)
	}
	return infos, p, nil
}

// invalidConfigError is Connect's aggregated create/update error.
func invalidConfigError(infos ConfigInfos) *Error {
	var msgs []string
	for _, c := range infos.Configs {
		msgs = append(msgs, c.Result.Errors...)
	}
	return errorf(KindBadRequest,
		"Connector configuration is invalid and contains the following %d error(s):\n%s\n"+
			"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
		len(msgs), strings.Join(msgs, "\n"))
}

// Validate answers PUT /connector-plugins/{plugin}/config/validate.
func (h *Herder) Validate(ctx context.Context, plugin string, props map[string]string) (ConfigInfos, error) {
	cls := strings.TrimSpace(props[keyConnectorClass])
	if cls == "" {
		return ConfigInfos{}, errorf(KindBadRequest, "Connector config %s contains no connector type", javaMap(props))
	}
	if !strings.HasSuffix(normalizeClass(cls), normalizeClass(plugin)) {
		return ConfigInfos{}, errorf(KindBadRequest, "Included connector type %s does not match request type %s", cls, plugin)
	}
	infos, _, err := h.validate(ctx, props)
	return infos, err
}

func normalizeClass(s string) string { return strings.TrimSuffix(strings.TrimSpace(s), "Connector") }

// PluginConfig answers GET /connector-plugins/{plugin}/config: the plugin's
// own keys first, then the framework keys.
func (h *Herder) PluginConfig(plugin string) ([]config.Key, error) {
	p, ok := h.reg.Lookup(plugin)
	if !ok {
		return nil, errorf(KindNotFound, "Unknown plugin %s.", plugin)
	}
	var own *config.Def
	switch v := p.New().(type) {
	case connector.Connector:
		own = v.Config().Merge(frameworkDef(p.Type))
	case connector.Transformation:
		own = v.Config()
	case connector.Predicate:
		own = v.Config()
	default:
		own = config.NewDef()
	}
	return own.Keys(), nil
}

// Plugins answers GET /connector-plugins.
func (h *Herder) Plugins(connectorsOnly bool) []connector.Plugin { return h.reg.List(connectorsOnly) }

// NullValue stands for a JSON null config value. Connect keeps such keys and
// reports "Null value can not be supplied as the configuration value." for
// them, so the REST layer decodes a null to NullValue instead of dropping it.
const NullValue = "\x00null"
