package s3

import (
	"strconv"
	"strings"
)

// keyer builds object keys exactly as Confluent's TopicPartitionWriter:
//
//	[<topics.dir><dd>]<topic><dd><encodedPartition><dd><topic><fd><partition><fd><startOffset %0Nd><ext>
type keyer struct {
	topicsDir, dirDelim, fileDelim string
	padWidth                       int
	ext                            string
}

func (k *keyer) key(topic string, partition int32, encoded string, startOffset int64) string {
	return k.keyExt(topic, partition, encoded, startOffset, k.ext)
}

// keyExt is key with another extension (.keys.avro, .headers.json…).
func (k *keyer) keyExt(topic string, partition int32, encoded string, startOffset int64, ext string) string {
	var b strings.Builder
	if k.topicsDir != "" {
		b.WriteString(k.topicsDir)
		b.WriteString(k.dirDelim)
	}
	b.WriteString(topic)
	b.WriteString(k.dirDelim)
	b.WriteString(encoded)
	b.WriteString(k.dirDelim)
	b.WriteString(k.fileName(topic, partition, startOffset))
	b.WriteString(ext)
	return b.String()
}

// fileName is <topic><fd><partition><fd><startOffset padded>.
func (k *keyer) fileName(topic string, partition int32, startOffset int64) string {
	off := strconv.FormatInt(startOffset, 10)
	var b strings.Builder
	b.WriteString(k.filePrefix(topic, partition))
	for i := len(off); i < k.padWidth; i++ {
		b.WriteByte('0')
	}
	b.WriteString(off)
	return b.String()
}

// filePrefix is the part of a file name shared by every file of a partition.
func (k *keyer) filePrefix(topic string, partition int32) string {
	return topic + k.fileDelim + strconv.Itoa(int(partition)) + k.fileDelim
}

// topicPrefix is the key prefix of everything written for topic.
func (k *keyer) topicPrefix(topic string) string {
	if k.topicsDir != "" {
		return k.topicsDir + k.dirDelim + topic + k.dirDelim
	}
	return topic + k.dirDelim
}

// extension returns the file extension of a format and codec (§2.1).
func extension(s *settings) string { return extensionOf(s.format, s) }

// extensionOf is the extension of files in format class f.
func extensionOf(f string, s *settings) string {
	switch f {
	case ParquetFormat:
		ext := map[string]string{"snappy": ".snappy", "gzip": ".gz", "zstd": ".zstd", "lz4_raw": ".lz4raw",
			"lz4": ".lz4hadoop", "lzo": ".lzo", "brotli": ".br"}[s.parquetCodec]
		return ext + ".parquet"
	case AvroFormat:
		return ".avro"
	case ByteArrayFormat:
		if s.gzip {
			return s.byteArrayExt + ".gz"
		}
		return s.byteArrayExt
	default:
		if s.gzip {
			return ".json.gz"
		}
		return ".json"
	}
}
