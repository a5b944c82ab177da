package store

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/kafka"
)

type applied struct {
	mu   sync.Mutex
	data map[string]string
	n    int
}

func (a *applied) apply(k, v []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	if v == nil {
		delete(a.data, string(k))
		return
	}
	a.data[string(k)] = string(v)
}

func (a *applied) get(k string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.data[k]
	return v, ok
}

func TestLogReadYourWrites(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	createTopic(t, addrs, "log", 3)
	client := newClient(t, addrs)
	// Warm the client's own connection to the leader so that the goroutine
	// count below only measures the logs.
	if _, err := kafka.Offsets(client, "log", []int32{0, 1, 2}, sarama.OffsetNewest); err != nil {
		t.Fatal(err)
	}
	goroutines := runtime.NumGoroutine()

	a := &applied{data: map[string]string{}}
	l := NewLog(client, "log", a.apply)
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := l.Send(ctx, fmt.Appendf(nil, "k%d", i%7), fmt.Appendf(nil, "v%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Send(ctx, []byte("k0"), nil); err != nil {
		t.Fatal(err)
	}
	if err := l.ReadToEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.get("k0"); ok {
		t.Error("tombstone not applied")
	}
	if v, _ := a.get("k6"); v != "v13" {
		t.Errorf("k6 = %q, want v13", v)
	}
	// A record written by someone else is picked up by the tail loop.
	produceRaw(t, addrs, "log", []Record{{[]byte("other"), []byte("x")}})
	if err := l.ReadToEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.get("other"); v != "x" {
		t.Errorf("external record not applied: %q", v)
	}

	// A second log replays everything from the beginning at Start.
	b := &applied{data: map[string]string{}}
	l2 := NewLog(client, "log", b.apply)
	if err := l2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if b.n != 22 || len(b.data) != len(a.data) {
		t.Errorf("replay applied %d records, %d keys; want 22, %d", b.n, len(b.data), len(a.data))
	}
	for _, lg := range []*Log{l, l2} {
		if err := lg.Stop(); err != nil {
			t.Error(err)
		}
	}
	if err := l.Send(ctx, []byte("k"), []byte("v")); err == nil {
		t.Error("Send after Stop succeeded")
	}
	// The producers' and fetchers' goroutines are gone (sarama needs a moment).
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Stop, %d before Start\n%s", n, goroutines, buf[:runtime.Stack(buf, true)])
	}
}

func TestLogStartUnknownTopicFails(t *testing.T) {
	ctx := testCtx(t)
	addrs := cluster(t)
	client := newClient(t, addrs) // auto topic creation is on in client and broker
	l := NewLog(client, "missing", func(k, v []byte) {})
	if err := l.Start(ctx); err == nil || !strings.Contains(err.Error(), "does not exist") {
		l.Stop()
		t.Fatalf("Start on a missing topic: %v", err)
	}
	if topics, _ := client.Topics(); slices.Contains(topics, "missing") {
		t.Error("Start created the topic")
	}
}
