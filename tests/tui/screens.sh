#!/bin/sh
# Headless screen tests (tig's way): each tests/tui/scripts/NAME.script drives
# the browser with AGENTLOGS_TUI_SCRIPT on a newterm() bound to /dev/null, at
# every size its "# sizes:" line names, in a fresh home holding the bundled
# samples (and NAME.config as its config, NAME.auth.json as its session and
# NAME.sql run on its store, when there are such; NAME.state names another
# script whose three to take). Every screen it saves must
# equal tests/tui/expected/NAME/SIZE/FILE, and agree with the store it was
# drawn from (check-screen.py: counts, the status bar's up-arrow and ! figures,
# the rows' titles), in UPDATE mode too, so that a wrong screen cannot be
# blessed. To see the store as it was when a screen was saved, the script runs
# again cut after that save-display. A script that saves no screen fails.
#   UPDATE=1 tests/tui/screens.sh   (with AGENTLOGS, SRCDIR, AGENTLOGS_SAMPLES
#                                    set, as make check sets them) rewrites the
#                                    expected screens instead; review the diff.
# The clock is fixed (AGENTLOGS_NOW) and so is the machine name.
. "$SRCDIR/tests/integration/lib.sh"
t_mktemp

# The samples, imported once; each run starts from a copy.
base=$T_TMP/base
mkdir -p "$base"
AGENTLOGS_HOME=$base "$AGENTLOGS" import --claude-dir "$AGENTLOGS_SAMPLES" >/dev/null ||
	t_fail "importing the samples"

# The browser imports before it opens: from the samples again, which adds nothing.
CLAUDE_HOME=$AGENTLOGS_SAMPLES
AGENTLOGS_NOW=2026-03-07T12:00:00Z
AGENTLOGS_MACHINE=testbox
LC_ALL=C.UTF-8
TERM=xterm-256color
export CLAUDE_HOME AGENTLOGS_NOW AGENTLOGS_MACHINE LC_ALL TERM
unset NO_COLOR AGENTLOGS_TUI_TERM
# ncursesw keeps some tables for the life of the process: see lsan.supp.
LSAN_OPTIONS="suppressions=$SRCDIR/tests/tui/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

# fresh_home HOME NAME: the samples' home with NAME's config, session and SQL;
# an empty home when NAME.first-run exists (the browser then runs with no
# transcripts, so it imports the samples as a first run does).
fresh_home() {
	rm -rf "$1"
	if [ -f "$SRCDIR/tests/tui/scripts/$2.first-run" ]; then
		mkdir -p "$1"
	else
		cp -R "$base" "$1"
	fi
	# NAME.state names another script whose state (config, account, SQL) to
	# start from, so two scripts on one state share a single copy of it.
	state=$SRCDIR/tests/tui/scripts/$2
	[ -f "$state.state" ] && state=$SRCDIR/tests/tui/scripts/$(cat "$state.state")
	[ -f "$state.config" ] && cp "$state.config" "$1/config"
	if [ -f "$state.auth.json" ]; then
		cp "$state.auth.json" "$1/auth.json"
		chmod 600 "$1/auth.json"
	fi
	# A state the samples alone do not give (a sync's conflicts), by hand.
	if [ -f "$state.sql" ]; then
		python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(open(sys.argv[2]).read())
db.commit()' "$1/data.db" "$state.sql" ||
			t_fail "$state.sql"
	fi
}

