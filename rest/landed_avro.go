package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/linkedin/goavro/v2"
)

// avroPreview fills out with the writer schema and the first n records of
// an Avro container file, read from its start (at most previewBudget bytes).
func avroPreview(ctx context.Context, t *s3Target, out *previewAnswer, n int) error {
	obj, err := t.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &t.bucket, Key: &out.Key})
	if err != nil {
		return s3Error(out.Key, err)
	}
	defer obj.Body.Close()
	r, err := goavro.NewOCFReader(io.LimitReader(obj.Body, previewBudget))
	if err != nil {
		return fmt.Errorf("%s: %w", out.Key, err)
	}
	var sch any
	if err := json.Unmarshal([]byte(r.Codec().Schema()), &sch); err != nil {
		return fmt.Errorf("%s: schema: %w", out.Key, err)
	}
	if pretty, err := json.MarshalIndent(sch, "", "  "); err == nil {
		out.Schema = string(pretty)
	}
	names := map[string]any{}
	avroNames(sch, "", names)
	for r.Scan() {
		if len(out.Rows) == n {
			out.Truncated = true
			break
		}
		v, err := r.Read()
		if err != nil {
			return fmt.Errorf("%s: record %d: %w", out.Key, len(out.Rows), err)
		}
		out.Rows = append(out.Rows, appendAvro(nil, sch, v, names))
	}
	if err := r.Err(); err != nil && !out.Truncated {
		return fmt.Errorf("%s: %w", out.Key, err)
	}
	return nil
}

// avroNames collects the named types (records, enums, fixed) of a schema
// by full and short name, for references to them.
func avroNames(s any, ns string, names map[string]any) {
	switch s := s.(type) {
	case []any:
		for _, b := range s {
			avroNames(b, ns, names)
		}
	case map[string]any:
		if name, ok := s["name"].(string); ok {
			if n, ok := s["namespace"].(string); ok {
				ns = n
			}
			full := name
			if !strings.Contains(name, ".") && ns != "" {
				full = ns + "." + name
			}
			if i := strings.LastIndexByte(full, '.'); i >= 0 {
				ns = full[:i]
			}
			names[full], names[name] = s, s
		}
		for _, k := range []string{"type", "items", "values"} {
			if c, ok := s[k]; ok {
				avroNames(c, ns, names)
			}
		}
		if fs, ok := s["fields"].([]any); ok {
			for _, f := range fs {
				if f, ok := f.(map[string]any); ok {
					avroNames(f["type"], ns, names)
				}
			}
		}
	}
}

// appendAvro renders goavro's native value v of schema s as JSON: record
// fields in schema order, unions unwrapped, logical types as in Parquet
// previews (dates, RFC 3339 timestamps, decimals as strings).
func appendAvro(b []byte, s, v any, names map[string]any) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	switch s := s.(type) {
	case string:
		if named, ok := names[s]; ok {
			return appendAvro(b, named, v, names)
		}
		return appendAvroValue(b, v, "", 0)
	case []any: // a union: goavro gives {"<branch name>": value}
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for k, x := range m {
				for _, br := range s {
					if avroBranchName(br) == k || strings.HasSuffix(avroBranchName(br), "."+k) {
						return appendAvro(b, br, x, names)
					}
				}
				return appendAvroValue(b, x, "", 0)
			}
		}
		return appendAvroValue(b, v, "", 0)
	case map[string]any:
		if c, ok := appendAvroComplex(b, s, v, names); ok {
			return c
		}
		switch inner := s["type"].(type) {
		case map[string]any, []any:
			return appendAvro(b, inner, v, names)
		case string:
			if named, ok := names[inner]; ok && s["logicalType"] == nil {
				return appendAvro(b, named, v, names)
			}
		}
		lt, _ := s["logicalType"].(string)
		scale, _ := s["scale"].(float64)
		return appendAvroValue(b, v, lt, int(scale))
	}
	return appendAvroValue(b, v, "", 0)
}

// appendAvroComplex renders records (fields in schema order), arrays and
// maps (sorted keys); ok is false for other schemas.
func appendAvroComplex(b []byte, s map[string]any, v any, names map[string]any) ([]byte, bool) {
	switch s["type"] {
	case "record", "error":
		m, _ := v.(map[string]any)
		fs, _ := s["fields"].([]any)
		b = append(b, '{')
		for i, f := range fs {
			f, _ := f.(map[string]any)
			name, _ := f["name"].(string)
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSONString(b, name), ':')
			b = appendAvro(b, f["type"], m[name], names)
		}
		return append(b, '}'), true
	case "array":
		xs, _ := v.([]any)
		b = append(b, '[')
		for i, x := range xs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAvro(b, s["items"], x, names)
		}
		return append(b, ']'), true
	case "map":
		m, _ := v.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSONString(b, k), ':')
			b = appendAvro(b, s["values"], m[k], names)
		}
		return append(b, '}'), true
	}
	return b, false
}

// avroBranchName is the name goavro gives a union branch: the full name
// of a named type, else the type (with its logical type after a dot).
func avroBranchName(s any) string {
	switch s := s.(type) {
	case string:
		return s
	case map[string]any:
		t, _ := s["type"].(string)
		if name, ok := s["name"].(string); ok && (t == "record" || t == "enum" || t == "fixed" || t == "error") {
			if ns, ok := s["namespace"].(string); ok && ns != "" && !strings.Contains(name, ".") {
				return ns + "." + name
			}
			return name
		}
		if lt, ok := s["logicalType"].(string); ok {
			return t + "." + lt
		}
		return t
	}
	return ""
}

func appendAvroValue(b []byte, v any, logical string, scale int) []byte {
	switch x := v.(type) {
	case time.Time:
		if logical == "date" {
			return appendJSONString(b, x.UTC().Format("2006-01-02"))
		}
		return appendJSONString(b, x.UTC().Format(time.RFC3339Nano))
	case time.Duration:
		return appendJSONString(b, time.Time{}.Add(x).Format("15:04:05.999999999"))
	case *big.Rat:
		return appendJSONString(b, x.FloatString(scale))
	case []byte:
		return appendJSONString(b, base64.StdEncoding.EncodeToString(x))
	case float32:
		return appendFloat(b, float64(x), 32)
	case float64:
		return appendFloat(b, x, 64)
	}
	j, err := json.Marshal(v)
	if err != nil {
		return appendJSONString(b, fmt.Sprint(v))
	}
	return append(b, j...)
}
