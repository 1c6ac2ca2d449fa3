# Helpers for the sync tests: several machines (one AGENTLOGS_HOME each)
# syncing through one agentlogs-server. Sourcing it sources lib.sh and
# server-lib.sh too. Every name starts with y_.
#
# y_begin: a temporary directory, a database of the test's own and the server
#   on it (t_mktemp, s_require_pg, s_create_db, s_start_server); call it first.
# y_machine NAME: makes the home $T_TMP/NAME, configured for the server.
# y_on NAME ARG...: runs agentlogs on machine NAME (t_run: $t_rc, $t_out, $t_err).
# y_ok NAME ARG...: the same, failing the test unless it exits 0.
# y_at SECONDS NAME ARG...: y_ok with the clock at SECONDS (AGENTLOGS_NOW).
# y_signup NAME EMAIL / y_login NAME EMAIL: the password is "pw-EMAIL" (and
#   with AGENTLOGS_TEST_E2E=1, the account's end-to-end key is made or imported).
# y_import NAME: imports the fixtures when present, else the bundled samples.
# y_uid NAME: the user id machine NAME is logged in as.
# y_settle: waits until every transaction that wrote to the cloud has ended
#   cluster-wide, so a pull gets everything pushed so far (pull_changes holds
#   rows back while an older transaction anywhere on the PostgreSQL is open,
#   and other tests may share it).
# y_cloud_counts UID: "projects commits sessions turns visuals" in the cloud.
# y_local_counts NAME: the same in machine NAME's store (tombstones included).
# y_requests: the number of requests in the server log so far.
# y_rows_cloud UID: "table id version" of every row of UID's in the cloud
#   (tombstones included; conflict records too), sorted.
# y_same_rows "NAME..." UID WHAT: each machine NAME holds exactly the cloud's
#   rows of UID, each at the cloud's version, synced (nothing pending).
# y_bump NAME WORD: a new version of every row of machine NAME, pending (the
#   way an edit makes one); the commits get the title WORD.

. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"

Y_TABLES="projects cognitive_commits sessions turns visuals"
# y_same_rows compares the conflict records too: every machine ends with each.
Y_SYNCED="$Y_TABLES conflicts"

y_begin() {
	t_mktemp
	s_require_pg
	s_create_db
	s_start_server
}

y_home() {
	printf '%s/%s\n' "$T_TMP" "$1"
}

y_machine() {
	mkdir -p "$T_TMP/$1"
	AGENTLOGS_HOME=$T_TMP/$1 "$AGENTLOGS" config set cloud.url "$S_URL" >/dev/null ||
		t_fail "config set cloud.url on $1"
	AGENTLOGS_HOME=$T_TMP/$1 "$AGENTLOGS" config set cloud.anon-key "$S_ANON" >/dev/null ||
		t_fail "config set cloud.anon-key on $1"
}

y_on() {
	y_m=$1
	shift
	t_run env AGENTLOGS_HOME="$T_TMP/$y_m" "$AGENTLOGS" "$@"
}

y_ok() {
	y_on "$@"
	[ "$t_rc" -eq 0 ] || t_fail "on $y_m: agentlogs $* exited $t_rc: $t_err"
}

y_at() {
	y_now=$1
	y_m=$2
	shift 2
	t_run env AGENTLOGS_HOME="$T_TMP/$y_m" AGENTLOGS_NOW="$y_now" "$AGENTLOGS" "$@"
	[ "$t_rc" -eq 0 ] || t_fail "on $y_m at $y_now: agentlogs $* exited $t_rc: $t_err"
}

# With AGENTLOGS_TEST_E2E=1 every account is end-to-end encrypted: its first
# machine generates the key, each machine logging in after imports it.
y_signup() {
	printf 'pw-%s\n' "$2" >"$T_TMP/.pw"
	y_ok "$1" signup --email "$2" --password-stdin <"$T_TMP/.pw"
	y_sign_out=$t_out
	if [ "${AGENTLOGS_TEST_E2E:-0}" = 1 ]; then
		y_ok "$1" key generate
		printf '%s\n' "$t_out" >"$T_TMP/.key-$2"
	fi
	t_out=$y_sign_out
}

