package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/wharf-project/wharf/connector"
)

// newClient builds the S3 client: BaseEndpoint from store.url, path style,
// static credentials when both keys are set (else the default chain), and
// the SDK's standard retryer with s3.part.retries retries and full-jitter
// exponential backoff from s3.retry.backoff.ms.
func newClient(ctx context.Context, s *settings) (*s3.Client, error) {
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(s.region)}
	if s.accessKey != "" && s.secretKey != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(s.accessKey, s.secretKey, "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: load AWS configuration: %w", err)
	}
	backoff := jitterBackoff{base: s.retryBackoff}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if s.endpoint != "" {
			o.BaseEndpoint = aws.String(s.endpoint)
		}
		o.UsePathStyle = s.pathStyle
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.Retryer = retry.NewStandard(func(r *retry.StandardOptions) {
			r.MaxAttempts = s.partRetries + 1
			r.Backoff = backoff
		})
	}), nil
}

// jitterBackoff is Confluent's full-jitter exponential backoff (capped at a day).
type jitterBackoff struct{ base time.Duration }

func (b jitterBackoff) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	if b.base <= 0 {
		return 0, nil
	}
	max := b.base << min(attempt, 30)
	if max > 24*time.Hour || max <= 0 {
		max = 24 * time.Hour
	}
	return time.Duration(rand.Int64N(int64(max) + 1)), nil
}

// objectStream is one object being written: bytes accumulate in a part
// buffer that grows lazily up to partSize; each full part is uploaded as a
// multipart part (the upload is created at the first full part). Nothing is
// visible until complete. Write never fails, so an encoder's state is never
// corrupted by S3: an upload failure is remembered, the data stays buffered,
// and flush/complete retry it.
type objectStream struct {
	cl          *s3.Client
	bucket, key string
	partSize    int

	ctx      context.Context // of the task call in progress
	buf      []byte
	uploadID string
	parts    []types.CompletedPart
	err      error // last upload failure, retried by flush/complete

	// ifNoneMatch completes with If-None-Match: * (conditional.go); the
	// parts' MD5s give the expected ETag when the key exists.
	ifNoneMatch bool
	partMD5     [][md5.Size]byte
	overwrote   bool // a 412 found different content, which was overwritten

	// records is the file's record count, stored as user metadata
	// (RecordsMetadata) when the object is a single PutObject; -1: unknown.
	// A multipart upload fixes its metadata at CreateMultipartUpload, before
	// the file's last record is known, so multipart objects carry none.
	records int64
}

// RecordsMetadata is the S3 user metadata key (x-amz-meta-wharf-records)
// holding the number of records of an object completed by PutObject: what
// the operator UI lists without reading the object.
const RecordsMetadata = "wharf-records"

func newObjectStream(cl *s3.Client, bucket, key string, partSize int) *objectStream {
	return &objectStream{cl: cl, bucket: bucket, key: key, partSize: partSize, ctx: context.Background(), records: -1}
}

// Write buffers p and uploads each part as it fills, so the buffer stays
// within partSize. Its error is always nil; check failed. After an upload
// failure the data keeps accumulating (it cannot be dropped) until a retry.
func (o *objectStream) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		room := o.partSize - len(o.buf)
		if o.err != nil || room <= 0 {
			room = len(p)
		}
		chunk := p[:min(room, len(p))]
		o.grow(len(chunk))
		o.buf = append(o.buf, chunk...)
		p = p[len(chunk):]
		if len(o.buf) >= o.partSize && o.err == nil {
			o.err = o.uploadFullParts()
		}
	}
	return n, nil
}

// grow makes room for n more bytes, doubling up to partSize.
func (o *objectStream) grow(n int) {
	need := len(o.buf) + n
	if need <= cap(o.buf) {
		return
	}
	c := max(2*cap(o.buf), need, 64<<10)
	if c > o.partSize && need <= o.partSize {
		c = o.partSize
	}
	nb := make([]byte, len(o.buf), c)
	copy(nb, o.buf)
	o.buf = nb
}

// uploadEarly uploads the buffer as a part, before it is full, once it
// holds the S3 minimum part size, and frees it (memory pressure). On a
// failure the data stays buffered.
func (o *objectStream) uploadEarly() error {
	if o.err != nil {
		if err := o.flush(); err != nil {
			return err
		}
	}
	if len(o.buf) < minPartSize {
		return nil
	}
	if err := o.uploadPart(o.buf); err != nil {
		return err
	}
	o.buf = nil
	return nil
}

// failed returns the pending upload failure, if any.
func (o *objectStream) failed() error { return o.err }

// flush retries uploading full parts after a failure.
func (o *objectStream) flush() error {
	if len(o.buf) >= o.partSize {
		o.err = o.uploadFullParts()
	}
	return o.err
}

func (o *objectStream) uploadFullParts() error {
	sent := 0
	for len(o.buf)-sent >= o.partSize {
		if err := o.uploadPart(o.buf[sent : sent+o.partSize]); err != nil {
			o.buf = append(o.buf[:0], o.buf[sent:]...)
			return err
		}
		sent += o.partSize
	}
	o.buf = append(o.buf[:0], o.buf[sent:]...)
	return nil
}

