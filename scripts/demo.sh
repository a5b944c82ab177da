#!/usr/bin/env bash
# make demo: the tutorial (Postgres → Debezium source → Kafka → S3 sink →
# MERGE into a consume table) end to end on this machine, without Docker.
#
#   1. installs what is missing (scripts/install-tools.sh: PostgreSQL 15,
#      Node.js, MinIO, DuckDB for Node) and builds Wharf;
#   2. starts a private PostgreSQL 15 (wal_level=logical) on 127.0.0.1:5432,
#      MinIO on 127.0.0.1:9000 (console :9001) with the bucket "burst-bank",
#      and `wharf standalone` with its embedded Kafka and REST API on :8083;
#   3. creates the schema burst_bank (examples/postgres/setup.sql), POSTs the
#      connectors exactly as the tutorial does, applies
#      examples/postgres/workload.sql;
#   4. waits until the changes have landed in the bucket, then prints the UI
#      URL, the object keys and the consume table that the tutorial's MERGE
#      (examples/duckdb/merge.sql, run by DuckDB) computes from them;
#   5. keeps running until Ctrl-C, then stops what it started (by PID).
#
# Environment: DEMO_DIR (default: a new /tmp/wharf-demo.XXXXXX), DEMO_KEEP=1
# keeps it after Ctrl-C; DEMO_PG_PORT, DEMO_MINIO_PORT override the ports
# (the connector files are then copied with the port replaced);
# WHARF_TOOLS, WHARF_NODE as for scripts/install-tools.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
export WHARF_TOOLS=${WHARF_TOOLS:-$HOME/.cache/wharf/bin}
export WHARF_NODE=${WHARF_NODE:-$(dirname "$WHARF_TOOLS")/node}
PGBIN=/usr/lib/postgresql/15/bin
REST=http://localhost:8083
BUCKET=burst-bank
TOPIC=bank.burst_bank.customer
export AWS_ACCESS_KEY_ID=wharfadmin AWS_SECRET_ACCESS_KEY=wharfsecret123 AWS_REGION=us-east-1

bold=$'\033[1m' red=$'\033[31m' green=$'\033[32m' off=$'\033[0m'
[ -t 1 ] || bold='' red='' green='' off=''
log() { printf '%s[demo]%s %s\n' "$bold" "$off" "$*"; }
die() { printf '%s[demo] error:%s %s\n' "$red" "$off" "$*" >&2; exit 1; }

# --- cleanup: stop exactly what this script started -------------------------
WHARF_PID='' MINIO_PID='' PG_DATA='' FAILED=1
cleanup() {
  set +e
  trap - INT TERM
  echo
  if [ -n "$WHARF_PID" ] && kill -0 "$WHARF_PID" 2>/dev/null; then
    log "stopping Wharf (pid $WHARF_PID)"
    kill -TERM "$WHARF_PID"
    for _ in $(seq 1 150); do kill -0 "$WHARF_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$WHARF_PID" 2>/dev/null && kill -KILL "$WHARF_PID"
    wait "$WHARF_PID" 2>/dev/null
  fi
  if [ -n "$MINIO_PID" ] && ! kill -0 "$MINIO_PID" 2>/dev/null; then
    log "MinIO (pid $MINIO_PID) has stopped" # Ctrl-C reaches it too
  elif [ -n "$MINIO_PID" ]; then
    log "stopping MinIO (pid $MINIO_PID)"
    kill -TERM "$MINIO_PID"
    for _ in $(seq 1 100); do kill -0 "$MINIO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$MINIO_PID" 2>/dev/null && kill -KILL "$MINIO_PID"
    wait "$MINIO_PID" 2>/dev/null
  fi
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    log "stopping PostgreSQL (pid $(head -1 "$PG_DATA/postmaster.pid"))"
    as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null
  fi
  if [ "$FAILED" = 1 ] || [ "${DEMO_KEEP:-}" = 1 ]; then
    log "logs and data kept in $DEMO_DIR"
  else
    rm -rf "$DEMO_DIR"
    log "removed $DEMO_DIR"
  fi
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # a free port from $1 upwards
  local p=$1
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}

