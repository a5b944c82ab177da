#!/usr/bin/env bash
# Runs Wharf's benchmarks side by side with their ceilings and prints one
# table (see bench/README.md). Arguments go to wharfbench, e.g.
#   bench/run.sh -rows 200000 -rounds 3
#   bench/run.sh -only insert,s3 -profile /tmp/prof
# Needs PostgreSQL 15 and the MinIO binary (make tools).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/wharfbench" ./bench/cmd/wharfbench
"$out/wharfbench" "$@"
