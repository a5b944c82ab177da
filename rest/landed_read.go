package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Reading landed objects without downloading them whole: Parquet previews
// and footers are read with ranged GETs, cached, within a byte budget.
const (
	// rangeReadAhead is the least a ranged GET fetches: Parquet reads a
	// column chunk's pages in small pieces.
	rangeReadAhead = 256 << 10
	// previewTail is fetched first for a Parquet preview: the footer, and
	// the whole object when it is small (one request).
	previewTail = 1 << 20
	// previewBudget caps the bytes a Parquet preview fetches: the footer and
	// the first pages of every column of the first row group(s). A file
	// whose first rows need more (very wide rows, huge pages) is refused.
	previewBudget = 64 << 20
	// countTail is fetched to read a Parquet footer's row count; footers
	// larger than that cost one more request.
	countTail = 64 << 10
	// countBudget caps the bytes fetched to count one object's records.
	countBudget = 4 << 20
)

var errBudget = errors.New("read budget exhausted")

// objectReader is an io.ReaderAt and io.Seeker over an S3 object of known
// size, backed by ranged GETs whose results it keeps.
type objectReader struct {
	ctx     context.Context
	t       *s3Target
	key     string
	size    int64
	pos     int64
	segs    []segment // sorted by off, not overlapping
	fetched int64
	budget  int64
}

type segment struct {
	off int64
	b   []byte
}

func newObjectReader(ctx context.Context, t *s3Target, key string, size, budget int64) *objectReader {
	return &objectReader{ctx: ctx, t: t, key: key, size: size, budget: budget}
}

func (r *objectReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += r.pos
	case io.SeekEnd:
		off += r.size
	default:
		return r.pos, fmt.Errorf("seek: bad whence %d", whence)
	}
	if off < 0 {
		return r.pos, fmt.Errorf("seek: negative position %d", off)
	}
	r.pos = off
	return off, nil
}

func (r *objectReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.size {
		return 0, io.EOF
	}
	want := int(min(int64(len(p)), r.size-off))
	n := 0
	for n < want {
		cur := off + int64(n)
		if s := r.find(cur); s != nil {
			n += copy(p[n:want], s.b[cur-s.off:])
			continue
		}
		end := min(r.size, cur+max(int64(want-n), rangeReadAhead))
		if next := r.next(cur); next != nil && next.off < end {
			end = next.off // up to what is cached already: segments never overlap
		}
		if err := r.fetch(cur, end); err != nil {
			return n, err
		}
	}
	if want < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// find returns the segment holding off.
func (r *objectReader) find(off int64) *segment {
	i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].off+int64(len(r.segs[i].b)) > off })
	if i < len(r.segs) && r.segs[i].off <= off {
		return &r.segs[i]
	}
	return nil
}

// next returns the first segment starting after off.
func (r *objectReader) next(off int64) *segment {
	i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].off > off })
	if i < len(r.segs) {
		return &r.segs[i]
	}
	return nil
}

// fetch reads bytes [from, to), which no segment holds, with one ranged GET.
func (r *objectReader) fetch(from, to int64) error {
	if to <= from {
		return nil
	}
	if r.fetched+(to-from) > r.budget {
		return fmt.Errorf("%s: %w (%d MiB)", r.key, errBudget, r.budget>>20)
	}
	rng := fmt.Sprintf("bytes=%d-%d", from, to-1)
	out, err := r.t.client.GetObject(r.ctx, &s3.GetObjectInput{Bucket: &r.t.bucket, Key: &r.key, Range: &rng})
	if err != nil {
		return s3Error(r.key, err)
	}
	defer out.Body.Close()
	b := make([]byte, to-from)
	if _, err := io.ReadFull(out.Body, b); err != nil {
		return s3Failed(fmt.Errorf("read %s %s: %w", r.key, rng, err))
	}
	r.fetched += to - from
	i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].off > from })
	r.segs = append(r.segs, segment{})
	copy(r.segs[i+1:], r.segs[i:])
	r.segs[i] = segment{off: from, b: b}
	return nil
}

// headObject returns an object's size and its record count from the sink's
// metadata (-1 when absent).
func headObject(ctx context.Context, t *s3Target, key string) (size, records int64, err error) {
	head, err := t.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &t.bucket, Key: &key})
	if err != nil {
		return 0, -1, s3Error(key, err)
	}
	return aws.ToInt64(head.ContentLength), recordsOf(head.Metadata), nil
}
