package schemaregistry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is the registry's media type.
const ContentType = "application/vnd.schemaregistry.v1+json"

// ClientOptions configure a Client.
type ClientOptions struct {
	// URLs are the registry's base URLs, tried in order (schema.registry.url).
	URLs []string
	// Username and Password are sent as HTTP basic auth when Username is set
	// (basic.auth.credentials.source=USER_INFO). Credentials in a URL's
	// user-info part are used for that URL when these are empty
	// (basic.auth.credentials.source=URL).
	Username, Password string
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
	// CacheCapacity bounds each cache (Confluent's max.schemas.per.subject
	// and identity-map capacity); default 1000.
	CacheCapacity int
}

// SubjectVersion is one registered version of a subject.
type SubjectVersion struct {
	Subject    string `json:"subject"`
	Version    int    `json:"version"`
	ID         int    `json:"id"`
	SchemaType string `json:"schemaType,omitempty"`
	Schema     string `json:"schema"`
}

// Client talks to a Confluent-compatible registry. Register, lookup and
// get-by-id answers are cached forever (they never change for a given
// input), as in CachedSchemaRegistryClient; latest versions are not cached.
// It is safe for concurrent use.
type Client struct {
	urls []*url.URL
	opts ClientOptions
	http *http.Client

	mu       sync.Mutex
	byID     map[int]string
	ids      map[subjectSchema]int
	versions map[subjectSchema]int
}

type subjectSchema struct{ subject, schema string }

// NewClient returns a client for the given registry URLs.
func NewClient(opts ClientOptions) (*Client, error) {
	c := &Client{opts: opts, http: opts.HTTPClient, byID: map[int]string{},
		ids: map[subjectSchema]int{}, versions: map[subjectSchema]int{}}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.opts.CacheCapacity <= 0 {
		c.opts.CacheCapacity = 1000
	}
	for _, raw := range opts.URLs {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("schemaregistry: invalid URL %q", raw)
		}
		c.urls = append(c.urls, u)
	}
	if len(c.urls) == 0 {
		return nil, errors.New("schemaregistry: no URL given")
	}
	return c, nil
}

// request sends a request to each URL in turn until one answers; an HTTP
// error answer from a registry is not retried elsewhere.
func (c *Client) request(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	var lastErr error
	for _, base := range c.urls {
		err := c.try(ctx, base, method, path, payload, out)
		var regErr *Error
		if err == nil || errors.As(err, &regErr) || ctx.Err() != nil {
			return err
		}
		lastErr = err
	}
	return lastErr
}

