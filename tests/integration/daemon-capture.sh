#!/bin/sh
# agentlogs daemon: the watcher. Lines appended to a transcript, a new project
# folder, a truncated and rewritten transcript, a lost event queue (the
# watch-overflow fault) and the watch limit (watch-enospc: periodic scans) each
# end with the store holding exactly the turns of the test's own lines: every
# line written is one turn (d_turns writes a prompt and its answer).
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin

d_turns alpha 1 3
d_start
d_wait_turns 6 "the transcripts there at start"
t_assert_eq inotify "$(d_status_field watching)" "watching"
# projects/ and the one project folder.
t_assert_eq 2 "$(d_status_field folders)" "folders watched"

# An append: just the new lines.
d_turns alpha 4 2
d_wait_turns 10 "an append"

# A new project folder is watched, then its lines imported.
d_turns beta 1 1
d_wait_turns 12 "a new project folder"
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"folders":	3' "the new folder's watch"
d_turns beta 2 2
d_wait_turns 16 "an append in the new folder"

# Truncated, then rewritten with two other exchanges: the store follows the
# file (its 10 turns of alpha become the 4 it now holds).
: >"$(d_transcript alpha)"
d_turns alpha 100 2
d_wait_turns 10 "a truncated transcript"

# A partial last line waits for its end: one exchange written in two pieces,
# the cut inside the first line, gives its two turns (a partial line read as a
# line of its own would be skipped as malformed, and so would its rest).
(CLAUDE_HOME=$T_TMP/scratch d_turns beta 50 1)
whole=$(CLAUDE_HOME=$T_TMP/scratch d_transcript beta)
f=$(d_transcript beta)
head -c 40 "$whole" >>"$f"
d_turns gamma 1 1
d_wait_turns 12 "a partial line waits"
tail -c +41 "$whole" >>"$f"
d_wait_turns 14 "the partial line completed"

t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
D_PID=

# The event queue lost: every read of events finds it overflowed (the events
# dropped, as the kernel drops them on IN_Q_OVERFLOW), so only the rescans
# import; they find every line, none twice.
d_start AGENTLOGS_FAULT=watch-overflow
d_turns delta 1 5
d_wait_turns 24 "after a lost event queue"
t_wait_file "$AGENTLOGS_HOME/log" "events were lost (queue overflow): rescanning"
d_turns delta 6 1
d_wait_turns 26 "after the rescan"
t_run "$AGENTLOGS" daemon stop
D_PID=
# One log line per overflow, not one per event lost: each line a rescan.
[ "$(grep -c 'events were lost' "$AGENTLOGS_HOME/log")" -le \
	"$(grep -c 'rescanning' "$AGENTLOGS_HOME/log")" ] || t_fail "overflow lines"

# The watch limit reached at the first watch: one log line, then periodic scans.
d_start AGENTLOGS_FAULT=watch-enospc
t_wait_file "$AGENTLOGS_HOME/log" "watch limit is reached"
t_assert_eq scan "$(d_status_field watching)" "watching after ENOSPC"
d_turns epsilon 1 2
d_wait_turns 30 "a periodic scan"
d_turns delta 7 1
d_wait_turns 32 "the next periodic scan"
t_run "$AGENTLOGS" daemon stop
D_PID=
[ "$(grep -c 'watch limit is reached' "$AGENTLOGS_HOME/log")" = 1 ] ||
	t_fail "one log line for the watch limit"

# The same lines imported from scratch give the same store.
t_run env AGENTLOGS_HOME="$T_TMP/fresh" "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "a fresh import: $t_err"
t_assert_eq 32 "$(t_sql "$T_TMP/fresh/data.db" "SELECT count(*) FROM turns WHERE deleted_at IS NULL")" \
	"a fresh import's turns"
echo "daemon capture: ok"
