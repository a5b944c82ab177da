package s3

import (
	"fmt"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

// shouldChangeSchema is StorageSchemaCompatibility.shouldChangeSchema for
// value schemas: NONE rotates on any difference (Connect Schema.equals);
// BACKWARD and FULL on a newer version or a structural incompatibility;
// FORWARD on an older version or a structural incompatibility. Unknown
// modes mean NONE, as in Confluent.
func shouldChangeSchema(mode string, cur, next *data.Schema) bool {
	if cur == nil && next == nil {
		return false
	}
	if cur == nil || next == nil {
		return true
	}
	switch mode {
	case "BACKWARD", "FULL":
		return !projectable(next, cur) || next.Version > cur.Version
	case "FORWARD":
		return !projectable(next, cur) || next.Version < cur.Version
	default:
		return !cur.Equal(next)
	}
}

// projectable reports whether values of src can be projected to dst
// (SchemaProjector's rules, recursively).
func projectable(src, dst *data.Schema) bool {
	if src.Type != dst.Type {
		return widens(src.Type, dst.Type)
	}
	if src.Name != dst.Name || !paramsEqual(src, dst) {
		return false
	}
	if src.Optional && !dst.Optional && dst.Default == nil {
		return false
	}
	switch src.Type {
	case data.TypeStruct:
		for _, df := range dst.Fields {
			sf := src.Field(df.Name)
			if sf == nil {
				if !df.Schema.Optional && df.Schema.Default == nil {
					return false
				}
				continue
			}
			if !projectable(sf.Schema, df.Schema) {
				return false
			}
		}
	case data.TypeArray:
		return projectable(src.Elem, dst.Elem)
	case data.TypeMap:
		return projectable(src.Key, dst.Key) && projectable(src.Value, dst.Value)
	}
	return true
}

func paramsEqual(a, b *data.Schema) bool {
	if len(a.Parameters) != len(b.Parameters) {
		return false
	}
	for i := range a.Parameters {
		if a.Parameters[i] != b.Parameters[i] {
			return false
		}
	}
	return true
}

var numericRank = map[data.Type]int{data.TypeInt8: 1, data.TypeInt16: 2, data.TypeInt32: 3,
	data.TypeInt64: 4, data.TypeFloat32: 5, data.TypeFloat64: 6}

func widens(from, to data.Type) bool {
	a, ok1 := numericRank[from]
	b, ok2 := numericRank[to]
	return ok1 && ok2 && a < b
}

// project converts rec's value to schema target when the mode allows files
// of mixed versions (not NONE), as SchemaProjector.project.
func project(mode string, rec *connector.SinkRecord, target *data.Schema) (*connector.SinkRecord, error) {
	if mode != "BACKWARD" && mode != "FORWARD" && mode != "FULL" {
		return rec, nil
	}
	if target == nil || rec.ValueSchema == nil || rec.ValueSchema == target || rec.ValueSchema.Equal(target) {
		return rec, nil
	}
	if rec.ValueSchema.Version == 0 || target.Version == 0 {
		return nil, dataErrorf("Schema version required for %s compatibility", mode)
	}
	v, err := projectValue(rec.ValueSchema, target, rec.Value)
	if err != nil {
		return nil, err
	}
	out := *rec
	out.ValueSchema, out.Value = target, v
	return &out, nil
}

func projectValue(src, dst *data.Schema, v any) (any, error) {
	if v == nil {
		if dst.Default != nil {
			return dst.Default, nil
		}
		if dst.Optional {
			return nil, nil
		}
		return nil, dataErrorf("null value for required field of type %s", dst.Type)
	}
	switch dst.Type {
	case data.TypeStruct:
		return projectStruct(src, dst, v)
	case data.TypeArray:
		a, _ := v.([]any)
		out := make([]any, len(a))
		for i, e := range a {
			pv, err := projectValue(src.Elem, dst.Elem, e)
			if err != nil {
				return nil, err
			}
			out[i] = pv
		}
		return out, nil
	case data.TypeMap:
		m, _ := v.([]data.MapEntry)
		out := make([]data.MapEntry, len(m))
		for i, e := range m {
			k, err := projectValue(src.Key, dst.Key, e.Key)
			if err != nil {
				return nil, err
			}
			val, err := projectValue(src.Value, dst.Value, e.Value)
			if err != nil {
				return nil, err
			}
			out[i] = data.MapEntry{Key: k, Value: val}
		}
		return out, nil
	}
	if src.Type != dst.Type {
		return widen(v, dst.Type)
	}
	return v, nil
}

func widen(v any, to data.Type) (any, error) {
	var i int64
	var f float64
	isFloat := false
	switch x := v.(type) {
	case int8:
		i = int64(x)
	case int16:
		i = int64(x)
	case int32:
		i = int64(x)
	case int64:
		i = x
	case float32:
		f, isFloat = float64(x), true
	default:
		return nil, dataErrorf("cannot widen %T", v)
	}
	if !isFloat {
		f = float64(i)
	}
	switch to {
	case data.TypeInt16:
		return int16(i), nil
	case data.TypeInt32:
		return int32(i), nil
	case data.TypeInt64:
		return i, nil
	case data.TypeFloat32:
		return float32(f), nil
	default:
		return f, nil
	}
}

func projectStruct(src, dst *data.Schema, v any) (any, error) {
	st, ok := v.(*data.Struct)
	if !ok {
		return nil, dataErrorf("expected struct, got %T", v)
	}
	out := data.NewStruct(dst)
	for _, df := range dst.Fields {
		sf := src.Field(df.Name)
		var fv any
		var err error
		if sf == nil {
			fv, err = projectValue(df.Schema, df.Schema, nil)
		} else {
			fv, err = projectValue(sf.Schema, df.Schema, st.At(sf.Index))
		}
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", df.Name, err)
		}
		out.Set(df.Index, fv)
	}
	return out, nil
}
