package postgres

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Insert, Update and Delete messages are decoded here rather than by
// pglogrepl.Parse, which allocates a column struct and a byte slice per
// column: a row's column texts are substrings of one string copied out of
// the message (the message itself lives in the connection's read buffer and
// is overwritten by the next receive), so decoded text values may keep them.

// rawTuple is one pgoutput TupleData: kinds[i] is kindText, kindNull,
// kindToast (or 'b', binary, which is never asked for) and texts[i] the text
// of a kindText column. The streamer reuses its tuples message after message.
type rawTuple struct {
	kinds []byte
	texts []string
}

func (tp *rawTuple) len() int {
	if tp == nil {
		return 0
	}
	return len(tp.kinds)
}

// rowChange is a decoded Insert/Update/Delete message; old and new are nil
// when the message carries no such tuple.
type rowChange struct {
	rel      uint32
	oldKind  byte // 'K' or 'O' when old is set
	old, new *rawTuple
}

var errShortMessage = errors.New("message too short")

// parseRowChange decodes a protocol v1 Insert ('I'), Update ('U') or Delete
// ('D') message into z's reusable tuples.
func (z *streamer) parseRowChange(b []byte) (rowChange, error) {
	var rc rowChange
	if len(b) < 6 {
		return rc, fmt.Errorf("postgres: pgoutput %q message: %w", b[:min(len(b), 1)], errShortMessage)
	}
	op := b[0]
	rc.rel = binary.BigEndian.Uint32(b[1:5])
	b = b[5:]
	var err error
	if marker := b[0]; marker == 'K' || marker == 'O' {
		if op == 'I' {
			return rc, fmt.Errorf("postgres: pgoutput insert: unexpected tuple type %q", marker)
		}
		rc.oldKind, rc.old = marker, &z.oldTuple
		if b, err = parseTuple(b[1:], rc.old); err != nil {
			return rc, fmt.Errorf("postgres: pgoutput %c old tuple: %w", op, err)
		}
	}
	if op == 'D' {
		if rc.old == nil {
			return rc, fmt.Errorf("postgres: pgoutput delete: no old tuple")
		}
		return rc, nil
	}
	if len(b) == 0 || b[0] != 'N' {
		return rc, fmt.Errorf("postgres: pgoutput %c: expected new tuple", op)
	}
	rc.new = &z.newTuple
	if _, err = parseTuple(b[1:], rc.new); err != nil {
		return rc, fmt.Errorf("postgres: pgoutput %c new tuple: %w", op, err)
	}
	return rc, nil
}

// parseTuple decodes the TupleData at the start of b into tp and returns
// what follows it.
func parseTuple(b []byte, tp *rawTuple) ([]byte, error) {
	if len(b) < 2 {
		return nil, errShortMessage
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	// First find the tuple's extent, then copy it once.
	end := 0
	for i := 0; i < n; i++ {
		if end >= len(b) {
			return nil, errShortMessage
		}
		kind := b[end]
		end++
		switch kind {
		case kindText, 'b':
			if end+4 > len(b) {
				return nil, errShortMessage
			}
			l := int(binary.BigEndian.Uint32(b[end:]))
			end += 4
			if l < 0 || l > len(b)-end {
				return nil, errShortMessage
			}
			end += l
		case kindNull, kindToast:
		default:
			return nil, fmt.Errorf("unknown column kind %q", kind)
		}
	}
	s := string(b[:end])
	tp.kinds, tp.texts = tp.kinds[:0], tp.texts[:0]
	for pos := 0; len(tp.kinds) < n; {
		kind := s[pos]
		pos++
		text := ""
		if kind == kindText || kind == 'b' {
			l := int(uint32(s[pos])<<24 | uint32(s[pos+1])<<16 | uint32(s[pos+2])<<8 | uint32(s[pos+3]))
			pos += 4
			text = s[pos : pos+l]
			pos += l
		}
		tp.kinds = append(tp.kinds, kind)
		tp.texts = append(tp.texts, text)
	}
	return b[end:], nil
}
