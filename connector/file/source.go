package file

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/data"
)

const (
	// Offset fields, as FileStreamSourceTask names them.
	filenameField = "filename"
	positionField = "position"
	// pollWait is how long Poll waits when the file has nothing new (Kafka
	// waits one second).
	pollWait = time.Second
	readSize = 64 << 10
)

// fileOffset is a record's source offset: the byte position after its line.
type fileOffset struct {
	Position int64 `json:"position"`
}

type sourceTask struct {
	log       *slog.Logger
	tc        connector.SourceTaskContext
	filename  string
	topic     string
	batchSize int
	partition *connector.SourcePartition
	wait      time.Duration

	f     *os.File
	buf   []byte // read but not yet emitted bytes are buf[start:]
	start int
	pos   int64 // file position of buf[start]
}

func newSourceTask() *sourceTask { return &sourceTask{wait: pollWait} }

func (t *sourceTask) Start(_ context.Context, tc connector.SourceTaskContext, props map[string]string) error {
	v, err := sourceDef().Parse(props)
	if err != nil {
		return err
	}
	t.filename, t.topic, t.batchSize = v.String(KeyFile), v.String(KeyTopic), v.Int(KeyBatchSize)
	if t.filename == "" {
		return errStdin
	}
	t.tc, t.log = tc, tc.Logger()
	t.partition = connector.NewSourcePartition(map[string]any{filenameField: t.filename})
	return nil
}

// open opens the file and seeks to the committed position. A missing file
// is not an error: Kafka waits for it to be created.
func (t *sourceTask) open(ctx context.Context) (bool, error) {
	f, err := os.Open(t.filename)
	if errors.Is(err, fs.ErrNotExist) {
		t.log.Warn("Couldn't find file for FileStreamSourceTask, sleeping to wait for it to be created", "file", t.filename)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("file source: open %s: %w", t.filename, err)
	}
	off, err := t.tc.Offset(ctx, t.partition)
	if err != nil {
		f.Close()
		return false, fmt.Errorf("file source: read offset: %w", err)
	}
	pos, err := offsetPosition(off)
	if err != nil {
		f.Close()
		return false, err
	}
	if pos > 0 {
		if _, err := f.Seek(pos, io.SeekStart); err != nil {
			f.Close()
			return false, fmt.Errorf("file source: seek %s to %d: %w", t.filename, pos, err)
		}
		t.log.Debug("Skipped to previous offset", "file", t.filename, "position", pos)
	}
	t.f, t.pos, t.buf, t.start = f, pos, make([]byte, 0, readSize), 0
	return true, nil
}

// offsetPosition reads "position" from a committed offset, which arrives
// decoded from JSON.
func offsetPosition(off map[string]any) (int64, error) {
	switch p := off[positionField].(type) {
	case nil:
		return 0, nil
	case float64:
		return int64(p), nil
	case int64:
		return p, nil
	case int:
		return int64(p), nil
	case json.Number:
		return p.Int64()
	}
	return 0, errors.New("Offset position is the incorrect type")
}

// Poll returns up to batch.size complete lines. With none available it waits
// a second (or until ctx is done) and returns an empty batch.
func (t *sourceTask) Poll(ctx context.Context) ([]connector.SourceRecord, error) {
	if t.f == nil {
		ok, err := t.open(ctx)
		if err != nil || !ok {
			sleep(ctx, t.wait)
			return nil, err
		}
	}
	var records []connector.SourceRecord
	now := time.Now()
	for len(records) < t.batchSize {
		line, n, ok := nextLine(t.buf[t.start:])
		if !ok {
			more, err := t.fill()
			if err != nil {
				return records, err
			}
			if !more {
				break
			}
			continue
		}
		t.start += n
		t.pos += int64(n)
		records = append(records, connector.SourceRecord{
			Record: connector.Record{Topic: t.topic, Partition: connector.NoPartition,
				ValueSchema: data.StringSchema, Value: string(line), Timestamp: now},
			SourcePartition: t.partition,
			SourceOffset:    fileOffset{Position: t.pos},
		})
	}
	if len(records) == 0 {
		sleep(ctx, t.wait)
	}
	return records, nil
}

// fill reads more of the file into buf, reporting whether it got any.
func (t *sourceTask) fill() (bool, error) {
	if t.start > 0 { // keep only the unfinished line
		t.buf = t.buf[:copy(t.buf, t.buf[t.start:])]
		t.start = 0
	}
	if cap(t.buf)-len(t.buf) < readSize/2 {
		t.buf = slices.Grow(t.buf, readSize)
	}
	n, err := t.f.Read(t.buf[len(t.buf):cap(t.buf)])
	t.buf = t.buf[:len(t.buf)+n]
	if err != nil && !errors.Is(err, io.EOF) {
		return n > 0, fmt.Errorf("file source: read %s: %w", t.filename, err)
	}
	return n > 0, nil
}

// nextLine finds the first line ending in \n, \r\n or \r. A \r at the end of
// the data may start \r\n, so it waits for the next byte, as Kafka does.
func nextLine(b []byte) (line []byte, consumed int, ok bool) {
	i := bytes.IndexAny(b, "\r\n")
	switch {
	case i < 0:
		return nil, 0, false
	case b[i] == '\n':
		return b[:i], i + 1, true
	case i+1 >= len(b):
		return nil, 0, false
	case b[i+1] == '\n':
		return b[:i], i + 2, true
	}
	return b[:i], i + 1, true
}

func sleep(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

func (t *sourceTask) Stop() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}
