package s3

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
	"github.com/wharf-project/wharf/connector/jsontext"
)

// recordView is what a file part stores of each record (Confluent's
// RecordViews): the value, the key (store.kafka.keys) or the headers
// (store.kafka.headers).
type recordView uint8

const (
	viewValue recordView = iota
	viewKey
	viewHeaders
)

// openFile is one output file of a topic partition: the value object and
// its .keys/.headers companions, which share its records and boundaries.
type openFile struct {
	encoded string
	start   int64
	last    int64
	records int64 // records written (errant ones are skipped, so not last-start+1)
	parts   []*filePart
	acct    int64 // bytes counted in the memory budget
}

// filePart is one object of an open file.
type filePart struct {
	view     recordView
	key      string
	stream   *objectStream
	w        recordWriter
	finished bool // format finished; only the upload may remain
	done     bool // object complete
}

// size is what the file holds in memory: part buffers and format state.
func (f *openFile) size() int64 {
	var n int64
	for _, p := range f.parts {
		if !p.done {
			n += int64(cap(p.stream.buf) + p.w.buffered())
		}
	}
	return n
}

// headerSchema is HeaderRecordView's schema: an array of {key, value}
// strings (an unnamed struct, so Avro names it ConnectDefault).
var (
	headerEntrySchema = data.StructSchema("").Field("key", data.StringSchema).Field("value", data.StringSchema).Build()
	headersSchema     = &data.Schema{Type: data.TypeArray, Elem: headerEntrySchema}
)

// openFile opens the parts of a new file whose first record is rec: the
// value object, unless rec is a tombstone kept only in the keys file (as
// Confluent with behavior.on.null.values=write), then keys and headers.
func (w *tpWriter) openFile(ctx context.Context, rec *connector.SinkRecord, encoded string) (*openFile, error) {
	env := w.env
	f := &openFile{encoded: encoded, start: rec.Offset}
	add := func(view recordView, fm format, ext string, schema *data.Schema) error {
		key := env.keys.keyExt(w.tp.Topic, w.tp.Partition, encoded, rec.Offset, ext)
		st := env.upload(key)
		st.ctx = ctx
		rw, err := fm.open(st, schema)
		if err != nil {
			f.release(ctx)
			return err
		}
		f.parts = append(f.parts, &filePart{view: view, key: key, stream: st, w: rw})
		return nil
	}
	s := env.s
	if !(rec.Value == nil && s.storeKeys && s.nullBehavior == "write") {
		if err := add(viewValue, env.format, env.keys.ext, rec.ValueSchema); err != nil {
			return nil, err
		}
	}
	if s.storeKeys {
		if err := add(viewKey, env.keysFormat, ".keys"+extensionOf(s.keysFormat, s), rec.KeySchema); err != nil {
			return nil, err
		}
	}
	if s.storeHeaders {
		if err := add(viewHeaders, env.headersFormat, ".headers"+extensionOf(s.headersFormat, s), headersSchema); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// release drops the file without completing it.
func (f *openFile) release(ctx context.Context) {
	for _, p := range f.parts {
		if !p.finished {
			p.w.release()
		}
		p.stream.abort(ctx)
	}
}

// writeParts writes rec to every part of f. The checks Confluent makes
// before writing (a key, headers, a value where the file has one) come
// first, and Avro companions are validated up front, so a data error
// leaves the parts aligned.
func (f *openFile) writeParts(rec *connector.SinkRecord) error {
	if len(f.parts) == 1 && f.parts[0].view == viewValue {
		return f.parts[0].w.write(rec) // no companions: no copies
	}
	views := new([3]connector.SinkRecord)
	for _, p := range f.parts {
		if err := setView(&views[p.view], p, rec); err != nil {
			return err
		}
	}
	if rec.Value != nil && f.parts[0].view != viewValue {
		return fmt.Errorf("s3: value writer not configured for %s-%d offset %d (encoded partition %s is the tombstone partition)",
			rec.Topic, rec.Partition, rec.Offset, f.encoded)
	}
	for _, p := range f.parts {
		if err := p.w.write(&views[p.view]); err != nil {
			return err
		}
	}
	return nil
}

// setView fills v with what part p stores of rec, checking it first.
func setView(v *connector.SinkRecord, p *filePart, rec *connector.SinkRecord) error {
	*v = *rec
	switch p.view {
	case viewKey:
		if rec.Key == nil {
			return dataErrorf("Key cannot be null for SinkRecord: %s-%d offset %d", rec.Topic, rec.Partition, rec.Offset)
		}
		v.ValueSchema, v.Value = rec.KeySchema, rec.Key
	case viewHeaders:
		hs, err := headersView(rec.Headers)
		if err != nil {
			return err
		}
		v.ValueSchema, v.Value = headersSchema, hs
	}
	if aw, ok := p.w.(*avroWriter); ok && p.view != viewValue {
		if err := data.ValidateValue(aw.root.schema, v.Value); err != nil {
			return dataErrorf("%s does not match the file's schema: %v", viewName(p.view), err)
		}
	}
	return nil
}

func viewName(v recordView) string {
	return [...]string{"value", "key", "headers"}[v]
}

// headersView is HeaderRecordView.getView: each header as {key, value}
// with the value in Connect's string form (Values.convertToString).
func headersView(hs connector.Headers) ([]any, error) {
	if len(hs) == 0 {
		return nil, dataErrorf("Headers cannot be null for SinkRecord")
	}
	out := make([]any, len(hs))
	for i, h := range hs {
		v, err := headerString(h.Value)
		if err != nil {
			return nil, dataErrorf("header %s: %v", h.Key, err)
		}
		out[i] = data.NewStruct(headerEntrySchema).MustPut("key", h.Key).MustPut("value", v)
	}
	return out, nil
}

// headerString renders primitives as Values.convertToString; containers use
// the JSON encoding (Connect's own rendering of those differs slightly).
func headerString(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", fmt.Errorf("null header value (the value field is a required string)")
	case string:
		return x, nil
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int8:
		return strconv.FormatInt(int64(x), 10), nil
	case int16:
		return strconv.FormatInt(int64(x), 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float32:
		return string(jsontext.AppendJava(nil, float64(x), 32)), nil
	case float64:
		return string(jsontext.AppendJava(nil, x, 64)), nil
	case data.Decimal:
		return x.String(), nil
	}
	b, err := (&jsonEncoder{}).append(nil, nil, v)
	return string(b), err
}
