package logs

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLevelsByNamespace(t *testing.T) {
	lv := NewLevels(slog.LevelInfo)
	var out strings.Builder
	hub := NewHub(&out, lv)
	worker := hub.Logger("org.apache.kafka.connect.runtime.Worker")
	dbz := hub.Logger("io.debezium.connector.postgresql.PostgresConnector")

	worker.Debug("hidden")
	dbz.Debug("hidden too")
	affected, err := lv.Set("io.debezium", "debug")
	if err != nil {
		t.Fatal(err)
	}
	if len(affected) != 2 || affected[0] != "io.debezium" || affected[1] != "io.debezium.connector.postgresql.PostgresConnector" {
		t.Fatalf("affected %v", affected)
	}
	dbz.Debug("visible", "lsn", 42)
	worker.Debug("still hidden")
	got := out.String()
	if strings.Contains(got, "hidden") || !strings.Contains(got, "DEBUG visible lsn=42 (io.debezium.connector.postgresql.PostgresConnector)") {
		t.Fatalf("log output:\n%s", got)
	}
	if e, ok := lv.Get("io.debezium.connector.postgresql.PostgresConnector"); !ok || e.Level != "DEBUG" || e.LastModified == 0 {
		t.Fatalf("entry %+v %v", e, ok)
	}
	if _, ok := lv.Get("com.unknown"); ok {
		t.Fatal("unknown logger found")
	}
	if e, _ := lv.Get("ROOT"); e.Level != "INFO" {
		t.Fatalf("root %+v", e)
	}
	if _, err := lv.Set("root", "LOUD"); err == nil || err.Error() != "invalid log level 'LOUD'" {
		t.Fatalf("bad level error %v", err)
	}
}

func TestTailAndSubscribe(t *testing.T) {
	hub := NewHub(&strings.Builder{}, NewLevels(slog.LevelInfo))
	sub := hub.Subscribe("c1", 0)
	defer sub.Close()
	l := hub.Logger("x")
	l.With("connector", "c1").Info("connector line")
	l.With("connector", "c1", "task", 0).Info("task line", "n", 1)
	l.With("connector", "c2", "task", 0).Info("other connector")
	for i := 0; i < ringSize+10; i++ {
		l.With("connector", "c3").Info("flood")
	}

	all := hub.Tail("c1", -1, 0)
	if len(all) != 2 || all[0].Message != "connector line" || all[1].Task != 0 {
		t.Fatalf("connector tail %+v", all)
	}
	task := hub.Tail("c1", 0, 0)
	if len(task) != 1 || !strings.Contains(task[0].Text, "[c1|task-0] task line n=1") {
		t.Fatalf("task tail %+v", task)
	}
	if n := len(hub.Tail("c3", -1, 0)); n != ringSize {
		t.Fatalf("ring kept %d lines, want %d", n, ringSize)
	}
	if n := len(hub.Tail("c3", -1, 5)); n != 5 {
		t.Fatalf("tail 5 gave %d", n)
	}
	select {
	case got := <-sub.C:
		if got.Message != "task line" {
			t.Fatalf("subscription got %+v", got)
		}
	case <-time.After(time.Second):
		t.Fatal("subscription got nothing")
	}
	select {
	case got := <-sub.C:
		t.Fatalf("subscription for task 0 of c1 got %+v", got)
	default:
	}
	hub.Forget("c1")
	if len(hub.Tail("c1", -1, 0)) != 0 {
		t.Fatal("Forget kept lines")
	}
}
