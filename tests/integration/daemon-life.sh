#!/bin/sh
# agentlogs daemon: one per home (a second names the pid holding it), start,
# status, stop, SIGTERM ends it with 0, SIGHUP reads the config again, kill -9
# in the middle of an import then a restart imports nothing twice, and the
# systemd unit.
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin

t_run "$AGENTLOGS" daemon status
t_assert_eq 1 "$t_rc" "status without a daemon"
t_assert_contains "$t_out" "No daemon runs"

d_turns alpha 1 2
d_start
d_wait_turns 4 "start"

# A second one, detached or not, is refused and names the first's pid.
t_run "$AGENTLOGS" daemon start
t_assert_eq 1 "$t_rc" "a second daemon start"
t_assert_contains "$t_err" "a daemon already serves $AGENTLOGS_HOME (pid $D_PID)"
t_assert_one_line "$t_err"
t_run "$AGENTLOGS" daemon run
t_assert_eq 1 "$t_rc" "a second daemon run"
t_assert_contains "$t_err" "(pid $D_PID)"

t_run "$AGENTLOGS" daemon status
t_assert_eq 0 "$t_rc" "status"
t_assert_contains "$t_out" "pid $D_PID"
t_assert_contains "$t_out" "2 folders (inotify)"
t_run "$AGENTLOGS" daemon status --json
printf '%s\n' "$t_out" >"$T_TMP/status.json"
t_assert_json "$T_TMP/status.json" "status --json"
# storage defaults to cloud; logged out, the sync core idles ("local").
t_assert_eq "True $D_PID 4 cloud local" "$(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(s["running"], s["pid"], s["turns"], s["storage"], s["sync"])' "$T_TMP/status.json")" \
	"status --json members"

# SIGHUP: the config read again (the daemon keeps running, says so once).
"$AGENTLOGS" config set import.idle-minutes 45 >/dev/null || t_fail "config set"
kill -HUP "$D_PID"
t_wait_file "$AGENTLOGS_HOME/log" "SIGHUP: reading the config again"
d_turns alpha 3 1
d_wait_turns 6 "after SIGHUP"

# An import that fails (another process holds the store's write lock past the
# busy timeout) is tried again, with backoff, until it works: no new event is
# needed to bring the lines in.
python3 - "$AGENTLOGS_HOME/data.db" "$T_TMP/locked" "$AGENTLOGS_HOME/log" <<'PY' &
import sqlite3, sys, time, os
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").write("locked\n")
# Until the daemon says its import failed (a bound of 120 s for a broken one).
for _ in range(2400):
    if os.path.exists(sys.argv[3]) and "locked" in open(sys.argv[3]).read():
        break
    time.sleep(0.05)
db.execute("ROLLBACK")
PY
locker=$!
t_wait_file "$T_TMP/locked" locked "the lock taken"
d_turns alpha 30 1
wait "$locker"
t_wait_file "$AGENTLOGS_HOME/log" "locked" "the failed import's line"
d_wait_turns 8 "an import tried again after it failed"
# ...and daemon.json's error goes with it.
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"last_error":	""' "daemon.json once the import worked"

# stop, and start again: nothing imported twice.
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
t_assert_contains "$t_out" "(pid $D_PID) stopped"
# Gone, or a zombie its new parent has not reaped yet: no longer running.
case $(ps -o stat= -p "$D_PID" 2>/dev/null) in
'' | Z*) ;;
*) t_fail "the daemon still runs after stop" ;;
esac
d_turns alpha 4 1
d_start
d_wait_turns 10 "a restart imports what came while stopped"

# SIGTERM on a foreground daemon: exit 0.
t_run "$AGENTLOGS" daemon stop
D_PID=
"$AGENTLOGS" daemon run 2>"$T_TMP/run.log" &
run_pid=$!
t_wait_file "$AGENTLOGS_HOME/daemon.json" "\"pid\":	$run_pid" "the foreground daemon's status"
kill -TERM "$run_pid"
rc=0
wait "$run_pid" || rc=$?
t_assert_eq 0 "$rc" "exit status after SIGTERM"
t_assert_contains "$(cat "$T_TMP/run.log")" "stopping"

# kill -9 in the middle of an import (the fault point right after its first
# commit of 16 MB), then a restart: every line once, none twice. 12,000
# exchanges of about 1.5 KB make 36 MB, more than two such commits.
d_turns big 1 12000 1000
t_rc=0
AGENTLOGS_FAULT=import-after-checkpoint "$AGENTLOGS" daemon run 2>"$T_TMP/run9.log" || t_rc=$?
t_assert_eq 137 "$t_rc" "the daemon killed mid-import"
n=$(d_count)
[ "$n" -gt 10 ] && [ "$n" -lt 24010 ] || t_fail "after kill -9: $n turns, not part of the import"
d_start
d_wait_turns 24010 "after kill -9 and a restart"
t_run "$AGENTLOGS" daemon stop
D_PID=

# The systemd unit: --print writes nothing; install writes it under XDG_CONFIG_HOME.
t_run env XDG_CONFIG_HOME="$T_TMP/xdg" "$AGENTLOGS" daemon install --print
t_assert_eq 0 "$t_rc" "install --print"
t_assert_contains "$t_out" "Restart=on-failure"
t_assert_contains "$t_out" "daemon run"
[ -e "$T_TMP/xdg/systemd/user/agentlogs.service" ] && t_fail "--print wrote the unit"
t_run env XDG_CONFIG_HOME="$T_TMP/xdg" "$AGENTLOGS" daemon install
t_assert_eq 0 "$t_rc" "install"
t_assert_contains "$t_out" "systemctl --user enable --now agentlogs"
grep -q '^Restart=on-failure$' "$T_TMP/xdg/systemd/user/agentlogs.service" ||
	t_fail "the unit file lacks Restart=on-failure"
t_run env -u XDG_CONFIG_HOME HOME="$T_TMP/h" "$AGENTLOGS" daemon install
t_assert_eq 0 "$t_rc" "install under HOME"
[ -f "$T_TMP/h/.config/systemd/user/agentlogs.service" ] || t_fail "no unit under ~/.config"

t_run "$AGENTLOGS" daemon frobnicate
t_assert_eq 2 "$t_rc" "an unknown subcommand"
echo "daemon life: ok"
