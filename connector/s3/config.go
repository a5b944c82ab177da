package s3

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wharf-project/wharf/connector/config"
)

// Configuration keys. Defaults and meanings are Confluent's
// kafka-connect-s3 10.5.x (S3SinkConnectorConfig, StorageSinkConnectorConfig,
// StorageCommonConfig, PartitionerConfig) unless a comment says otherwise.
const (
	// KeyBucket is the target bucket (required).
	KeyBucket = "s3.bucket.name"
	// KeyRegion is the AWS region, also the signing region with store.url. Default us-west-2.
	KeyRegion = "s3.region"
	// KeyStoreURL is a custom endpoint (MinIO, Ceph…); https:// is prepended
	// when it has no scheme. Default null (AWS).
	KeyStoreURL = "store.url"
	// KeyPathStyle selects path-style addressing. Default true.
	KeyPathStyle = "s3.path.style.access.enabled"
	// KeyAccessKey and KeySecretKey are static credentials, used only when
	// both are non-blank; otherwise the AWS default chain (env, shared config…).
	KeyAccessKey = "aws.access.key.id"
	KeySecretKey = "aws.secret.access.key"
	// KeyStorageClass must name S3Storage; accepted and otherwise ignored.
	// Confluent requires it; Wharf defaults it.
	KeyStorageClass = "storage.class"
	// KeyFormat is the output format class (required).
	KeyFormat = "format.class"
	// KeyFlushSize is the number of records per Kafka partition (over all its
	// open files) after which every open file is committed (required).
	KeyFlushSize = "flush.size"
	// KeyRotateInterval rotates when record time moves this far past the first
	// record of the open files (time-based partitioners only). Default -1.
	KeyRotateInterval = "rotate.interval.ms"
	// KeyRotateSchedule rotates on wall-clock times aligned to local midnight
	// in timezone, also on idle partitions. Default -1.
	KeyRotateSchedule = "rotate.schedule.interval.ms"
	// KeyTimezone is a Joda zone ID (UTC, Europe/Paris, +02:00). Default "".
	KeyTimezone = "timezone"
	// KeyLocale is required by time-based partitioners; it only affects
	// textual fields (MMM, EEE), which Wharf renders in English. Default "".
	KeyLocale = "locale"
	// KeyParquetCodec is the Parquet compression codec. Default snappy.
	KeyParquetCodec = "parquet.codec"
	// KeyAvroCodec is the Avro container codec (null, deflate, snappy, bzip2). Default null.
	KeyAvroCodec = "avro.codec"
	// KeyCompression is gzip or none, for JsonFormat and ByteArrayFormat. Default none.
	KeyCompression = "s3.compression.type"
	// KeyCompressionLevel is the gzip level -1..9. Default -1.
	KeyCompressionLevel = "s3.compression.level"
	// KeyTopicsDir is the top-level key prefix. Default topics.
	KeyTopicsDir = "topics.dir"
	// KeyDirDelim separates key path segments. Default /.
	KeyDirDelim = "directory.delim"
	// KeyFileDelim separates topic, partition and offset in file names. Default +.
	KeyFileDelim = "file.delim"
	// KeyPadWidth is the zero-pad width of the start offset. Default 10.
	KeyPadWidth = "filename.offset.zero.pad.width"
	// KeyPartitioner is the partitioner class. Default DefaultPartitioner.
	KeyPartitioner = "partitioner.class"
	// KeyPartitionFields lists FieldPartitioner fields (dotted paths allowed). Default "".
	KeyPartitionFields = "partition.field.name"
	// KeyPartitionDuration is TimeBasedPartitioner's bucket size. Default -1.
	KeyPartitionDuration = "partition.duration.ms"
	// KeyPathFormat is a Joda-Time pattern for time buckets. Default "".
	KeyPathFormat = "path.format"
	// KeyExtractor is Wallclock, Record or RecordField. Default Wallclock.
	KeyExtractor = "timestamp.extractor"
	// KeyTimestampField is RecordField's field (dotted path). Default timestamp.
	KeyTimestampField = "timestamp.field"
	// KeyCompatibility is NONE, BACKWARD, FORWARD or FULL. Default NONE.
	KeyCompatibility = "schema.compatibility"
	// KeyNullValues is fail, ignore or write for tombstones. Default fail.
	KeyNullValues = "behavior.on.null.values"
	// KeyPartSize is the multipart part size, 5 MiB..2^31-1. Default 25 MiB.
	KeyPartSize = "s3.part.size"
	// KeyPartRetries is the number of SDK retries of one S3 request. Default 3.
	KeyPartRetries = "s3.part.retries"
	// KeyRetryBackoff is the base of the exponential S3 retry backoff. Default 200.
	KeyRetryBackoff = "s3.retry.backoff.ms"
	// KeyTaskRetryBackoff is how long the runtime waits before redelivering a
	// batch after a retriable failure. Default 5000.
	KeyTaskRetryBackoff = "retry.backoff.ms"
	// KeyStoreKeys and KeyStoreHeaders write .keys/.headers files next to the
	// values, with the same boundaries. Default false.
	KeyStoreKeys    = "store.kafka.keys"
	KeyStoreHeaders = "store.kafka.headers"
	// KeyKeysFormat and KeyHeadersFormat are the formats of those files.
	// Default AvroFormat. Wharf writes AvroFormat and JsonFormat (and
	// ByteArrayFormat for keys).
	KeyKeysFormat    = "keys.format.class"
	KeyHeadersFormat = "headers.format.class"
	// KeyParquetLayout (Wharf) selects the Parquet layout: typed (default:
	// logical types for Debezium temporal names, 3-level lists, integer
	// decimals) or avro (parquet-avro's layout, as Confluent writes it:
	// root named after the Avro record, 2-level lists unless items are
	// optional, BINARY decimals, plain INT32/INT64 for Debezium names, and
	// the parquet.avro.schema footer).
	KeyParquetLayout = "parquet.layout"
	// KeyMemoryLimit (Wharf) bounds the bytes buffered by the open files of
	// every task of this connector in the worker (part buffers, Parquet row
	// groups and builders, Avro blocks). Default 0: no bound beyond the
	// per-file one.
	KeyMemoryLimit = "s3.memory.limit.bytes"
	// KeyTombstonePartition is the directory of tombstones with write. Default tombstone.
	KeyTombstonePartition = "tombstone.encoded.partition"
	// KeyConditionalWrites completes uploads with If-None-Match: * when
	// rotate.schedule.interval.ms (Confluent 10.6+) or s3.memory.limit.bytes
	// (Wharf) is set and the store honours it (probed). Default true.
	KeyConditionalWrites = "enable.conditional.writes"
	// KeyDecimalFormat is how JsonFormat writes decimals: BASE64 or NUMERIC. Default BASE64.
	KeyDecimalFormat = "json.decimal.format"
	// KeyByteArrayExt and KeyByteArraySep configure ByteArrayFormat. Defaults .bin and "\n".
	KeyByteArrayExt = "format.bytearray.extension"
	KeyByteArraySep = "format.bytearray.separator"
)

