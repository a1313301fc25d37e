#!/usr/bin/env bash
# sluice demo: the main job on the embedded default.
#   source: the sample hospital database (examples/hospital) loaded into the Babelfish kit
#   target: a local OceanBase (seekdb) started here
# Idempotent: re-running drops and recreates the demo databases.
#   SLUICE_DEMO_DIR   work dir for seekdb (default ~/.cache/sluice/demo)
#   SLUICE_DEMO_KEEP=1  leave seekdb running after the demo
#   SLUICE_DEMO_OUT   where reports go (default <repo>/demo-out)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEMO_DIR=${SLUICE_DEMO_DIR:-$HOME/.cache/sluice/demo}
OUT=${SLUICE_DEMO_OUT:-$ROOT/demo-out}
SRC_DB=his_demo
TGT_DB=his
T0=$(date +%s)

# say/info/run, the Babelfish kit and the sample loader (shared with scripts/journey-demo.sh)
. "$ROOT/scripts/lib/sample.sh"

# ---------------------------------------------------------------- build
say "building sluice (cargo build --release -p sluice)"
run cargo build --release -p sluice
SLUICE="$ROOT/target/release/sluice"
[ -x "$SLUICE" ] || { echo "no binary at $SLUICE" >&2; exit 1; }

mkdir -p "$OUT" "$DEMO_DIR"

# ---------------------------------------------------------------- seekdb
say "starting a local OceanBase (seekdb)"
if ! python3 -c 'import pylibseekdb' 2>/dev/null; then
  run pip install pylibseekdb
