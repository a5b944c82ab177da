package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/wharf-project/wharf/worker/schemaregistry"
)

// startSchemaRegistry runs the embedded Schema Registry when
// wharf.schema.registry.enable=true, on its own listener (:8081 by default),
// and points the worker's converters at it unless they name a registry of
// their own. It returns a stop function (a no-op when disabled).
func startSchemaRegistry(ctx context.Context, props map[string]string, client sarama.Client, log *slog.Logger) (func(), error) {
	if !strings.EqualFold(strings.TrimSpace(props[schemaregistry.KeyEnable]), "true") {
		return func() {}, nil
	}
	listener := strings.TrimSpace(props[schemaregistry.KeyListener])
	if listener == "" {
		listener = schemaregistry.DefaultListener
	}
	hostport, ok := strings.CutPrefix(listener, "http://")
	if !ok {
		return nil, fmt.Errorf("%s: %q: expected http://host:port", schemaregistry.KeyListener, listener)
	}
	topic := strings.TrimSpace(props[schemaregistry.KeyTopic])
	if topic == "" {
		topic = "_schemas"
	}
	srv, err := schemaregistry.NewServer(schemaregistry.ServerOptions{Client: client, Topic: topic, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	if err := srv.Start(ctx); err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	ln, err := net.Listen("tcp", hostport)
	if err != nil {
		srv.Stop()
		return nil, fmt.Errorf("schema registry listener: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, conv := range []string{"key.converter", "value.converter"} {
		if props[conv+".schema.registry.url"] == "" {
			props[conv+".schema.registry.url"] = url
		}
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("schema registry listener failed", "error", err)
		}
	}()
	log.Info("embedded Schema Registry started", "url", url, "topic", topic)
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		srv.Stop()
	}, nil
}
