#!/bin/sh
# agentlogs daemon with storage = cloud against a real agentlogs-server: lines
# appended to a transcript reach the cloud through the debounced push (500 ms
# after the last imported change), the realtime channel joins ("live"), a
# burst of 1,000 lines within a second makes a handful of push_batch requests,
# not hundreds; with storage = local the server hears nothing from it.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
y_begin
trap 'd_kill; s_cleanup' EXIT

d_cloud_home ann@example.com
uid=$(y_uid A)

pushes() {
	grep -cE 'POST /rest/v1/rpc/push_(batch|rows)' "$T_TMP/server.log"
}

d_turns alpha 1 1
d_start
t_assert_eq cloud "$(d_status_field storage)" "storage"
d_cloud_turns "$uid" 2
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"sync":	"live"' "the realtime channel"

# One appended exchange: imported, then pushed.
d_turns alpha 2 1
d_cloud_turns "$uid" 4
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"pending":	0' "nothing pending"

# A burst: 1,000 lines, each written on its own, spread over about a second
# (so that the watcher wakes the import many times).
before=$(pushes)
python3 - "$(d_transcript alpha)" <<'PY'
import json, sys, time, uuid
lines = open(sys.argv[1]).read().splitlines()
proto = json.loads(lines[-2])	# a prompt of ours
t0 = time.monotonic()
with open(sys.argv[1], "a") as f:
    for i in range(1000):
        r = dict(proto, uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "burst-%d" % i)), timestamp="2026-03-01T11:%02d:%02d.000Z" % (i // 60 % 60, i % 60))
        r["message"] = {"role": "user", "content": "burst %d" % i}
        f.write(json.dumps(r) + "\n")
        f.flush()
        time.sleep(0.0008)
took = time.monotonic() - t0
print("burst written in %.3f s" % took)
PY
d_cloud_turns "$uid" 1004
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"pending":	0' "nothing pending after the burst"
n=$(($(pushes) - before))
echo "1,000 lines in a burst: $n push_batch request(s)"
[ "$n" -ge 1 ] && [ "$n" -le 5 ] || t_fail "a burst of 1,000 lines made $n push_batch requests"
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "stop: $t_err"
D_PID=

# storage = local: no request at all, while lines are imported.
"$AGENTLOGS" config set storage local >/dev/null || t_fail "config set storage local"
requests=$(y_requests)
d_start
d_turns alpha 3 1
d_wait_turns 1006 "imported with storage = local"
t_assert_eq off "$(d_status_field sync)" "sync with storage = local"
t_run "$AGENTLOGS" daemon stop
D_PID=
t_assert_eq "$requests" "$(y_requests)" "requests to the server with storage = local"
echo "daemon sync: ok"
