#!/usr/bin/env bash
# sluice journey demo: the whole migration night on the bundled hospital sample.
#
# SQL Server CDC cannot run here and Babelfish has no CDC, so the live source is a MariaDB
# with a ROW binlog holding the sample (a MySQL-protocol source), and OceanBase with its
# binlog service is a second MariaDB:
#
#   examples/hospital + hospital-data -> Babelfish (T-SQL) --sluice migrate--> MariaDB "his-live"
#   MariaDB "his-live" --migrate -c / sync / verify / cutover--> MariaDB "ob"
#   MariaDB "ob" --reverse sync / rollback--> MariaDB "his-live"
#
# while a small "application" (a bash loop with the mariadb client) keeps writing allergies,
# emergency contacts and address changes, first to his-live, after cutover's GO to ob.
# The journey moves database his (the sample's dbo schema); see README, "The migration night".
# Both MariaDB servers run in a temp dir on free ports and are removed on exit.
#   SLUICE_JOURNEY_OUT   where reports go (default <repo>/demo-out/journey)
#   SLUICE_JOURNEY_KEEP=1  leave the MariaDB servers (and their temp dir) running
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=${SLUICE_JOURNEY_OUT:-$ROOT/demo-out/journey}
SRC_DB=his_journey   # the sample on Babelfish (demo.sh uses his_demo)
DB=his               # database on his-live and on ob (the sample's dbo schema)

# say/info/run, the Babelfish kit and the sample loader (shared with scripts/demo.sh)
. "$ROOT/scripts/lib/sample.sh"

declare -A RC=() SECS=()
STEPS=()
# step NAME CMD...: runs CMD, records its exit code and duration (never aborts the script)
step() {
  local name=$1 t=$SECONDS rc=0; shift
  "$@" || rc=$?
  RC[$name]=$rc; SECS[$name]=$(( SECONDS - t )); STEPS+=("$name")
  [ "$rc" = 0 ] || info "$name: exit $rc"
  return 0
}

