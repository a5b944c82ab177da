package testserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestMinIOAndDuckDB(t *testing.T) {
	srv := MinIO(t)
	srv.CreateBucket(t, "bkt")
	key := "dir/x.json"
	if _, err := srv.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: strPtr("bkt"), Key: &key,
		Body: strings.NewReader(`{"a":1,"s":"x"}` + "\n" + `{"a":2,"s":"y"}` + "\n")}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Keys(t, "bkt", "dir/"); len(got) != 1 || got[0] != key {
		t.Fatalf("keys = %v", got)
	}
	dir := t.TempDir()
	paths := srv.Download(t, "bkt", "", dir)
	if len(paths) != 1 || paths[0] != filepath.Join(dir, "dir", "x.json") {
		t.Fatalf("paths = %v", paths)
	}
	if _, err := os.Stat(paths[0]); err != nil {
		t.Fatal(err)
	}
	rows := DuckDB(t, "SELECT sum(a)::INTEGER AS n, string_agg(s, ',' ORDER BY s) AS s FROM read_json_auto($1)", paths[0])
	if len(rows) != 1 || rows[0]["n"] != float64(3) || rows[0]["s"] != "x,y" {
		t.Fatalf("rows = %v", rows)
	}
}

func strPtr(s string) *string { return &s }
