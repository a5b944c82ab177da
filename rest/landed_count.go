package rest

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Record counts of listed objects. The S3 sink stores the count of each
// object it completes by PutObject as user metadata (connector/s3
// RecordsMetadata), which a HEAD returns. Objects without it (multipart
// objects, objects written by Confluent's connector) are counted on
// demand: a Parquet footer's row count (one or two ranged GETs), or the
// lines of a JSON object of at most countBudget bytes, within
// listCountBudget bytes per listing. Anything else is unknown (null).
const (
	// recordsMetadata is connector/s3.RecordsMetadata (x-amz-meta-wharf-records).
	recordsMetadata = "wharf-records"
	// countWorkers bounds the concurrent HEAD and count requests of a listing.
	countWorkers = 8
	// listCountBudget caps the bytes one listing reads to count records of
	// objects without the metadata.
	listCountBudget = 64 << 20
	// maxGunzipped bounds the bytes a gzipped JSON object is counted through.
	maxGunzipped = 256 << 20
)

// recordsOf returns the record count in an object's user metadata, or -1.
func recordsOf(meta map[string]string) int64 {
	for k, v := range meta {
		if strings.EqualFold(k, recordsMetadata) {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
				return n
			}
		}
	}
	return -1
}

// countBudgetLeft is the listing's shared byte allowance for counting.
type countBudgetLeft struct {
	mu   sync.Mutex
	left int64
}

func (c *countBudgetLeft) take(n int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.left {
		return false
	}
	c.left -= n
	return true
}

// fillRecords sets the record count of each listed object it can find
// before ctx ends; failures leave the count unknown (the listing matters
// more than the counts).
func fillRecords(ctx context.Context, t *s3Target, objs []landedObject) {
	budget := &countBudgetLeft{left: listCountBudget}
	sem := make(chan struct{}, countWorkers)
	var wg sync.WaitGroup
	for i := range objs {
		o := &objs[i]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if n := countRecords(ctx, t, o.Key, o.Size, budget); n >= 0 {
				o.Records = ptr(n)
			}
		}()
	}
	wg.Wait()
}

// countRecords returns an object's record count, or -1 when unknown.
func countRecords(ctx context.Context, t *s3Target, key string, size int64, budget *countBudgetLeft) int64 {
	_, n, err := headObject(ctx, t, key)
	if err != nil || n >= 0 {
		return n
	}
	switch formatOf(key) {
	case "parquet":
		if size < 12 || !budget.take(min(size, countTail)) {
			return -1
		}
		n, err := parquetRecords(ctx, t, key, size)
		if err != nil {
			return -1
		}
		return n
	case "json":
		if size > countBudget || !budget.take(size) {
			return -1
		}
		n, err := countLines(ctx, t, key)
		if err != nil {
			return -1
		}
		return n
	}
	return -1
}

// countLines counts the records of a JSON object (one per line, gzipped
// for .gz keys).
func countLines(ctx context.Context, t *s3Target, key string) (int64, error) {
	obj, err := t.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &t.bucket, Key: &key})
	if err != nil {
		return -1, err
	}
	defer obj.Body.Close()
	var rd io.Reader = io.LimitReader(obj.Body, countBudget)
	if strings.HasSuffix(key, ".gz") {
		gz, err := gzip.NewReader(rd)
		if err != nil {
			return -1, err
		}
		rd = gz
	}
	var n, total int64
	var last byte = '\n'
	buf := make([]byte, 64<<10)
	for {
		k, err := rd.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		if k > 0 {
			last = buf[k-1]
		}
		if total += int64(k); total > maxGunzipped {
			return -1, fmt.Errorf("%s: more than %d MiB gunzipped", key, maxGunzipped>>20)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return -1, err
		}
	}
	if last != '\n' {
		n++ // a last line without a newline
	}
	return n, nil
}
