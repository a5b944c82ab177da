package connector

import "github.com/wharf-project/wharf/connector/config"

// Transformation is a single message transform (SMT). Apply changes r in
// place; returning false drops the record. It replaces a key or value it
// changes with a new Struct rather than setting fields of the one it got:
// sources may share a Struct between records (a snapshot's source block).
type Transformation interface {
	Config() *config.Def
	Configure(props map[string]string) error
	Apply(r *Record) (keep bool, err error)
	Close() error
}

// Predicate decides whether a transformation applies to a record.
type Predicate interface {
	Config() *config.Def
	Configure(props map[string]string) error
	Test(r *Record) bool
	Close() error
}
