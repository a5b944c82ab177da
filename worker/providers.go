package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/wharf-project/wharf/worker/properties"
)

// Config providers resolve ${provider:[path:]key} placeholders when a
// connector or task starts (Kafka's ConfigProvider, KIP-297). REST always
// shows the unresolved placeholders, so secrets stay out of configs,
// statuses and logs.

// Provider class names Kafka ships.
const (
	envProviderClass  = "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
	fileProviderClass = "org.apache.kafka.common.config.provider.FileConfigProvider"
	dirProviderClass  = "org.apache.kafka.common.config.provider.DirectoryConfigProvider"
)

var placeholder = regexp.MustCompile(`\$\{([^}:]*):(?:([^}]*?):)?([^}]*)\}`)

type providerFunc func(path, key string) (string, error)

// Providers are the config providers configured on the worker
// (config.providers=env,file and config.providers.<alias>.class=…).
type Providers struct {
	byAlias map[string]providerFunc
}

// NewProviders reads config.providers from worker properties.
func NewProviders(workerProps map[string]string) (*Providers, error) {
	p := &Providers{byAlias: map[string]providerFunc{}}
	for _, alias := range strings.Split(workerProps["config.providers"], ",") {
		alias = strings.TrimSpace(alias)
		if alias == "" {
			continue
		}
		cls := strings.TrimSpace(workerProps["config.providers."+alias+".class"])
		switch cls {
		case envProviderClass, "EnvVarConfigProvider":
			p.byAlias[alias] = envProvider
		case fileProviderClass, "FileConfigProvider":
			p.byAlias[alias] = fileProvider
		case dirProviderClass, "DirectoryConfigProvider":
			p.byAlias[alias] = dirProvider
		case "":
			return nil, fmt.Errorf("config provider %q has no config.providers.%s.class", alias, alias)
		default:
			return nil, fmt.Errorf("config provider %q: class %s is not available (supported: %s, %s, %s)",
				alias, cls, envProviderClass, fileProviderClass, dirProviderClass)
		}
	}
	return p, nil
}

// Resolve returns props with every placeholder of a configured provider
// replaced. Placeholders of unknown providers stay as they are, as in Kafka.
func (p *Providers) Resolve(props map[string]string) (map[string]string, error) {
	if p == nil || len(p.byAlias) == 0 {
		return props, nil
	}
	out := make(map[string]string, len(props))
	for k, v := range props {
		var ferr error
		out[k] = placeholder.ReplaceAllStringFunc(v, func(m string) string {
			sub := placeholder.FindStringSubmatch(m)
			fn, ok := p.byAlias[sub[1]]
			if !ok {
				return m
			}
			val, err := fn(sub[2], sub[3])
			if err != nil && ferr == nil {
				// Name the key and placeholder, never the resolved value.
				ferr = fmt.Errorf("configuration %s: placeholder %s: %w", k, m, err)
			}
			return val
		})
		if ferr != nil {
			return nil, ferr
		}
	}
	return out, nil
}

func envProvider(_, key string) (string, error) {
	v, ok := os.LookupEnv(key)
	if !ok {
		return "", fmt.Errorf("environment variable %s is not set", key)
	}
	return v, nil
}

func fileProvider(path, key string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	props, err := properties.Parse(f)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	v, ok := props[key]
	if !ok {
		return "", fmt.Errorf("key %s not found in %s", key, path)
	}
	return v, nil
}

func dirProvider(dir, file string) (string, error) {
	if file != filepath.Base(file) {
		return "", fmt.Errorf("file name %q must not contain a path", file)
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return "", err
	}
	return string(b), nil
}
