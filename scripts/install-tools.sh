#!/usr/bin/env bash
# Installs what Wharf's tests and demo need on a fresh Debian machine, and
# caches slow builds outside the repository:
#   - PostgreSQL 15 server (Debian package; tests start private clusters)
#   - MinIO, built once with `go install` into $WHARF_TOOLS (~5 min cold)
#   - DuckDB for Node (@duckdb/node-api) into $WHARF_NODE, to read Parquet back
#   - Chromium (Debian package) and playwright-core into $WHARF_NODE, for the
#     UI end-to-end test (rest/ui/e2e); playwright never downloads a browser
# Every step is skipped when its result is already there. A failed install
# fails the script: tests never skip a missing dependency.
set -euo pipefail

WHARF_TOOLS=${WHARF_TOOLS:-$HOME/.cache/wharf/bin}
WHARF_NODE=${WHARF_NODE:-$(dirname "$WHARF_TOOLS")/node}
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
DUCKDB_NODE_VERSION=1.5.6-r.1
PLAYWRIGHT_CORE_VERSION=1.65.1 # also in rest/ui/e2e (package.json, e2e_test.go)

log() { printf '[install-tools] %s\n' "$*"; }

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  log "installing PostgreSQL 15"
  apt_install postgresql-15
fi
# The Debian package may start a default cluster; tests use their own.

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "installing Node.js"
  apt_install nodejs npm
fi

mkdir -p "$WHARF_TOOLS"
if [ ! -x "$WHARF_TOOLS/minio" ]; then
  log "building MinIO $MINIO_VERSION into $WHARF_TOOLS (takes a few minutes)"
  (cd /tmp && GOBIN="$WHARF_TOOLS" go install "github.com/minio/minio@$MINIO_VERSION")
fi

if [ ! -d "$WHARF_NODE/node_modules/@duckdb/node-api" ]; then
  log "installing @duckdb/node-api $DUCKDB_NODE_VERSION into $WHARF_NODE"
  mkdir -p "$WHARF_NODE"
  npm install --no-audit --no-fund --prefix "$WHARF_NODE" "@duckdb/node-api@$DUCKDB_NODE_VERSION" >/dev/null
fi

if [ ! -x /usr/bin/chromium ]; then
  log "installing Chromium"
  apt_install chromium
fi

if [ ! -f "$WHARF_NODE/node_modules/playwright-core/package.json" ] ||
   ! grep -q "\"version\": \"$PLAYWRIGHT_CORE_VERSION\"" "$WHARF_NODE/node_modules/playwright-core/package.json"; then
  log "installing playwright-core $PLAYWRIGHT_CORE_VERSION into $WHARF_NODE"
  mkdir -p "$WHARF_NODE"
  npm install --no-audit --no-fund --prefix "$WHARF_NODE" "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null
fi

log "tools ready: $WHARF_TOOLS, $WHARF_NODE"
