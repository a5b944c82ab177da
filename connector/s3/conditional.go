package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// condProbe remembers, per connector instance, whether the store honours
// If-None-Match: * (AWS S3 since 2024, recent MinIO; many S3-compatible
// stores ignore it, which would make a conditional write silently
// unconditional).
type condProbe struct {
	once sync.Once
	ok   bool
	err  error
}

// supported probes the store once: a fresh key is put twice with
// If-None-Match: *, and the store supports conditional writes when the
// second put fails with 412. The probe object is deleted.
func (p *condProbe) supported(ctx context.Context, cl *s3.Client, bucket string) (bool, error) {
	p.once.Do(func() { p.ok, p.err = probeConditional(ctx, cl, bucket) })
	return p.ok, p.err
}

func probeConditional(ctx context.Context, cl *s3.Client, bucket string) (bool, error) {
	var id [8]byte
	_, _ = rand.Read(id[:])
	key := ".wharf/conditional-write-probe-" + hex.EncodeToString(id[:])
	put := func() error {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(nil),
			ContentLength: aws.Int64(0), IfNoneMatch: aws.String("*")})
		return err
	}
	if err := put(); err != nil {
		return false, fmt.Errorf("s3: probe conditional writes: %w", err)
	}
	defer func() {
		_, _ = cl.DeleteObject(context.WithoutCancel(ctx), &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	}()
	err := put()
	switch {
	case err == nil:
		return false, nil // the header was ignored
	case preconditionFailed(err):
		return true, nil
	}
	return false, fmt.Errorf("s3: probe conditional writes: %w", err)
}

func preconditionFailed(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}

// conflict handles a 412 on completing o: the key exists. When the
// existing object has the ETag o's content gets (a replay of an identical
// file) the write is done; otherwise the replay cut the file elsewhere
// (scheduled or early rotation) and o overwrites it, which loses nothing
// (the replay rewrites every record from the committed offset) but may
// leave records of the earlier run's later files duplicated.
func (o *objectStream) conflict(etag string) (same bool, err error) {
	out, err := o.cl.HeadObject(o.ctx, &s3.HeadObjectInput{Bucket: &o.bucket, Key: &o.key})
	if err != nil {
		return false, fmt.Errorf("s3: head %s after 412: %w", o.key, err)
	}
	if strings.Trim(aws.ToString(out.ETag), `"`) == etag {
		return true, nil
	}
	o.overwrote = true
	return false, nil
}

// putETag is S3's ETag of a single-part object: the MD5 of its bytes.
func putETag(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}

// multipartETag is S3's ETag of a multipart object: the MD5 of the parts'
// MD5s, then "-<parts>".
func (o *objectStream) multipartETag() string {
	h := md5.New()
	for _, s := range o.partMD5 {
		h.Write(s[:])
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(o.partMD5))
}
