package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/kafka"
)

const (
	userV1 = `{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"int"}]}`
	// userV2 adds a field with a default: backward compatible.
	userV2 = `{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"int"},{"name":"name","type":"string","default":""}]}`
	// userBad adds a field without default: not backward compatible.
	userBad = `{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"int"},{"name":"age","type":"int"}]}`
)

// TestRESTAPI walks the registry's API with Confluent's bodies and errors.
func TestRESTAPI(t *testing.T) {
	_, hs := newRegistry(t)
	expect(t, hs, "GET", "/subjects", nil, 200, `[]`)
	expect(t, hs, "GET", "/schemas/types", nil, 200, `["AVRO"]`)
	expect(t, hs, "GET", "/config", nil, 200, `{"compatibilityLevel":"BACKWARD"}`)
	expect(t, hs, "GET", "/mode", nil, 200, `{"mode":"READWRITE"}`)
	expect(t, hs, "GET", "/subjects/a-value/versions", nil, 404, `{"error_code":40401,"message":"Subject 'a-value' not found."}`)
	expect(t, hs, "GET", "/schemas/ids/1", nil, 404, `{"error_code":40403,"message":"Schema 1 not found"}`)

	// Whitespace is canonicalized: the same schema keeps its id.
	expect(t, hs, "POST", "/subjects/a-value/versions", schemaBody(userV1), 200, `{"id":1}`)
	expect(t, hs, "POST", "/subjects/a-value/versions", schemaBody(strings.ReplaceAll(userV1, ",", " , ")), 200, `{"id":1}`)
	// The same schema under another subject reuses the id.
	expect(t, hs, "POST", "/subjects/b-value/versions", schemaBody(userV1), 200, `{"id":1}`)
	expect(t, hs, "POST", "/subjects/a-value/versions", schemaBody(userV2), 200, `{"id":2}`)
	expect(t, hs, "GET", "/subjects", nil, 200, `["a-value","b-value"]`)
	expect(t, hs, "GET", "/subjects/a-value/versions", nil, 200, `[1,2]`)
	expect(t, hs, "GET", "/subjects/a-value/versions/latest", nil, 200,
		`{"subject":"a-value","version":2,"id":2,"schema":"`+jsonEsc(userV2)+`"}`)
	expect(t, hs, "GET", "/subjects/a-value/versions/1", nil, 200,
		`{"subject":"a-value","version":1,"id":1,"schema":"`+jsonEsc(userV1)+`"}`)
	expect(t, hs, "GET", "/subjects/a-value/versions/1/schema", nil, 200, userV1)
	expect(t, hs, "GET", "/subjects/a-value/versions/3", nil, 404, `{"error_code":40402,"message":"Version 3 not found."}`)
	expect(t, hs, "GET", "/subjects/a-value/versions/0", nil, 422,
		`{"error_code":42202,"message":"The specified version '0' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""}`)
	expect(t, hs, "GET", "/subjects/a-value/versions/x", nil, 422,
		`{"error_code":42202,"message":"The specified version 'x' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""}`)
	expect(t, hs, "GET", "/schemas/ids/2", nil, 200, `{"schema":"`+jsonEsc(userV2)+`"}`)
	expect(t, hs, "GET", "/schemas/ids/1/subjects", nil, 200, `["a-value","b-value"]`)
	expect(t, hs, "GET", "/schemas/ids/1/versions", nil, 200, `[{"subject":"a-value","version":1},{"subject":"b-value","version":1}]`)

	// Lookup.
	expect(t, hs, "POST", "/subjects/a-value", schemaBody(userV1), 200,
		`{"subject":"a-value","version":1,"id":1,"schema":"`+jsonEsc(userV1)+`"}`)
	expect(t, hs, "POST", "/subjects/a-value", schemaBody(userBad), 404, `{"error_code":40403,"message":"Schema not found"}`)
	expect(t, hs, "POST", "/subjects/zzz", schemaBody(userV1), 404, `{"error_code":40401,"message":"Subject 'zzz' not found."}`)

	// Invalid schemas.
	code, body := call(t, hs, "POST", "/subjects/a-value/versions", schemaBody(`{"type":"record","name":"X"}`))
	if code != 422 || !strings.HasPrefix(body, `{"error_code":42201,"message":"Invalid schema `) {
		t.Errorf("invalid schema: %d %s", code, body)
	}
	code, body = call(t, hs, "POST", "/subjects/a-value/versions", map[string]string{"schema": "{}", "schemaType": "PROTOBUF"})
	if code != 422 || !strings.Contains(body, `"error_code":42201`) {
		t.Errorf("protobuf: %d %s", code, body)
	}

	// Incompatible under BACKWARD.
	code, body = call(t, hs, "POST", "/subjects/a-value/versions", schemaBody(userBad))
	if code != 409 || !strings.HasPrefix(body, `{"error_code":409,"message":"Schema being registered is incompatible with an earlier schema for subject \"a-value\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'age' at path '/fields/1' in the new schema has no default value and is missing in the old schema'`) {
		t.Errorf("incompatible: %d %s", code, body)
	}
	expect(t, hs, "POST", "/compatibility/subjects/a-value/versions/latest", schemaBody(userBad), 200, `{"is_compatible":false}`)
	expect(t, hs, "POST", "/compatibility/subjects/a-value/versions/latest", schemaBody(userV2), 200, `{"is_compatible":true}`)
	expect(t, hs, "POST", "/compatibility/subjects/new-subject/versions/latest", schemaBody(userBad), 200, `{"is_compatible":true}`)
	expect(t, hs, "POST", "/compatibility/subjects/a-value/versions/9", schemaBody(userV2), 404, `{"error_code":40402,"message":"Version 9 not found."}`)

	// Config.
	expect(t, hs, "GET", "/config/a-value", nil, 404,
		`{"error_code":40408,"message":"Subject 'a-value' does not have subject-level compatibility configured"}`)
	expect(t, hs, "GET", "/config/a-value?defaultToGlobal=true", nil, 200, `{"compatibilityLevel":"BACKWARD"}`)
	expect(t, hs, "PUT", "/config/a-value", map[string]string{"compatibility": "none"}, 200, `{"compatibility":"NONE"}`)
	expect(t, hs, "GET", "/config/a-value", nil, 200, `{"compatibilityLevel":"NONE"}`)
	expect(t, hs, "PUT", "/config", map[string]string{"compatibility": "SIDEWAYS"}, 422,
		`{"error_code":42203,"message":"Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"}`)
	expect(t, hs, "POST", "/subjects/a-value/versions", schemaBody(userBad), 200, `{"id":3}`)
	expect(t, hs, "DELETE", "/config/a-value", nil, 200, `{"compatibilityLevel":"NONE"}`)

	// Deletes: soft, then hard.
	expect(t, hs, "DELETE", "/subjects/a-value/versions/1?permanent=true", nil, 404,
		`{"error_code":40407,"message":"Subject 'a-value' Version 1 was not deleted first before being permanently deleted"}`)
	expect(t, hs, "DELETE", "/subjects/a-value/versions/1", nil, 200, `1`)
	expect(t, hs, "DELETE", "/subjects/a-value/versions/1", nil, 404,
		`{"error_code":40406,"message":"Subject 'a-value' Version 1 was soft deleted.Set permanent=true to delete permanently"}`)
	expect(t, hs, "GET", "/subjects/a-value/versions", nil, 200, `[2,3]`)
	expect(t, hs, "GET", "/subjects/a-value/versions?deleted=true", nil, 200, `[1,2,3]`)
	expect(t, hs, "GET", "/subjects/a-value/versions/1", nil, 404, `{"error_code":40402,"message":"Version 1 not found."}`)
	expect(t, hs, "DELETE", "/subjects/a-value/versions/1?permanent=true", nil, 200, `1`)
	expect(t, hs, "GET", "/subjects/a-value/versions?deleted=true", nil, 200, `[2,3]`)
	expect(t, hs, "DELETE", "/subjects/a-value?permanent=true", nil, 404,
		`{"error_code":40405,"message":"Subject 'a-value' was not deleted first before being permanently deleted"}`)
	expect(t, hs, "DELETE", "/subjects/a-value", nil, 200, `[2,3]`)
	expect(t, hs, "DELETE", "/subjects/a-value", nil, 404,
		`{"error_code":40404,"message":"Subject 'a-value' was soft deleted.Set permanent=true to delete permanently"}`)
	expect(t, hs, "GET", "/subjects", nil, 200, `["b-value"]`)
	expect(t, hs, "GET", "/subjects?deleted=true", nil, 200, `["a-value","b-value"]`)
	// Soft-deleted schemas are still readable by id.
	expect(t, hs, "GET", "/schemas/ids/2", nil, 200, `{"schema":"`+jsonEsc(userV2)+`"}`)
	expect(t, hs, "DELETE", "/subjects/a-value?permanent=true", nil, 200, `[2,3]`)
	expect(t, hs, "GET", "/subjects?deleted=true", nil, 200, `["b-value"]`)
	// A new registration in the deleted subject starts again at version 1.
	expect(t, hs, "POST", "/subjects/a-value/versions", schemaBody(userV2), 200, `{"id":2}`)
	expect(t, hs, "GET", "/subjects/a-value/versions", nil, 200, `[1]`)

	// Media types and unknown paths.
	req, _ := http.NewRequest("POST", hs.URL+"/subjects/c/versions", strings.NewReader(`{"schema":"\"int\""}`))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 415 {
		t.Errorf("text/plain body: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", hs.URL+"/subjects", nil)
	req.Header.Set("Accept", "application/json")
	resp, err = hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Accept: application/json gave %s", ct)
	}
	expect(t, hs, "GET", "/nope", nil, 404, `{"error_code":404,"message":"HTTP 404 Not Found"}`)
}

