package postgres

import (
	"fmt"
	"regexp"
	"strings"
)

// Filter decides which schemas, tables and columns are captured, with
// Debezium's semantics: each list entry is a regular expression that must
// match the whole identifier, case-insensitively; an include list wins over
// its exclude list; system schemas are never captured.
type Filter struct {
	schemaIn, schemaEx []*regexp.Regexp
	tableIn, tableEx   []*regexp.Regexp
	colIn, colEx       []*regexp.Regexp
}

var systemSchemas = map[string]bool{"pg_catalog": true, "information_schema": true, "pg_toast": true,
	"pg_temp_1": true, "pg_toast_temp_1": true}

func newFilter(schemaIn, schemaEx, tableIn, tableEx, colIn, colEx []string) (*Filter, error) {
	f := &Filter{}
	var err error
	for _, x := range []struct {
		dst *[]*regexp.Regexp
		src []string
	}{{&f.schemaIn, schemaIn}, {&f.schemaEx, schemaEx}, {&f.tableIn, tableIn}, {&f.tableEx, tableEx},
		{&f.colIn, colIn}, {&f.colEx, colEx}} {
		if *x.dst, err = compileAll(x.src); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func compileAll(list []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, s := range list {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		re, err := regexp.Compile(`(?i)^(?:` + s + `)$`)
		if err != nil {
			return nil, fmt.Errorf("postgres: invalid filter regex %q: %w", s, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// Table reports whether schema.table is captured.
func (f *Filter) Table(schema, table string) bool {
	if systemSchemas[schema] || strings.HasPrefix(schema, "pg_temp") || strings.HasPrefix(schema, "pg_toast") {
		return false
	}
	if len(f.schemaIn) > 0 {
		if !anyMatch(f.schemaIn, schema) {
			return false
		}
	} else if anyMatch(f.schemaEx, schema) {
		return false
	}
	id := schema + "." + table
	if len(f.tableIn) > 0 {
		return anyMatch(f.tableIn, id)
	}
	return !anyMatch(f.tableEx, id)
}

// Column reports whether a column of a captured table goes into values.
func (f *Filter) Column(schema, table, column string) bool {
	id := schema + "." + table + "." + column
	if len(f.colIn) > 0 {
		return anyMatch(f.colIn, id)
	}
	return !anyMatch(f.colEx, id)
}

// filtered reports whether any schema or table list is set (a filtered
// publication then lists exactly the captured tables).
func (f *Filter) filtered() bool {
	return len(f.schemaIn)+len(f.schemaEx)+len(f.tableIn)+len(f.tableEx) > 0
}

// prefixFilter selects logical decoding messages by prefix as Debezium's
// LogicalDecodingMessageFilter does: an include list if set, else an
// exclude list, else everything.
type prefixFilter struct{ in, ex []*regexp.Regexp }

func newPrefixFilter(in, ex []string) (*prefixFilter, error) {
	f := &prefixFilter{}
	var err error
	if f.in, err = compileAll(in); err != nil {
		return nil, err
	}
	if f.ex, err = compileAll(ex); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *prefixFilter) included(prefix string) bool {
	if len(f.in) > 0 {
		return anyMatch(f.in, prefix)
	}
	return !anyMatch(f.ex, prefix)
}
