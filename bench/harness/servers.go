package harness

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/wharf-project/wharf/connector/testserver"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/schemaregistry"
)

// Kafka is an in-process kfake broker in the orchestrator, reached by the
// children over TCP, and the Schema Registry the AvroConverter measurements
// use (Wharf's embedded one, storing schemas in the broker).
type Kafka struct {
	c     *kfake.Cluster
	Addrs []string
	// RegistryURL is the Schema Registry's address once StartRegistry ran.
	RegistryURL string
	stopReg     func()
}

// StartKafka starts one kfake broker on a loopback port with auto topic
// creation (one partition per topic).
func StartKafka() (*Kafka, error) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	if err != nil {
		return nil, fmt.Errorf("start kfake: %w", err)
	}
	return &Kafka{c: c, Addrs: c.ListenAddrs()}, nil
}

// Close stops the registry and the broker.
func (k *Kafka) Close() {
	if k.stopReg != nil {
		k.stopReg()
	}
	k.c.Close()
}

// StartRegistry serves Wharf's Schema Registry on a loopback port, with its
// schemas in the broker, and sets RegistryURL.
func (k *Kafka) StartRegistry(ctx context.Context) error {
	cfg := sarama.NewConfig()
	cfg.Version = kafka.ProtocolVersion()
	cl, err := sarama.NewClient(k.Addrs, cfg)
	if err != nil {
		return err
	}
	srv, err := schemaregistry.NewServer(schemaregistry.ServerOptions{Client: cl})
	if err == nil {
		err = srv.Start(ctx)
	}
	if err != nil {
		cl.Close()
		return fmt.Errorf("schema registry: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Stop()
		cl.Close()
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = hs.Serve(ln) }()
	k.RegistryURL = "http://" + ln.Addr().String()
	k.stopReg = func() {
		_ = hs.Close()
		<-done
		srv.Stop()
		cl.Close()
	}
	return nil
}

// DeleteTopics drops topics (and their records, which kfake keeps in the
// orchestrator's memory).
func (k *Kafka) DeleteTopics(topics ...string) error {
	cfg := sarama.NewConfig()
	cfg.Version = kafka.ProtocolVersion()
	admin, err := sarama.NewClusterAdmin(k.Addrs, cfg)
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, t := range topics {
		if err := admin.DeleteTopic(t); err != nil && err != sarama.ErrUnknownTopicOrPartition {
			return fmt.Errorf("delete topic %s: %w", t, err)
		}
	}
	return nil
}

// HighWater returns the end offset of partition 0 of topic.
func (k *Kafka) HighWater(topic string) (int64, error) {
	cfg := sarama.NewConfig()
	cfg.Version = kafka.ProtocolVersion()
	cl, err := sarama.NewClient(k.Addrs, cfg)
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	return cl.GetOffset(topic, 0, sarama.OffsetNewest)
}

// First returns the key and value of the first record of partition 0 of topic.
func (k *Kafka) First(topic string) (key, value []byte, err error) {
	cfg := sarama.NewConfig()
	cfg.Version = kafka.ProtocolVersion()
	c, err := sarama.NewConsumer(k.Addrs, cfg)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, nil, err
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		return m.Key, m.Value, nil
	case err := <-pc.Errors():
		return nil, nil, err
	case <-time.After(30 * time.Second):
		return nil, nil, fmt.Errorf("no record in %s", topic)
	}
}

// MinIO is a MinIO server process with a private data directory.
type MinIO struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
	Client    *s3.Client
	cmd       *exec.Cmd
	done      chan struct{}
	dir       string
}

// StartMinIO starts the MinIO binary of the tools cache
// (testserver.ToolsDir) on a free loopback port.
func StartMinIO() (*MinIO, error) {
	bin := filepath.Join(testserver.ToolsDir(), "minio")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("MinIO binary %s missing; install it with: %s", bin, testserver.MinIOInstall)
	}
	dir, err := os.MkdirTemp("", "wharf-bench-minio-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	console, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "server", dir, "--quiet", "--address", addr, "--console-address", "127.0.0.1:"+strconv.Itoa(console))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+testserver.MinIOAccessKey,
		"MINIO_ROOT_PASSWORD="+testserver.MinIOSecretKey, "MINIO_BROWSER=off", "MINIO_UPDATE=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	m := &MinIO{Endpoint: "http://" + addr, AccessKey: testserver.MinIOAccessKey, SecretKey: testserver.MinIOSecretKey,
		Region: testserver.MinIORegion, cmd: cmd, done: make(chan struct{}), dir: dir}
	go func() { _ = cmd.Wait(); close(m.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(m.Endpoint + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-m.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("MinIO exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			m.Close()
			return nil, fmt.Errorf("MinIO not live after 30s: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.Client = s3.New(s3.Options{Region: m.Region, BaseEndpoint: aws.String(m.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, "")})
	return m, nil
}

// CreateBucket creates a bucket.
func (m *MinIO) CreateBucket(ctx context.Context, bucket string) error {
	_, err := m.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket})
	return err
}

// ObjectBytes returns the number and total size of the objects under prefix.
func (m *MinIO) ObjectBytes(ctx context.Context, bucket, prefix string) (int, int64, error) {
	n, size := 0, int64(0)
	p := s3.NewListObjectsV2Paginator(m.Client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, 0, err
		}
		for _, o := range page.Contents {
			n++
			size += aws.ToInt64(o.Size)
		}
	}
	return n, size, nil
}

// Close stops MinIO (SIGTERM to its own pid, then SIGKILL) and removes its data.
func (m *MinIO) Close() {
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
	}
	os.RemoveAll(m.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