func jsonEsc(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

// TestCompatibilityRules checks Avro's resolution rules under each level.
func TestCompatibilityRules(t *testing.T) {
	rec := func(fields string) string {
		return `{"type":"record","name":"R","fields":[` + fields + `]}`
	}
	cases := []struct {
		name, level string
		old, new    string
		ok          bool
	}{
		{"add field with default, backward", "BACKWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"int"},{"name":"b","type":"int","default":0}`), true},
		{"add field without default, backward", "BACKWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"int"},{"name":"b","type":"int"}`), false},
		{"add field without default, forward", "FORWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"int"},{"name":"b","type":"int"}`), true},
		{"remove field without default, forward", "FORWARD", rec(`{"name":"a","type":"int"},{"name":"b","type":"int"}`), rec(`{"name":"a","type":"int"}`), false},
		{"remove field with default, forward", "FORWARD", rec(`{"name":"a","type":"int"},{"name":"b","type":"int","default":1}`), rec(`{"name":"a","type":"int"}`), true},
		{"remove field, backward", "BACKWARD", rec(`{"name":"a","type":"int"},{"name":"b","type":"int"}`), rec(`{"name":"a","type":"int"}`), true},
		{"add without default, full", "FULL", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"int"},{"name":"b","type":"int"}`), false},
		{"add with default, full", "FULL", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"int"},{"name":"b","type":["null","int"],"default":null}`), true},
		{"int to long, backward", "BACKWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"long"}`), true},
		{"int to long, forward", "FORWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"long"}`), false},
		{"long to double, backward", "BACKWARD", rec(`{"name":"a","type":"long"}`), rec(`{"name":"a","type":"double"}`), true},
		{"float to double, backward", "BACKWARD", rec(`{"name":"a","type":"float"}`), rec(`{"name":"a","type":"double"}`), true},
		{"double to float, backward", "BACKWARD", rec(`{"name":"a","type":"double"}`), rec(`{"name":"a","type":"float"}`), false},
		{"string to bytes, full", "FULL", rec(`{"name":"a","type":"string"}`), rec(`{"name":"a","type":"bytes"}`), true},
		{"int to string", "BACKWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"string"}`), false},
		{"make optional, backward", "BACKWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":["null","int"],"default":null}`), true},
		{"make optional, forward", "FORWARD", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":["null","int"],"default":null}`), false},
		{"widen union, backward", "BACKWARD", `["null","int"]`, `["null","int","string"]`, true},
		{"narrow union, backward", "BACKWARD", `["null","int","string"]`, `["null","int"]`, false},
		{"enum add symbol, backward", "BACKWARD", `{"type":"enum","name":"E","symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A","B"]}`, true},
		{"enum add symbol, forward", "FORWARD", `{"type":"enum","name":"E","symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A","B"]}`, false},
		{"enum add symbol, forward, reader default", "FORWARD", `{"type":"enum","name":"E","symbols":["A"],"default":"A"}`, `{"type":"enum","name":"E","symbols":["A","B"]}`, true},
		{"rename record", "BACKWARD", rec(`{"name":"a","type":"int"}`), `{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}`, false},
		{"fixed size", "BACKWARD", `{"type":"fixed","name":"F","size":4}`, `{"type":"fixed","name":"F","size":8}`, false},
		{"none allows anything", "NONE", `"int"`, `"string"`, true},
		{"array items promote", "BACKWARD", `{"type":"array","items":"int"}`, `{"type":"array","items":"long"}`, true},
		{"map values mismatch", "BACKWARD", `{"type":"map","values":"int"}`, `{"type":"map","values":"boolean"}`, false},
	}
	_, hs := newRegistry(t)
	for i, c := range cases {
		subject := fmt.Sprintf("case%d", i)
		expect(t, hs, "PUT", "/config/"+subject, map[string]string{"compatibility": c.level}, 200, `{"compatibility":"`+c.level+`"}`)
		if code, body := call(t, hs, "POST", "/subjects/"+subject+"/versions", schemaBody(c.old)); code != 200 {
			t.Fatalf("%s: register old: %d %s", c.name, code, body)
		}
		want := fmt.Sprintf(`{"is_compatible":%v}`, c.ok)
		if code, body := call(t, hs, "POST", "/compatibility/subjects/"+subject+"/versions/latest", schemaBody(c.new)); code != 200 || body != want {
			t.Errorf("%s: compatibility %d %s, want %s", c.name, code, body, want)
		}
		code, body := call(t, hs, "POST", "/subjects/"+subject+"/versions", schemaBody(c.new))
		if (code == 200) != c.ok || (!c.ok && code != 409) {
			t.Errorf("%s: register new: %d %s", c.name, code, body)
		}
	}
}

// TestTransitive: BACKWARD checks the latest version only,
// BACKWARD_TRANSITIVE every live version.
func TestTransitive(t *testing.T) {
	v1 := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`
	v2 := `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0}]}`
	v3 := `{"type":"record","name":"R","fields":[{"name":"b","type":"int","default":0}]}` // drops a: fine for v2's readers? backward: v3 reads v2 → b default ok
	v4 := `{"type":"record","name":"R","fields":[{"name":"b","type":"int","default":0},{"name":"a","type":"string"}]}`
	_, hs := newRegistry(t)
	for _, level := range []string{"BACKWARD", "BACKWARD_TRANSITIVE"} {
		subject := strings.ToLower(level)
		expect(t, hs, "PUT", "/config/"+subject, map[string]string{"compatibility": level}, 200, `{"compatibility":"`+level+`"}`)
		for _, s := range []string{v1, v2, v3} {
			if code, body := call(t, hs, "POST", "/subjects/"+subject+"/versions", schemaBody(s)); code != 200 {
				t.Fatalf("%s: %d %s", level, code, body)
			}
		}
		// v4 reads v3 (a has no writer field but... a lacks a default) → incompatible with v3 too.
		code, _ := call(t, hs, "POST", "/subjects/"+subject+"/versions", schemaBody(v4))
		if code != 409 {
			t.Errorf("%s: v4 registered (%d)", level, code)
		}
	}
	// A schema compatible with the latest but not with v1: int a → string a with default.
	v5 := `{"type":"record","name":"R","fields":[{"name":"b","type":"int","default":0},{"name":"a","type":"string","default":""}]}`
	code, _ := call(t, hs, "POST", "/subjects/backward/versions", schemaBody(v5))
	if code != 200 {
		t.Errorf("BACKWARD: v5 refused (%d)", code)
	}
	code, _ = call(t, hs, "POST", "/subjects/backward_transitive/versions", schemaBody(v5))
	if code != 409 {
		t.Errorf("BACKWARD_TRANSITIVE: v5 accepted (%d)", code)
	}
}

// TestPersistence: a new server on the same topic sees everything, and the
// records are in Confluent's format.
func TestPersistence(t *testing.T) {
	addrs := testserver.Kafka(t, 1)
	srv, hs := startRegistry(t, addrs, "_schemas")
	expect(t, hs, "POST", "/subjects/a/versions", schemaBody(userV1), 200, `{"id":1}`)
	expect(t, hs, "POST", "/subjects/a/versions", schemaBody(userV2), 200, `{"id":2}`)
	expect(t, hs, "POST", "/subjects/b/versions", schemaBody(`"string"`), 200, `{"id":3}`)
	expect(t, hs, "PUT", "/config", map[string]string{"compatibility": "FULL"}, 200, `{"compatibility":"FULL"}`)
	expect(t, hs, "PUT", "/config/b", map[string]string{"compatibility": "NONE"}, 200, `{"compatibility":"NONE"}`)
	expect(t, hs, "DELETE", "/subjects/a/versions/1", nil, 200, `1`)
	expect(t, hs, "DELETE", "/subjects/b", nil, 200, `[1]`)
	srv.Stop()
	hs.Close()

	recs, err := kafka.LastRecords(context.Background(), newKafkaClient(t, addrs), "_schemas", kafka.MaxLastRecords)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range recs {
		lines = append(lines, string(r.Key)+"\t"+string(r.Value))
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		`{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}	{"subject":"a","version":1,"id":1,"schema":"` + jsonEsc(userV1) + `","deleted":false}`,
		`{"keytype":"CONFIG","subject":null,"magic":0}	{"compatibilityLevel":"FULL"}`,
		`{"keytype":"CONFIG","subject":"b","magic":0}	{"compatibilityLevel":"NONE"}`,
		`{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}	{"subject":"a","version":1,"id":1,"schema":"` + jsonEsc(userV1) + `","deleted":true}`,
		`{"keytype":"DELETE_SUBJECT","subject":"b","magic":0}	{"subject":"b","version":1}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("topic lacks %s\ntopic:\n%s", want, got)
		}
	}

	_, hs2 := startRegistry(t, addrs, "_schemas")
	expect(t, hs2, "GET", "/subjects", nil, 200, `["a"]`)
	expect(t, hs2, "GET", "/subjects/a/versions", nil, 200, `[2]`)
	expect(t, hs2, "GET", "/subjects/a/versions?deleted=true", nil, 200, `[1,2]`)
	expect(t, hs2, "GET", "/config", nil, 200, `{"compatibilityLevel":"FULL"}`)
	expect(t, hs2, "GET", "/config/b", nil, 200, `{"compatibilityLevel":"NONE"}`)
	expect(t, hs2, "GET", "/schemas/ids/3", nil, 200, `{"schema":"\"string\""}`)
	// Ids continue after the highest one in the topic.
	expect(t, hs2, "POST", "/subjects/c/versions", schemaBody(`"long"`), 200, `{"id":4}`)
}

