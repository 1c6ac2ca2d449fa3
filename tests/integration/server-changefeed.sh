#!/bin/sh
# The change feed (pull_changes through /rest/v1/rpc) against a deliberately
# slow concurrent writer: nothing is skipped (ARCHITECTURE §5).
#
# 1. A slow writer (psql, as user A the way the server runs requests: role
#    authenticated with request.jwt.claims) opens a transaction, writes a row
#    and holds it open on a fifo, while a fast writer commits rows through
#    REST. A client paging with pull_changes, its cursor from each page, must
#    not get the slow row before the commit, nor any row committed after the
#    slow one began (that would move its cursor past the slow row); after the
#    commit it gets all of them.
# 2. Four fast writers, a slow writer sleeping inside its transaction and a
#    client pulling pages of three all run at once.
# In the end the client has seen every row exactly once, in strictly
# increasing (txid, table, id) order: the cursor never skipped.
#
# The txid horizon is cluster-wide: transactions of other tests on the same
# PostgreSQL hold rows back for a while, so arrivals are awaited with a
# deadline rather than asserted on one pull.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
slow_pid=
trap 'rc=$?; [ -z "$slow_pid" ] || kill "$slow_pid" 2>/dev/null; (exit $rc); s_cleanup' EXIT
s_start_server

s_http POST /auth/v1/signup '{"email":"a@example.com","password":"password a"}'
t_assert_eq 200 "$s_status" "signup"
A=$(s_json 'j["access_token"]')
A_ID=$(s_json 'j["user"]["id"]')
CLAIMS="{\"sub\":\"$A_ID\",\"role\":\"authenticated\"}"

# uuid N: a project id.
uuid() {
	printf '00000000-0000-4000-8000-%012d\n' "$1"
}

# fast N...: each project committed by its own REST request.
fast() {
	for n in "$@"; do
		s_http POST /rest/v1/projects "{\"id\":\"$(uuid "$n")\",\"name\":\"fast $n\"}" \
			-H "Authorization: Bearer $A"
		t_assert_eq 201 "$s_status" "fast writer, project $n ($s_body)"
	done
}

# pull PAGE_SIZE: one page from the cursor in $T_TMP/cursor; appends
# "txid table id name" lines to $T_TMP/pulled, saves the next cursor, checks
# that it never moves back, prints "more" or "done".
cat >"$T_TMP/pull.py" <<'PY'
import json, sys, urllib.request

RANK = {"projects": 1, "cognitive_commits": 2, "sessions": 3, "turns": 4, "visuals": 5}

def key(c):
    return (int(c["txid"]), RANK[c["table"]], c["id"])

def pull(url, anon, token, state, out, page):
    try:
        with open(state) as f:
            cursor = json.load(f)
    except FileNotFoundError:
        cursor = None
    args = {"page_size": page}
    if cursor:
        args.update(cursor_txid=cursor["txid"], cursor_table=cursor["table"],
                    cursor_id=cursor["id"])
    req = urllib.request.Request(url + "/rest/v1/rpc/pull_changes",
                                 data=json.dumps(args).encode(), method="POST",
                                 headers={"apikey": anon, "Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        j = json.load(r)
    rows = j["rows"]
    if len(rows) > page:
        sys.exit("a page of %d rows for page_size %d" % (len(rows), page))
    with open(out, "a") as f:
        for r in rows:
            f.write("%s %s %s %s\n" % (r["txid"], r["table"], r["record"]["id"],
                                       r["record"]["name"].replace(" ", "_")))
    nxt = j["next_cursor"]
    if rows and key(nxt) != key({"txid": rows[-1]["txid"], "table": rows[-1]["table"],
                                 "id": rows[-1]["record"]["id"]}):
        sys.exit("next_cursor is not the last row: %r" % nxt)
    if cursor and (nxt is None or key(nxt) < key(cursor)):
        sys.exit("the cursor moved back: %r after %r" % (nxt, cursor))
    if nxt:
        with open(state, "w") as f:
            json.dump(nxt, f)
    return j["more"]

if __name__ == "__main__":
    url, anon, token, state, out, page = sys.argv[1:7]
    print("more" if pull(url, anon, token, state, out, int(page)) else "done")
PY
pull() {
	python3 "$T_TMP/pull.py" "$S_URL" "$S_ANON" "$A" "$T_TMP/cursor" "$T_TMP/pulled" "$1" ||
		t_fail "pull_changes"
}

# pull_until DEADLINE_SECONDS NAME...: pages (of 2) until every NAME is in
# $T_TMP/pulled.
pull_until() {
	limit=$(($(date +%s) + $1))
	shift
	while :; do
		while [ "$(pull 2)" = more ]; do :; done
		missing=
		for name in "$@"; do
			grep -q " $name\$" "$T_TMP/pulled" || missing="$missing $name"
		done
		[ -n "$missing" ] || return 0
		[ "$(date +%s)" -lt "$limit" ] || t_fail "never pulled:$missing"
		sleep 0.2
	done
}

# ------------------------------------------------------------ 1: held on a fifo
: >"$T_TMP/pulled"
fast 1 2 3
pull_until 60 fast_1 fast_2 fast_3

mkfifo "$T_TMP/slow.in"
psql -X -q -v ON_ERROR_STOP=1 "$S_DB" <"$T_TMP/slow.in" >"$T_TMP/slow.out" 2>&1 &
slow_pid=$!
exec 3>"$T_TMP/slow.in"
cat >&3 <<SQL
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '$CLAIMS', true) IS NOT NULL AS claims;
INSERT INTO public.projects (id, name) VALUES ('$(uuid 100)', 'slow 100');
\\echo inserted
SQL
i=0
until grep -q inserted "$T_TMP/slow.out"; do
	i=$((i + 1))
	[ $i -lt 300 ] || t_fail "the slow writer did not insert: $(cat "$T_TMP/slow.out")"
	kill -0 "$slow_pid" 2>/dev/null || t_fail "the slow writer died: $(cat "$T_TMP/slow.out")"
	sleep 0.1
done
# The slow transaction has its txid now; these commit after it began.
fast 4 5 6 7 8
# Page through everything ready, several times over, while the slow writer
# holds its transaction open.
for round in 1 2 3 4 5; do
	while [ "$(pull 2)" = more ]; do :; done
	sleep 0.2
done
for name in slow_100 fast_4 fast_5 fast_6 fast_7 fast_8; do
	if grep -q " $name\$" "$T_TMP/pulled"; then
		t_fail "$name was handed out while the slow writer was still open"
	fi
done
# The rows are committed and visible all the while: only the feed holds them.
s_http GET "/rest/v1/projects?select=name&name=like.fast*" -H "Authorization: Bearer $A"
t_assert_eq 8 "$(s_json 'len(j)')" "fast rows readable before the slow commit"

printf 'COMMIT;\n\\echo committed\n\\q\n' >&3
exec 3>&-
wait "$slow_pid" || t_fail "the slow writer failed: $(cat "$T_TMP/slow.out")"
slow_pid=
grep -q committed "$T_TMP/slow.out" || t_fail "the slow writer did not commit: $(cat "$T_TMP/slow.out")"
pull_until 60 slow_100 fast_4 fast_5 fast_6 fast_7 fast_8
# The slow row comes before every row committed after it began.
first_after=$(grep -n -e ' slow_100$' -e ' fast_4$' "$T_TMP/pulled" | head -n 1)
t_assert_contains "$first_after" slow_100 "the slow row comes first"

# ------------------------------------------------------------ 2: all at once
psql -X -q -v ON_ERROR_STOP=1 "$S_DB" >"$T_TMP/slow2.out" 2>&1 <<SQL &
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '$CLAIMS', true) IS NOT NULL AS claims;
INSERT INTO public.projects (id, name) VALUES ('$(uuid 200)', 'slow 200');
SELECT pg_sleep(3);
COMMIT;
SQL
slow_pid=$!
python3 - "$S_URL" "$S_ANON" "$A" "$T_TMP" <<'PY' || t_fail "concurrent writers and puller"
import json, random, sys, threading, time, urllib.request
sys.path.insert(0, sys.argv[4])
from pull import pull