// Class names users configure.
const (
	ConnectorClass = "io.confluent.connect.s3.S3SinkConnector"
	storageClass   = "io.confluent.connect.s3.storage.S3Storage"

	ParquetFormat   = "io.confluent.connect.s3.format.parquet.ParquetFormat"
	JSONFormat      = "io.confluent.connect.s3.format.json.JsonFormat"
	AvroFormat      = "io.confluent.connect.s3.format.avro.AvroFormat"
	ByteArrayFormat = "io.confluent.connect.s3.format.bytearray.ByteArrayFormat"

	partitionerPkg        = "io.confluent.connect.storage.partitioner."
	DefaultPartitioner    = partitionerPkg + "DefaultPartitioner"
	FieldPartitioner      = partitionerPkg + "FieldPartitioner"
	TimeBasedPartitioner  = partitionerPkg + "TimeBasedPartitioner"
	DailyPartitioner      = partitionerPkg + "DailyPartitioner"
	HourlyPartitioner     = partitionerPkg + "HourlyPartitioner"
	defaultPartSize       = 25 * 1024 * 1024
	minPartSize           = 5 * 1024 * 1024
	groupS3, groupStorage = "S3", "Storage"
	groupPartitioner      = "Partitioner"
	groupConnector        = "Connector"
)

var formats = []string{ParquetFormat, JSONFormat, AvroFormat, ByteArrayFormat}
var partitioners = []string{DefaultPartitioner, FieldPartitioner, TimeBasedPartitioner, DailyPartitioner, HourlyPartitioner}

