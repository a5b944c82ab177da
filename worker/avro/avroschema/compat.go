package avroschema

import (
	"fmt"
	"strconv"
	"strings"
)

// Incompatibility is one reason a reader cannot read a writer's data,
// named as Avro's SchemaCompatibility.SchemaIncompatibilityType.
type Incompatibility struct {
	Type     string // NAME_MISMATCH, FIXED_SIZE_MISMATCH, MISSING_ENUM_SYMBOLS, READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH, MISSING_UNION_BRANCH
	Location string // JSON pointer into the reader schema, e.g. /fields/1
	Message  string
	Info     string // the field name, symbols …
}

// CanRead reports the reasons reader cannot decode data written with
// writer, following Avro's schema resolution rules: record fields matched by
// name (a reader field missing from the writer needs a default), int → long
// → float → double and string ↔ bytes promotions, enum symbols, fixed sizes,
// and unions branch by branch. nil means compatible.
func CanRead(reader, writer *Schema) []Incompatibility {
	c := checker{seen: map[[2]*Schema]bool{}}
	c.check(reader, writer, "")
	return c.out
}

type checker struct {
	seen map[[2]*Schema]bool
	out  []Incompatibility
}

func (c *checker) add(typ, loc, msg, info string) {
	if loc == "" {
		loc = "/"
	}
	c.out = append(c.out, Incompatibility{Type: typ, Location: loc, Message: msg, Info: info})
}

func (c *checker) check(r, w *Schema, loc string) {
	key := [2]*Schema{r, w}
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	if r.Type == w.Type {
		c.sameType(r, w, loc)
		return
	}
	if w.Type == Union {
		for _, b := range w.Branches {
			if !c.readable(r, b) {
				c.add("MISSING_UNION_BRANCH", loc,
					"reader union lacking writer type: "+strings.ToUpper(b.Type.String()),
					"reader union lacking writer type: "+strings.ToUpper(b.Type.String()))
			}
		}
		return
	}
	if r.Type == Union {
		if !c.readable(r, w) {
			c.add("MISSING_UNION_BRANCH", loc,
				"reader union lacking writer type: "+strings.ToUpper(w.Type.String()),
				"reader union lacking writer type: "+strings.ToUpper(w.Type.String()))
		}
		return
	}
	if promotes(r.Type, w.Type) {
		return
	}
	c.add("TYPE_MISMATCH", loc, fmt.Sprintf("reader type: %s not compatible with writer type: %s",
		strings.ToUpper(r.Type.String()), strings.ToUpper(w.Type.String())),
		fmt.Sprintf("reader type: %s not compatible with writer type: %s",
			strings.ToUpper(r.Type.String()), strings.ToUpper(w.Type.String())))
}

// readable reports whether r (possibly a union) can read w (not a union).
func (c *checker) readable(r, w *Schema) bool {
	sub := checker{seen: map[[2]*Schema]bool{}}
	if r.Type != Union {
		sub.check(r, w, "")
		return len(sub.out) == 0
	}
	for _, b := range r.Branches {
		sub := checker{seen: map[[2]*Schema]bool{}}
		sub.check(b, w, "")
		if len(sub.out) == 0 {
			return true
		}
	}
	return false
}

func promotes(r, w Type) bool {
	switch r {
	case Long:
		return w == Int
	case Float:
		return w == Int || w == Long
	case Double:
		return w == Int || w == Long || w == Float
	case String:
		return w == Bytes
	case Bytes:
		return w == String
	}
	return false
}

func namesMatch(r, w *Schema) bool {
	if r.Name == w.Name {
		return true
	}
	for _, a := range r.Aliases {
		if a == w.Name || a == w.FullName() || strings.HasSuffix(a, "."+w.Name) {
			return true
		}
	}
	return false
}

func (c *checker) sameType(r, w *Schema, loc string) {
	switch r.Type {
	case Fixed:
		if !namesMatch(r, w) {
			c.add("NAME_MISMATCH", loc+"/name", fmt.Sprintf("expected: %s", w.FullName()), w.FullName())
		}
		if r.Size != w.Size {
			c.add("FIXED_SIZE_MISMATCH", loc+"/size",
				fmt.Sprintf("expected: %d, found: %d", w.Size, r.Size), "")
		}
	case Enum:
		if !namesMatch(r, w) {
			c.add("NAME_MISMATCH", loc+"/name", fmt.Sprintf("expected: %s", w.FullName()), w.FullName())
		}
		if r.EnumDefault != nil {
			return
		}
		var missing []string
		for _, s := range w.Symbols {
			found := false
			for _, rs := range r.Symbols {
				found = found || rs == s
			}
			if !found {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			c.add("MISSING_ENUM_SYMBOLS", loc+"/symbols", "["+strings.Join(missing, ", ")+"]",
				strings.Join(missing, ", "))
		}
	case Record:
		if !namesMatch(r, w) {
			c.add("NAME_MISMATCH", loc+"/name", fmt.Sprintf("expected: %s", w.FullName()), w.FullName())
		}
		for i, rf := range r.Fields {
			floc := loc + "/fields/" + strconv.Itoa(i)
			wf := writerField(w, rf)
			if wf == nil {
				if !rf.HasDefault {
					c.add("READER_FIELD_MISSING_DEFAULT_VALUE", floc, rf.Name, rf.Name)
				}
				continue
			}
			c.check(rf.Type, wf.Type, floc+"/type")
		}
	case Array:
		c.check(r.Items, w.Items, loc+"/items")
	case Map:
		c.check(r.Values, w.Values, loc+"/values")
	case Union:
		for i, b := range w.Branches {
			if !c.readable(r, b) {
				c.add("MISSING_UNION_BRANCH", loc+"/"+strconv.Itoa(i),
					"reader union lacking writer type: "+strings.ToUpper(b.Type.String()),
					"reader union lacking writer type: "+strings.ToUpper(b.Type.String()))
			}
		}
	}
}

func writerField(w *Schema, rf *Field) *Field {
	if f := w.Field(rf.Name); f != nil {
		return f
	}
	for _, a := range rf.Aliases {
		if f := w.Field(a); f != nil {
			return f
		}
	}
	return nil
}
