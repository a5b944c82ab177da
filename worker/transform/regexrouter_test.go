package transform

import (
	"testing"

	"github.com/wharf-project/wharf/connector"
)

func TestRegexRouter(t *testing.T) {
	tests := []struct {
		name, regex, repl, topic, want string
	}{
		{"prefix", "(.*)", "copy-$1", "orders", "copy-orders"},
		{"debezium topics", `srv\.public\.(.*)`, "pg_$1", "srv.public.users", "pg_users"},
		{"no match keeps topic", "foo", "bar", "orders", "orders"},
		{"partial match is no match", "ord", "x", "orders", "orders"},
		{"group then digits", "(a)(b)", "$1$20", "ab", "ab0"},
		{"group number greedy while valid", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "$11", "abcdefghijk", "k"},
		{"named group", "(?<db>[a-z]+)-(?<tbl>[a-z]+)", "${tbl}.${db}", "shop-items", "items.shop"},
		{"escapes", "(.*)", `\$1-\\$1`, "t", `$1-\t`},
		{"replaceFirst finds the leftmost alternative", "a|ab", "X", "ab", "Xb"},
		{"unmatched group is empty", "(x)?(y)", "[$1]$2", "y", "[]y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := single(t, "RegexRouter", map[string]string{"regex": tt.regex, "replacement": tt.repl})
			for range 2 { // second pass goes through the topic cache
				r := &connector.Record{Topic: tt.topic}
				keep, err := c.Apply(r)
				if err != nil || !keep {
					t.Fatalf("Apply: keep=%v err=%v", keep, err)
				}
				if r.Topic != tt.want {
					t.Fatalf("topic = %q, want %q", r.Topic, tt.want)
				}
			}
		})
	}
}

func TestRegexRouterErrors(t *testing.T) {
	tests := []struct {
		name, regex, repl, want string
	}{
		{"bad group", "(a)", "$2", `transformation "x" (org.apache.kafka.connect.transforms.RegexRouter): No group 2`},
		{"dangling dollar", "(a)", "x$", "Illegal group reference: group index is missing"},
		{"dangling backslash", "(a)", `x\`, "character to be escaped is missing"},
		{"unknown name", "(a)", "${nope}", "No group with name {nope}"},
		{"not a group", "(a)", "$x", "Illegal group reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := single(t, ClassRegexRouter, map[string]string{"regex": tt.regex, "replacement": tt.repl})
			r := &connector.Record{Topic: "b"}
			if keep, err := c.Apply(r); err != nil || !keep {
				t.Fatalf("non-matching topic: keep=%v err=%v", keep, err)
			}
			r.Topic = "a"
			_, err := c.Apply(r)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want && !endsWith(got, ": "+tt.want) {
				t.Fatalf("error = %q, want %q", got, tt.want)
			}
		})
	}
	msg := chainErr(t, map[string]string{"transforms": "x", "transforms.x.type": ClassRegexRouter,
		"transforms.x.regex": "(", "transforms.x.replacement": "y"})
	if want := "Invalid value ( for configuration regex: Invalid regex: "; !startsWith(msg, want) {
		t.Fatalf("error = %q, want prefix %q", msg, want)
	}
	msg = chainErr(t, map[string]string{"transforms": "x", "transforms.x.type": ClassRegexRouter,
		"transforms.x.regex": "a"})
	if want := `Missing required configuration "transforms.x.replacement" which has no default value.`; msg != want {
		t.Fatalf("error = %q, want %q", msg, want)
	}
}

func startsWith(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
func endsWith(s, p string) bool   { return len(s) >= len(p) && s[len(s)-len(p):] == p }
