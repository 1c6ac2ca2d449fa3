#!/bin/sh
# The daemon (and so the browser's sync thread, which it runs) makes the
# opt-in analytics' daily upload too: opted in, its first sync after an
# import upserts one row; a later sync within the day sends nothing more.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
y_begin
trap 'd_kill; s_cleanup' EXIT

d_cloud_home ann@example.com
uid=$(y_uid A)
"$AGENTLOGS" analytics --opt-in >/dev/null || t_fail "analytics --opt-in"

uploads() {
	grep -c 'POST /rest/v1/analytics_uploads' "$T_TMP/server.log"
}

d_turns alpha 1 1
d_start
d_cloud_turns "$uid" 2
i=0
until [ "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM analytics_uploads WHERE user_id = '$uid'")" = 1 ]; do
	i=$((i + 1))
	[ $i -lt 1200 ] || t_fail "no analytics upload from the daemon; log: $(tail -n 5 "$AGENTLOGS_HOME/log")"
	sleep 0.05
done
t_assert_eq 2 "$(psql -X -At "$S_DB" -c "SELECT (figures->'turns_per_commit') IS NOT NULL::int +
    (figures ? 'sessions')::int FROM analytics_uploads WHERE user_id = '$uid'")" "the daemon's upload"

# Another exchange: pushed by a later sync, which sends no second upload.
d_turns alpha 2 1
d_cloud_turns "$uid" 4
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"pending":	0' "nothing pending"
t_assert_eq 1 "$(uploads)" "uploads after the daemon's second sync"
echo "PASS: daemon-analytics"