# ---------------------------------------------------------------- build
say "building sluice (cargo build --release -p sluice)"
run cargo build --release -p sluice
SLUICE="$ROOT/target/release/sluice"
[ -x "$SLUICE" ] || { echo "no binary at $SLUICE" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"
T1=$(date +%s)   # the journey's own time, without the build

# ---------------------------------------------------------------- two MariaDB servers
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
for p in "$MARIADBD" "$(command -v mariadb-install-db || true)" "$(command -v mariadb || true)"; do
  [ -n "$p" ] && [ -x "$p" ] || { echo "MariaDB not found: run scripts/install-test-deps.sh (Debian's mariadb-server)" >&2; exit 1; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-journey.XXXXXX")
PIDS=()        # MariaDB servers
BG=()          # sluice sync processes and the writer
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

cleanup() {
  local rc=$?
  [ -f "$WORK/writer.mode" ] && echo "exit 0" >"$WORK/writer.mode"
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${SLUICE_JOURNEY_KEEP:-0}" = 1 ]; then
    echo "MariaDB servers left running (pids ${PIDS[*]:-none}): his-live ${LIVE:-?}, ob ${OB:-?}; data in $WORK" >&2
    return $rc
  fi
  if [ ${#PIDS[@]} -gt 0 ]; then
    echo "stopping MariaDB his-live and ob (pids ${PIDS[*]})" >&2
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do
      for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$p" 2>/dev/null || true
    done
  fi
  rm -rf "$WORK"
  return $rc
}
trap cleanup EXIT

# start_mariadb NAME SERVER_ID: a fresh datadir in $WORK/NAME, ROW binlog, root without
# password over TCP (as connectors/testkit/src/mariadb.rs); prints the port
start_mariadb() {
  local name=$1 id=$2 dir="$WORK/$1" port
  local asroot=()
  [ "$(id -u)" = 0 ] && asroot=(--user=root)
  mkdir -p "$dir/tmp"
  mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" \
    --auth-root-authentication-method=normal --skip-test-db "${asroot[@]}" >"$dir/install.log" 2>&1 \
    || { echo "mariadb-install-db failed for $name:" >&2; tail -5 "$dir/install.log" >&2; return 1; }
  printf "CREATE USER IF NOT EXISTS 'root'@'%%';\nGRANT ALL PRIVILEGES ON *.* TO 'root'@'%%' WITH GRANT OPTION;\n" >"$dir/init.sql"
  port=$(free_port)
  info "mariadbd --port=$port --log-bin --binlog-format=ROW --binlog-row-image=FULL --server-id=$id  ($name, log: $dir/error.log)"
  "$MARIADBD" --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --port="$port" \
    --bind-address=127.0.0.1 --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
    --log-error="$dir/error.log" --init-file="$dir/init.sql" \
    --log-bin="$dir/data/mysql-bin" --binlog-format=ROW --binlog-row-image=FULL \
    --binlog-row-metadata=FULL --server-id="$id" --skip-name-resolve --max-allowed-packet=256M \
    --innodb-buffer-pool-size=256M --innodb-log-file-size=64M "${asroot[@]}" >"$dir/stdout.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do
    if mariadb -h127.0.0.1 -P"$port" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      echo "$port"; return 0
    fi
    kill -0 "${PIDS[-1]}" 2>/dev/null || break
    sleep 1
  done
  echo "MariaDB $name did not start; tail of $dir/error.log:" >&2; tail -20 "$dir/error.log" >&2
  return 1
}

say "starting two MariaDB servers: his-live (stands in for the live SQL Server) and ob (OceanBase + its binlog service)"
# not in $(…): the server must stay a child of this shell for the trap
start_mariadb his-live 11 >"$WORK/live.port"; LIVE=$(cat "$WORK/live.port")
start_mariadb ob 12 >"$WORK/ob.port"; OB=$(cat "$WORK/ob.port")
LIVE_URL="mysql://root@127.0.0.1:$LIVE"
OB_URL="mysql://root@127.0.0.1:$OB"
info "his-live: $LIVE_URL    ob: $OB_URL"
sql() { local port=$1; shift; mariadb -h127.0.0.1 -P"$port" -uroot --batch --skip-column-names "$@"; }

# ---------------------------------------------------------------- the sample on his-live
if ! sample_kit_present; then
  echo "Babelfish kit not found at $SAMPLE_KIT: the journey needs it to load the sample" >&2
  exit 1
fi
sample_babelfish_up
t=$SECONDS
sample_load "$SRC_DB" "$OUT/source-tables.txt"
SECS[babelfish-load]=$(( SECONDS - t ))

say "sluice migrate: the sample from Babelfish onto his-live (the converted schema, then the rows)"
step migrate-sample run "$SLUICE" migrate --source "$SAMPLE_URL;database=$SRC_DB" --target "$LIVE_URL" \
  --database "$DB" --state "$WORK/load-state"
info "on his-live: $(sql "$LIVE" -e "SELECT CONCAT(COUNT(*), ' tables in ', COUNT(DISTINCT table_schema), ' databases') FROM information_schema.tables WHERE table_schema LIKE '${DB}%'")"
info "database $DB (the sample's dbo schema, what the journey moves): $(sql "$LIVE" -e "SELECT GROUP_CONCAT(table_name ORDER BY table_name SEPARATOR ', ') FROM information_schema.tables WHERE table_schema='$DB'")"
[ "${RC[migrate-sample]}" = 0 ] || { echo "RESULT: FAILED: the sample could not be put on his-live (migrate rc=${RC[migrate-sample]})"; exit 1; }
info "a MySQL-protocol source moves one database per migration file: the journey moves $DB; ${DB}_clin, ${DB}_lab, … stay on his-live"

# ---------------------------------------------------------------- the migration file
say "the migration file: sluice init --kind mysql, then the endpoints and thresholds"
CFG="$OUT/his-night.toml"
run "$SLUICE" init --kind mysql --output "$CFG" --force
METRICS="127.0.0.1:$(free_port)"
# the edits a DBA makes to the template: (section, key) -> value, uncommenting a key when needed
python3 - "$CFG" <<PY
import re, sys
path = sys.argv[1]
edits = {
    ("migration", "name"): '"his-night"',
    ("migration", "state_dir"): '"state"',
    ("source", "host"): '"127.0.0.1"', ("source", "port"): "$LIVE",
    ("source", "database"): '"$DB"', ("source", "user"): '"root"',
    ("target", "host"): '"127.0.0.1"', ("target", "port"): "$OB",
    ("target", "database"): '"$DB"', ("target", "user"): '"root"',
    ("load", "parallel"): "2", ("load", "chunk_rows"): "2000",
    ("metrics", "listen"): '"$METRICS"',
    ("cutover", "quiet_seconds"): "3", ("cutover", "max_lag_seconds"): "30",
    ("cutover", "drain_timeout_seconds"): "120",
}
drop = {("source", "password_env"), ("target", "password_env")}   # root has no password here
section, out = None, []
for line in open(path).read().splitlines():
    m = re.match(r'\s*\[([\w.]+)\]\s*$', line)
    if m:
        section = m.group(1)
    m = re.match(r'\s*#?\s*(\w+)\s*=', line)
    if m and (section, m.group(1)) in drop:
        continue
    if m and (section, m.group(1)) in edits:
        line = f"{m.group(1)} = {edits.pop((section, m.group(1)))}"
    out.append(line)
assert not edits, f"keys not found in the template: {edits}"
open(path, "w").write("\n".join(out) + "\n")
PY
info "$CFG: $(grep -cvE '^\s*(#|$)' "$CFG") settings; source his-live:$LIVE/$DB, target ob:$OB/$DB, metrics $METRICS"

say "sluice check"
step check run "$SLUICE" check -c "$CFG"

# ---------------------------------------------------------------- the application
# Writes one transaction at a time into the sample's tables: a new allergy, a new emergency
# contact, a changed patient phone and a changed address. Mode file: "<port> <gen>" to write there, "pause <gen>",
# "exit <gen>"; it acknowledges each mode in writer.ack once its transaction in hand is done.
PMIN=$(sql "$LIVE" -e "SELECT MIN(PatientId) FROM $DB.patient")
PMAX=$(sql "$LIVE" -e "SELECT MAX(PatientId) FROM $DB.patient")
GEN=0
writer_loop() {
  local n=0 port gen p UPDATE
  while :; do
    read -r port gen <"$WORK/writer.mode" || continue
    echo "$port $gen" >"$WORK/writer.ack.tmp"; mv "$WORK/writer.ack.tmp" "$WORK/writer.ack"
    case $port in
      exit) return 0 ;;
      pause) sleep 0.1; continue ;;
    esac
    n=$((n + 1)); p=$(( PMIN + (RANDOM * 32768 + RANDOM) % (PMAX - PMIN + 1) ))
    # patient has a unique key besides its id (the MRN) and child tables with
    # ON DELETE CASCADE: the sink's guarded path must update it in place.
    UPDATE="UPDATE patient SET Phone = '1380000$((n % 10000))', UpdatedAt = NOW(6) WHERE PatientId = $p;
        UPDATE patientaddress SET Line2 = 'journey-demo move $n', ValidFrom = CURDATE() WHERE PatientId = $p;"
    if sql "$port" "$DB" -e "START TRANSACTION;
        INSERT INTO allergy (PatientId, Substance, Severity, Reaction, RecordedAt)
          VALUES ($p, 'journey-demo substance $n', 1 + $n % 3, 'rash', NOW());
        INSERT INTO patientcontact (PatientId, Relationship, Name, Phone, IsEmergency)
          VALUES ($p, 'friend', 'contact $n', '1390000$((n % 10000))', $((n % 2)));
        $UPDATE
        COMMIT;" 2>>"$OUT/writer.err"; then
      echo "$port" >>"$WORK/writer.done"
    else
      echo "writer: transaction $n on port $port failed (see $OUT/writer.err)" >&2
    fi
    sleep 0.05
  done
}
# writer MODE: switches the application (a port, pause or exit) and waits until it took effect
writer() {
  GEN=$((GEN + 1))
  echo "$1 $GEN" >"$WORK/writer.mode.tmp"; mv "$WORK/writer.mode.tmp" "$WORK/writer.mode"
  for _ in $(seq 1 300); do
    [ "$(cat "$WORK/writer.ack" 2>/dev/null)" = "$1 $GEN" ] && return 0
    sleep 0.1
  done
  echo "the application did not switch to $1" >&2; return 1
}
writes_on() { awk -v p="$1" '$0 == p { n++ } END { print n + 0 }' "$WORK/writer.done"; }
echo "pause 0" >"$WORK/writer.mode"; : >"$WORK/writer.done"
writer_loop & BG+=($!)

# ---------------------------------------------------------------- forward: migrate, sync, status, verify
say "the application starts writing to his-live"
writer "$LIVE"

say "sluice migrate -c (schema + full load his-live -> ob, capture recording from before the first row)"
migrate_c() {
  run "$SLUICE" migrate -c "$CFG" --no-sync 2>&1 | tee "$OUT/migrate.log" >&2
}
step migrate migrate_c
info "application transactions so far: $(writes_on "$LIVE")"

say "sluice sync -c (forward: his-live binlog -> ob), in the background"
info "\$ $SLUICE sync -c $CFG  (log: $OUT/sync-forward.log; status page http://$METRICS/)"
"$SLUICE" sync -c "$CFG" >"$OUT/sync-forward.log" 2>&1 & SYNC=$!; BG+=($SYNC)
sleep 8

say "sluice status -c"
step status run "$SLUICE" status -c "$CFG"

say "stop the application briefly; sluice verify -c (row-level proof, kept for cutover's preflight)"
writer pause
verify_c() {
  local i rc
  for i in 1 2 3 4 5 6; do
    rc=0; "$SLUICE" verify -c "$CFG" >"$OUT/verify.log" 2>&1 || rc=$?
    grep -E '^[A-Z][A-Z ]+:' "$OUT/verify.log" | tail -1 >&2 || true
    [ "$rc" = 1 ] || return "$rc"
    info "differences: sync is still applying the last writes; again in 2 s"; sleep 2
  done
  return "$rc"
}
step verify verify_c
info "\$ $SLUICE verify -c $CFG  (log: $OUT/verify.log)"
writer "$LIVE"
sleep 3

# ---------------------------------------------------------------- cutover
say "sluice cutover -c (the application keeps writing until cutover asks for quiet)"
info "\$ $SLUICE cutover -c $CFG  (log: $OUT/cutover.log)"
CUT_T=$SECONDS
"$SLUICE" cutover -c "$CFG" >"$OUT/cutover.log" 2>&1 & CUT=$!
for _ in $(seq 1 600); do
  grep -q 'waiting for writes to stop' "$OUT/cutover.log" && break
  kill -0 "$CUT" 2>/dev/null || break
  sleep 0.1
done
grep -m1 'waiting for writes to stop' "$OUT/cutover.log" >&2 || true
info "the application stops writing to his-live ($(writes_on "$LIVE") transactions there)"
writer pause
CUT_RC=0; wait "$CUT" || CUT_RC=$?
RC[cutover]=$CUT_RC; SECS[cutover]=$(( SECONDS - CUT_T )); STEPS+=(cutover)
sed 's/^/    /' "$OUT/cutover.log" >&2
# cutover stopped sync with SIGTERM at GO; after a NO-GO it runs on: stop it here
[ "$CUT_RC" = 0 ] || kill -TERM "$SYNC" 2>/dev/null || true
SYNC_RC=0; wait "$SYNC" || SYNC_RC=$?
RC[sync]=$SYNC_RC; STEPS+=(sync)
[ "$SYNC_RC" = 0 ] || tail -3 "$OUT/sync-forward.log" | sed 's/^/    /' >&2
GO_LINE=$(grep -m1 -E '^(GO|NO-GO)' "$OUT/cutover.log" || echo "no GO line")
if [ "$CUT_RC" != 0 ]; then
  echo "cutover did not say GO: no reverse sync nor rollback" >&2
  writer exit
  echo "RESULT: FAILED in $(( $(date +%s) - T1 )) s (build excluded): cutover rc=$CUT_RC ($GO_LINE); $(for s in "${STEPS[@]}"; do printf '%s rc=%s, ' "$s" "${RC[$s]}"; done | sed 's/, $//')"
  exit 1
fi

# ---------------------------------------------------------------- reverse sync, rollback
say "sluice sync -c (reverse: ob binlog -> his-live), in the background; the application now writes to ob"
info "\$ $SLUICE sync -c $CFG  (log: $OUT/sync-reverse.log)"
"$SLUICE" sync -c "$CFG" >"$OUT/sync-reverse.log" 2>&1 & RSYNC=$!; BG+=($RSYNC)
writer "$OB"
sleep 10
writer pause
info "the application stopped; $(writes_on "$OB") transactions went to ob"
sleep 1
step status2 run "$SLUICE" status -c "$CFG"

say "sluice rollback -c --writes-stopped (drains reverse sync: his-live is current again)"
step rollback run "$SLUICE" rollback -c "$CFG" --writes-stopped
RSYNC_RC=0; wait "$RSYNC" || RSYNC_RC=$?
RC[reverse-sync]=$RSYNC_RC; STEPS+=(reverse-sync)
writer exit

say "sluice verify his-live against ob, row by row"
step final-verify run "$SLUICE" verify --source "$LIVE_URL" --target "$OB_URL" --source-db "$DB" --target-db "$DB" \
  --out "$OUT/final-verify"

# ---------------------------------------------------------------- summary
say "reports"
for f in "$CFG" "$OUT"/state/verify/verify.html "$OUT"/final-verify/verify.html "$OUT"/*.log; do
  [ -e "$f" ] && info "$f"
done
info "application transactions: $(writes_on "$LIVE") on his-live, $(writes_on "$OB") on ob"
info "seconds: babelfish-load ${SECS[babelfish-load]}, $(for s in "${STEPS[@]}"; do [ -n "${SECS[$s]:-}" ] && printf '%s %s, ' "$s" "${SECS[$s]}"; done | sed 's/, $//')"
STATUS=OK; CODES=""
for s in "${STEPS[@]}"; do
  [ "${RC[$s]}" = 0 ] || STATUS=FAILED
  CODES="$CODES${CODES:+, }$s rc=${RC[$s]}"
done
echo "RESULT: $STATUS in $(( $(date +%s) - T1 )) s (build excluded): $SRC_DB on Babelfish -> his-live -> ob -> his-live;" \
  "$CODES; cutover: $GO_LINE; application: $(writes_on "$LIVE") transactions on his-live, $(writes_on "$OB") on ob"
[ "$STATUS" = OK ]