show_holder() { # who listens on port $1 (best effort)
  command -v ss >/dev/null && ss -ltnp "sport = :$1" 2>/dev/null | tail -n +2 | sed 's/^/    /' || true
}

wait_http() { # url seconds what
  local i
  for i in $(seq 1 $(($2 * 5))); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  die "$3 did not answer at $1 within $2 s"
}

# --- 1. tools and build ---------------------------------------------------
command -v go >/dev/null || die "Go is not installed (https://go.dev/dl/); it builds Wharf and MinIO"
if ! command -v curl >/dev/null; then
  [ "$(id -u)" = 0 ] || die "curl is missing: apt-get install curl"
  log "installing curl"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi
scripts/install-tools.sh
[ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1 || die "no postgres system user; reinstall postgresql-15"

log "building Wharf (bin/wharf) and the demo's S3 client (bin/s3tool)"
go build -o bin/wharf ./cmd/wharf
go build -o bin/s3tool ./examples/s3tool
S3TOOL="$ROOT/bin/s3tool"

# --- ports ------------------------------------------------------------------
if port_in_use 8083; then
  show_holder 8083
  die "port 8083 is in use; the tutorial talks to Wharf's REST API on localhost:8083. Stop that process first."
fi
PG_PORT=${DEMO_PG_PORT:-5432}
MINIO_PORT=${DEMO_MINIO_PORT:-9000}
if port_in_use "$PG_PORT"; then
  [ -z "${DEMO_PG_PORT:-}" ] || die "DEMO_PG_PORT=$PG_PORT is in use"
  PG_PORT=$(free_port 54320)
  log "port 5432 is in use (another PostgreSQL?); the demo's PostgreSQL uses $PG_PORT"
fi
if port_in_use "$MINIO_PORT" || port_in_use $((MINIO_PORT + 1)); then
  [ -z "${DEMO_MINIO_PORT:-}" ] || die "DEMO_MINIO_PORT=$MINIO_PORT or the next port is in use"
  MINIO_PORT=$(free_port 39000)
  while port_in_use $((MINIO_PORT + 1)); do MINIO_PORT=$(free_port $((MINIO_PORT + 2))); done
  log "port 9000 or 9001 is in use; the demo's MinIO uses $MINIO_PORT (console $((MINIO_PORT + 1)))"
fi
MINIO_URL=http://127.0.0.1:$MINIO_PORT

DEMO_DIR=${DEMO_DIR:-$(mktemp -d /tmp/wharf-demo.XXXXXX)}
mkdir -p "$DEMO_DIR"
chmod 755 "$DEMO_DIR" # the postgres user must reach its data directory
trap cleanup EXIT
trap 'if [ "$FAILED" = 0 ]; then exit 0; else exit 130; fi' INT TERM
log "working directory $DEMO_DIR"

# The connector files as the tutorial POSTs them; copies only when a port differs.
CONN_DIR=examples
if [ "$PG_PORT" != 5432 ] || [ "$MINIO_PORT" != 9000 ]; then
  CONN_DIR=$DEMO_DIR/connectors
  mkdir -p "$CONN_DIR"
  for f in debezium.json s3_sink.json s3_sink_parquet.json; do
    sed -e "s/\"database.port\": \"5432\"/\"database.port\": \"$PG_PORT\"/" \
      -e "s#http://127.0.0.1:9000#$MINIO_URL#" "examples/$f" >"$CONN_DIR/$f"
  done
  log "connector files with the demo's ports: $CONN_DIR"
fi

# --- 2. PostgreSQL ----------------------------------------------------------
PG_DIR=$DEMO_DIR/postgres
mkdir -p "$PG_DIR"
[ "$(id -u)" != 0 ] || chown postgres: "$PG_DIR"
log "initdb $PG_DIR/data"
as_postgres "$PGBIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 >"$DEMO_DIR/initdb.log" 2>&1 || { cat "$DEMO_DIR/initdb.log"; die "initdb failed"; }
as_postgres "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10" \
  start >/dev/null || { cat "$PG_DIR/server.log"; die "PostgreSQL did not start"; }
PG_DATA=$PG_DIR/data
log "PostgreSQL 15 on 127.0.0.1:$PG_PORT (wal_level=logical, pid $(head -1 "$PG_DATA/postmaster.pid"))"
psql_demo() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"; }
psql_demo -f examples/postgres/setup.sql >/dev/null
log "created schema burst_bank, table customer (3 rows), user wharf, publication dbz_publication"

# --- MinIO ------------------------------------------------------------------
mkdir -p "$DEMO_DIR/minio"
MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY MINIO_UPDATE=off \
  "$WHARF_TOOLS/minio" server "$DEMO_DIR/minio/data" --quiet --address "127.0.0.1:$MINIO_PORT" \
  --console-address "127.0.0.1:$((MINIO_PORT + 1))" >"$DEMO_DIR/minio/minio.log" 2>&1 &
MINIO_PID=$!
wait_http "$MINIO_URL/minio/health/live" 60 MinIO
"$S3TOOL" -endpoint "$MINIO_URL" mb "$BUCKET"
log "MinIO on $MINIO_URL (pid $MINIO_PID), bucket $BUCKET"

# --- Wharf --------------------------------------------------------------------
"$ROOT/bin/wharf" standalone --data-dir "$DEMO_DIR/wharf" configs/standalone.properties \
  >"$DEMO_DIR/wharf.log" 2>&1 &
WHARF_PID=$!
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "$REST/" 2>/dev/null && break
  kill -0 "$WHARF_PID" 2>/dev/null || { cat "$DEMO_DIR/wharf.log"; die "Wharf exited"; }
  sleep 0.2
done
curl -fsS -o /dev/null "$REST/" || die "Wharf's REST API did not come up (log: $DEMO_DIR/wharf.log)"
log "Wharf standalone with its embedded Kafka broker (pid $WHARF_PID, log $DEMO_DIR/wharf.log)"

# --- 3. connectors, as in the tutorial ------------------------------------------
post() {
  log "curl -X POST -H \"Content-Type: application/json\" --data @$1 $REST/connectors"
  local code
  code=$(curl -sS -o "$DEMO_DIR/post.out" -w '%{http_code}' -X POST -H "Content-Type: application/json" \
    --data @"$1" "$REST/connectors")
  [ "$code" = 201 ] || { cat "$DEMO_DIR/post.out"; echo; die "POST $1 answered $code"; }
  printf '    201 %s\n' "$(head -c 160 "$DEMO_DIR/post.out")…"
}
post "$CONN_DIR/debezium.json"
post "$CONN_DIR/s3_sink.json"
post "$CONN_DIR/s3_sink_parquet.json"

connector_states() { # name → "connector-state task-states…"
  curl -fsS "$REST/connectors/$1/status" 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s); const t = j.tasks.map((x) => x.state);
      console.log([j.connector.state, ...t].join(" "));
      for (const x of j.tasks) if (x.trace) console.error(x.trace.split("\n").slice(0, 3).join("\n"));
    });' || true
}
for name in postgresql-connector s3-sink-connector s3-sink-parquet; do
  for i in $(seq 1 150); do
    st=$(connector_states "$name" 2>"$DEMO_DIR/trace.out")
    case "$st" in
      "RUNNING RUNNING"*) break ;;
      *FAILED*) cat "$DEMO_DIR/trace.out"; die "connector $name failed: $st (log: $DEMO_DIR/wharf.log)" ;;
    esac
    [ "$i" = 150 ] && die "connector $name is not RUNNING after 30 s: $st"
    sleep 0.2
  done
  log "$name: $st"
