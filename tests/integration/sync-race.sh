#!/bin/sh
# The race test of issue 10 (tests/integration/sync_race.py says what it
# checks): two machines editing one commit in interleavings of {edit the
# title, edit a field of its own, pull, push}, checked against a model of who
# had seen what. Every interleaving of up to 3 steps each is 106,569 cases (a day and more), some
# seconds each: `make check` runs the issue's case, a few chosen ones and a
# fixed sample; bench/sync-race runs them all (or a bigger sample).
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
y_import A
y_ok A push
y_settle
y_ok B pull
y_ok A pull
y_ok A log --json --all
commit=$(printf '%s\n' "$t_out" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')

race() {
	S_DB=$S_DB python3 "$SRCDIR/tests/integration/sync_race.py" "$T_TMP" "$commit" "$@" ||
		t_fail "the race test: some interleavings break the model (FAIL lines above)"
}

if [ -n "${SYNC_RACE_ALL:-}" ]; then
	race --all
elif [ -n "${SYNC_RACE_SAMPLE:-}" ]; then
	race --sample "$SYNC_RACE_SAMPLE" --seed "${SYNC_RACE_SEED:-1}"
else
	# The lost update, both directions of it, an edit meeting a pull
	# of an edit of another field, a push racing a pull, then a fixed sample.
	race --case AE,BE,AL,BL,AP,BP,AL BE,AE,BP,AP AE,BO,BP,AL,AP AO,BE,AP,BL,BP,AE \
		AE,AP,BE,BL,BP AE,BE,BP,AL,AE,AP
	race --sample 16 --seed 10
fi
echo "PASS: sync-race"
