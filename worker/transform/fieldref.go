package transform

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/connector/data"
)

// fieldReference is one entry of add.fields / add.headers: an envelope field
// (op, ts_ms), a field of a named struct (source.lsn, transaction.id) or an
// unqualified field looked up in the struct Debezium assigns it to.
type fieldReference struct {
	parent   string // "" for top-level envelope fields
	field    string
	newField string
	last     resolved
}

func parseFieldReferences(prefix string, specs []string) ([]fieldReference, error) {
	var out []fieldReference
	for _, spec := range specs {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		parts := strings.Split(spec, ":")
		if len(parts) > 2 {
			return nil, fmt.Errorf("Unexpected field name: %s", spec)
		}
		splits := strings.Split(parts[0], ".")
		ref := fieldReference{field: splits[0]}
		if len(splits) > 1 {
			ref.parent, ref.field = splits[0], splits[1]
		} else {
			ref.parent = parentStruct(ref.field)
		}
		switch {
		case len(parts) == 2:
			ref.newField = prefix + parts[1]
		case len(splits) == 1:
			ref.newField = prefix + ref.field
		default:
			ref.newField = prefix + ref.parent + "_" + ref.field
		}
		out = append(out, ref)
	}
	return out, nil
}

// parentStruct is Debezium's FieldReference.determineStruct.
func parentStruct(field string) string {
	switch field {
	case "id", "total_order", "data_collection_order":
		return fieldTransaction
	case fieldOp, "ts_ms", "ts_us", "ts_ns":
		return ""
	case "updateDescription":
		return "updateDescription"
	}
	return fieldSource
}

// resolved is where a reference points in one envelope schema.
type resolved struct {
	env      *data.Schema
	parent   int // index of the parent struct field, -1 for top level
	index    int // field index in the parent (or envelope); -1: absent
	fieldSch *data.Schema
}

// resolve locates the field in its parent struct, else at the top level (a
// field another SMT put there). The result is cached per envelope schema,
// which a source reuses across records.
func (f *fieldReference) resolve(env *data.Schema) *resolved {
	if f.last.env == env && env != nil {
		return &f.last
	}
	res := resolved{env: env, parent: -1, index: -1}
	parent := env
	if f.parent != "" {
		if pf := env.Field(f.parent); pf != nil && pf.Schema.Type == data.TypeStruct {
			parent, res.parent = pf.Schema, pf.Index
		} else {
			parent = nil
		}
	}
	var fld *data.Field
	if parent != nil {
		fld = parent.Field(f.field)
	}
	if fld == nil {
		res.parent = -1
		fld = env.Field(f.field)
	}
	if fld != nil {
		res.index = fld.Index
		// Debezium copies the schema basics and marks the copy optional.
		res.fieldSch = fld.Schema
		if !fld.Schema.Optional || fld.Schema.Default != nil {
			c := fld.Schema.Clone()
			c.Optional, c.Default = true, nil
			res.fieldSch = c
		}
	}
	f.last = res
	return &f.last
}

// schema returns the optional schema for the new field or header, or nil
// when the envelope does not have the field.
func (f *fieldReference) schema(env *data.Schema) *data.Schema {
	return f.resolve(env).fieldSch
}

// value reads the field's value without default substitution.
func (f *fieldReference) value(env *data.Struct) any {
	res := f.resolve(env.Schema())
	if res.index < 0 {
		return nil
	}
	if res.parent < 0 {
		return env.At(res.index)
	}
	ps, _ := env.At(res.parent).(*data.Struct)
	if ps == nil {
		return nil // transaction is null while snapshotting
	}
	return ps.At(res.index)
}