done

log "applying examples/postgres/workload.sql"
psql_demo -f examples/postgres/workload.sql >/dev/null

# --- 4. wait until the MERGE over the bucket reproduces the table -------------
COLS="custkey, first_name, city, state, fico, registration_date"
psql_demo -At -F, -c "SELECT $COLS FROM burst_bank.customer ORDER BY custkey" >"$DEMO_DIR/postgres.csv"
DUCK=(node examples/duckdb/run.cjs)
merge_of() { # format dir → consume table as CSV
  local glob
  if [ "$1" = json ]; then glob="$2/topics/$TOPIC/partition=*/*.json"; else glob="$2/parquet/$TOPIC/partition=*/*.parquet"; fi
  "${DUCK[@]}" --unaligned -v "changes=$glob" "examples/duckdb/changes_$1.sql" examples/duckdb/consume.sql \
    examples/duckdb/merge.sql "SELECT $COLS FROM customer_consume ORDER BY custkey" 2>/dev/null
}
log "waiting for the changes to land in s3://$BUCKET (JsonFormat: one object per change; Parquet: every 10 s)"
DL=$DEMO_DIR/download
landed=''
for i in $(seq 1 90); do
  rm -rf "$DL"
  "$S3TOOL" -endpoint "$MINIO_URL" get "$BUCKET" "" "$DL" >"$DEMO_DIR/keys.txt"
  if [ -s "$DEMO_DIR/keys.txt" ] &&
    merge_of json "$DL" >"$DEMO_DIR/merge-json.csv" && cmp -s "$DEMO_DIR/merge-json.csv" "$DEMO_DIR/postgres.csv" &&
    merge_of parquet "$DL" >"$DEMO_DIR/merge-parquet.csv" && cmp -s "$DEMO_DIR/merge-parquet.csv" "$DEMO_DIR/postgres.csv"; then
    landed=1
    break
  fi
  sleep 2