url, anon, token, tmp = sys.argv[1:5]
errors = []

def writer(w):
    try:
        for k in range(10):
            n = 300 + w * 10 + k
            body = json.dumps({"id": "00000000-0000-4000-8000-%012d" % n, "name": "fast %d" % n})
            req = urllib.request.Request(url + "/rest/v1/projects", data=body.encode(),
                                         method="POST",
                                         headers={"apikey": anon, "Authorization": "Bearer " + token,
                                                  "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                if r.status != 201:
                    errors.append("writer %d: HTTP %d" % (w, r.status))
            time.sleep(random.uniform(0, 0.15))
    except Exception as e:
        errors.append("writer %d: %s" % (w, e))

writers = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
for t in writers:
    t.start()
# Pull alongside, pages of three, until the writers are done.
while any(t.is_alive() for t in writers):
    try:
        while pull(url, anon, token, tmp + "/cursor", tmp + "/pulled", 3):
            pass
    except SystemExit as e:
        errors.append(str(e))
        break
    time.sleep(0.05)
for t in writers:
    t.join()
if errors:
    sys.exit("; ".join(errors))
PY
wait "$slow_pid" || t_fail "the sleeping slow writer failed: $(cat "$T_TMP/slow2.out")"
slow_pid=
names=slow_200
n=300
while [ $n -lt 340 ]; do
	names="$names fast_$n"
	n=$((n + 1))
done
# shellcheck disable=SC2086
pull_until 60 $names

# ------------------------------------------------------------ every row exactly once, in order
python3 - "$T_TMP/pulled" <<'PY' || t_fail "the feed as pulled"
import sys
RANK = {"projects": 1, "cognitive_commits": 2, "sessions": 3, "turns": 4, "visuals": 5}
rows = [l.split() for l in open(sys.argv[1])]
keys = [(int(t), RANK[tb], i) for t, tb, i, _ in rows]
for a, b in zip(keys, keys[1:]):
    if not a < b:
        sys.exit("out of order or repeated: %r then %r" % (a, b))
names = sorted(r[3] for r in rows)
want = sorted(["fast_%d" % n for n in list(range(1, 9)) + list(range(300, 340))] +
              ["slow_100", "slow_200"])
if names != want:
    sys.exit("pulled %d rows, want %d: extra %s, missing %s" % (
        len(names), len(want), sorted(set(names) - set(want)), sorted(set(want) - set(names))))
PY
t_assert_eq 50 "$(wc -l <"$T_TMP/pulled" | tr -d ' ')" "rows pulled"
# A clean stop: status 0 and, under ASan, no leak report.
kill -TERM "$S_PID"
wait "$S_PID"
rc=$?
S_PID=
t_assert_eq 0 "$rc" "exit status after SIGTERM"
if grep -q -e 'Sanitizer' -e 'runtime error' "$T_TMP/server.log"; then
	t_fail "sanitizer report: $(grep -A5 -e Sanitizer -e 'runtime error' "$T_TMP/server.log" | head -20)"
fi
echo "PASS: change feed: a slow writer held back what came after it, nothing skipped, each row once (50 rows)"
