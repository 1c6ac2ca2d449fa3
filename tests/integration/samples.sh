#!/bin/sh
# The bundled samples only on a first run (an empty store, no account, no
# transcripts), marked as samples: never pushed, never counted in analytics,
# removed by the first real import or by samples --remove. A store that is
# not new, or a logged-in home, never gets them.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

mkdir -p "$T_TMP/none/projects"
# plain MACHINE: `agentlogs` with no command and no transcripts (not a terminal: it prints the log).
plain() {
	t_run env AGENTLOGS_HOME="$(y_home "$1")" CLAUDE_HOME="$T_TMP/none" "$AGENTLOGS"
	[ "$t_rc" -eq 0 ] || t_fail "agentlogs on $1 exited $t_rc: $t_err"
}
# The samples' figures as a plain import of their directory gives them.
y_machine R
y_ok R import --claude-dir "$AGENTLOGS_SAMPLES"
ref=$(y_local_counts R)
nsamples=$(echo "$ref" | cut -d' ' -f2)
[ "$nsamples" -gt 0 ] || t_fail "no commits in the samples"

# ---- A first run: the samples, marked, kept local.
y_machine A
plain A
t_assert_contains "$t_err" "showing the bundled samples"
t_assert_eq "$ref" "$(y_local_counts A)" "rows after the first run"
y_ok A samples
t_assert_contains "$t_out" "The bundled samples are in the store"
y_ok A analytics --json
t_assert_eq "0 0 0" "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys
a = json.load(sys.stdin); print(a["projects"], a["commits"]["total"], a["turns"])')" \
	"analytics of a store holding only the samples"
# Logged in now, and a sample edited: nothing goes up.
y_signup A ann@example.com
uid=$(y_uid A)
id=$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits LIMIT 1")
y_ok A title "$id" "edited sample"
y_ok A sync
t_assert_eq "Everything up to date with $S_URL." "$t_out" "A's sync with the samples"
t_assert_eq "0 0 0 0 0" "$(y_cloud_counts "$uid")" "the cloud's rows after A's sync"
y_ok A sync --status --json
t_assert_eq 0 "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(sum(json.load(sys.stdin)["pending"].values()))')" "pending rows with only the samples"

# ---- The first real transcript: the samples go, the real ones go up. The
# samples imported explicitly with --claude-dir are a real import.
y_ok A import --claude-dir "$AGENTLOGS_SAMPLES"
t_assert_contains "$t_out" "Removed the bundled samples ($nsamples commits)"
y_ok A samples
t_assert_eq "No samples in the store." "$t_out" "samples after a real import"
t_assert_eq "" "$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits WHERE title = 'edited sample'")" \
	"the edited sample after a real import"
y_ok A sync
y_settle
t_assert_eq "$(y_local_counts A)" "$(y_cloud_counts "$uid")" "the cloud's rows after the real import"
y_ok A analytics --json
t_assert_eq "$nsamples" "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(json.load(sys.stdin)["commits"]["total"])')" "analytics counts real transcripts"

# ---- No samples for a home with an account, nor for a store that is not new.
y_machine B
y_login B ann@example.com
plain B
t_assert_eq "0 0 0 0 0" "$(y_local_counts B)" "B's rows after agentlogs, logged in"
y_ok B pull
y_ok B logout
plain B
t_assert_eq "$(y_cloud_counts "$uid")" "$(y_local_counts B)" "B's rows after agentlogs, logged out, not new"
y_ok B samples
t_assert_eq "No samples in the store." "$t_out" "samples on B"

# ---- samples --remove.
y_machine C
plain C
y_ok C samples --remove
t_assert_eq "Removed the bundled samples ($nsamples commits)." "$t_out" "samples --remove"
t_assert_eq "0 0 0 0 0" "$(y_local_counts C)" "C's rows after samples --remove"
y_ok C samples --remove
t_assert_eq "No samples to remove." "$t_out" "samples --remove again"
echo "PASS: samples"
