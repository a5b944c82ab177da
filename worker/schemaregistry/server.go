package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/avro/avroschema"
	"github.com/wharf-project/wharf/worker/kafka"
	"github.com/wharf-project/wharf/worker/store"
)

// DefaultTopic is Confluent's kafkastore.topic default.
const DefaultTopic = "_schemas"

// ServerOptions configure an embedded registry.
type ServerOptions struct {
	// Client reaches the Kafka cluster holding the topic; the server does
	// not close it.
	Client sarama.Client
	// Topic holds the schemas; default "_schemas". It is created (one
	// partition, compacted) when missing.
	Topic string
	// Logger defaults to discarding.
	Logger *slog.Logger
}

// Server is an embedded Confluent-compatible Schema Registry (Avro only),
// a single writer whose state lives in a compacted topic in Confluent's own
// record format: it survives restarts and can read a topic written by
// Confluent's registry.
type Server struct {
	opts ServerOptions
	log  *store.Log

	mu sync.RWMutex // guards st; the log goroutine writes it
	st *state

	wmu sync.Mutex // one write (decide, produce, wait) at a time
}

// NewServer returns an unstarted server.
func NewServer(opts ServerOptions) (*Server, error) {
	if opts.Client == nil {
		return nil, errors.New("schemaregistry: no Kafka client")
	}
	if opts.Topic == "" {
		opts.Topic = DefaultTopic
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{opts: opts, st: newState()}, nil
}

// Start creates the topic when missing and reads it to its end.
func (s *Server) Start(ctx context.Context) error {
	if err := s.ensureTopic(ctx); err != nil {
		return err
	}
	s.log = store.NewLog(s.opts.Client, s.opts.Topic, s.apply)
	s.log.SetLogger(s.opts.Logger)
	if err := s.log.Start(ctx); err != nil {
		return fmt.Errorf("schemaregistry: %w", err)
	}
	s.mu.RLock()
	n := len(s.st.subjects)
	s.mu.RUnlock()
	s.opts.Logger.Info("schema registry started", "topic", s.opts.Topic, "subjects", n)
	return nil
}

func (s *Server) ensureTopic(ctx context.Context) error {
	var addrs []string
	for _, b := range s.opts.Client.Brokers() {
		addrs = append(addrs, b.Addr())
	}
	admin, err := sarama.NewClusterAdmin(addrs, s.opts.Client.Config())
	if err != nil {
		return fmt.Errorf("schemaregistry: admin client: %w", err)
	}
	defer admin.Close()
	rf := int16(min(3, len(addrs)))
	if err := kafka.EnsureTopic(ctx, admin, s.opts.Topic, 1, rf, map[string]string{"cleanup.policy": "compact"}); err != nil {
		return fmt.Errorf("schemaregistry: %w", err)
	}
	if err := kafka.CheckCompacted(admin, s.opts.Topic); err != nil {
		s.opts.Logger.Warn("schema registry topic is not compacted", "topic", s.opts.Topic, "error", err)
	}
	return nil
}

// Stop stops reading the topic.
func (s *Server) Stop() error {
	if s.log == nil {
		return nil
	}
	return s.log.Stop()
}

func (s *Server) apply(key, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.st.apply(key, value); err != nil {
		s.opts.Logger.Warn("skipping unreadable schema registry record", "topic", s.opts.Topic, "error", err)
	}
}

// send writes records and waits until the state reflects them.
func (s *Server) send(ctx context.Context, recs ...store.Record) error {
	if s.log == nil {
		return storeError(errors.New("registry not started"))
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ends, err := s.log.SendBatch(ctx, recs)
	if err != nil {
		return storeError(err)
	}
	if err := s.log.WaitFor(ctx, ends); err != nil {
		return &Error{500, CodeOperationTimeout, "Write to the Kafka store timed out: " + err.Error()}
	}
	return nil
}

// parse validates an Avro schema and returns it with its canonical text.
func parseSchema(text, schemaType string) (*avroschema.Schema, string, error) {
	if schemaType != "" && !strings.EqualFold(schemaType, "AVRO") {
		return nil, "", invalidSchema(fmt.Sprintf("Invalid schema type %s: only AVRO is supported", schemaType))
	}
	a, err := avroschema.Parse(text)
	if err != nil {
		return nil, "", invalidSchema(fmt.Sprintf("Invalid schema %s with refs [] of type AVRO, details: %v", text, err))
	}
	return a, a.String(), nil
}

// Register adds schema to subject (or finds it there) and returns its id.
func (s *Server) Register(ctx context.Context, subject, text, schemaType string) (int, error) {
	a, canon, err := parseSchema(text, schemaType)
	if err != nil {
		return 0, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	all := s.st.versions(subject, true)
	level := s.st.compatibility(subject)
	id, known := s.st.byText[canon]
	nextID := s.st.maxID + 1
	s.mu.RUnlock()
	var live []*version
	next := 1
	for _, v := range all {
		if !v.Deleted {
			if v.Schema == canon {
				return v.ID, nil
			}
			live = append(live, v)
		}
		next = max(next, v.Version+1)
	}
	if err := checkAgainst(subject, level, a, live); err != nil {
		return 0, err
	}
	if !known {
		id = nextID
	}
	val := encodeSchemaValue(schemaValue{Subject: subject, Version: next, ID: id, Schema: canon})
	if err := s.send(ctx, store.Record{Key: schemaKey(subject, next), Value: val}); err != nil {
		return 0, err
	}
	return id, nil
}

// Lookup finds the version of subject whose schema is text.
func (s *Server) Lookup(subject, text, schemaType string, deleted bool) (SubjectVersion, error) {
	_, canon, err := parseSchema(text, schemaType)
	if err != nil {
		return SubjectVersion{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.st.versions(subject, deleted)
	if len(vs) == 0 {
		return SubjectVersion{}, subjectNotFound(subject)
	}
	for _, v := range vs {
		if v.Schema == canon {
			return SubjectVersion{Subject: subject, Version: v.Version, ID: v.ID, Schema: v.Schema}, nil
		}
	}
	return SubjectVersion{}, schemaNotFoundPlain()
}

// checkAgainst enforces level for a new schema against the live versions
// (oldest first).
func checkAgainst(subject, level string, a *avroschema.Schema, live []*version) error {
	if len(live) == 0 || level == "NONE" {
		return nil
	}
	against := live
	if !strings.HasSuffix(level, "_TRANSITIVE") {
		against = live[len(live)-1:]
	}
	for i := len(against) - 1; i >= 0; i-- {
		old, err := avroschema.Parse(against[i].Schema)
		if err != nil {
			continue
		}
		if msgs := compatibilityErrors(level, a, old); len(msgs) > 0 {
			details := strings.Join(msgs, ", ") + fmt.Sprintf(", {oldSchemaVersion: %d}, {oldSchema: '%s'}, {compatibility: '%s'}",
				against[i].Version, against[i].Schema, level)
			return &Error{409, CodeIncompatibleSchema, fmt.Sprintf(
				"Schema being registered is incompatible with an earlier schema for subject \"%s\", details: [%s]", subject, details)}
		}
	}
	return nil
}

// compatibilityErrors checks one pair under level, in Confluent's
// description style.
func compatibilityErrors(level string, newer, older *avroschema.Schema) []string {
	base := strings.TrimSuffix(level, "_TRANSITIVE")
	var out []string
	if base == "BACKWARD" || base == "FULL" {
		for _, inc := range avroschema.CanRead(newer, older) {
			out = append(out, describe(inc, "new", "old"))
		}
	}
	if base == "FORWARD" || base == "FULL" {
		for _, inc := range avroschema.CanRead(older, newer) {
			out = append(out, describe(inc, "old", "new"))
		}
	}
	return out
}

func describe(inc avroschema.Incompatibility, reader, writer string) string {
	var d string
	switch inc.Type {
	case "READER_FIELD_MISSING_DEFAULT_VALUE":
		d = fmt.Sprintf("The field '%s' at path '%s' in the %s schema has no default value and is missing in the %s schema",
			inc.Info, inc.Location, reader, writer)
	case "TYPE_MISMATCH":
		d = fmt.Sprintf("The type (path '%s') of a field in the %s schema does not match with the %s schema",
			inc.Location, reader, writer)
	case "MISSING_ENUM_SYMBOLS":
		d = fmt.Sprintf("The %s schema is missing enum symbols '%s' at path '%s' in the %s schema",
			reader, inc.Info, inc.Location, writer)
	case "MISSING_UNION_BRANCH":
		d = fmt.Sprintf("The %s schema is missing a type inside a union field at path '%s' in the %s schema",
			reader, inc.Location, writer)
	case "NAME_MISMATCH":
		d = fmt.Sprintf("The name of the schema has changed (path '%s')", inc.Location)
	case "FIXED_SIZE_MISMATCH":
		d = fmt.Sprintf("The size of FIXED type field at path '%s' in the %s schema does not match with the %s schema",
			inc.Location, reader, writer)
	default:
		d = inc.Message
	}
	return fmt.Sprintf("{errorType:'%s', description:'%s', additionalInfo:'%s'}", inc.Type, d, inc.Message)
}

var levels = []string{"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}

func parseLevel(l string) (string, bool) {
	u := strings.ToUpper(strings.TrimSpace(l))
	for _, x := range levels {
		if x == u {
			return u, true
		}
	}
	return "", false
}