// TestReadsConfluentTopic: records written by Confluent's registry
// (testdata/confluent-schemas.txt, including NOOP and a hard delete) load.
func TestReadsConfluentTopic(t *testing.T) {
	addrs := testserver.Kafka(t, 1)
	produceFile(t, addrs, "_schemas", "testdata/confluent-schemas.txt")
	_, hs := startRegistry(t, addrs, "_schemas")
	expect(t, hs, "GET", "/subjects", nil, 200, `["orders-value"]`)
	expect(t, hs, "GET", "/subjects/orders-value/versions", nil, 200, `[2]`)
	expect(t, hs, "GET", "/subjects/orders-value/versions/latest", nil, 200,
		`{"subject":"orders-value","version":2,"id":7,"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}]}"}`)
	expect(t, hs, "GET", "/config", nil, 200, `{"compatibilityLevel":"FORWARD"}`)
	expect(t, hs, "GET", "/subjects/customers-key/versions?deleted=true", nil, 404, `{"error_code":40401,"message":"Subject 'customers-key' not found."}`)
	expect(t, hs, "POST", "/subjects/x/versions", schemaBody(`"int"`), 200, `{"id":8}`)
}

// TestClient: the client's calls and error mapping against the server.
func TestClient(t *testing.T) {
	_, hs := newRegistry(t)
	ctx := testCtx(t)
	c, err := NewClient(ClientOptions{URLs: []string{"http://127.0.0.1:1", hs.URL}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Register(ctx, "s", userV1)
	if err != nil || id != 1 {
		t.Fatalf("register: %d %v", id, err)
	}
	if text, err := c.SchemaByID(ctx, 1); err != nil || text != userV1 {
		t.Fatalf("by id: %q %v", text, err)
	}
	sv, err := c.Lookup(ctx, "s", userV1, false)
	if err != nil || sv.Version != 1 || sv.ID != 1 {
		t.Fatalf("lookup: %+v %v", sv, err)
	}
	if sv, err := c.LatestVersion(ctx, "s"); err != nil || sv.Version != 1 || sv.Schema != userV1 {
		t.Fatalf("latest: %+v %v", sv, err)
	}
	_, err = c.LatestVersion(ctx, "missing")
	if !errors.Is(err, ErrSubjectNotFound) || err.Error() != "Subject 'missing' not found.; error code: 40401" {
		t.Fatalf("missing subject: %v", err)
	}
	if _, err := c.SchemaByID(ctx, 99); !errors.Is(err, ErrSchemaNotFound) {
		t.Fatalf("missing id: %v", err)
	}
	if _, err := c.Register(ctx, "s", userBad); !errors.Is(err, ErrIncompatibleSchema) {
		t.Fatalf("incompatible: %v", err)
	}
	if _, err := c.Register(ctx, "s", `{"type":"nope"}`); !errors.Is(err, ErrInvalidSchema) {
		t.Fatalf("invalid: %v", err)
	}
	if _, err := c.Version(ctx, "s", "0"); !errors.Is(err, ErrInvalidVersion) {
		t.Fatalf("invalid version: %v", err)
	}
	if err := c.SetCompatibility(ctx, "s", "x"); !errors.Is(err, ErrInvalidCompatibility) {
		t.Fatalf("invalid level: %v", err)
	}
	if ok, err := c.TestCompatibility(ctx, "s", "latest", userV2); err != nil || !ok {
		t.Fatalf("compatibility: %v %v", ok, err)
	}
	if err := c.SetCompatibility(ctx, "", "FULL_TRANSITIVE"); err != nil {
		t.Fatal(err)
	}
	if l, err := c.Compatibility(ctx, "s"); err != nil || l != "FULL_TRANSITIVE" {
		t.Fatalf("level %q %v", l, err)
	}
	if subjects, err := c.Subjects(ctx); err != nil || len(subjects) != 1 {
		t.Fatalf("subjects %v %v", subjects, err)
	}
	if vs, err := c.DeleteSubject(ctx, "s", false); err != nil || len(vs) != 1 {
		t.Fatalf("delete %v %v", vs, err)
	}
	if _, err := c.DeleteSubject(ctx, "s", false); !errors.Is(err, ErrSubjectSoftDeleted) {
		t.Fatalf("second delete %v", err)
	}
}

// TestClientBasicAuth: credentials from options or from the URL.
func TestClientBasicAuth(t *testing.T) {
	_, hs := newRegistry(t)
	guarded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "fred" || p != "s3cret" {
			w.Header().Set("Content-Type", ContentType)
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
			return
		}
		r.URL.Host = strings.TrimPrefix(hs.URL, "http://")
		r.URL.Scheme = "http"
		r.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			w.WriteHeader(502)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 1<<16)
		n, _ := resp.Body.Read(buf)
		_, _ = w.Write(buf[:n])
	})
	gs := httptestServer(t, guarded)
	ctx := testCtx(t)
	for _, opts := range []ClientOptions{
		{URLs: []string{gs}, Username: "fred", Password: "s3cret"},
		{URLs: []string{strings.Replace(gs, "http://", "http://fred:s3cret@", 1)}},
	} {
		c, _ := NewClient(opts)
		if _, err := c.Register(ctx, "s", `"int"`); err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
	}
	c, _ := NewClient(ClientOptions{URLs: []string{gs}, Username: "fred", Password: "wrong"})
	_, err := c.Register(ctx, "s", `"long"`)
	var e *Error
	if !errors.As(err, &e) || e.Status != 401 || e.Code != 401 {
		t.Fatalf("wrong password: %v", err)
	}
}
