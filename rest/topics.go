package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/wharf-project/wharf/connector"
	"github.com/wharf-project/wharf/worker"
	"github.com/wharf-project/wharf/worker/convert"
	"github.com/wharf-project/wharf/worker/kafka"
)

// Topic browsing for the UI: Connect has no such endpoint (fast-data-dev
// used REST Proxy and kafka-topics-ui), so these live under /wharf/.

const (
	defaultPeek = 20
	maxPeek     = 500
	// kafkaTimeout bounds one topic listing or peek, so a broker that is
	// down answers 503 quickly rather than hanging the page.
	kafkaTimeout = 15 * time.Second
)

type partitionWire struct {
	Partition   int32 `json:"partition"`
	StartOffset int64 `json:"start_offset"`
	EndOffset   int64 `json:"end_offset"`
}

type topicWire struct {
	Name              string          `json:"name"`
	Internal          bool            `json:"internal"`
	ReplicationFactor int16           `json:"replication_factor"`
	Records           int64           `json:"records"`
	Partitions        []partitionWire `json:"partitions"`
}

func kafkaUnavailable(err error) error {
	return &httpError{http.StatusServiceUnavailable, "Kafka is not reachable: " + err.Error()}
}

func (s *Server) listTopics(w http.ResponseWriter, r *http.Request) {
	if s.o.KafkaAdmin == nil {
		writeError(w, &httpError{http.StatusServiceUnavailable, "Topic browsing is not configured on this worker"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), kafkaTimeout)
	defer cancel()
	topics, err := kafka.ListTopics(ctx, s.o.KafkaAdmin)
	if err != nil {
		writeError(w, kafkaUnavailable(err))
		return
	}
	out := make([]topicWire, len(topics))
	for i, t := range topics {
		tw := topicWire{Name: t.Name, Internal: t.Internal, ReplicationFactor: t.ReplicationFactor,
			Records: t.Records(), Partitions: make([]partitionWire, len(t.Partitions))}
		for j, p := range t.Partitions {
			tw.Partitions[j] = partitionWire{Partition: p.Partition, StartOffset: p.StartOffset, EndOffset: p.EndOffset}
		}
		out[i] = tw
	}
	writeJSON(w, http.StatusOK, out)
}

// recordWire is one peeked record. Key and value are the converter's
// result rendered as schemaless JSON; when the converter rejects the bytes,
// the raw text (or base64 for binary) is given with the error.
type recordWire struct {
	Topic     string          `json:"topic"`
	Partition int32           `json:"partition"`
	Offset    int64           `json:"offset"`
	Timestamp int64           `json:"timestamp"`
	Key       json.RawMessage `json:"key"`
	KeyError  string          `json:"key_error,omitempty"`
	KeyRaw    *string         `json:"key_raw,omitempty"`
	Value     json.RawMessage `json:"value"`
	ValueErr  string          `json:"value_error,omitempty"`
	ValueRaw  *string         `json:"value_raw,omitempty"`
	Headers   []headerWire    `json:"headers"`
}

type headerWire struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

type peekAnswer struct {
	Topic          string       `json:"topic"`
	KeyConverter   string       `json:"key_converter"`
	ValueConverter string       `json:"value_converter"`
	Records        []recordWire `json:"records"`
}

func (s *Server) topicRecords(w http.ResponseWriter, r *http.Request) {
	topic := mux.Vars(r)["topic"]
	if s.o.KafkaAdmin == nil || s.o.Kafka == nil {
		writeError(w, &httpError{http.StatusServiceUnavailable, "Topic browsing is not configured on this worker"})
		return
	}
	limit := defaultPeek
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPeek {
			writeError(w, badRequest(fmt.Sprintf("limit must be a number from 1 to %d", maxPeek)))
			return
		}
		limit = n
	}
	dec, err := s.decoders(r.URL.Query().Get("connector"))
	if err != nil {
		writeError(w, err)
		return
	}
	// Peeking must not create the topic (metadata requests may auto-create).
	existing, err := s.o.KafkaAdmin.ListTopics()
	if err != nil {
		writeError(w, kafkaUnavailable(err))
		return
	}
	if _, ok := existing[topic]; !ok {
		writeError(w, &httpError{http.StatusNotFound, fmt.Sprintf("Topic %s not found", topic)})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), kafkaTimeout)
	defer cancel()
	recs, err := kafka.LastRecords(ctx, s.o.Kafka, topic, limit)
	if err != nil {
		writeError(w, kafkaUnavailable(err))
		return
	}
	out := peekAnswer{Topic: topic, KeyConverter: dec.keyClass, ValueConverter: dec.valueClass,
		Records: make([]recordWire, len(recs))}
	for i := range recs {
		out.Records[i] = dec.decode(&recs[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// decoders holds the converters a peek decodes with, and a schemaless JSON
// converter that renders the Connect values they produce.
type decoders struct {
	keyClass, valueClass string
	key, value           connector.Converter
	header               connector.HeaderConverter
	render               connector.Converter
}

// decoders builds the worker's converters, or those a connector overrides
// when ?connector= names one.
func (s *Server) decoders(conn string) (*decoders, error) {
	if s.o.Registry == nil {
		return nil, &httpError{http.StatusServiceUnavailable, "Record decoding is not configured on this worker"}
	}
	var connProps map[string]string
	if conn != "" {
		c, err := s.h.ConnectorConfig(conn)
		if err != nil {
			return nil, err
		}
		connProps = c
	}
	d := &decoders{}
	var err error
	if d.key, d.keyClass, err = worker.NewConverter(s.o.Registry, s.o.WorkerProps, connProps, "key.converter", true); err != nil {
		return nil, badRequest(err.Error())
	}
	if d.value, d.valueClass, err = worker.NewConverter(s.o.Registry, s.o.WorkerProps, connProps, "value.converter", false); err != nil {
		return nil, badRequest(err.Error())
	}
	if d.header, err = worker.NewHeaderConverter(s.o.Registry, s.o.WorkerProps, connProps); err != nil {
		return nil, badRequest(err.Error())
	}
	// Decoded values are shown as plain JSON, whatever the topic's format.
	d.render = convert.NewJSON()
	if err := d.render.Configure(map[string]string{"schemas.enable": "false"}, false); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *decoders) decode(rec *kafka.Record) recordWire {
	out := recordWire{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset,
		Timestamp: rec.Timestamp.UnixMilli(), Headers: []headerWire{}}
	out.Key, out.KeyError, out.KeyRaw = d.convert(d.key, rec.Topic, rec.Key)
	out.Value, out.ValueErr, out.ValueRaw = d.convert(d.value, rec.Topic, rec.Value)
	for _, h := range rec.Headers {
		out.Headers = append(out.Headers, headerWire{Key: h.Key, Value: d.headerValue(rec.Topic, h)})
	}
	return out
}

// convert decodes b with c and renders it as JSON; on failure it returns
// null with the error and the raw bytes.
func (d *decoders) convert(c connector.Converter, topic string, b []byte) (json.RawMessage, string, *string) {
	if b == nil {
		return json.RawMessage("null"), "", nil
	}
	schema, v, err := c.ToConnect(topic, b)
	if err == nil {
		var js []byte
		if js, err = d.render.Append(nil, topic, schema, v); err == nil {
			if js == nil {
				js = []byte("null")
			}
			return js, "", nil
		}
	}
	raw := rawText(b)
	return json.RawMessage("null"), err.Error(), &raw
}

func (d *decoders) headerValue(topic string, h kafka.Header) json.RawMessage {
	if h.Value == nil {
		return json.RawMessage("null")
	}
	if d.header != nil {
		if schema, v, err := d.header.ToConnectHeader(topic, h.Key, h.Value); err == nil {
			if js, err := d.render.Append(nil, topic, schema, v); err == nil && js != nil {
				return js
			}
		}
	}
	js, _ := json.Marshal(rawText(h.Value))
	return js
}

// rawText is b as text when it is UTF-8, else "base64:" and its base64.
func rawText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "base64:" + base64.StdEncoding.EncodeToString(b)
}
