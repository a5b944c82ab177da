package convert

import (
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/connector/config"
	"github.com/wharf-project/wharf/connector/data"
)

// SimpleHeader is org.apache.kafka.connect.storage.SimpleHeaderConverter:
// headers travel as the UTF-8 text of Values.convertToString and come back
// with a schema inferred as Values.parseString does.
type SimpleHeader struct{}

// NewSimpleHeader returns a SimpleHeaderConverter.
func NewSimpleHeader() *SimpleHeader { return &SimpleHeader{} }

// Config returns the (empty) ConfigDef of SimpleHeaderConverter.
func (h *SimpleHeader) Config() *config.Def { return config.NewDef() }

// Configure implements connector.HeaderConverter; there is nothing to configure.
func (h *SimpleHeader) Configure(map[string]string) error { return nil }

// AppendHeader implements connector.HeaderConverter. The schema is not
// written.
func (h *SimpleHeader) AppendHeader(dst []byte, _, _ string, _ *data.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	dst, err := appendValuesString(dst, value, false)
	if err != nil {
		return nil, err
	}
	return nonNil(dst), nil
}

// ToConnectHeader implements connector.HeaderConverter: the schema is
// inferred as Values.parseString does (null, booleans, ISO-8601 dates,
// times and timestamps, the narrowest integer type, FLOAT32 for fractions
// that fit, FLOAT64, Decimal, arrays and maps of a common element type, and
// STRING for anything else). Bytes that are not UTF-8 read as U+FFFD, as
// Java's new String(bytes, UTF_8) does.
func (h *SimpleHeader) ToConnectHeader(_, _ string, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	s, v := valuesParseString(utf8Charset.decode(b))
	return s, v, nil
}

func parseTemporal(t string) (*data.Schema, any, bool) {
	var layout string
	var sch *data.Schema
	switch len(t) {
	case len(isoTime):
		layout, sch = isoTime, data.TimeSchema()
	case len(isoTimestamp):
		layout, sch = isoTimestamp, data.TimestampSchema()
	case len(isoDate):
		layout, sch = isoDate, data.DateSchema()
	default:
		return nil, nil, false
	}
	v, err := time.ParseInLocation(layout, t, time.UTC)
	if err != nil {
		return nil, nil, false
	}
	if layout == isoTime { // a time of day lies on 1970-01-01
		v = time.Date(1970, 1, 1, v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
	}
	return sch, v, true
}

func parseNumber(t string) (*data.Schema, any, bool) {
	d, err := data.ParseDecimal(t)
	if err != nil {
		return nil, nil, false
	}
	// An integral value (1, 1.0, 1E2) takes the narrowest integer type.
	r := new(big.Rat).SetFrac(d.Unscaled, big.NewInt(1))
	if d.Scale > 0 {
		r.SetFrac(d.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
	} else if d.Scale < 0 {
		r.SetInt(new(big.Int).Mul(d.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d.Scale)), nil)))
	}
	if r.IsInt() && r.Num().IsInt64() {
		n := r.Num().Int64()
		switch {
		case n == int64(int8(n)):
			return data.Int8Schema, int8(n), true
		case n == int64(int16(n)):
			return data.Int16Schema, int16(n), true
		case n == int64(int32(n)):
			return data.Int32Schema, int32(n), true
		}
		return data.Int64Schema, n, true
	}
	if d.Scale != 0 {
		f32, _ := r.Float32()
		if !math.IsInf(float64(f32), 0) {
			return data.Float32Schema, f32, true
		}
		f64, _ := r.Float64()
		if !math.IsInf(f64, 0) {
			return data.Float64Schema, f64, true
		}
	}
	return data.DecimalSchema(d.Scale), d, true
}

// HeaderAdapter lets a value Converter serve as a HeaderConverter, as Kafka
// uses JsonConverter, StringConverter or ByteArrayConverter for
// header.converter. Configure passes isKey=false.
func HeaderAdapter(c connector.Converter) connector.HeaderConverter { return headerAdapter{c} }

type headerAdapter struct{ c connector.Converter }

func (a headerAdapter) Configure(props map[string]string) error {
	if err := a.c.Configure(props, false); err != nil {
		return fmt.Errorf("header converter: %w", err)
	}
	return nil
}

func (a headerAdapter) AppendHeader(dst []byte, topic, _ string, schema *data.Schema, value any) ([]byte, error) {
	return a.c.Append(dst, topic, schema, value)
}

func (a headerAdapter) ToConnectHeader(topic, _ string, b []byte) (*data.Schema, any, error) {
	return a.c.ToConnect(topic, b)
}
