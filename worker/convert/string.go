package convert

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
)

// EncodingConfig (StringConverterConfig) is the Java character set used to
// encode and decode strings. Default "UTF-8"; Wharf knows UTF-8, US-ASCII,
// ISO-8859-1 and UTF-16 (BE, LE, or with a byte-order mark).
const EncodingConfig = "converter.encoding"

// String is org.apache.kafka.connect.storage.StringConverter.
type String struct {
	enc charset
}

// NewString returns a StringConverter encoding UTF-8.
func NewString() *String { return &String{enc: utf8Charset} }

// Config returns StringConverterConfig's ConfigDef.
func (c *String) Config() *config.Def {
	return config.NewDef().Define(converterTypeKey).
		Define(config.Key{Name: EncodingConfig, Type: config.String, Default: "UTF-8",
			Importance: config.High, Width: config.WidthMedium, DisplayName: "Encoding",
			Doc: "The name of the Java character set to use for encoding strings as byte arrays."})
}

// Configure implements connector.Converter.
func (c *String) Configure(props map[string]string, isKey bool) error {
	vals, err := c.Config().Parse(withType(props, isKey))
	if err != nil {
		return fmt.Errorf("string converter: %w", err)
	}
	enc, ok := lookupCharset(vals.String(EncodingConfig))
	if !ok {
		return fmt.Errorf("string converter: Unsupported encoding %s", vals.String(EncodingConfig))
	}
	c.enc = enc
	return nil
}

// Append implements connector.Converter: the value's string form (Java's
// toString; the schema is ignored) in the configured encoding.
func (c *String) Append(dst []byte, _ string, _ *data.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	start := len(dst)
	if s, ok := value.(string); ok && c.enc == utf8Charset {
		return nonNil(append(dst, s...)), nil
	}
	dst, err := appendJavaString(dst, value, false)
	if err != nil {
		return nil, fmt.Errorf("Failed to serialize to a string: %w", err)
	}
	if c.enc != utf8Charset {
		text := string(dst[start:])
		dst = c.enc.encode(dst[:start], text)
	}
	return nonNil(dst), nil
}

// ToConnect implements connector.Converter: always an optional string
// schema, with a nil value for nil bytes.
func (c *String) ToConnect(_ string, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return data.OptionalStringSchema, nil, nil
	}
	return data.OptionalStringSchema, c.enc.decode(b), nil
}

// nonNil keeps an empty value distinct from a Kafka null.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// ByteArray is org.apache.kafka.connect.converters.ByteArrayConverter.
type ByteArray struct{}

// NewByteArray returns a ByteArrayConverter.
func NewByteArray() *ByteArray { return &ByteArray{} }

// Config returns ConverterConfig's ConfigDef.
func (c *ByteArray) Config() *config.Def { return config.NewDef().Define(converterTypeKey) }

// Configure implements connector.Converter; there is nothing to configure.
func (c *ByteArray) Configure(map[string]string, bool) error { return nil }

// Append implements connector.Converter: bytes pass through.
func (c *ByteArray) Append(dst []byte, _ string, schema *data.Schema, value any) ([]byte, error) {
	if schema != nil && schema.Type != data.TypeBytes {
		return nil, fmt.Errorf("Invalid schema type for ByteArrayConverter: %s", typeEnum(schema.Type))
	}
	if value == nil {
		return nil, nil
	}
	b, ok := value.([]byte)
	if !ok {
		return nil, fmt.Errorf("ByteArrayConverter is not compatible with objects of type %s", javaClass(value))
	}
	return nonNil(append(dst, b...)), nil
}

// ToConnect implements connector.Converter. The value is b itself, not a copy.
func (c *ByteArray) ToConnect(_ string, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return data.OptionalBytesSchema, nil, nil
	}
	return data.OptionalBytesSchema, b, nil
}

// charset is one of the Java character sets Wharf can encode.
type charset uint8

const (
	utf8Charset charset = iota
	asciiCharset
	latin1Charset
	utf16Charset // big-endian with a byte-order mark; decoding honours one
	utf16BECharset
	utf16LECharset
)

// lookupCharset resolves Java's canonical names and common aliases.
func lookupCharset(name string) (charset, bool) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "UTF-8", "UTF8":
		return utf8Charset, true
	case "US-ASCII", "ASCII", "ISO646-US":
		return asciiCharset, true
	case "ISO-8859-1", "ISO8859_1", "ISO8859-1", "LATIN1", "ISO-LATIN-1", "8859_1":
		return latin1Charset, true
	case "UTF-16", "UTF16":
		return utf16Charset, true
	case "UTF-16BE", "UNICODEBIGUNMARKED", "UTF_16BE":
		return utf16BECharset, true
	case "UTF-16LE", "UNICODELITTLEUNMARKED", "UTF_16LE":
		return utf16LECharset, true
	}
	return 0, false
}

// encode appends s in the charset; unmappable characters become '?', as
// Java's String.getBytes does.
func (c charset) encode(dst []byte, s string) []byte {
	switch c {
	case asciiCharset, latin1Charset:
		limit := rune(0x7F)
		if c == latin1Charset {
			limit = 0xFF
		}
		for _, r := range s {
			if r > limit {
				r = '?'
			}
			dst = append(dst, byte(r))
		}
		return dst
	case utf16Charset, utf16BECharset, utf16LECharset:
		if c == utf16Charset && s != "" {
			dst = append(dst, 0xFE, 0xFF)
		}
		for _, u := range utf16.Encode([]rune(s)) {
			if c == utf16LECharset {
				dst = append(dst, byte(u), byte(u>>8))
			} else {
				dst = append(dst, byte(u>>8), byte(u))
			}
		}
		return dst
	}
	return append(dst, s...)
}

// decode reads b in the charset; malformed input becomes U+FFFD.
func (c charset) decode(b []byte) string {
	switch c {
	case asciiCharset, latin1Charset:
		rs := make([]rune, len(b))
		for i, x := range b {
			rs[i] = rune(x)
			if c == asciiCharset && x > 0x7F {
				rs[i] = utf8.RuneError
			}
		}
		return string(rs)
	case utf16Charset, utf16BECharset, utf16LECharset:
		le := c == utf16LECharset
		if c == utf16Charset && len(b) >= 2 {
			switch {
			case b[0] == 0xFE && b[1] == 0xFF:
				b = b[2:]
			case b[0] == 0xFF && b[1] == 0xFE:
				b, le = b[2:], true
			}
		}
		us := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			if le {
				us = append(us, uint16(b[i])|uint16(b[i+1])<<8)
			} else {
				us = append(us, uint16(b[i])<<8|uint16(b[i+1]))
			}
		}
		s := string(utf16.Decode(us))
		if len(b)%2 == 1 {
			s += "\uFFFD"
		}
		return s
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