done
[ -n "$landed" ] || die "the MERGE over s3://$BUCKET did not reproduce burst_bank.customer within 180 s (see $DEMO_DIR: keys.txt, merge-*.csv, postgres.csv, wharf.log)"

echo
log "${green}the changes have landed${off}"
echo
echo "  Wharf UI:        http://localhost:8083/ui/"
echo "  REST API:        $REST/connectors?expand=status"
echo "  MinIO console:   http://127.0.0.1:$((MINIO_PORT + 1))/  (user $AWS_ACCESS_KEY_ID, password $AWS_SECRET_ACCESS_KEY)"
echo "  PostgreSQL:      psql -h 127.0.0.1 -p $PG_PORT -U wharf postgres   (password wharf)"
echo
log "objects in s3://$BUCKET ($(wc -l <"$DEMO_DIR/keys.txt"))"
json_keys=$(grep -c '^topics/' "$DEMO_DIR/keys.txt" || true)
if [ "$json_keys" -gt 12 ]; then
  grep '^topics/' "$DEMO_DIR/keys.txt" | head -5 | sed 's/^/    /'
  echo "    … $((json_keys - 10)) more JsonFormat objects (flush.size=1: one per change) …"
  grep '^topics/' "$DEMO_DIR/keys.txt" | tail -5 | sed 's/^/    /'
else
  grep '^topics/' "$DEMO_DIR/keys.txt" | sed 's/^/    /'
fi
grep -v '^topics/' "$DEMO_DIR/keys.txt" | sed 's/^/    /'
echo
log "the changes table (JsonFormat objects), by operation"
"${DUCK[@]}" -v "changes=$DL/topics/$TOPIC/partition=*/*.json" examples/duckdb/changes_json.sql \
  "SELECT op, count(*) AS changes FROM customer_changes GROUP BY op ORDER BY op" | sed 's/^/    /'
echo
log "the consume table after the tutorial's MERGE (DuckDB: examples/duckdb/merge.sql over the JsonFormat objects)"
"${DUCK[@]}" -v "changes=$DL/topics/$TOPIC/partition=*/*.json" examples/duckdb/changes_json.sql \
  examples/duckdb/consume.sql examples/duckdb/merge.sql \
  "SELECT * FROM customer_consume ORDER BY custkey" | sed 's/^/    /'
echo
log "${green}it equals burst_bank.customer in PostgreSQL, and so does the MERGE over the Parquet objects${off}"
echo "    the objects are in $DL; try:"
echo "    node examples/duckdb/run.cjs -v changes='$DL/parquet/$TOPIC/*/*.parquet' examples/duckdb/changes_parquet.sql 'SELECT op, after FROM customer_changes'"
echo
FAILED=0
log "running; make more changes with: psql -h $PG_DIR -p $PG_PORT -U postgres postgres"
log "press Ctrl-C to stop Wharf, MinIO and PostgreSQL"
wait "$WHARF_PID" || true
FAILED=1
die "Wharf exited (log: $DEMO_DIR/wharf.log)"
