package rest

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Landed data: the objects an S3 sink connector wrote, read with the
// connector's own settings. The key names are Confluent's kafka-connect-s3
// ones (connector/s3 defines them for the connector itself; the REST layer
// only reads them).
const (
	s3SinkClass = "io.confluent.connect.s3.S3SinkConnector"
	// s3Bucket is the target bucket (required).
	s3Bucket = "s3.bucket.name"
	// s3Region is the region and signing region. Default us-west-2.
	s3Region = "s3.region"
	// s3StoreURL is a custom endpoint (MinIO…); https:// when no scheme. Default: AWS.
	s3StoreURL = "store.url"
	// s3PathStyle selects path-style addressing. Default true.
	s3PathStyle = "s3.path.style.access.enabled"
	// s3AccessKey and s3SecretKey are static credentials when both are set;
	// otherwise the AWS default chain.
	s3AccessKey = "aws.access.key.id"
	s3SecretKey = "aws.secret.access.key"
	// s3TopicsDir is the top-level key prefix. Default topics.
	s3TopicsDir = "topics.dir"
	// s3DirDelim separates key path segments. Default /.
	s3DirDelim = "directory.delim"
)

const (
	defaultLanded  = 200
	maxLanded      = 1000
	maxListed      = 10000 // keys read from the bucket before sorting by time
	defaultPreview = 20
	maxPreview     = 500
	maxPreviewByte = 1 << 20
	s3Timeout      = 20 * time.Second
)

type landedObject struct {
	Key          string `json:"key"`
	Size         int64  `json:"size"`
	LastModified int64  `json:"last_modified"`
	// Records is the object's record count, null when unknown
	// (landed_count.go).
	Records *int64 `json:"records"`
}

type landedAnswer struct {
	Connector string         `json:"connector"`
	Bucket    string         `json:"bucket"`
	Prefix    string         `json:"prefix"`
	Endpoint  string         `json:"endpoint,omitempty"`
	Truncated bool           `json:"truncated"`
	Objects   []landedObject `json:"objects"`
}

type s3Target struct {
	client *s3.Client
	bucket string
	prefix string
	url    string
}

// s3Target builds a client from a connector's config, resolving config
// provider placeholders as a task start would.
func (s *Server) s3Target(ctx context.Context, name string) (*s3Target, error) {
	props, err := s.h.ConnectorConfig(name)
	if err != nil {
		return nil, err
	}
	cls := strings.TrimSpace(props["connector.class"])
	full := cls
	if s.o.Registry != nil {
		if p, ok := s.o.Registry.LookupConnector(cls); ok {
			full = p.Class
		}
	}
	if full != s3SinkClass {
		return nil, badRequest(fmt.Sprintf("Connector %s is not an S3 sink connector (connector.class %s): landed data is shown for %s only", name, cls, s3SinkClass))
	}
	if s.o.Resolve != nil {
		if props, err = s.o.Resolve(props); err != nil {
			return nil, badRequest(fmt.Sprintf("Connector %s: resolve configuration: %v", name, err))
		}
	}
	t := &s3Target{bucket: strings.TrimSpace(props[s3Bucket])}
	if t.bucket == "" {
		return nil, badRequest(fmt.Sprintf("Connector %s has no %s", name, s3Bucket))
	}
	dir, delim := "topics", "/"
	if v, ok := props[s3TopicsDir]; ok {
		dir = strings.TrimSpace(v)
	}
	if v := props[s3DirDelim]; v != "" {
		delim = v
	}
	if dir != "" {
		t.prefix = dir + delim
	}
	region := strings.TrimSpace(props[s3Region])
	if region == "" {
		region = "us-west-2"
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region), awsconfig.WithRetryMaxAttempts(1)}
	ak, sk := strings.TrimSpace(props[s3AccessKey]), strings.TrimSpace(props[s3SecretKey])
	if ak != "" && sk != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, sk, "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("S3 configuration of connector %s: %w", name, err)
	}
	if u := strings.TrimSpace(props[s3StoreURL]); u != "" {
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" {
			u = "https://" + u
		}
		t.url = u
	}
	pathStyle := !strings.EqualFold(strings.TrimSpace(props[s3PathStyle]), "false")
	t.client = s3.NewFromConfig(cfg, func(o *s3.Options) {
		if t.url != "" {
			o.BaseEndpoint = aws.String(t.url)
		}
		o.UsePathStyle = pathStyle
		// Validating checksums of partial reads only logs noise.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return t, nil
}

func s3Failed(err error) error {
	return &httpError{http.StatusBadGateway, "S3 request failed: " + err.Error()}
}

func (s *Server) landedObjects(w http.ResponseWriter, r *http.Request) {
	limit := defaultLanded
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLanded {
			writeError(w, badRequest(fmt.Sprintf("limit must be a number from 1 to %d", maxLanded)))
			return
		}
		limit = n
	}
	ctx, cancel := context.WithTimeout(r.Context(), s3Timeout)
	defer cancel()
	t, err := s.s3Target(ctx, pathName(r))
	if err != nil {
		writeError(w, err)
		return
	}
	out := landedAnswer{Connector: pathName(r), Bucket: t.bucket, Prefix: t.prefix, Endpoint: t.url, Objects: []landedObject{}}
	pages := s3.NewListObjectsV2Paginator(t.client, &s3.ListObjectsV2Input{Bucket: &t.bucket, Prefix: aws.String(t.prefix)})
	for pages.HasMorePages() && len(out.Objects) < maxListed {
		page, err := pages.NextPage(ctx)
		if err != nil {
			writeError(w, s3Failed(err))
			return
		}
		for _, o := range page.Contents {
			lo := landedObject{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size)}
			if o.LastModified != nil {
				lo.LastModified = o.LastModified.UnixMilli()
			}
			out.Objects = append(out.Objects, lo)
		}
	}
	out.Truncated = pages.HasMorePages()
	// Newest first: what an operator checks after starting a sink.
	sort.SliceStable(out.Objects, func(i, j int) bool {
		a, b := out.Objects[i], out.Objects[j]
		if a.LastModified != b.LastModified {
			return a.LastModified > b.LastModified
		}
		return a.Key > b.Key
	})
	if len(out.Objects) > limit {
		out.Objects, out.Truncated = out.Objects[:limit], true
	}
	fillRecords(ctx, t, out.Objects)
	writeJSON(w, http.StatusOK, out)
}

