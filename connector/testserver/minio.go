package testserver

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MinIOInstall is the command that puts the pinned MinIO binary into the tools cache.
const MinIOInstall = "GOBIN=$WHARF_TOOLS go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"

// Fixed root credentials of every test MinIO.
const (
	MinIOAccessKey = "wharfadmin"
	MinIOSecretKey = "wharfsecret123"
	MinIORegion    = "us-east-1"
)

// S3 is a running MinIO server.
type S3 struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:41234.
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
	// Client is a path-style client with the root credentials.
	Client *s3.Client
}

// ToolsDir is where test binaries are cached: $WHARF_TOOLS, else
// /root/.cache/wharf/bin.
func ToolsDir() string {
	if d := os.Getenv("WHARF_TOOLS"); d != "" {
		return d
	}
	return "/root/.cache/wharf/bin"
}

// MinIO starts a MinIO server on a free loopback port with a private data
// directory and the fixed root credentials, and stops it (by PID) in Cleanup.
func MinIO(tb testing.TB) *S3 {
	tb.Helper()
	bin := filepath.Join(ToolsDir(), "minio")
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("testserver: MinIO binary %s missing; install it with: %s", bin, MinIOInstall)
	}
	port, console := minioPort(tb), minioPort(tb)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "server", tb.TempDir(), "--quiet", "--address", addr,
		"--console-address", "127.0.0.1:"+strconv.Itoa(console))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+MinIOAccessKey,
		"MINIO_ROOT_PASSWORD="+MinIOSecretKey, "MINIO_BROWSER=off", "MINIO_UPDATE=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("testserver: start MinIO: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	endpoint := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-done:
			tb.Fatalf("testserver: MinIO exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testserver: MinIO not live after 30s: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cl := s3.New(s3.Options{
		Region:       MinIORegion,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(MinIOAccessKey, MinIOSecretKey, ""),
	})
	return &S3{Endpoint: endpoint, AccessKey: MinIOAccessKey, SecretKey: MinIOSecretKey,
		Region: MinIORegion, Client: cl}
}

func minioPort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testserver: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// CreateBucket creates a bucket.
func (s *S3) CreateBucket(tb testing.TB, bucket string) {
	tb.Helper()
	if _, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		tb.Fatalf("testserver: create bucket %s: %v", bucket, err)
	}
}

// Keys returns the sorted keys under prefix.
func (s *S3) Keys(tb testing.TB, bucket, prefix string) []string {
	tb.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatalf("testserver: list %s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

// Get returns an object's bytes.
func (s *S3) Get(tb testing.TB, bucket, key string) []byte {
	tb.Helper()
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		tb.Fatalf("testserver: get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		tb.Fatalf("testserver: read %s/%s: %v", bucket, key, err)
	}
	return b
}

// Download copies every object under prefix into dir (keys become relative
// paths) and returns the local paths in key order. DuckDB here cannot read
// s3:// URLs, so tests read local copies.
func (s *S3) Download(tb testing.TB, bucket, prefix, dir string) []string {
	tb.Helper()
	var paths []string
	for _, k := range s.Keys(tb, bucket, prefix) {
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, s.Get(tb, bucket, k), 0o644); err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// MultipartUploads returns the keys of multipart uploads in progress.
func (s *S3) MultipartUploads(tb testing.TB, bucket string) []string {
	tb.Helper()
	out, err := s.Client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		tb.Fatalf("testserver: list multipart uploads: %v", err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	sort.Strings(keys)
	return keys
}