# browse HOME SCRIPT OUT SIZE: runs the browser on SCRIPT, its screens into
# OUT; fails (returns 1, saying why) on an exit status or a word on stderr.
browse() {
	mkdir -p "$3"
	rc=0
	claude=$CLAUDE_HOME
	[ -f "$SRCDIR/tests/tui/scripts/$name.first-run" ] && claude=$T_TMP/no-claude
	(cd "$3" && AGENTLOGS_HOME=$1 AGENTLOGS_TUI_SIZE=$4 AGENTLOGS_TUI_SCRIPT=$2 \
		CLAUDE_HOME=$claude "$AGENTLOGS" >"$T_TMP/stdout" 2>"$T_TMP/stderr") || rc=$?
	# The first run says on stderr that it shows the samples: expected there.
	[ "$claude" = "$CLAUDE_HOME" ] ||
		sed -i '/^No transcripts in .* yet: showing the bundled samples\.$/d' "$T_TMP/stderr"
	if [ "$rc" -ne 0 ] || [ -s "$T_TMP/stderr" ]; then
		echo "FAIL: $name at $size: exit $rc" >&2
		cat "$T_TMP/stderr" >&2
		return 1
	fi
}

# check_against_store SCRIPT OUT: each screen the script saves, against the
# store as it was at that save (the script run again, cut after it).
check_against_store() {
	saves=$(sed -n 's/^save-display  *//p' "$1")
	if [ -z "$saves" ]; then
		echo "FAIL: $name saves no screen" >&2
		return 1
	fi
	bad=0
	j=0
	for f in $saves; do
		j=$((j + 1))
		if [ ! -f "$2/$f" ]; then
			echo "FAIL: $name at $size: $f was not saved" >&2
			bad=1
			continue
		fi
		cut=$T_TMP/cut-$name-$j.script
		awk -v n="$j" '{ print } /^save-display / && ++k == n { exit }' "$1" >"$cut"
		fresh_home "$T_TMP/cut-home" "$name"
		rm -rf "$T_TMP/cut-out"
		browse "$T_TMP/cut-home" "$cut" "$T_TMP/cut-out" "$size" || { bad=1; continue; }
		cmp -s "$2/$f" "$T_TMP/cut-out/$f" ||
			{ echo "FAIL: $name at $size: $f differs when the script stops there" >&2; bad=1; }
		# The screen's size, when no resize in the script changed it.
		grep -q '^resize ' "$1" && at= || at=$size
		python3 "$SRCDIR/tests/tui/check-screen.py" "$T_TMP/cut-home/data.db" "$2/$f" $at >&2 ||
			{ echo "FAIL: $name at $size: $f disagrees with the store" >&2; bad=1; }
	done
	return $bad
}

failed=0
runs=0
for script in "$SRCDIR"/tests/tui/scripts/*.script; do
	name=$(basename "$script" .script)
	sizes=$(sed -n 's/^# sizes: *//p' "$script" | head -n 1)
	[ -n "$sizes" ] || sizes="80x24 40x10"
	for size in $sizes; do
		runs=$((runs + 1))
		home=$T_TMP/home-$name-$size
		out=$T_TMP/out/$name/$size
		fresh_home "$home" "$name"
		browse "$home" "$script" "$out" "$size" || { failed=$((failed + 1)); continue; }
		check_against_store "$script" "$out" || { failed=$((failed + 1)); continue; }
		want=$SRCDIR/tests/tui/expected/$name/$size
		if [ "${UPDATE:-0}" = 1 ]; then
			rm -rf "$want"
			mkdir -p "$want"
			cp "$out"/*.txt "$want/"
			echo "updated $want"
			continue
		fi
		for f in "$out"/*.txt; do
			[ -f "$want/$(basename "$f")" ] ||
				{ echo "FAIL: $name at $size: no expected $(basename "$f")" >&2; failed=$((failed + 1)); }
		done
		for f in "$want"/*.txt; do
			[ -f "$f" ] || continue
			got=$out/$(basename "$f")
			if [ ! -f "$got" ]; then
				echo "FAIL: $name at $size: $(basename "$f") was not saved" >&2
				failed=$((failed + 1))
			elif ! cmp -s "$f" "$got"; then
				echo "FAIL: $name at $size: $(basename "$f") differs:" >&2
				diff -u "$f" "$got" >&2
				failed=$((failed + 1))
			fi
		done
	done
done
[ "$failed" -eq 0 ] || t_fail "$failed screen(s) differ or failed ($runs runs)"
echo "PASS: $runs headless runs, every screen as expected"