type previewAnswer struct {
	Key    string `json:"key"`
	Format string `json:"format"` // json, text, parquet, avro, binary
	Size   int64  `json:"size"`
	// Records is the object's record count when known (sink metadata or
	// the Parquet footer).
	Records *int64 `json:"records"`
	// Lines are the first lines of a JSON or text object.
	Lines []string `json:"lines"`
	// Rows are the first rows of a Parquet or Avro object as JSON objects
	// (null for other formats), and Schema its schema (Parquet: parquet-mr
	// notation; Avro: the writer schema's JSON).
	Rows      []json.RawMessage `json:"rows"`
	Schema    string            `json:"schema,omitempty"`
	Truncated bool              `json:"truncated"`
	Message   string            `json:"message,omitempty"`
}

// landedPreview returns the first lines of a JSON (or gzip JSON) or text
// object, or the first rows and the schema of a Parquet object (read with
// ranged GETs: the footer, then the first pages of each column, at most
// previewBudget bytes) or of an Avro container file (read from its start,
// at most previewBudget bytes). rows=N and lines=N are the same limit.
func (s *Server) landedPreview(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	lines, err := previewCount(r)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s3Timeout)
	defer cancel()
	t, err := s.s3Target(ctx, pathName(r))
	if err != nil {
		writeError(w, err)
		return
	}
	if key == "" || !strings.HasPrefix(key, t.prefix) {
		writeError(w, badRequest(fmt.Sprintf("key must name an object under %q", t.prefix)))
		return
	}
	out := previewAnswer{Key: key, Format: formatOf(key), Lines: []string{}}
	size, records, err := headObject(ctx, t, key)
	if err != nil {
		writeError(w, err)
		return
	}
	out.Size = size
	if records >= 0 {
		out.Records = ptr(records)
	}
	switch out.Format {
	case "parquet", "avro":
		out.Rows = []json.RawMessage{}
		if out.Format == "parquet" {
			err = parquetPreview(ctx, newObjectReader(ctx, t, key, size, previewBudget), &out, lines)
		} else {
			err = avroPreview(ctx, t, &out, lines)
		}
		if err != nil {
			writeError(w, previewFailed(key, err))
			return
		}
		writeJSON(w, http.StatusOK, out)
		return
	case "binary":
		out.Message = "Preview shows JSON, Parquet, Avro and text objects; download binary objects to read them"
		writeJSON(w, http.StatusOK, out)
		return
	}
	obj, err := t.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &t.bucket, Key: &key})
	if err != nil {
		writeError(w, s3Error(key, err))
		return
	}
	defer obj.Body.Close()
	if err := firstLines(&out, obj.Body, lines); err != nil {
		writeError(w, s3Failed(err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// previewCount is the lines=N or rows=N parameter (the same limit).
func previewCount(r *http.Request) (int, error) {
	lines := defaultPreview
	for _, p := range []string{"lines", "rows"} {
		v := r.URL.Query().Get(p)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPreview {
			return 0, badRequest(fmt.Sprintf("%s must be a number from 1 to %d", p, maxPreview))
		}
		lines = n
	}
	return lines, nil
}

// previewFailed keeps S3 failures as they are (404, 502); a file that is
// not readable Parquet, or needs too much reading, is a 422.
func previewFailed(key string, err error) error {
	var he *httpError
	if errors.As(err, &he) {
		return err
	}
	return &httpError{http.StatusUnprocessableEntity, fmt.Sprintf("Cannot preview %s: %v", key, err)}
}

// firstLines reads up to n lines (from at most maxPreviewByte bytes,
// gunzipped for .gz keys) into out.
func firstLines(out *previewAnswer, body io.Reader, n int) error {
	rd := io.LimitReader(body, maxPreviewByte)
	if strings.HasSuffix(out.Key, ".gz") {
		gz, err := gzip.NewReader(rd)
		if err != nil {
			return fmt.Errorf("gunzip %s: %w", out.Key, err)
		}
		rd = io.LimitReader(gz, maxPreviewByte)
	}
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), maxPreviewByte)
	for sc.Scan() {
		if len(out.Lines) == n {
			out.Truncated = true
			return nil
		}
		out.Lines = append(out.Lines, sc.Text())
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		out.Truncated = true // a line longer than the preview window
	}
	return nil
}

func s3Error(key string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "NoSuchKey") || strings.Contains(msg, "StatusCode: 404") {
		return &httpError{http.StatusNotFound, fmt.Sprintf("Object %s not found", key)}
	}
	return s3Failed(err)
}

func formatOf(key string) string {
	k := strings.TrimSuffix(key, ".gz")
	switch {
	case strings.HasSuffix(k, ".json"):
		return "json"
	case strings.HasSuffix(k, ".parquet"):
		return "parquet"
	case strings.HasSuffix(k, ".avro"):
		return "avro"
	case strings.HasSuffix(k, ".bin"):
		return "binary"
	}
	return "text"
}
