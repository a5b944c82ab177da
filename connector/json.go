package connector

import (
	"encoding/json"
)

// canonicalJSON encodes v compactly with sorted map keys (encoding/json's
// order), the deterministic form used for offset keys.
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// A partition that cannot be encoded could never be committed; make
		// the mistake visible in the key rather than panicking mid-task.
		return `{"error":` + strconvQuote(err.Error()) + `}`
	}
	return string(b)
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