fi
SEEKDB_PKG=$(python3 -c 'import pylibseekdb,os;print(os.path.dirname(pylibseekdb.__file__))')
SEEKDB_BIN="$SEEKDB_PKG/seekdb"
[ -x "$SEEKDB_BIN" ] || { echo "seekdb binary not found at $SEEKDB_BIN" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

SEEKDB_PID=""
PIDFILE="$DEMO_DIR/seekdb.demo.pid"
PORTFILE="$DEMO_DIR/seekdb.demo.port"
# reuse a seekdb this script left running earlier (SLUICE_DEMO_KEEP=1)
if [ -f "$PIDFILE" ] && [ -f "$PORTFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null \
   && port_open "$(cat "$PORTFILE")"; then
  PORT=$(cat "$PORTFILE"); SEEKDB_PID=$(cat "$PIDFILE")
  info "reusing seekdb pid $SEEKDB_PID on port $PORT"
else
  PORT=$(free_port)
  BASE="$DEMO_DIR/seekdb"
  # a seekdb base dir is bound to its first port: start clean
  rm -rf "$BASE"; mkdir -p "$BASE"
  info "seekdb --nodaemon --port $PORT --base-dir $BASE  (log: $DEMO_DIR/seekdb.log)"
  LD_LIBRARY_PATH="$SEEKDB_PKG:$SEEKDB_PKG/../pylibseekdb.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$SEEKDB_BIN" --nodaemon --port "$PORT" --base-dir "$BASE" >"$DEMO_DIR/seekdb.log" 2>&1 &
  SEEKDB_PID=$!
  disown "$SEEKDB_PID" 2>/dev/null || true
  echo "$SEEKDB_PID" >"$PIDFILE"; echo "$PORT" >"$PORTFILE"
fi

cleanup() {
  if [ -n "$SEEKDB_PID" ]; then
    if [ "${SLUICE_DEMO_KEEP:-0}" = 1 ]; then
      echo "seekdb left running: pid $SEEKDB_PID, mysql://root@127.0.0.1:$PORT" >&2
    else
      echo "stopping seekdb (pid $SEEKDB_PID)" >&2
      kill "$SEEKDB_PID" 2>/dev/null || true
      for _ in $(seq 1 10); do kill -0 "$SEEKDB_PID" 2>/dev/null || break; sleep 1; done
      kill -9 "$SEEKDB_PID" 2>/dev/null || true
      rm -f "$PIDFILE" "$PORTFILE"
    fi
  fi
}
trap cleanup EXIT

for i in $(seq 1 180); do
  port_open "$PORT" && break
  kill -0 "$SEEKDB_PID" 2>/dev/null || { echo "seekdb died; tail of $DEMO_DIR/seekdb.log:" >&2; tail -20 "$DEMO_DIR/seekdb.log" >&2; exit 1; }
  sleep 1
done
port_open "$PORT" || { echo "seekdb did not open port $PORT in 180 s" >&2; exit 1; }
TARGET="mysql://root@127.0.0.1:$PORT"
info "seekdb answers on $TARGET"

# ---------------------------------------------------------------- step 1: assess (offline)
say "step 1: sluice assess (offline, from the exported scripts)"
run "$SLUICE" assess --scripts examples/hospital --database "$TGT_DB" --out "$OUT/assess" --target "$TARGET" \
  || info "assess FAILED (exit $?)"

# ---------------------------------------------------------------- Babelfish source
if ! sample_kit_present; then
  say "Babelfish kit not found at $SAMPLE_KIT: only the offline steps ran"
  info "reports: $OUT/assess"
  echo "RESULT: offline only (assess) in $(( $(date +%s) - T0 )) s"
  exit 0
fi

sample_babelfish_up
URL=$SAMPLE_URL
sample_load "$SRC_DB" "$OUT/source-tables.txt"

SOURCE="$URL;database=$SRC_DB"

# ---------------------------------------------------------------- step 2: migrate
say "step 2: sluice migrate (schema + full load into seekdb database $TGT_DB)"
rm -rf "$OUT/state"
MIGRATE_RC=0
run "$SLUICE" migrate --source "$SOURCE" --target "$TARGET" --database "$TGT_DB" \
  --state "$OUT/state" 2>&1 | tee "$OUT/migrate.log" >&2 || MIGRATE_RC=$?

# ---------------------------------------------------------------- step 3: convert
CONVERT_RC=skipped
if "$SLUICE" convert --help >/dev/null 2>&1; then
  say "step 3: sluice convert (views, procedures, functions, triggers)"
  CONVERT_RC=0
  run "$SLUICE" convert --scripts examples/hospital --schema examples/hospital --database "$TGT_DB" \
    --out "$OUT/convert" --target "$TARGET/$TGT_DB" --check 2>&1 | tee "$OUT/convert.log" >&2 || CONVERT_RC=$?
else
  say "step 3: sluice convert is not available in this build: skipped"
fi

# ---------------------------------------------------------------- step 4: verify
say "step 4: sluice verify (counts, chunk checksums, row diffs)"
VERIFY_RC=0
run "$SLUICE" verify --source "$SOURCE" --target "$TARGET" --target-db "$TGT_DB" \
  --out "$OUT/verify" 2>&1 | tee "$OUT/verify.log" >&2 || VERIFY_RC=$?

# ---------------------------------------------------------------- summary
say "reports"
for f in "$OUT"/assess/assess.html "$OUT"/convert/*.html "$OUT"/verify/verify.html "$OUT"/verify/repair.sql \
         "$OUT"/migrate.log "$OUT"/verify.log; do
  [ -e "$f" ] && info "$f"
done
VERDICT=$(grep -E '^[A-Z][A-Z ]+:' "$OUT/verify.log" | tail -1 | cut -d';' -f1 || true)
if [ "$MIGRATE_RC" = 0 ] && [ "$VERIFY_RC" = 0 ]; then STATUS=OK; else STATUS=FAILED; fi
echo "RESULT: $STATUS in $(( $(date +%s) - T0 )) s: $SRC_DB on Babelfish -> $TARGET/$TGT_DB;" \
  "migrate rc=$MIGRATE_RC, convert rc=$CONVERT_RC, verify rc=$VERIFY_RC; verify: ${VERDICT:-?}"
[ "$STATUS" = OK ]
