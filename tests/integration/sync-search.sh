#!/bin/sh
# Search on a second machine: what A imports and pushes, B finds once it has
# pulled (the same hits as A), a tool result A imports later too (a pulled
# update of the turn), a title set on A, and nothing under a tombstone A
# pulls to B; B's index matches its rows exactly (t_search_index_ok). A pull,
# like an import, leaves its new turns for the next search to index: that
# search finds them, also when a second pull rewrote one still waiting.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com

# hits MACHINE QUERY: how many turns search finds there.
hits() {
	y_ok "$1" search --json --limit 1000000 --all "$2"
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(sum(1 for h in json.load(sys.stdin) if h["kind"] == "turn"))'
}
index_ok() {
	t_search_index_ok "$(y_home "$1")/data.db" "on $1 $2"
}
# pending MACHINE: 1 while turns wait there for a search to index them.
pending() {
	t_sql "$(y_home "$1")/data.db" "SELECT count(*) FROM search_batch"
}

CLAUDE=$T_TMP/claude
DIR=$CLAUDE/projects/-home-ann-src-app
mkdir -p "$DIR"
F=$DIR/5a1b2c3d-1111-4222-8333-444455556666.jsonl	# named after its session
python3 "$SRCDIR/tests/integration/search_session.py" 3 >"$F"
y_import A
y_ok A import --claude-dir "$CLAUDE"
y_ok A sync
y_settle
t_assert_eq 0 "$(hits B periwinkle)" "B before its pull"
y_ok B sync
t_assert_eq 1 "$(pending B)" "B's pulled turns waiting for its first search"
for word in commit the zanzibar quokka periwinkle foo.bar; do
	t_assert_eq "$(hits A "$word")" "$(hits B "$word")" "hits of '$word' on B and A"
done
t_assert_eq 1 "$(hits B periwinkle)" "the call's input on B"
t_assert_eq 0 "$(hits B marmalade)" "the result on B, not yet imported on A"
index_ok B "after the first pull"

# The call's result comes with A's next import: B's pull rewrites the turn.
python3 "$SRCDIR/tests/integration/search_session.py" 5 >"$F"
y_ok A import --claude-dir "$CLAUDE"
y_ok A sync
y_settle
y_ok B sync
t_assert_eq 1 "$(hits B marmalade)" "the result on B after its pull"
t_assert_eq 2 "$(hits B zanzibar)" "the new prompt on B"
index_ok B "after a pulled update"

# A title, then a tombstone, set on A.
y_ok A search periwinkle --json
id=$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["commit"])')
y_ok A title "$id" "Gazpacho investigation"
y_ok A sync
y_settle
y_ok B sync
y_ok B search gazpacho --json
t_assert_contains "$t_out" '"kind":"title"' "the title on B"
y_ok A rm "$id"
y_ok A sync
y_settle
y_ok B sync
t_assert_eq 0 "$(hits B periwinkle)" "the turns under the pulled tombstone"
y_ok B search gazpacho --json
t_assert_eq "[]" "$t_out" "the title under the pulled tombstone"
t_assert_eq 0 "$(hits B cafe)" "the prompt the commit reopened with"
[ "$(hits B the)" -gt 0 ] || t_fail "the fixtures' commits went too"
t_assert_eq "$(hits A the)" "$(hits B the)" "hits of 'the' on B and A after the tombstone"
index_ok B "after the pulled tombstone"

# Another session, pulled twice before B searches: the second pull rewrites
# a turn the first left waiting (its call's result arrives).
G=$DIR/6a1b2c3d-1111-4222-8333-444455556666.jsonl
python3 "$SRCDIR/tests/integration/search_session.py" 3 | sed 's/5a1b2c3d/6a1b2c3d/g' >"$G"
y_ok A import --claude-dir "$CLAUDE"
y_ok A sync
y_settle
y_ok B sync
t_assert_eq 1 "$(pending B)" "the other session's turns waiting on B"
python3 "$SRCDIR/tests/integration/search_session.py" 5 | sed 's/5a1b2c3d/6a1b2c3d/g' >"$G"
y_ok A import --claude-dir "$CLAUDE"
y_ok A sync
y_settle
y_ok B sync
t_assert_eq 1 "$(hits B periwinkle)" "the other session's call on B"
t_assert_eq 1 "$(hits B marmalade)" "its result, pulled while the turn waited, on B"
t_assert_eq 2 "$(hits B zanzibar)" "its two prompts on B"
t_assert_eq 0 "$(pending B)" "nothing waiting on B after a search"
for word in commit the zanzibar quokka periwinkle marmalade cafe; do
	t_assert_eq "$(hits A "$word")" "$(hits B "$word")" "hits of '$word' on B and A at the end"
done
index_ok B "after two pulls and a search"
exit 0
