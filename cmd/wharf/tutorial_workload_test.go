package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// workload is a seeded random mix of inserts, updates, deletes and
// primary-key changes over the tutorial's tables, in transactions of one to
// four statements. It mirrors the tables' keys to pick statements that each
// change exactly one row, so it knows how many change events Debezium must
// emit.
type workload struct {
	rng         *rand.Rand
	keys        map[string]map[string]bool // table → live keys
	expected    int                        // change events (snapshot reads included)
	expectedPer map[string]int
}

var (
	workloadNames  = []string{"Alice", "Bob", "O'Brien", "Zoë", "José", `Back\slash`, "", "Ng", "Ångström", "Li \"Lee\""}
	workloadCities = []string{"Boston", "Austin", "Denver", "Seattle", "São Paulo", "Zürich", "New York"}
	workloadStates = []string{"MA", "TX", "CO", "WA", "SP", "ZH", "NY"}
)

func newWorkload(seed uint64) *workload {
	return &workload{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		keys: map[string]map[string]bool{}, expectedPer: map[string]int{}}
}

// loadInitial reads the rows present before the connector starts: each
// becomes one snapshot read.
func (w *workload) loadInitial(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, tbl := range tutorialTables {
		w.keys[tbl] = map[string]bool{}
		rows, err := conn.Query(ctx, "SELECT custkey FROM burst_bank."+tbl)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			w.keys[tbl][k] = true
			w.count(tbl, 1)
		}
		rows.Close()
	}
}

func (w *workload) count(tbl string, n int) { w.expected += n; w.expectedPer[tbl] += n }

// run applies n transactions, reporting each one's number on progress; after
// the transactions in pause it waits for resume.
func (w *workload) run(dsn string, n int, progress chan<- int, pause map[int]bool, resume <-chan struct{}) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for i := 1; i <= n; i++ {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		for s := 1 + w.rng.IntN(4); s > 0; s-- {
			if err := w.statement(ctx, tx); err != nil {
				tx.Rollback(ctx)
				return fmt.Errorf("transaction %d: %w", i, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		progress <- i
		if pause[i] {
			<-resume
		}
		time.Sleep(time.Duration(w.rng.IntN(40)) * time.Millisecond)
	}
	return nil
}

// statement applies one statement that changes exactly one row.
func (w *workload) statement(ctx context.Context, tx pgx.Tx) error {
	tbl := tutorialTables[w.rng.IntN(len(tutorialTables))]
	live := w.keys[tbl]
	q := "burst_bank." + tbl
	op := w.rng.IntN(100)
	if len(live) < 5 {
		op = 0
	}
	switch {
	case op < 35: // insert, possibly a key deleted earlier
		k := w.freeKey(live)
		f, c, s, fico, reg := w.values()
		if _, err := tx.Exec(ctx, "INSERT INTO "+q+" VALUES ($1, $2, $3, $4, $5, $6)", k, f, c, s, fico, reg); err != nil {
			return err
		}
		live[k] = true
		w.count(tbl, 1)
	case op < 75: // update non-key columns, sometimes twice in a row
		k := w.liveKey(live)
		for r := 1 + w.rng.IntN(2); r > 0; r-- {
			f, c, s, fico, reg := w.values()
			if _, err := tx.Exec(ctx, "UPDATE "+q+" SET first_name = $2, city = $3, state = $4, fico = $5, registration_date = $6 WHERE custkey = $1",
				k, f, c, s, fico, reg); err != nil {
				return err
			}
			w.count(tbl, 1)
		}
	case op < 90: // delete
		k := w.liveKey(live)
		if _, err := tx.Exec(ctx, "DELETE FROM "+q+" WHERE custkey = $1", k); err != nil {
			return err
		}
		delete(live, k)
		w.count(tbl, 1)
	default: // primary-key change: Debezium emits a delete and a create
		old, k := w.liveKey(live), w.freeKey(live)
		if _, err := tx.Exec(ctx, "UPDATE "+q+" SET custkey = $2, fico = coalesce(fico, 0) + 1 WHERE custkey = $1", old, k); err != nil {
			return err
		}
		delete(live, old)
		live[k] = true
		w.count(tbl, 2)
	}
	return nil
}

// freeKey picks an unused key from a pool of 300, so keys come back after
// deletes.
func (w *workload) freeKey(live map[string]bool) string {
	for {
		k := fmt.Sprintf("K%02d", w.rng.IntN(100))
		if w.rng.IntN(3) == 0 {
			k = fmt.Sprintf("%c%02d", 'P'+rune(w.rng.IntN(2)), w.rng.IntN(100))
		}
		if !live[k] {
			return k
		}
	}
}

// liveKey picks an existing key (from the sorted keys, so that the seed
// alone decides).
func (w *workload) liveKey(live map[string]bool) string {
	keys := make([]string, 0, len(live))
	for k := range live {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[w.rng.IntN(len(keys))]
}

// values returns a row's non-key columns, with NULLs and dates before 1970.
func (w *workload) values() (first, city, state *string, fico *int32, reg *time.Time) {
	pick := func(s []string) *string { v := s[w.rng.IntN(len(s))]; return &v }
	first, city, state = pick(workloadNames), pick(workloadCities), pick(workloadStates)
	if w.rng.IntN(10) == 0 {
		city = nil
	}
	if w.rng.IntN(20) == 0 {
		first = nil
	}
	if w.rng.IntN(10) != 0 {
		v := int32(300 + w.rng.IntN(551))
		fico = &v
	}
	if w.rng.IntN(20) != 0 {
		d := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, w.rng.IntN(76*365))
		reg = &d
	}
	return first, city, state, fico, reg
}
