#!/bin/sh
# Rows the cloud held back reach a browser that opened while they were held
# (issue 12: machine to machine in seconds). pull_changes hands a row out only
# once every older transaction in the cloud's database has ended, so a pull
# that runs while some other transaction (another person's push) is still
# open gets nothing of what was written after it, and says so (held_back).
# Nobody tells this machine when that transaction ends: the browser must
# pull again by itself. Here A pushes while the test holds a transaction
# open; B's browser opens, pulls at start and once realtime joins, and has
# nothing; the transaction ends, and with no key pressed on B and no new
# change anywhere, A's commit must appear on B's screen (B's own timed pull is
# ten minutes away while live). Needs PostgreSQL and tmux.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
t_need_cmd tmux
y_begin
. "$SRCDIR/tests/tui/tmux-lib.sh"
trap 'rc=$?; x_close; exec 3>&- 2>/dev/null; (exit $rc); s_cleanup' EXIT

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
CLAUDE_HOME=$T_TMP/claude
export CLAUDE_HOME
mkdir -p "$CLAUDE_HOME/projects" "$T_TMP/none/projects/none"
d_turns alpha 1 1
y_ok A import

# A transaction open on the cloud's database, with an id, until the test ends
# it: psql reads its statements from a fifo.
mkfifo "$T_TMP/hold"
psql -X -q "$S_DB" <"$T_TMP/hold" >"$T_TMP/hold.out" 2>&1 &
hold_pid=$!
exec 3>"$T_TMP/hold"
echo "BEGIN; CREATE TEMP TABLE held_open (x int); SELECT pg_current_xact_id();" >&3
i=0
until [ "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM pg_stat_activity
    WHERE state = 'idle in transaction' AND backend_xid IS NOT NULL AND datname = current_database()")" = 1 ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || t_fail "the holding transaction never opened: $(cat "$T_TMP/hold.out")"
	sleep 0.1
done

# A pushes after it: its rows wait behind the open transaction.
y_ok A push
t_assert_eq 1 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM cognitive_commits")" \
	"A's commit in the cloud"

# B's browser: its first pull, and the catch-up pull once realtime joins,
# are handed nothing.
x_open AGENTLOGS_HOME="'$T_TMP/B'" CLAUDE_HOME="'$T_TMP/none'" 3>&-
x_wait_status '^ live '
t_assert_eq 0 "$(t_sql "$T_TMP/B/data.db" "SELECT count(*) FROM cognitive_commits")" \
	"B's commits while the cloud holds A's back"

# The transaction ends; nothing else changes anywhere.
# (\q: psql ends without waiting for the end of its input.)
echo "COMMIT; \\q" >&3
exec 3>&-
wait $hold_pid
x_wait_for "commits 1/1"
t_assert_eq 2 "$(t_sql "$T_TMP/B/data.db" "SELECT count(*) FROM turns")" "B's turns"
x_quit
echo "PASS: rows held back behind another transaction reach a browser that opened meanwhile"
