#!/bin/sh
# agentlogs-server and requests beyond what libwebsockets 4.1 can parse
# (issue 16): a request line with more query parameters than lws has room for
# (95 parts in all, the path, the HTTP version and each known header counting
# one), or longer than a header slot (8192 bytes), is answered 414 with
# PostgREST's error shape, on a first request and on a kept-alive connection,
# and the server goes on serving. Before, lws closed the connection with no
# answer at all.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
s_start_server

TABLE=/rest/v1/cognitive_commits

# filters N: N PostgREST filters that every row passes, "id=not.is.null" N
# times (200 of them fit a header slot, 2000 do not).
filters() {
	python3 -c 'import sys; print("&".join(["id=not.is.null"] * int(sys.argv[1])))' "$1"
}

# get PATH: GET as the service role, the key in apikey (a header lws does not
# know, so it takes no part); sets $s_status and $s_body.
get() {
	s_body=$(curl -s -o - -w '\n%{http_code}' -H "apikey: $S_SERVICE" "$S_URL$1")
	s_status=$(printf '%s\n' "$s_body" | tail -n 1)
	s_body=$(printf '%s\n' "$s_body" | sed '$d')
}

# assert_refused WHAT: $s_status and $s_body are the 414 answer, in the shape
# PostgREST gives its errors (these four keys, in this order; its query-string
# code PGRST100).
assert_refused() {
	t_assert_eq 414 "$s_status" "$1: status ($s_body)"
	t_assert_eq 'code details hint message|PGRST100' "$(printf '%s' "$s_body" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(j), j["code"], sep="|")')" "$1: the error body ($s_body)"
	t_assert_contains "$s_body" '"message":"The request' "$1: the message"
}

# assert_health WHAT: the server still answers.
assert_health() {
	s_http GET /health
	t_assert_eq 200 "$s_status" "/health after $1 ($s_body)"
}

# ------------------------------------------------------------ within the limit
# curl sends Host, User-Agent and Accept (apikey is no header lws knows): with
# the path and HTTP version those leave 89 parameters. The table is empty:
# the answer is [].
get "$TABLE?$(filters 89)"
t_assert_eq 200 "$s_status" "89 parameters ($s_body)"
t_assert_eq '[]' "$s_body" "89 parameters"
assert_health "89 parameters"

# ------------------------------------------------------------ beyond it
for n in 90 200 2000; do
	get "$TABLE?$(filters $n)"
	assert_refused "$n parameters"
	assert_health "$n parameters"
done

long=$(python3 -c 'print("id=in.(" + ",".join(str(i) for i in range(1, 4300)) + ")")')
[ ${#long} -gt 20000 ] || t_fail "the long query is ${#long} bytes"
get "$TABLE?$long"
assert_refused "a query of ${#long} bytes"
assert_health "a long query"

# A kept-alive connection: the first request answered, the second refused,
# then the connection closed (curl opens a new one for the third).
out=$(curl -s -H "apikey: $S_SERVICE" -w '%{http_code} %{num_connects}\n' \
	-o /dev/null "$S_URL/health" \
	-o "$T_TMP/refused" "$S_URL$TABLE?$(filters 200)" \
	-o /dev/null "$S_URL/health")
t_assert_eq '200 1
414 0
200 1' "$out" "three requests, the second too long, on a kept-alive connection"
s_body=$(cat "$T_TMP/refused")
s_status=414
assert_refused "a second request on a connection"

# Many at once, on as many connections: each gets its own answer, and the
# requests served beside them theirs.
q=$(filters 120)
pids=
i=0
while [ $i -lt 16 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' -H "apikey: $S_SERVICE" "$S_URL$TABLE?$q" \
		>"$T_TMP/many.$i" &
	pids="$pids $!"
	curl -s -o /dev/null -w '%{http_code}\n' "$S_URL/health" >"$T_TMP/health.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids	# not the server, also a child
t_assert_eq 16 "$(cat "$T_TMP"/many.* | grep -c '^414$')" "concurrent refusals answered 414"
t_assert_eq 16 "$(cat "$T_TMP"/health.* | grep -c '^200$')" "/health beside them"

# The refusals are logged as requests are, and nothing went wrong inside.
t_assert_eq 21 "$(grep -c ' 414 ' "$T_TMP/server.log")" "414 lines in the server log"
if grep -q -e 'Sanitizer' -e 'runtime error' "$T_TMP/server.log"; then
	t_fail "sanitizer report: $(grep -A5 -e Sanitizer -e 'runtime error' "$T_TMP/server.log" | head -20)"
fi
echo "PASS: server-query-limits"
