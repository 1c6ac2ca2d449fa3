#!/bin/sh
# A store with a damaged page: push, pull, sync and import all refuse in one
# line and write nothing (push used to say "Everything up to date", import to
# write into it). The full check that finds it runs only when the store changed
# since a command that found it good closed it (data.db.checked): every push
# used to read the whole store. Another program's write, a writer that died
# (sqlite3 or agentlogs killed mid-push), a week gone by and damage after a
# clean run all bring the full check back.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_signup A ann@example.com
db=$(y_home A)/data.db
# checked ARG...: agentlogs ARG... on A, saying (debug) when it checks in full.
checked() {
	t_run env AGENTLOGS_HOME="$(y_home A)" AGENTLOGS_DEBUG=1 "$AGENTLOGS" "$@"
	[ "$t_rc" -eq 0 ] || t_fail "agentlogs $* exited $t_rc: $t_err"
}
# full_check REASON ARG...: agentlogs ARG... reads the whole store, for REASON.
full_check() {
	why=$1
	shift
	checked "$@"
	t_assert_contains "$t_err" "data.db: full check ($why)"
}
# no_full_check ARG...: agentlogs ARG... trusts the record of the last clean close.
no_full_check() {
	checked "$@"
	case $t_err in *"full check"*) t_fail "agentlogs $* checked in full: $t_err" ;; esac
}

full_check "no record of a clean close" import --claude-dir "$AGENTLOGS_SAMPLES"
t_assert_eq "-rw-------" "$(ls -l "$db.checked" | cut -c1-10)" "the record's mode"
no_full_check push
no_full_check push
no_full_check pull
no_full_check sync
no_full_check import --claude-dir "$AGENTLOGS_SAMPLES"
no_full_check --sync-once
# --sync-once whose import writes: its sync trusts the import's check.
mkdir -p "$T_TMP/cron/projects/-home-ann-src-cron"
cat >"$T_TMP/cron/projects/-home-ann-src-cron/0b7c3d2e-0000-4000-8000-00000000c001.jsonl" <<'EOF'
{"type":"user","uuid":"eeeeeeee-0000-4000-8000-000000000001","sessionId":"0b7c3d2e-0000-4000-8000-00000000c001","cwd":"/home/ann/src/cron","timestamp":"2026-03-09T10:00:00.000Z","message":{"role":"user","content":"from cron"}}
{"type":"assistant","uuid":"eeeeeeee-0000-4000-8000-000000000002","sessionId":"0b7c3d2e-0000-4000-8000-00000000c001","cwd":"/home/ann/src/cron","timestamp":"2026-03-09T10:00:05.000Z","message":{"id":"msg_cron","model":"m","role":"assistant","content":[{"type":"text","text":"Done."}],"usage":{"input_tokens":1,"output_tokens":1}}}
EOF
export CLAUDE_HOME="$T_TMP/cron"
no_full_check --sync-once
unset CLAUDE_HOME
t_assert_eq 2 "$(t_sql "$db" "SELECT count(*) FROM turns WHERE id LIKE 'eeeeeeee-%'")" \
	"turns --sync-once imported"

# Another program writes (sound): the next command checks, the one after not.
sqlite3 "$db" "INSERT INTO sync_state VALUES ('note', 'from another program')" ||
	t_fail "writing beside agentlogs"
full_check "changed since the last clean close" push
no_full_check push

# A writer that died mid-transaction-stream leaves frames in the WAL and the
# database file as it was: that is a change too.
python3 - "$db" <<'PY' || t_fail "a writer dying"
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("INSERT OR REPLACE INTO sync_state VALUES ('note', 'then died')")
os._exit(0)
PY
[ -s "$db-wal" ] || t_fail "the dying writer left no WAL frames"
full_check "changed since the last clean close" push
no_full_check push

# agentlogs itself killed mid-push, after its first batch was marked synced
# locally: no record of a clean close speaks for what it left.
sqlite3 "$db" "UPDATE cognitive_commits SET sync_status = 'pending'" ||
	t_fail "marking commits pending"
full_check "changed since the last clean close" import --claude-dir "$AGENTLOGS_SAMPLES"
t_run env AGENTLOGS_HOME="$(y_home A)" AGENTLOGS_PUSH_BATCH_BYTES=1 \
	AGENTLOGS_FAULT=push-before-local-commit:2 "$AGENTLOGS" push
t_assert_eq 137 "$t_rc" "push killed at its second local commit ($t_err)"
[ -s "$db-wal" ] || t_fail "the killed push left no WAL frames"
full_check "changed since the last clean close" push
no_full_check push

# And at least weekly, whatever the record says (bytes can rot below the file system).
old=$(( $(date +%s) - 8 * 24 * 3600 ))
sed -i "s/^checked .*/checked $old/" "$db.checked"
full_check "no full check within the past week" push
no_full_check push

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
[ -f "$db.checked" ] || t_fail "no record of the last clean close before the damage"

for cmd in push pull sync; do
	y_on A $cmd
	t_assert_eq 1 "$t_rc" "$cmd on a damaged store ($t_out)"
	t_assert_one_line "$t_err" "$cmd's error on a damaged store"
	t_assert_contains "$t_err" "data.db is damaged"
done
[ ! -f "$db.checked" ] || t_fail "a damaged store kept its record of a clean close"

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
