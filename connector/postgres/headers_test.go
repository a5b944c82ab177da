package postgres

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/wharf-project/wharf/connector"
)

func headerKeys(r connector.SourceRecord) string {
	var out []string
	for _, h := range r.Headers {
		v := fmt.Sprint(h.Value)
		if h.Key == headerRunID {
			v = "<uuid>"
		}
		out = append(out, h.Key+"="+v)
	}
	return fmt.Sprint(out)
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestContextHeaders checks the __debezium.context.* headers per layout:
// none in 3.1.3 (the default layout), connectorLogicalName, taskId and
// connectorName on data change records when extended.headers.enabled is
// set (3.2–3.3 behaviour), plus runId in the 3.5 layout (3.4+). Heartbeat,
// transaction and message records never carry them.
func TestContextHeaders(t *testing.T) {
	const ctx3 = "__debezium.context.connectorLogicalName=dbserver1 __debezium.context.taskId=0 __debezium.context.connectorName=postgresql"
	for _, c := range []struct {
		name, compat, enabled string
		want                  string
	}{
		{"3.1-default", "3.1", "", "[]"},
		{"2.7-default", "2.7", "", "[]"},
		{"3.1-enabled", "3.1", "true", "[" + ctx3 + "]"},
		{"3.5-default", "3.5", "", "[" + ctx3 + " __debezium.context.runId=<uuid>]"},
		{"3.5-disabled", "3.5", "false", "[]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, customersDDL, `INSERT INTO customers (custkey) VALUES ('A')`)
			f.props[KeyCompatVersion] = c.compat
			if c.enabled != "" {
				f.props[KeyExtendedHeaders] = c.enabled
			}
			f.props[KeyProvideTxMetadata] = "true"
			f.props[KeyHeartbeatInterval] = "50"
			f.start()
			snap := f.pollData(1)[0]
			if got := headerKeys(snap); opOf(snap) != "r" || got != c.want {
				t.Fatalf("snapshot headers %s, want %s", got, c.want)
			}
			f.exec(`UPDATE customers SET custkey = 'B'`)
			var recs []connector.SourceRecord
			hb := false
			for len(recs) < 3 || !hb {
				for _, r := range f.poll(1) {
					hb = hb || r.Topic == "__debezium-heartbeat.dbserver1"
					if r.Topic == "dbserver1.transaction" || r.Topic == "__debezium-heartbeat.dbserver1" {
						if len(r.Headers) != 0 {
							t.Errorf("%s record has headers %v", r.Topic, r.Headers)
						}
						continue
					}
					recs = append(recs, r)
				}
			}
			del, tomb, cre := recs[0], recs[1], recs[2]
			inner := c.want[1 : len(c.want)-1]
			sep := " "
			if inner == "" {
				sep = ""
			}
			if got := headerKeys(del); got != "[__debezium.newkey=Struct{custkey=B}"+sep+inner+"]" || headerKeys(tomb) != got {
				t.Errorf("delete headers %s, tombstone %s", got, headerKeys(tomb))
			}
			if got := headerKeys(cre); got != "[__debezium.oldkey=Struct{custkey=A}"+sep+inner+"]" {
				t.Errorf("create headers %s", got)
			}
			if c.compat == "3.5" && c.enabled == "" {
				h, _ := cre.Headers.Last(headerRunID)
				if !uuidRe.MatchString(h.Value.(string)) {
					t.Errorf("runId %v", h.Value)
				}
				if h0, _ := snap.Headers.Last(headerRunID); h0.Value != h.Value {
					t.Errorf("runId changed within a run: %v, %v", h0.Value, h.Value)
				}
			}
		})
	}
}