func classIn(allowed []string) config.Validator {
	return func(_ string, v any) error {
		s, _ := v.(string)
		for _, a := range allowed {
			if s == a {
				return nil
			}
		}
		return fmt.Errorf("Class %s could not be found.", s)
	}
}

func validTimezone(_ string, v any) error {
	s, _ := v.(string)
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if _, err := parseZone(s); err != nil {
		return fmt.Errorf("The datetime zone id '%s' is not recognised", s)
	}
	return nil
}

func configDef() *config.Def {
	d := config.NewDef()
	def := func(name string, t config.Type, dflt any, imp config.Importance, group, doc string, v config.Validator) {
		d.Define(config.Key{Name: name, Type: t, Default: dflt, Importance: imp, Group: group,
			Doc: doc, Validator: v, DisplayName: name, Width: config.WidthLong})
	}
	def(KeyBucket, config.String, config.NoDefault, config.High, groupS3, "The S3 Bucket.", config.NonEmptyString)
	def(KeyRegion, config.String, "us-west-2", config.Medium, groupS3, "The AWS region to be used the connector.", nil)
	def(KeyPartSize, config.Int, defaultPartSize, config.High, groupS3, "The Part Size in S3 Multi-part Uploads.", config.Between(minPartSize, 1<<31-1))
	def(KeyAccessKey, config.String, "", config.High, groupS3, "The AWS access key ID used to authenticate personal AWS credentials such as IAM credentials.", nil)
	def(KeySecretKey, config.Password, nil, config.High, groupS3, "The secret access key used to authenticate personal AWS credentials such as IAM credentials.", nil)
	def(KeyPathStyle, config.Boolean, true, config.Low, groupS3, "Specifies whether or not to enable path style access to the bucket used by the connector.", nil)
	def(KeyPartRetries, config.Int, 3, config.Medium, groupS3, "Maximum number of retry attempts for failed requests. Zero means no retries.", config.AtLeast(0))
	def(KeyRetryBackoff, config.Long, int64(200), config.Low, groupS3, "How long to wait in milliseconds before attempting the first retry of a failed S3 request.", config.AtLeast(0))
	def(KeyCompression, config.String, "none", config.Low, groupS3, "Compression type for files written to S3. Applied when using JsonFormat or ByteArrayFormat.", config.OneOf("none", "gzip"))
	def(KeyCompressionLevel, config.Int, -1, config.Low, groupS3, "Compression level for files written to S3 (-1 default, 0-9).", config.Between(-1, 9))
	def(KeyParquetCodec, config.String, "snappy", config.Low, groupS3, "The Parquet compression codec to be used for output files.", config.OneOfIgnoreCase("none", "snappy", "gzip", "zstd", "lz4_raw", "lz4", "lzo", "brotli"))
	def(KeyNullValues, config.String, "fail", config.Low, groupS3, "How to handle records with a null value (i.e. Kafka tombstone records). Valid options are 'ignore', 'fail' and 'write'.", config.OneOfIgnoreCase("ignore", "fail", "write"))
	def(KeyTombstonePartition, config.String, "tombstone", config.Low, groupS3, "Output directory of tombstones when behavior.on.null.values=write.", config.NonEmptyString)
	def(KeyStoreKeys, config.Boolean, false, config.Low, groupS3, "Enable or disable writing keys to storage.", nil)
	def(KeyStoreHeaders, config.Boolean, false, config.Low, groupS3, "Enable or disable writing headers to storage.", nil)
	def(KeyKeysFormat, config.Class, AvroFormat, config.Low, groupS3, "Format class to use for writing keys to the store.", classIn([]string{AvroFormat, JSONFormat, ByteArrayFormat, ParquetFormat}))
	def(KeyHeadersFormat, config.Class, AvroFormat, config.Low, groupS3, "Format class to use for writing headers to the store.", classIn([]string{AvroFormat, JSONFormat, ParquetFormat}))
	def(KeyParquetLayout, config.String, "typed", config.Low, groupS3, "Parquet layout: typed (logical types for Debezium names, 3-level lists, integer decimals) or avro (parquet-avro's layout and footer, as Confluent's ParquetFormat).", config.OneOfIgnoreCase("typed", "avro"))
	def(KeyMemoryLimit, config.Long, int64(0), config.Medium, groupS3, "Bytes the open files of all tasks of this connector in one worker may buffer; 0 means no shared bound. When exceeded, the largest files are flushed into their uploads and, if that is not enough, their partitions rotate early.", config.AtLeast(0))
	def(KeyConditionalWrites, config.Boolean, true, config.Low, groupS3, "Complete uploads with If-None-Match: * when scheduled rotation or the memory limit can make file boundaries non-deterministic; an identical existing object is then not rewritten.", nil)
	def(KeyDecimalFormat, config.String, "BASE64", config.Low, groupS3, "Controls which format json converter will serialize decimals in: BASE64 or NUMERIC.", config.OneOfIgnoreCase("BASE64", "NUMERIC"))
	def(KeyByteArrayExt, config.String, ".bin", config.Low, groupS3, "Output file extension for ByteArrayFormat.", nil)
	def(KeyByteArraySep, config.String, nil, config.Low, groupS3, "String inserted between records for ByteArrayFormat (default: line separator).", nil)
	def(KeyFormat, config.Class, config.NoDefault, config.High, groupConnector, "The format class to use when writing data to the store.", classIn(formats))
	def(KeyFlushSize, config.Int, config.NoDefault, config.High, groupConnector, "Number of records written to store before invoking file commits.", config.AtLeast(1))
	def(KeyRotateInterval, config.Long, int64(-1), config.High, groupConnector, "The time interval in milliseconds to invoke file commits (record time; time-based partitioners only).", nil)
	def(KeyRotateSchedule, config.Long, int64(-1), config.Medium, groupConnector, "The time interval in milliseconds to periodically invoke file commits, on wall-clock time aligned to midnight in timezone.", nil)
	def(KeyPadWidth, config.Int, 10, config.Low, groupConnector, "Width to zero-pad offsets in store's filenames if offsets are too short in order to provide fixed-width filenames that can be ordered by simple lexicographic sorting.", config.AtLeast(0))
	def(KeyAvroCodec, config.String, "null", config.Low, groupConnector, "The Avro compression codec to be used for output files.", config.OneOf("null", "deflate", "snappy", "bzip2"))
	def(KeyCompatibility, config.String, "NONE", config.High, groupConnector, "The schema compatibility rule to use when the connector is observing schema changes.", nil)
	def(KeyTaskRetryBackoff, config.Long, int64(5000), config.Low, groupConnector, "The retry backoff in milliseconds.", config.AtLeast(0))
	def(KeyStorageClass, config.Class, storageClass, config.High, groupStorage, "The underlying storage layer.", classIn([]string{storageClass}))
	def(KeyTopicsDir, config.String, "topics", config.High, groupStorage, "Top level directory to store the data ingested from Kafka.", nil)
	def(KeyStoreURL, config.String, nil, config.High, groupStorage, "Store's connection URL, if applicable.", nil)
	def(KeyDirDelim, config.String, "/", config.Medium, groupStorage, "Directory delimiter pattern", nil)
	def(KeyFileDelim, config.String, "+", config.Medium, groupStorage, "File delimiter pattern", nil)
	def(KeyPartitioner, config.Class, DefaultPartitioner, config.High, groupPartitioner, "The partitioner to use when writing data to the store.", classIn(partitioners))
	def(KeyPartitionFields, config.List, "", config.Medium, groupPartitioner, "The name of the partitioning field when FieldPartitioner is used.", nil)
	def(KeyPartitionDuration, config.Long, int64(-1), config.Medium, groupPartitioner, "The duration of a partition milliseconds used by TimeBasedPartitioner.", nil)
	def(KeyPathFormat, config.String, "", config.Medium, groupPartitioner, "This configuration is used to set the format of the data directories when partitioning with TimeBasedPartitioner.", nil)
	def(KeyLocale, config.String, "", config.Medium, groupPartitioner, "The locale to use when partitioning with TimeBasedPartitioner.", nil)
	def(KeyTimezone, config.String, "", config.Medium, groupPartitioner, "The timezone to use when partitioning with TimeBasedPartitioner.", validTimezone)
	def(KeyExtractor, config.String, "Wallclock", config.Medium, groupPartitioner, "The extractor that gets the timestamp for records when partitioning with TimeBasedPartitioner: Wallclock, Record or RecordField.", config.OneOf("Wallclock", "Record", "RecordField"))
	def(KeyTimestampField, config.String, "timestamp", config.Medium, groupPartitioner, "The record field to be used as timestamp by the timestamp extractor.", nil)
	return d
}

