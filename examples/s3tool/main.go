// Command s3tool is the demo's small S3 client (scripts/demo.sh): it creates
// the bucket and downloads what the S3 sink wrote, because DuckDB here reads
// local files, not s3:// URLs.
//
//	s3tool [-endpoint URL] [-region R] mb BUCKET
//	s3tool [-endpoint URL] [-region R] ls BUCKET [PREFIX]
//	s3tool [-endpoint URL] [-region R] get BUCKET PREFIX DIR
//
// Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; the
// endpoint from -endpoint or AWS_ENDPOINT_URL (default http://127.0.0.1:9000).
// get writes each object to DIR/<key> and prints the keys.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "s3tool:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("s3tool", flag.ContinueOnError)
	endpoint := fs.String("endpoint", envOr("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"), "S3 endpoint")
	region := fs.String("region", envOr("AWS_REGION", "us-east-1"), "signing region")
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) < 2 {
		return errors.New("usage: s3tool [-endpoint URL] mb BUCKET | ls BUCKET [PREFIX] | get BUCKET PREFIX DIR")
	}
	cl := s3.New(s3.Options{
		Region:       *region,
		BaseEndpoint: aws.String(*endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
	})
	bucket := args[1]
	switch args[0] {
	case "mb":
		_, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket})
		var owned *types.BucketAlreadyOwnedByYou
		if err != nil && !errors.As(err, &owned) {
			return fmt.Errorf("create bucket %s: %w", bucket, err)
		}
		return nil
	case "ls", "get":
		prefix := ""
		if len(args) > 2 {
			prefix = args[2]
		}
		keys, err := list(ctx, cl, bucket, prefix)
		if err != nil {
			return err
		}
		if args[0] == "get" {
			if len(args) != 4 {
				return errors.New("usage: s3tool get BUCKET PREFIX DIR")
			}
			for _, k := range keys {
				if err := download(ctx, cl, bucket, k, args[3]); err != nil {
					return err
				}
			}
		}
		for _, k := range keys {
			fmt.Fprintln(out, k)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func list(ctx context.Context, cl *s3.Client, bucket, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

func download(ctx context.Context, cl *s3.Client, bucket, key, dir string) error {
	if strings.Contains(key, "..") {
		return fmt.Errorf("refusing key %q", key)
	}
	obj, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("get %s/%s: %w", bucket, key, err)
	}
	defer obj.Body.Close()
	path := filepath.Join(dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, obj.Body); err != nil {
		f.Close()
		return fmt.Errorf("get %s/%s: %w", bucket, key, err)
	}
	return f.Close()
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
