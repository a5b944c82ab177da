package worker

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker/convert"
)

// defaultConverter is used when neither the connector nor the worker names
// one (ParseConfig normally fills the worker's).
const defaultConverter = "org.apache.kafka.connect.json.JsonConverter"

// NewConverter builds a connector's key or value converter as Connect does:
// the connector's own key (key.converter / value.converter) wins, configured
// with its own <key>.* properties; otherwise the worker's, with the
// worker's. It returns the converter and its class name.
func NewConverter(reg *connector.Registry, workerProps, connProps map[string]string, key string, isKey bool) (connector.Converter, string, error) {
	src := workerProps
	if strings.TrimSpace(connProps[key]) != "" {
		src = connProps
	}
	cls := strings.TrimSpace(src[key])
	if cls == "" {
		cls = defaultConverter
	}
	p, ok := reg.Lookup(cls)
	if !ok {
		return nil, cls, fmt.Errorf("converter class %s could not be found", cls)
	}
	c, ok := p.New().(connector.Converter)
	if !ok {
		return nil, cls, fmt.Errorf("%s is not a converter", cls)
	}
	if err := c.Configure(subProps(src, key+"."), isKey); err != nil {
		return nil, cls, fmt.Errorf("configure %s %s: %w", key, cls, err)
	}
	return c, p.Class, nil
}

// NewHeaderConverter builds header.converter the same way; Connect's
// default is SimpleHeaderConverter, and any converter may serve.
func NewHeaderConverter(reg *connector.Registry, workerProps, connProps map[string]string) (connector.HeaderConverter, error) {
	src := workerProps
	if strings.TrimSpace(connProps[keyHeaderConv]) != "" {
		src = connProps
	}
	cls := strings.TrimSpace(src[keyHeaderConv])
	if cls == "" {
		cls = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
	}
	p, ok := reg.Lookup(cls)
	if !ok {
		return nil, fmt.Errorf("header converter class %s could not be found", cls)
	}
	var c connector.HeaderConverter
	switch v := p.New().(type) {
	case connector.HeaderConverter:
		c = v
	case connector.Converter:
		c = convert.HeaderAdapter(v)
	default:
		return nil, fmt.Errorf("%s is not a header converter", cls)
	}
	if err := c.Configure(subProps(src, keyHeaderConv+".")); err != nil {
		return nil, fmt.Errorf("configure header.converter %s: %w", cls, err)
	}
	return c, nil
}
