package postgres

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, name); got != want {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// TestEveryTypeGoldenJSON pins the JsonConverter bytes (schemas on and
// off) of the every-type row, read by the snapshot and by the stream.
// Volatile fields (times, LSNs, txId, db) are normalised to 0.
func TestEveryTypeGoldenJSON(t *testing.T) {
	f := newFixture(t, everyTypeDDL, everyTypeRow)
	f.start()
	snap := f.poll(1)[0]
	f.exec(everyTypeRow)
	stream := f.poll(1)[0]
	for name, r := range map[string]int{"snapshot": 0, "stream": 1} {
		rec := snap
		if r == 1 {
			rec = stream
		}
		checkGolden(t, "every_type_"+name+"_key.json", string(jsonBytes(t, true, true, rec.Topic, rec.KeySchema, rec.Key)))
		checkGolden(t, "every_type_"+name+".json", normalize(jsonBytes(t, true, false, rec.Topic, rec.ValueSchema, rec.Value)))
		checkGolden(t, "every_type_"+name+"_schemaless.json", normalize(jsonBytes(t, false, false, rec.Topic, rec.ValueSchema, rec.Value)))
	}
}