func (o *objectStream) uploadPart(p []byte) error {
	if o.uploadID == "" {
		out, err := o.cl.CreateMultipartUpload(o.ctx, &s3.CreateMultipartUploadInput{
			Bucket: &o.bucket, Key: &o.key})
		if err != nil {
			return fmt.Errorf("s3: create multipart upload %s: %w", o.key, err)
		}
		o.uploadID = aws.ToString(out.UploadId)
	}
	n := int32(len(o.parts) + 1)
	out, err := o.cl.UploadPart(o.ctx, &s3.UploadPartInput{Bucket: &o.bucket, Key: &o.key,
		UploadId: &o.uploadID, PartNumber: &n, Body: bytes.NewReader(p), ContentLength: aws.Int64(int64(len(p)))})
	if err != nil {
		return fmt.Errorf("s3: upload part %d of %s: %w", n, o.key, err)
	}
	o.parts = append(o.parts, types.CompletedPart{ETag: out.ETag, PartNumber: &n})
	if o.ifNoneMatch {
		o.partMD5 = append(o.partMD5, md5.Sum(p))
	}
	return nil
}

// complete makes the object visible: a single PutObject when it never
// reached a full part (one request instead of three), else the last part and
// CompleteMultipartUpload. It can be retried after a failure.
func (o *objectStream) complete() error {
	if o.uploadID == "" && len(o.buf) < o.partSize {
		return o.put()
	}
	if err := o.flush(); err != nil {
		return err
	}
	if len(o.buf) > 0 {
		if err := o.uploadPart(o.buf); err != nil {
			return err
		}
		o.buf = o.buf[:0]
	}
	in := &s3.CompleteMultipartUploadInput{Bucket: &o.bucket, Key: &o.key, UploadId: &o.uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: o.parts}}
	if o.ifNoneMatch && !o.overwrote {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := o.cl.CompleteMultipartUpload(o.ctx, in)
	if err != nil && in.IfNoneMatch != nil && preconditionFailed(err) {
		same, herr := o.conflict(o.multipartETag())
		if herr != nil {
			return herr
		}
		if same {
			o.abort(o.ctx)
			return nil
		}
		in.IfNoneMatch = nil
		_, err = o.cl.CompleteMultipartUpload(o.ctx, in)
	}
	if err != nil {
		return fmt.Errorf("s3: complete %s: %w", o.key, err)
	}
	o.uploadID, o.buf = "", nil
	return nil
}

func (o *objectStream) put() error {
	in := &s3.PutObjectInput{Bucket: &o.bucket, Key: &o.key,
		Body: bytes.NewReader(o.buf), ContentLength: aws.Int64(int64(len(o.buf)))}
	if o.records >= 0 {
		in.Metadata = map[string]string{RecordsMetadata: strconv.FormatInt(o.records, 10)}
	}
	if o.ifNoneMatch && !o.overwrote {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := o.cl.PutObject(o.ctx, in)
	if err != nil && in.IfNoneMatch != nil && preconditionFailed(err) {
		same, herr := o.conflict(putETag(o.buf))
		if herr != nil {
			return herr
		}
		if !same {
			in.IfNoneMatch, in.Body = nil, bytes.NewReader(o.buf)
			_, err = o.cl.PutObject(o.ctx, in)
		} else {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("s3: put %s: %w", o.key, err)
	}
	o.buf = nil
	return nil
}

// abort drops the object; a started multipart upload is aborted so its parts
// do not linger (and cost) in the bucket.
func (o *objectStream) abort(ctx context.Context) {
	if o.uploadID != "" {
		_, _ = o.cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &o.bucket,
			Key: &o.key, UploadId: &o.uploadID})
		o.uploadID = ""
	}
	o.buf = nil
}

// taskError turns an S3 failure into what Put returns: retriable for
// throttling, 5xx and transport errors (the SDK already retried), fatal for
// other client errors such as 403.
func taskError(err error, backoff time.Duration) error {
	if err == nil {
		return nil
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		code := re.HTTPStatusCode()
		if code >= 400 && code < 500 && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout {
			return err
		}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &connector.RetriableError{Err: err, Backoff: backoff}
}

// staleMatcher recognises keys of one partition's files: under the topic
// prefix, with a file name starting <topic><fd><partition><fd>.
type staleMatcher struct{ prefix, filePrefix, dirDelim string }

func (m staleMatcher) match(key string) bool {
	if !strings.HasPrefix(key, m.prefix) {
		return false
	}
	name := key
	if i := lastIndex(key, m.dirDelim); i >= 0 {
		name = key[i+len(m.dirDelim):]
	}
	return strings.HasPrefix(name, m.filePrefix)
}

// abortStale aborts multipart uploads left by earlier owners of the given
// partitions (crashed tasks). It lists the whole bucket once: MinIO only
// honours a prefix that is a complete key.
func abortStale(ctx context.Context, cl *s3.Client, bucket string, ms []staleMatcher) (int, error) {
	n := 0
	in := &s3.ListMultipartUploadsInput{Bucket: &bucket}
	for {
		out, err := cl.ListMultipartUploads(ctx, in)
		if err != nil {
			return n, fmt.Errorf("s3: list multipart uploads: %w", err)
		}
		for _, u := range out.Uploads {
			key := aws.ToString(u.Key)
			for _, m := range ms {
				if !m.match(key) {
					continue
				}
				if _, err := cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket,
					Key: u.Key, UploadId: u.UploadId}); err == nil {
					n++
				}
				break
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return n, nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

func lastIndex(s, sep string) int {
	if sep == "" {
		return -1
	}
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i:i+len(sep)] == sep {
			return i
		}
	}
	return -1
}
