# Wharf — common tasks. `make demo` runs the tutorial end to end on this
# machine; `make test` runs every test (what CI runs after installing tools).
GO ?= go
WHARF_TOOLS ?= $(HOME)/.cache/wharf/bin
WHARF_NODE ?= $(HOME)/.cache/wharf/node
export WHARF_TOOLS WHARF_NODE

.PHONY: build test vet tools bench clean demo

build:
	$(GO) build -o bin/wharf ./cmd/wharf

tools:
	scripts/install-tools.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

# Every test, against real PostgreSQL, MinIO and Kafka (kfake). Packages run
# one at a time (-p 1) because several start servers and the machines have
# two cores.
test: tools vet
	$(GO) test -p 1 -count=1 -timeout 20m ./...

bench:
	bench/run.sh

# The tutorial end to end on this machine (no Docker): PostgreSQL, MinIO,
# Wharf with its embedded Kafka, the example connectors, a workload and the
# MERGE in DuckDB. Runs until Ctrl-C. See scripts/demo.sh.
demo:
	scripts/demo.sh

clean:
	rm -rf bin