// settings is the parsed configuration of a task.
type settings struct {
	bucket, region, endpoint string
	pathStyle                bool
	accessKey, secretKey     string

	format         string
	flushSize      int
	rotateInterval int64
	rotateSchedule int64
	zone           *time.Location
	parquetCodec   string
	avroCodec      string
	gzip           bool
	gzipLevel      int
	decimalNumeric bool
	byteArrayExt   string
	byteArraySep   []byte
	topicsDir      string
	dirDelim       string
	fileDelim      string
	padWidth       int
	compat         string
	nullBehavior   string
	tombstoneDir   string
	partSize       int
	partRetries    int
	retryBackoff   time.Duration
	taskBackoff    time.Duration
	conditional    bool
	storeKeys      bool
	storeHeaders   bool
	keysFormat     string
	headersFormat  string
	avroLayout     bool
	memoryLimit    int64
	part           partitionerSpec
}

// partitionerSpec is what a partitioner is built from.
type partitionerSpec struct {
	class      string
	fields     []string
	durationMs int64
	pathFormat string
	extractor  string
	tsField    string
	zone       *time.Location
	delim      string
}

// parseSettings parses and cross-checks props (ConfigDef rules plus the
// checks Confluent makes when it builds the partitioner and the task).
func parseSettings(def *config.Def, props map[string]string) (*settings, error) {
	v, err := def.Parse(props)
	if err != nil {
		return nil, err
	}
	s := &settings{
		bucket: v.String(KeyBucket), region: v.String(KeyRegion), pathStyle: v.Bool(KeyPathStyle),
		accessKey: strings.TrimSpace(v.String(KeyAccessKey)), secretKey: strings.TrimSpace(v.Password(KeySecretKey)),
		format: v.String(KeyFormat), flushSize: v.Int(KeyFlushSize),
		rotateInterval: v.Long(KeyRotateInterval), rotateSchedule: v.Long(KeyRotateSchedule),
		parquetCodec: strings.ToLower(v.String(KeyParquetCodec)), avroCodec: v.String(KeyAvroCodec),
		gzip: v.String(KeyCompression) == "gzip", gzipLevel: v.Int(KeyCompressionLevel),
		decimalNumeric: strings.EqualFold(v.String(KeyDecimalFormat), "NUMERIC"),
		byteArrayExt:   v.String(KeyByteArrayExt), byteArraySep: []byte("\n"),
		topicsDir: v.String(KeyTopicsDir), dirDelim: v.String(KeyDirDelim), fileDelim: v.String(KeyFileDelim),
		padWidth: v.Int(KeyPadWidth), compat: strings.ToUpper(v.String(KeyCompatibility)),
		nullBehavior: strings.ToLower(v.String(KeyNullValues)), tombstoneDir: v.String(KeyTombstonePartition),
		partSize: v.Int(KeyPartSize), partRetries: v.Int(KeyPartRetries),
		retryBackoff: time.Duration(v.Long(KeyRetryBackoff)) * time.Millisecond,
		taskBackoff:  time.Duration(v.Long(KeyTaskRetryBackoff)) * time.Millisecond,
		conditional:  v.Bool(KeyConditionalWrites),
		storeKeys:    v.Bool(KeyStoreKeys), storeHeaders: v.Bool(KeyStoreHeaders),
		keysFormat: v.String(KeyKeysFormat), headersFormat: v.String(KeyHeadersFormat),
		avroLayout:  strings.EqualFold(v.String(KeyParquetLayout), "avro"),
		memoryLimit: v.Long(KeyMemoryLimit),
	}
	if sep, ok := props[KeyByteArraySep]; ok {
		s.byteArraySep = []byte(sep)
	}
	if u := strings.TrimSpace(v.String(KeyStoreURL)); u != "" {
		s.endpoint = normalizeEndpoint(u)
	}
	if err := s.parseTime(v); err != nil {
		return nil, err
	}
	if _, ok := parquetCodecs[s.parquetCodec]; !ok && s.format == ParquetFormat {
		return nil, config.InvalidValue(KeyParquetCodec, s.parquetCodec,
			"Wharf cannot write this codec; use none, snappy, gzip, zstd, lz4_raw or brotli")
	}
	if s.gzip && (s.format == ParquetFormat || s.format == AvroFormat) {
		return nil, config.InvalidValue(KeyCompression, "gzip",
			"Compression type gzip is not supported with format class "+s.format)
	}
	if s.nullBehavior == "write" && !s.storeKeys && (s.format == ParquetFormat || s.format == AvroFormat) {
		// Confluent writes tombstones only into .keys files; Parquet and
		// Avro cannot hold a null top-level value. (JsonFormat and
		// ByteArrayFormat without keys files write "null" lines or empty
		// records, a Wharf extension.)
		return nil, config.InvalidValue(KeyStoreKeys, false,
			"Writing null values (behavior.on.null.values=write) needs store.kafka.keys=true")
	}
	if s.storeKeys && s.keysFormat == ParquetFormat {
		return nil, config.InvalidValue(KeyKeysFormat, s.keysFormat, "Wharf writes keys files as AvroFormat, JsonFormat or ByteArrayFormat")
	}
	if s.storeHeaders && s.headersFormat == ParquetFormat {
		return nil, config.InvalidValue(KeyHeadersFormat, s.headersFormat, "Wharf writes headers files as AvroFormat or JsonFormat")
	}
	return s, nil
}

