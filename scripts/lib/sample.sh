# shellcheck shell=bash
# Shared by scripts/demo.sh and scripts/journey-demo.sh: output helpers, the Babelfish kit
# (a real T-SQL/TDS server standing in for SQL Server) and the loader of the bundled hospital
# sample (examples/hospital 01..03, then examples/hospital-data). Source it with ROOT set to
# the repository (the caller cd's there: the sample paths are relative to it).
#
#   sample_kit_present            true when the Babelfish kit is beside the repository
#   sample_babelfish_up           starts the kit (idempotent); sets SAMPLE_URL (ADO string)
#   sample_load DB TABLES_FILE    (re)creates Babelfish database DB with the sample; writes
#                                 the list of tables it holds ("schema.table" a line) to TABLES_FILE

say()  { printf '\n==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
run()  { printf '    $ %s\n' "$*" >&2; "$@"; }

SAMPLE_KIT=${SAMPLE_KIT:-$ROOT/../shared/babelfish}
SAMPLE_URL=""

sample_kit_present() { [ -x "$SAMPLE_KIT/up.sh" ]; }

sample_babelfish_up() {
  say "starting the Babelfish kit (a T-SQL server standing in for SQL Server)"
  SAMPLE_URL=$("$SAMPLE_KIT/up.sh")
  info "$SAMPLE_URL"

  if ! python3 -c 'import pytds' 2>/dev/null; then
    run pip install python-tds
  fi
}

sample_load() {
  local db=$1 tables_file=$2
  say "loading the hospital sample into Babelfish database $db (examples/hospital 01..03, then examples/hospital-data)"
  SRC_URL="$SAMPLE_URL" SRC_DB="$db" TABLES_FILE="$tables_file" python3 - examples/hospital/01_database_and_types.sql \
    examples/hospital/02_tables.sql examples/hospital/03_indexes_constraints.sql \
    examples/hospital-data/sample_data.sql <<'PY'
import os, re, sys, time, pytds

url = dict(kv.split('=', 1) for kv in os.environ['SRC_URL'].split(';') if '=' in kv)
url = {k.strip().lower(): v.strip() for k, v in url.items()}
host, _, port = url['server'].removeprefix('tcp:').partition(',')
db = os.environ['SRC_DB']

def connect(database):
    c = pytds.connect(server=host, port=int(port or 1433), user=url['user'],
                      password=url['password'], database=database, autocommit=True)
    cur = c.cursor()
    # session-level escape hatches: ROWVERSION columns, NOCHECK constraints, ...
    cur.execute("EXEC sp_babelfish_configure '%', 'ignore'")
    return c, cur

conn, cur = connect('master')
cur.execute(f"IF DB_ID('{db}') IS NOT NULL DROP DATABASE [{db}]")
cur.execute(f"CREATE DATABASE [{db}]")
conn.close()
conn, cur = connect(db)

def execute(batch):
    try:
        cur.execute(batch)
        while cur.nextset():
            pass
        return None
    except Exception as e:
        return ' '.join(str(e.args[0] if e.args else e).split())

def err0(e):
    return (e or 'not immutable')[:160]

skip_re = re.compile(r'^\s*(USE\s|CREATE\s+DATABASE|ALTER\s+DATABASE)', re.I)
ok = skipped = 0
for path in sys.argv[1:]:
    t = time.time()
    text = open(path, encoding='utf-8-sig').read()
    batches = re.split(r'^\s*GO\s*$', text, flags=re.M | re.I)
    n_ok = n_skip = 0
    for b in batches:
        body = re.sub(r'/\*.*?\*/', '', b, flags=re.S).strip()
        if not body or not re.sub(r'--[^\n]*', '', body).strip():
            continue
        if skip_re.match(body):
            continue
        first = ' '.join(body.split())[:70]
        if re.search(r'CREATE\s+UNIQUE\s+(NONCLUSTERED\s+)?INDEX\b[^;]*\bWHERE\b', body, re.I | re.S):
            # Babelfish hides index filters (sys.indexes.has_filter = 0), so a filtered
            # unique index would reach OceanBase as a plain unique one that the data
            # breaks (sluice migrate then stops rather than merge rows). Keep it non-unique.
            b = re.sub(r'CREATE\s+UNIQUE\s+', 'CREATE ', b, count=1, flags=re.I)
            print(f"    adapted ({os.path.basename(path)}): {first} -- non-unique (Babelfish hides index filters)", file=sys.stderr)
        err = execute(b)
        if err and 'not immutable' in err:
            # Babelfish stores every computed column; one using getdate() or a CONVERT
            # style cannot be stored. Drop the non-PERSISTED computed column(s) it rejects.
            comp = [l for l in b.splitlines() if re.match(r'\s*\[\w+\]\s+AS\s*\(', l)]
            soft = [l for l in comp if 'PERSISTED' not in l]
            for drop in [[l] for l in soft] + [soft, comp]:
                if drop and not execute(''.join(l for l in b.splitlines(True) if l.rstrip('\r\n') not in drop)):
                    err = None
                    cols = ', '.join(l.split()[0] for l in drop)
                    print(f"    adapted ({os.path.basename(path)}): {first} -- without computed column(s) {cols} (generation expression is not immutable)", file=sys.stderr)
                    break
        if err and 'CACHE' in err:
            if not execute(re.sub(r'\bNO\s+CACHE\b|\bCACHE\s+\d+', '', b)):
                err = None
                print(f"    adapted ({os.path.basename(path)}): {first} -- without the CACHE clause", file=sys.stderr)
        if err:
            n_skip += 1
            print(f"    skipped ({os.path.basename(path)}): {first} -- {err0(err)}", file=sys.stderr)
        else:
            n_ok += 1
    ok += n_ok; skipped += n_skip
    print(f"    {os.path.basename(path)}: {n_ok} batches ran, {n_skip} skipped ({time.time()-t:.1f}s)", file=sys.stderr)

cur.execute("""SELECT s.name, t.name, (SELECT COUNT(*) FROM sys.columns c WHERE c.object_id=t.object_id)
               FROM sys.tables t JOIN sys.schemas s ON s.schema_id=t.schema_id ORDER BY 1,2""")
tables = cur.fetchall()
total = 0
counts = []
for s, t, _ in tables:
    cur.execute(f"SELECT COUNT_BIG(*) FROM [{s}].[{t}]")
    n = cur.fetchone()[0]; total += n; counts.append(f"{s}.{t}={n}")
print(f"    {db}: {len(tables)} tables, {total} rows", file=sys.stderr)
with open(os.environ['TABLES_FILE'], 'w') as f:
    f.writelines(f"{s}.{t}\n" for s, t, _ in tables)
print("    " + ", ".join(counts), file=sys.stderr)
PY
}
