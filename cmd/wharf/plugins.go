package main

import (
	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/file"
	"github.com/wharf-project/wharf/connector/postgres"
	"github.com/wharf-project/wharf/connector/s3"
	"github.com/wharf-project/wharf/worker/avro"
	"github.com/wharf-project/wharf/worker/convert"
	"github.com/wharf-project/wharf/worker/transform"
)

// newRegistry lists every plugin this binary ships: the explicit map of
// built-ins that GET /connector-plugins shows.
func newRegistry() *connector.Registry {
	var ps []connector.Plugin
	ps = append(ps, file.Plugins()...)
	ps = append(ps, postgres.Plugin(), s3.Plugin())
	ps = append(ps, convert.Plugins()...)
	ps = append(ps, avro.Plugins()...)
	ps = append(ps, transform.Plugins()...)
	return connector.NewRegistry(ps...)
}