// normalizeEndpoint prepends https:// when store.url has no scheme, as
// Confluent (SDK v2 line) does.
func normalizeEndpoint(u string) string {
	if p, err := url.Parse(u); err == nil && p.Scheme != "" && p.Host != "" {
		return u
	}
	return "https://" + u
}

func (s *settings) parseTime(v config.Values) error {
	tz := strings.TrimSpace(v.String(KeyTimezone))
	if tz != "" {
		z, err := parseZone(tz)
		if err != nil {
			return config.InvalidValue(KeyTimezone, tz, err.Error())
		}
		s.zone = z
	}
	if s.rotateSchedule > 0 && s.zone == nil {
		return config.InvalidValue(KeyTimezone, tz, "Timezone cannot be empty when using scheduled file rotation.")
	}
	p := partitionerSpec{class: v.String(KeyPartitioner), fields: v.List(KeyPartitionFields),
		durationMs: v.Long(KeyPartitionDuration), pathFormat: v.String(KeyPathFormat),
		extractor: v.String(KeyExtractor), tsField: v.String(KeyTimestampField), zone: s.zone,
		delim: s.dirDelim}
	switch p.class {
	case FieldPartitioner:
		if len(p.fields) == 0 {
			return config.InvalidValue(KeyPartitionFields, "", "Partition field name cannot be empty.")
		}
	case DailyPartitioner:
		p.durationMs = 24 * 3600 * 1000
		p.pathFormat = "'year'=YYYY" + s.dirDelim + "'month'=MM" + s.dirDelim + "'day'=dd"
	case HourlyPartitioner:
		p.durationMs = 3600 * 1000
		p.pathFormat = "'year'=YYYY" + s.dirDelim + "'month'=MM" + s.dirDelim + "'day'=dd" + s.dirDelim + "'hour'=HH"
	}
	if p.timeBased() {
		if err := s.checkTimeBased(&p, v); err != nil {
			return err
		}
	}
	s.part = p
	return nil
}

