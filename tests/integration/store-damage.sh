#!/bin/sh
# A store with a damaged page: push, pull, sync and import all refuse in one
# line and write nothing (push used to say "Everything up to date", import to
# write into it).
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
. "$SRCDIR/tests/integration/sync-lib.sh"
t_mktemp
s_require_pg
s_create_db
s_start_server

y_machine A
y_signup A ann@example.com
y_import A
y_ok A push
db=$(y_home A)/data.db

# ---- A damaged page: the first leaf of the turns table, holding old turns
# that neither a push with nothing pending nor the import below reads.
python3 - "$db" <<'PY' || t_fail "damaging a page"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
page = db.execute("SELECT pageno FROM dbstat WHERE name = 'turns' AND pagetype = 'leaf'"
                  " ORDER BY path LIMIT 1").fetchone()[0]
size = db.execute("PRAGMA page_size").fetchone()[0]
db.close()
with open(sys.argv[1], "r+b") as f:
    f.seek((page - 1) * size)
    f.write(b"\xff" * size)
PY
cp "$db" "$T_TMP/damaged.orig"

for cmd in push pull sync; do
	y_on A $cmd
	t_assert_eq 1 "$t_rc" "$cmd on a damaged store ($t_out)"
	t_assert_one_line "$t_err" "$cmd's error on a damaged store"
	t_assert_contains "$t_err" "data.db is damaged"
done

# New lines of a new transcript, with turn ids that sort after every other.
proj="$T_TMP/claude/projects/-home-ann-src-more"
mkdir -p "$proj"
cat >"$proj/0b7c3d2e-0000-4000-8000-000000000001.jsonl" <<'EOF'
{"type":"user","uuid":"ffffffff-0000-4000-8000-000000000001","sessionId":"0b7c3d2e-0000-4000-8000-000000000001","cwd":"/home/ann/src/more","timestamp":"2026-03-10T10:00:00.000Z","message":{"role":"user","content":"one more"}}
{"type":"assistant","uuid":"ffffffff-0000-4000-8000-000000000002","sessionId":"0b7c3d2e-0000-4000-8000-000000000001","cwd":"/home/ann/src/more","timestamp":"2026-03-10T10:00:05.000Z","message":{"id":"msg_more","model":"m","role":"assistant","content":[{"type":"text","text":"Done."}],"usage":{"input_tokens":1,"output_tokens":1}}}
EOF
y_on A import --claude-dir "$T_TMP/claude"
t_assert_eq 1 "$t_rc" "import into a damaged store ($t_out)"
t_assert_one_line "$t_err" "import's error on a damaged store"
t_assert_contains "$t_err" "data.db is damaged"
cmp -s "$db" "$T_TMP/damaged.orig" || t_fail "import wrote into the damaged store"
[ ! -s "$db-wal" ] || t_fail "import left writes in the damaged store's WAL"

echo "PASS: store-damage"
