#!/bin/sh
# agentlogs daemon: a project folder that moves keeps being watched. Renamed
# inside projects/, moved out and back (a rename: the same folder), and moved
# out and back across file systems (a copy, then a delete: a new folder each
# way), lines appended after each move are imported, none twice. Every line
# written is one turn (d_turns writes a prompt and its answer).
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin

# more FILE I N: appends N exchanges numbered I.. of session alpha to FILE,
# wherever its folder now is.
more() {
	rm -rf "$T_TMP/scratch"
	(CLAUDE_HOME=$T_TMP/scratch d_turns alpha "$2" "$3")
	cat "$(CLAUDE_HOME=$T_TMP/scratch d_transcript alpha)" >>"$1"
}

d_turns alpha 1 1
d_start
d_wait_turns 2 "the transcript there at start"
f=$(d_transcript alpha)
name=$(basename "$f")
projects=$CLAUDE_HOME/projects

# Renamed inside projects/.
mv "$projects/-home-ann-alpha" "$projects/-home-ann-renamed"
more "$projects/-home-ann-renamed/$name" 2 1
d_wait_turns 4 "an append after a rename inside projects/"

# Out of projects/ and back, as mv does on one file system.
mkdir -p "$T_TMP/away"
mv "$projects/-home-ann-renamed" "$T_TMP/away/"
mv "$T_TMP/away/-home-ann-renamed" "$projects/"
more "$projects/-home-ann-renamed/$name" 3 1
d_wait_turns 6 "an append after moving out and back"

# Out while lines are written, then back: they come with it.
mv "$projects/-home-ann-renamed" "$T_TMP/away/"
more "$T_TMP/away/-home-ann-renamed/$name" 4 1
mv "$T_TMP/away/-home-ann-renamed" "$projects/"
d_wait_turns 8 "lines written while away"
more "$projects/-home-ann-renamed/$name" 5 1
d_wait_turns 10 "an append once back"

# Out and back as mv does across file systems: copied, the original deleted.
cp -a "$projects/-home-ann-renamed" "$T_TMP/away/" && rm -rf "$projects/-home-ann-renamed"
cp -a "$T_TMP/away/-home-ann-renamed" "$projects/" && rm -rf "$T_TMP/away/-home-ann-renamed"
more "$projects/-home-ann-renamed/$name" 6 1
d_wait_turns 12 "an append after a copy out and back"
more "$projects/-home-ann-renamed/$name" 7 1
d_wait_turns 14 "a second append after a copy out and back"
# projects/ and the one folder: the deleted original's watch is gone.
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"turns":	14' "daemon.json after the last import"
t_assert_eq 2 "$(d_status_field folders)" "folders watched"

t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
D_PID=

# The same transcript imported from scratch gives the same store.
t_run env AGENTLOGS_HOME="$T_TMP/fresh" "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "a fresh import: $t_err"
t_assert_eq 14 "$(t_sql "$T_TMP/fresh/data.db" "SELECT count(*) FROM turns WHERE deleted_at IS NULL")" \
	"a fresh import's turns"
echo "daemon folder move: ok"