y_login() {
	printf 'pw-%s\n' "$2" >"$T_TMP/.pw"
	y_ok "$1" login --email "$2" --password-stdin <"$T_TMP/.pw"
	y_sign_out=$t_out
	[ ! -e "$T_TMP/.key-$2" ] || y_ok "$1" key import <"$T_TMP/.key-$2"
	t_out=$y_sign_out
}

# y_import MACHINE [IMPORT OPTIONS...]: imports the fixtures (else the samples) there.
y_import() {
	y_m=$1
	shift
	y_fixtures=${AGENTLOGS_FIXTURES:-$SRCDIR/../shared/fixtures/claude-code}
	if [ -d "$y_fixtures/projects" ]; then
		y_ok "$y_m" import "$@" --claude-dir "$y_fixtures"
	else
		[ -n "${y_said_samples:-}" ] ||
			echo "note: no fixtures at $y_fixtures (set AGENTLOGS_FIXTURES): using the samples"
		y_said_samples=1
		y_ok "$y_m" import "$@" --claude-dir "$AGENTLOGS_SAMPLES"
	fi
}

# y_auth MACHINE FIELD: a field of MACHINE's login (auth.json).
y_auth() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$T_TMP/$1/auth.json" "$2" || t_fail "no $2 in $1's login"
}

y_uid() {
	y_auth "$1" user_id
}

# y_two_projects UID: P1 and P2 set to the ids of UID's first two projects in the cloud.
y_two_projects() {
	set -- $(psql -X -At "$S_DB" -c "SELECT id FROM projects WHERE user_id = '$1' ORDER BY id LIMIT 2")
	[ $# -eq 2 ] || t_fail "fewer than two projects in the cloud"
	P1=$1 P2=$2
}

# y_title MACHINE ID: the commit's title there, as `show --json` gives it.
y_title() {
	y_ok "$1" show --json "$2"
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
j = json.load(sys.stdin)
print((j.get("commit") or j)["title"])'
}

# y_cloud_title MACHINE ID: the commit's title in the cloud, for MACHINE's account.
y_cloud_title() {
	y_cloud_row "$(y_uid "$1")" cognitive_commits "$2" title "$1"
}

# y_cloud_row UID TABLE ID COLUMNS [MACHINE]: the row's COLUMNS (comma-separated) in
# the cloud as psql -At prints them; sealed values opened with MACHINE's key (e2e_open.py).
y_cloud_row() {
	if [ -n "${5:-}" ] && [ -e "$T_TMP/$5/e2e.key" ]; then
		psql -X -At "$S_DB" -c "SELECT row_to_json(r)::text || E'\\t' ||
		    json_build_array($4)::text FROM $2 r WHERE user_id = '$1' AND id = '$3'" |
			python3 "$SRCDIR/tests/integration/e2e_open.py" "$T_TMP/$5/e2e.key" "$2" "$4" ||
			t_fail "opening $2.$4 of $3"
	else
		psql -X -At "$S_DB" -c "SELECT $4 FROM $2 WHERE user_id = '$1' AND id = '$3'"
	fi
}

# y_conflicts MACHINE ID KEY...: the given keys of each open conflict of the
# commit, from `conflicts --json`, one line a conflict, sorted.
y_conflicts() {
	y_m=$1
	y_id=$2
	shift 2
	y_ok "$y_m" conflicts --json
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
for c in json.load(sys.stdin):
    if c["commit_id"] == sys.argv[1]:
        print(*(c[k] for k in sys.argv[2:]))' "$y_id" "$@" | LC_ALL=C sort
}

y_settle() {
	y_i=0
	y_sql="SELECT bool_and(x < pg_snapshot_xmin(pg_current_snapshot())) FROM (
	    SELECT max(txid) x FROM projects UNION ALL SELECT max(txid) FROM cognitive_commits
	    UNION ALL SELECT max(txid) FROM sessions UNION ALL SELECT max(txid) FROM turns
	    UNION ALL SELECT max(txid) FROM visuals UNION ALL SELECT max(txid) FROM conflicts) m
	    WHERE x IS NOT NULL"
	until [ "$(psql -X -At "$S_DB" -c "$y_sql")" != f ]; do
		y_i=$((y_i + 1))
		[ $y_i -lt 600 ] || t_fail "a transaction elsewhere on the PostgreSQL stayed open for a minute"
		sleep 0.1
	done
}

