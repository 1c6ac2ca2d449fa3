#!/bin/sh
# The official Supabase JavaScript client (@supabase/supabase-js, pinned in
# tests/compat/package-lock.json) with its default options against a real
# agentlogs-server on a real PostgreSQL: every tests/compat/*.mjs file but
# lib.mjs runs in turn; each check prints "ok - <the upstream behaviour it
# mirrors>" or "not ok - ...". Any failing check, or a file that stops early,
# fails the test; the last line counts them.
#
# Needs node and the modules that tests/compat/install.sh DIR installs
# ($AGENTLOGS_COMPAT_MODULES=DIR, default ./compat-modules in the build
# directory); without them the test skips, and fails under CI=true.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
t_need_cmd node
mods=${AGENTLOGS_COMPAT_MODULES:-$PWD/compat-modules}
[ -d "$mods/node_modules/@supabase/supabase-js" ] ||
	t_skip "no supabase-js in $mods (run tests/compat/install.sh $mods, or set AGENTLOGS_COMPAT_MODULES)"
cmp -s "$SRCDIR/tests/compat/package-lock.json" "$mods/package-lock.json" ||
	t_skip "$mods holds another lock's install (run tests/compat/install.sh $mods)"
s_require_pg
s_create_db
# Every check signs up or in from one address; the per-address limit (30 in
# 5 minutes, as GoTrue's) is server-dos.sh's subject, not these files'.
S_SERVER_ARGS="--rate-limit-sign-in 100000 --rate-limit-account 100000"
s_start_server

# The files run from a directory of their own whose node_modules is the
# install, so that `import '@supabase/supabase-js'` resolves to it.
mkdir -p "$T_TMP/compat"
cp "$SRCDIR"/tests/compat/*.mjs "$T_TMP/compat/"
ln -s "$mods/node_modules" "$T_TMP/compat/node_modules"

passed=0
failed=0
files=0
for f in "$T_TMP"/compat/*.mjs; do
	name=$(basename "$f")
	[ "$name" != lib.mjs ] || continue
	files=$((files + 1))
	echo "== $name"
	rc=0
	COMPAT_URL=$S_URL COMPAT_ANON=$S_ANON COMPAT_DB=$S_DB node "$f" >"$T_TMP/out" 2>&1 || rc=$?
	cat "$T_TMP/out"
	p=$(grep -c '^ok - ' "$T_TMP/out")
	n=$(grep -c '^not ok - ' "$T_TMP/out")
	passed=$((passed + p))
	failed=$((failed + n))
	if [ $rc -ne 0 ] && [ "$n" -eq 0 ]; then
		echo "not ok - $name stopped (exit $rc) before its checks ended"
		failed=$((failed + 1))
	fi
	grep -q '^# [0-9]* passed, [0-9]* failed$' "$T_TMP/out" || {
		[ $rc -ne 0 ] || { echo "not ok - $name ended without its count"; failed=$((failed + 1)); }
	}
done
echo "$files files: $passed passed, $failed failed"
[ "$files" -gt 0 ] && [ "$passed" -gt 0 ] || t_fail "no checks ran"
[ "$failed" -eq 0 ] || t_fail "$failed supabase-js checks failed"
