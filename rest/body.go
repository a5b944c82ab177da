package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/wharf-project/wharf/worker"
)

// maxBody bounds request bodies: connector configs are small, and an
// unbounded body would let one request exhaust the worker's memory.
const maxBody = 1 << 20

// readBody enforces the JSON content type and the size limit. A request
// without Content-Type is accepted (clients that send none); any other type,
// including curl -d's default application/x-www-form-urlencoded, is 415, as
// Jersey answers.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "text/json") {
			return nil, &httpError{http.StatusUnsupportedMediaType, "HTTP 415 Unsupported Media Type"}
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &httpError{http.StatusRequestEntityTooLarge,
				fmt.Sprintf("Request body is larger than the limit of %d bytes", maxBody)}
		}
		return nil, badRequest("Could not read the request body: " + err.Error())
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, badRequest("Request body is empty: expected a JSON object")
	}
	return b, nil
}

// jsonError turns a decoding error into a short message with the position.
func jsonError(what string, b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(b, se.Offset)
		return badRequest(fmt.Sprintf("Malformed JSON in %s at line %d, column %d: %v", what, line, col, se))
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(root)"
		}
		return badRequest(fmt.Sprintf("Invalid JSON in %s: field %s must be %s, not %s", what, field, expectedType(te), te.Value))
	}
	return badRequest(fmt.Sprintf("Invalid JSON in %s: %v", what, err))
}

func expectedType(te *json.UnmarshalTypeError) string {
	switch te.Type.Kind().String() {
	case "map", "struct":
		return "an object"
	case "slice":
		return "an array"
	case "string":
		return "a string"
	}
	return te.Type.String()
}

func position(b []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// configMap decodes a flat connector configuration. Like Jackson into a
// Map<String,String>, numbers and booleans become their JSON text
// ("tasks.max": 1 → "1"); null is kept as worker.NullValue so validation can
// report it; objects and arrays are rejected with the key named.
func configMap(what string, raw map[string]json.RawMessage) (map[string]string, error) {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		s, err := configValue(v)
		if err != nil {
			return nil, badRequest(fmt.Sprintf("Invalid value for %q in %s: %v", k, what, err))
		}
		out[k] = s
	}
	return out, nil
}

func configValue(v json.RawMessage) (string, error) {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "", fmt.Errorf("missing value")
	}
	switch t[0] {
	case '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return worker.NullValue, nil
	case 't', 'f':
		b, err := strconv.ParseBool(string(t))
		if err != nil {
			return "", err
		}
		return strconv.FormatBool(b), nil
	case '{', '[':
		return "", fmt.Errorf("configuration values must be strings, numbers or booleans, not objects or arrays")
	default:
		var n json.Number
		if err := json.Unmarshal(t, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}

// readConfig reads and parses a flat configuration object body.
func readConfig(r *http.Request) (map[string]string, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return decodeConfig(b)
}

// decodeConfig parses a flat configuration object body.
func decodeConfig(b []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, jsonError("connector configuration", b, err)
	}
	if raw == nil {
		return nil, badRequest("Connector configuration must be a JSON object")
	}
	return configMap("connector configuration", raw)
}