func (s *settings) checkTimeBased(p *partitionerSpec, v config.Values) error {
	if p.durationMs < 0 {
		return config.InvalidValue(KeyPartitionDuration, p.durationMs, "Partition duration needs to be a positive.")
	}
	if p.durationMs == 0 {
		return config.InvalidValue(KeyPartitionDuration, p.durationMs, "Partition duration needs to be a positive.")
	}
	pf := p.pathFormat
	if strings.TrimSpace(pf) == "" || pf == s.dirDelim {
		return config.InvalidValue(KeyPathFormat, pf, "Path format cannot be empty.")
	}
	if strings.TrimSpace(s.dirDelim) != "" && strings.HasSuffix(pf, s.dirDelim) {
		p.pathFormat = pf[:len(pf)-len(s.dirDelim)]
	}
	if _, err := compileJoda(p.pathFormat); err != nil {
		return config.InvalidValue(KeyPathFormat, pf, err.Error())
	}
	if strings.TrimSpace(v.String(KeyLocale)) == "" {
		return config.InvalidValue(KeyLocale, "", "Locale cannot be empty.")
	}
	if p.zone == nil {
		return config.InvalidValue(KeyTimezone, "", "Timezone cannot be empty.")
	}
	return nil
}

func (p *partitionerSpec) timeBased() bool {
	return p.class == TimeBasedPartitioner || p.class == DailyPartitioner || p.class == HourlyPartitioner
}
