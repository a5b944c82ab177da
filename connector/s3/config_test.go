package s3

import (
	"context"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
)

func TestPlugin(t *testing.T) {
	p := Plugin()
	if p.Class != "io.confluent.connect.s3.S3SinkConnector" || p.Type != connector.TypeSink || p.Version != Version {
		t.Fatalf("plugin = %+v", p)
	}
	reg := connector.NewRegistry(p)
	if _, ok := reg.LookupConnector("S3SinkConnector"); !ok {
		t.Fatal("alias S3SinkConnector not found")
	}
	if _, ok := p.New().(connector.SinkConnector); !ok {
		t.Fatal("not a sink connector")
	}
}

func TestConfigDefaults(t *testing.T) {
	s := mustSettings(t, nil)
	if s.region != "us-west-2" || !s.pathStyle || s.partSize != 25*1024*1024 || s.topicsDir != "topics" ||
		s.dirDelim != "/" || s.fileDelim != "+" || s.padWidth != 10 || s.nullBehavior != "fail" ||
		s.parquetCodec != "snappy" || s.compat != "NONE" || s.rotateInterval != -1 || s.rotateSchedule != -1 ||
		s.part.class != DefaultPartitioner || s.part.extractor != "Wallclock" || s.endpoint != "" {
		t.Fatalf("defaults: %+v", s)
	}
	if got := mustSettings(t, map[string]string{KeyStoreURL: "minio.local:9000"}).endpoint; got != "https://minio.local:9000" {
		t.Fatalf("endpoint = %s", got)
	}
	if got := mustSettings(t, map[string]string{KeyStoreURL: "http://127.0.0.1:9000"}).endpoint; got != "http://127.0.0.1:9000" {
		t.Fatalf("endpoint = %s", got)
	}
	// Keys of the Confluent tutorial that do not apply are accepted.
	mustSettings(t, map[string]string{"input.data.format": "JSON", "value.converter.schema.registry.url": "http://x",
		"confluent.topic.bootstrap.servers": "x:9092", "s3.credentials.provider.class": "x"})
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{KeyBucket: ""}, `Missing required configuration "s3.bucket.name" which has no default value.`},
		{map[string]string{KeyFlushSize: ""}, `Missing required configuration "flush.size" which has no default value.`},
		{map[string]string{KeyPartSize: "1000"}, "Invalid value 1000 for configuration s3.part.size: Value must be at least 5242880"},
		{map[string]string{KeyFormat: "io.confluent.connect.s3.format.orc.OrcFormat"},
			"Invalid value io.confluent.connect.s3.format.orc.OrcFormat for configuration format.class: Class io.confluent.connect.s3.format.orc.OrcFormat could not be found."},
		{map[string]string{KeyNullValues: "drop"}, "Invalid value drop for configuration behavior.on.null.values: String must be one of (case insensitive): ignore, fail, write"},
		{map[string]string{KeyParquetCodec: "xz"}, "Invalid value xz for configuration parquet.codec"},
		{map[string]string{KeyTimezone: "Mars/Olympus"}, "Invalid value Mars/Olympus for configuration timezone: The datetime zone id 'Mars/Olympus' is not recognised"},
		{map[string]string{KeyRotateSchedule: "60000"}, "Invalid value  for configuration timezone: Timezone cannot be empty when using scheduled file rotation."},
		{map[string]string{KeyPartitioner: HourlyPartitioner, KeyTimezone: "UTC"}, "Invalid value  for configuration locale: Locale cannot be empty."},
		{map[string]string{KeyPartitioner: HourlyPartitioner, KeyLocale: "en"}, "Invalid value  for configuration timezone: Timezone cannot be empty."},
		{map[string]string{KeyPartitioner: TimeBasedPartitioner, KeyLocale: "en", KeyTimezone: "UTC", KeyPathFormat: "YYYY"},
			"Invalid value -1 for configuration partition.duration.ms: Partition duration needs to be a positive."},
		{map[string]string{KeyPartitioner: TimeBasedPartitioner, KeyLocale: "en", KeyTimezone: "UTC", KeyPartitionDuration: "1000"},
			"Invalid value  for configuration path.format: Path format cannot be empty."},
		{map[string]string{KeyPartitioner: TimeBasedPartitioner, KeyLocale: "en", KeyTimezone: "UTC", KeyPartitionDuration: "1000", KeyPathFormat: "YYYY/qq"},
			"Invalid value YYYY/qq for configuration path.format: Illegal pattern component: qq"},
		{map[string]string{KeyPartitioner: FieldPartitioner}, "Invalid value  for configuration partition.field.name: Partition field name cannot be empty."},
		{map[string]string{KeyFormat: ParquetFormat, KeyCompression: "gzip"}, "Compression type gzip is not supported with format class"},
		{map[string]string{KeyFormat: ParquetFormat, KeyParquetCodec: "lzo"}, "Invalid value lzo for configuration parquet.codec"},
		{map[string]string{KeyFormat: ParquetFormat, KeyNullValues: "write"}, "for configuration store.kafka.keys: Writing null values (behavior.on.null.values=write) needs store.kafka.keys=true"},
		{map[string]string{KeyStoreKeys: "true", KeyKeysFormat: ParquetFormat}, "Invalid value io.confluent.connect.s3.format.parquet.ParquetFormat for configuration keys.format.class"},
		{map[string]string{KeyStoreHeaders: "true", KeyHeadersFormat: ByteArrayFormat}, "Invalid value io.confluent.connect.s3.format.bytearray.ByteArrayFormat for configuration headers.format.class"},
		{map[string]string{KeyParquetLayout: "arrow"}, "Invalid value arrow for configuration parquet.layout"},
		{map[string]string{KeyMemoryLimit: "-1"}, "Invalid value -1 for configuration s3.memory.limit.bytes"},
	} {
		props := map[string]string{KeyBucket: "b", KeyFormat: JSONFormat, KeyFlushSize: "1"}
		for k, v := range tc.props {
			if v == "" && (k == KeyBucket || k == KeyFlushSize) {
				delete(props, k)
				continue
			}
			props[k] = v
		}
		_, err := parseSettings(configDef(), props)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.props, err, tc.want)
		}
	}
}

func TestValidateReportsCrossKeyErrors(t *testing.T) {
	props := map[string]string{KeyBucket: "b", KeyFormat: JSONFormat, KeyFlushSize: "1", KeyRotateSchedule: "1000"}
	res := New().Validate(context.Background(), props)
	if len(res) != 1 || res[0].Name != KeyTimezone || len(res[0].Errors) != 1 {
		t.Fatalf("results = %+v", res)
	}
	if n := config.ErrorCount(New().Config().Validate(map[string]string{})); n != 3 {
		t.Fatalf("missing required keys: %d errors", n)
	}
}
