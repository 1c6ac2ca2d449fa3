#!/bin/sh
# A store on a read-only mount (a bind mount remounted read-only in a private
# mount namespace: chmod would not stop root): log, show and projects work
# and print what they print on the writable store; import and push say in one
# line that it is read-only (every command used to call it "not an agentlogs
# database"). Needs unshare -m (root, as in CI).
. "$SRCDIR/tests/integration/sync-lib.sh"
unshare -m true 2>/dev/null || t_skip "no private mount namespace (unshare -m needs root)"
y_begin

y_machine B
y_signup B ann@example.com
y_import B
y_ok B log --all
log_rw=$t_out
id=$(printf '%s\n' "$log_rw" | head -n 1 | cut -d' ' -f1)
y_ok B show "$id"
show_rw=$t_out
mkdir -p "$T_TMP/ro"
# on_ro ARG...: agentlogs ARG... on machine B's home, mounted read-only.
on_ro() {
	t_run unshare -m sh -c 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" &&
		shift 2 && exec "$@"' sh "$(y_home B)" "$T_TMP/ro" \
		env AGENTLOGS_HOME="$T_TMP/ro" "$AGENTLOGS" "$@"
}
on_ro log --all
t_assert_eq 0 "$t_rc" "log on a read-only store ($t_err)"
t_assert_eq "$log_rw" "$t_out" "log on a read-only store"
on_ro show "$id"
t_assert_eq 0 "$t_rc" "show on a read-only store ($t_err)"
t_assert_eq "$show_rw" "$t_out" "show on a read-only store"
on_ro projects
t_assert_eq 0 "$t_rc" "projects on a read-only store ($t_err)"
for cmd in import push; do
	on_ro $cmd
	t_assert_eq 1 "$t_rc" "$cmd on a read-only store ($t_out)"
	t_assert_one_line "$t_err" "$cmd's error on a read-only store"
	t_assert_contains "$t_err" "data.db is read-only (Read-only file system)"
done

echo "PASS: store-readonly"