func (c *Client) try(ctx context.Context, base *url.URL, method, path string, payload []byte, out any) error {
	u := *base
	u.User = nil
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String()+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", ContentType+", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5")
	if payload != nil {
		req.Header.Set("Content-Type", ContentType)
	}
	if c.opts.Username != "" {
		req.SetBasicAuth(c.opts.Username, c.opts.Password)
	} else if base.User != nil {
		pw, _ := base.User.Password()
		req.SetBasicAuth(base.User.Username(), pw)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("schemaregistry: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("schemaregistry: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(raw, e) != nil || e.Code == 0 {
			e.Code = resp.StatusCode * 100
			if resp.StatusCode == 401 || resp.StatusCode == 403 {
				e.Code = resp.StatusCode
			}
			e.Message = strings.TrimSpace(string(raw))
			if e.Message == "" {
				e.Message = resp.Status
			}
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("schemaregistry: %s %s: bad answer: %w", method, path, err)
	}
	return nil
}

func esc(s string) string { return url.PathEscape(s) }

type schemaRequest struct {
	Schema     string `json:"schema"`
	SchemaType string `json:"schemaType,omitempty"`
}

// Register registers an Avro schema under subject and returns its id
// (POST /subjects/{subject}/versions).
func (c *Client) Register(ctx context.Context, subject, schema string) (int, error) {
	key := subjectSchema{subject, schema}
	c.mu.Lock()
	id, ok := c.ids[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	var out struct {
		ID int `json:"id"`
	}
	if err := c.request(ctx, http.MethodPost, "/subjects/"+esc(subject)+"/versions", schemaRequest{Schema: schema}, &out); err != nil {
		return 0, err
	}
	c.remember(key, out.ID, 0)
	return out.ID, nil
}

func (c *Client) remember(key subjectSchema, id, version int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ids) >= c.opts.CacheCapacity {
		clear(c.ids)
		clear(c.versions)
	}
	c.ids[key] = id
	if version > 0 {
		c.versions[key] = version
	}
	if len(c.byID) < c.opts.CacheCapacity {
		c.byID[id] = key.schema
	}
}

// Lookup finds the version of subject holding schema (POST /subjects/{subject}).
// With deleted, soft-deleted versions count too.
func (c *Client) Lookup(ctx context.Context, subject, schema string, deleted bool) (SubjectVersion, error) {
	key := subjectSchema{subject, schema}
	c.mu.Lock()
	id, okID := c.ids[key]
	v, okV := c.versions[key]
	c.mu.Unlock()
	if okID && okV {
		return SubjectVersion{Subject: subject, Version: v, ID: id, Schema: schema}, nil
	}
	path := "/subjects/" + esc(subject)
	if deleted {
		path += "?deleted=true"
	}
	var out SubjectVersion
	if err := c.request(ctx, http.MethodPost, path, schemaRequest{Schema: schema}, &out); err != nil {
		return SubjectVersion{}, err
	}
	c.remember(key, out.ID, out.Version)
	return out, nil
}

// SchemaByID returns the schema text of id (GET /schemas/ids/{id}).
func (c *Client) SchemaByID(ctx context.Context, id int) (string, error) {
	c.mu.Lock()
	s, ok := c.byID[id]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	var out struct {
		Schema     string `json:"schema"`
		SchemaType string `json:"schemaType"`
	}
	if err := c.request(ctx, http.MethodGet, "/schemas/ids/"+strconv.Itoa(id), nil, &out); err != nil {
		return "", err
	}
	if out.SchemaType != "" && out.SchemaType != "AVRO" {
		return "", fmt.Errorf("schemaregistry: schema %d is %s, not AVRO", id, out.SchemaType)
	}
	c.mu.Lock()
	if len(c.byID) >= c.opts.CacheCapacity {
		clear(c.byID)
	}
	c.byID[id] = out.Schema
	c.mu.Unlock()
	return out.Schema, nil
}

// LatestVersion returns the latest version of subject
// (GET /subjects/{subject}/versions/latest); it is not cached.
func (c *Client) LatestVersion(ctx context.Context, subject string) (SubjectVersion, error) {
	return c.Version(ctx, subject, "latest")
}

// Version returns one version ("latest" or a number) of subject.
func (c *Client) Version(ctx context.Context, subject, version string) (SubjectVersion, error) {
	var out SubjectVersion
	err := c.request(ctx, http.MethodGet, "/subjects/"+esc(subject)+"/versions/"+esc(version), nil, &out)
	return out, err
}

// Subjects lists the registered subjects.
func (c *Client) Subjects(ctx context.Context) ([]string, error) {
	var out []string
	err := c.request(ctx, http.MethodGet, "/subjects", nil, &out)
	return out, err
}

// Versions lists the versions of subject.
func (c *Client) Versions(ctx context.Context, subject string) ([]int, error) {
	var out []int
	err := c.request(ctx, http.MethodGet, "/subjects/"+esc(subject)+"/versions", nil, &out)
	return out, err
}

// DeleteSubject deletes a subject (soft, or hard with permanent) and returns
// the versions deleted.
func (c *Client) DeleteSubject(ctx context.Context, subject string, permanent bool) ([]int, error) {
	var out []int
	path := "/subjects/" + esc(subject)
	if permanent {
		path += "?permanent=true"
	}
	err := c.request(ctx, http.MethodDelete, path, nil, &out)
	return out, err
}

// TestCompatibility checks schema against a version of subject ("latest" or
// a number) under the subject's compatibility level.
func (c *Client) TestCompatibility(ctx context.Context, subject, version, schema string) (bool, error) {
	var out struct {
		IsCompatible bool `json:"is_compatible"`
	}
	err := c.request(ctx, http.MethodPost, "/compatibility/subjects/"+esc(subject)+"/versions/"+esc(version),
		schemaRequest{Schema: schema}, &out)
	return out.IsCompatible, err
}

// Compatibility returns the compatibility level of subject, or the global
// level when subject is "".
func (c *Client) Compatibility(ctx context.Context, subject string) (string, error) {
	path := "/config"
	if subject != "" {
		path += "/" + esc(subject) + "?defaultToGlobal=true"
	}
	var out struct {
		Level string `json:"compatibilityLevel"`
	}
	err := c.request(ctx, http.MethodGet, path, nil, &out)
	return out.Level, err
}

// SetCompatibility sets the compatibility level of subject ("" = global).
func (c *Client) SetCompatibility(ctx context.Context, subject, level string) error {
	path := "/config"
	if subject != "" {
		path += "/" + esc(subject)
	}
	return c.request(ctx, http.MethodPut, path, map[string]string{"compatibility": level}, nil)
}