y_cloud_counts() {
	y_sql=
	for y_t in $Y_TABLES; do
		y_sql="$y_sql${y_sql:+ || ' ' || }(SELECT count(*) FROM $y_t WHERE user_id = '$1')"
	done
	psql -X -At "$S_DB" -c "SELECT $y_sql" || t_fail "counting the cloud's rows"
}

y_local_counts() {
	y_sql=
	for y_t in $Y_TABLES; do
		y_sql="$y_sql${y_sql:+ || ' ' || }(SELECT count(*) FROM $y_t)"
	done
	t_sql "$T_TMP/$1/data.db" "SELECT $y_sql"
}

y_requests() {
	grep -cE '^[^ ]+ (GET|POST|PUT|PATCH|DELETE|HEAD) /' "$T_TMP/server.log"
}

# The local rows as y_same_rows compares them, as SQL in $y_sql.
y_rows_sql() {
	y_sql=
	for y_t in $Y_SYNCED; do
		y_sql="$y_sql${y_sql:+ UNION ALL }SELECT '$y_t' || ' ' || id || ' ' || version ||
		    CASE sync_status WHEN 'synced' THEN '' ELSE ' ' || sync_status END FROM $y_t"
	done
}

y_rows_cloud() {
	y_sql=
	for y_t in $Y_SYNCED; do
		y_sql="$y_sql${y_sql:+ UNION ALL }SELECT '$y_t' || ' ' || id || ' ' || version
		    FROM $y_t WHERE user_id = '$1'"
	done
	psql -X -At "$S_DB" -c "$y_sql" | LC_ALL=C sort
}

y_same_rows() {
	y_rows_cloud "$2" >"$T_TMP/.rows.cloud"
	[ -s "$T_TMP/.rows.cloud" ] || t_fail "$3: no rows in the cloud"
	# One python for every machine: the tests call this often.
	y_rows_sql
	y_diff=$(python3 - "$T_TMP" "$T_TMP/.rows.cloud" "$y_sql" $1 <<'PY'
import sqlite3, sys
tmp, cloud_file, sql = sys.argv[1:4]
cloud = sorted(open(cloud_file).read().split("\n")[:-1])
for m in sys.argv[4:]:
    local = sorted(r[0] for r in sqlite3.connect(f"{tmp}/{m}/data.db").execute(sql))
    if local != cloud:
        lo, cl = set(local), set(cloud)
        extra = sorted(lo - cl)[:5] + (["(duplicates)"] if len(local) != len(lo) else [])
        print(f"{m}'s rows differ from the cloud's ({len(local)} here, {len(cloud)} there):"
              f" only on {m}: {extra}; only in the cloud: {sorted(cl - lo)[:5]}")
PY
) || t_fail "$3: comparing rows"
	[ -z "$y_diff" ] || t_fail "$3: $y_diff"
}

y_bump() {
	python3 - "$T_TMP/$1/data.db" "$2" <<'PY' || t_fail "y_bump"
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
for t in ("projects", "cognitive_commits", "sessions", "turns", "visuals"):
    extra = ", title = :w" if t == "cognitive_commits" else ""
    db.execute(f"UPDATE {t} SET version = version + 1, updated_at = :now, sync_status = 'pending',"
               f" local_version = local_version + 1{extra}", {"now": now, "w": sys.argv[2]})
db.commit()
PY
}
