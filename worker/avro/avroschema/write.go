package avroschema

import (
	"strconv"

	"github.com/wharf-project/wharf/connector/jsontext"
)

// String returns the schema's JSON exactly as Avro's Schema.toString()
// writes it: compact, attributes in Avro's order, each named type defined
// once and referenced by (namespace-relative) name afterwards.
func (s *Schema) String() string {
	w := writer{defined: map[string]bool{}}
	return string(w.write(nil, s))
}

type writer struct {
	defined map[string]bool
	space   string
}

func (w *writer) write(dst []byte, s *Schema) []byte {
	switch s.Type {
	case Union:
		dst = append(dst, '[')
		for i, b := range s.Branches {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = w.write(dst, b)
		}
		return append(dst, ']')
	case Record, Enum, Fixed:
		return w.writeNamed(dst, s)
	case Array, Map:
		dst = append(dst, `{"type":"`...)
		dst = append(dst, s.Type.String()...)
		if s.Type == Array {
			dst = append(dst, `","items":`...)
			dst = w.write(dst, s.Items)
		} else {
			dst = append(dst, `","values":`...)
			dst = w.write(dst, s.Values)
		}
		dst = writeProps(dst, s.Props)
		return append(dst, '}')
	}
	if len(s.Props) == 0 {
		return jsontext.AppendString(dst, s.Type.String())
	}
	dst = append(dst, `{"type":"`...)
	dst = append(dst, s.Type.String()...)
	dst = append(dst, '"')
	dst = writeProps(dst, s.Props)
	return append(dst, '}')
}

func writeProps(dst []byte, props Object) []byte {
	for _, m := range props {
		dst = append(dst, ',')
		dst = jsontext.AppendString(dst, m.Key)
		dst = append(dst, ':')
		dst = AppendJSON(dst, m.Value)
	}
	return dst
}

func (w *writer) writeNamed(dst []byte, s *Schema) []byte {
	full := s.FullName()
	if w.defined[full] {
		if s.Namespace == "" || s.Namespace == w.space {
			return jsontext.AppendString(dst, s.Name)
		}
		return jsontext.AppendString(dst, full)
	}
	w.defined[full] = true
	dst = append(dst, `{"type":"`...)
	dst = append(dst, s.Type.String()...)
	dst = append(dst, `","name":`...)
	dst = jsontext.AppendString(dst, s.Name)
	if s.Namespace != "" {
		if s.Namespace != w.space {
			dst = append(dst, `,"namespace":`...)
			dst = jsontext.AppendString(dst, s.Namespace)
		}
	} else if w.space != "" {
		dst = append(dst, `,"namespace":""`...)
	}
	saved := w.space
	if s.Type == Record {
		w.space = s.Namespace
	}
	if s.Doc != "" {
		dst = append(dst, `,"doc":`...)
		dst = jsontext.AppendString(dst, s.Doc)
	}
	dst = w.writeBody(dst, s)
	dst = writeProps(dst, s.Props)
	dst = writeAliases(dst, s.Aliases)
	w.space = saved
	return append(dst, '}')
}

// writeBody writes the fields, symbols or size of a named type.
func (w *writer) writeBody(dst []byte, s *Schema) []byte {
	switch s.Type {
	case Record:
		dst = append(dst, `,"fields":[`...)
		for i, f := range s.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = w.writeField(dst, f)
		}
		dst = append(dst, ']')
	case Enum:
		dst = append(dst, `,"symbols":[`...)
		for i, sym := range s.Symbols {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, sym)
		}
		dst = append(dst, ']')
		if s.EnumDefault != nil {
			dst = append(dst, `,"default":`...)
			dst = jsontext.AppendString(dst, *s.EnumDefault)
		}
	case Fixed:
		dst = append(dst, `,"size":`...)
		dst = strconv.AppendInt(dst, int64(s.Size), 10)
	}
	return dst
}

func writeAliases(dst []byte, aliases []string) []byte {
	if len(aliases) == 0 {
		return dst
	}
	dst = append(dst, `,"aliases":[`...)
	for i, a := range aliases {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendString(dst, a)
	}
	return append(dst, ']')
}

func (w *writer) writeField(dst []byte, f *Field) []byte {
	dst = append(dst, `{"name":`...)
	dst = jsontext.AppendString(dst, f.Name)
	dst = append(dst, `,"type":`...)
	dst = w.write(dst, f.Type)
	if f.Doc != "" {
		dst = append(dst, `,"doc":`...)
		dst = jsontext.AppendString(dst, f.Doc)
	}
	if f.HasDefault {
		dst = append(dst, `,"default":`...)
		dst = AppendJSON(dst, f.Default)
	}
	if f.Order != "" {
		dst = append(dst, `,"order":`...)
		dst = jsontext.AppendString(dst, f.Order)
	}
	dst = writeAliases(dst, f.Aliases)
	dst = writeProps(dst, f.Props)
	return append(dst, '}')
}
