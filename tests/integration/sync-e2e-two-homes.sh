#!/bin/sh
# The two-home tests again with every account end-to-end encrypted
# (AGENTLOGS_TEST_E2E=1: sync-lib.sh generates and imports the keys, and the
# cloud-side checks open the cloud's sealed values with e2e_open.py): merges,
# conflict records, a plain round trip and screenshots fetched when viewed
# (their bytes sealed in storage) work the same on sealed content.
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export AGENTLOGS_TEST_E2E=1
for t in sync-basic sync-merge sync-conflicts sync-visuals-view; do
	sh "$SRCDIR/tests/integration/$t.sh" || exit $?
done
echo "PASS: sync-e2e-two-homes"
