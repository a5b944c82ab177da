package postgres

import (
	"encoding/binary"
	"testing"
)

// tupleBytes encodes pgoutput TupleData; nil is NULL, "\x00u" unchanged TOAST.
func tupleBytes(cols ...*string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(cols)))
	for _, c := range cols {
		switch {
		case c == nil:
			b = append(b, 'n')
		case *c == "\x00u":
			b = append(b, 'u')
		default:
			b = append(b, 't')
			b = binary.BigEndian.AppendUint32(b, uint32(len(*c)))
			b = append(b, *c...)
		}
	}
	return b
}

func TestParseRowChange(t *testing.T) {
	str := func(s string) *string { return &s }
	head := func(op byte, rel uint32) []byte { return binary.BigEndian.AppendUint32([]byte{op}, rel) }
	var z streamer

	ins := append(append(head('I', 7), 'N'), tupleBytes(str("1"), nil, str("héllo"), str("\x00u"))...)
	rc, err := z.parseRowChange(ins)
	if err != nil || rc.rel != 7 || rc.old != nil || rc.new == nil {
		t.Fatalf("insert: %+v, %v", rc, err)
	}
	if got := rc.new; string(got.kinds) != "tntu" || got.texts[0] != "1" || got.texts[2] != "héllo" {
		t.Fatalf("insert tuple %q %q", got.kinds, got.texts)
	}
	ins[len(ins)-3] = 'X' // the texts are copies, not views of the message
	if rc.new.texts[2] != "héllo" {
		t.Fatalf("tuple text changed with the message buffer: %q", rc.new.texts[2])
	}

	upd := append(append(append(append(head('U', 8), 'O'), tupleBytes(str("1"), str("a"))...), 'N'), tupleBytes(str("2"), str("b"))...)
	rc, err = z.parseRowChange(upd)
	if err != nil || rc.rel != 8 || rc.oldKind != 'O' || rc.old.texts[1] != "a" || rc.new.texts[0] != "2" || rc.new.texts[1] != "b" {
		t.Fatalf("update: %+v, %v", rc, err)
	}
	rc, err = z.parseRowChange(append(append(head('U', 8), 'N'), tupleBytes(str("3"))...))
	if err != nil || rc.old != nil || rc.new.texts[0] != "3" {
		t.Fatalf("update without old tuple: %+v, %v", rc, err)
	}

	del := append(append(head('D', 9), 'K'), tupleBytes(str("5"), nil)...)
	rc, err = z.parseRowChange(del)
	if err != nil || rc.rel != 9 || rc.oldKind != 'K' || rc.new != nil || rc.old.texts[0] != "5" || rc.old.kinds[1] != 'n' {
		t.Fatalf("delete: %+v, %v", rc, err)
	}

	for name, bad := range map[string][]byte{
		"short":          head('I', 1)[:3],
		"truncated text": ins[:len(ins)-2],
		"missing column": append(append(head('I', 1), 'N'), 0, 2, 'n'),
		"unknown kind":   append(append(head('I', 1), 'N'), 0, 1, 'z'),
		"insert old":     append(append(head('I', 1), 'K'), tupleBytes(nil)...),
		"delete no old":  append(append(head('D', 1), 'N'), tupleBytes(nil)...),
		"update no new":  append(append(head('U', 1), 'K'), tupleBytes(nil)...),
	} {
		if _, err := z.parseRowChange(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
