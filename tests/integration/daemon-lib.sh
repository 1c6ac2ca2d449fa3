# Helpers for the daemon tests: . "$SRCDIR/tests/integration/daemon-lib.sh"
# (sources lib.sh). Every name starts with d_.
#
# d_begin: $T_TMP, AGENTLOGS_HOME=$T_TMP/home and CLAUDE_HOME=$T_TMP/claude
#   (exported); a daemon started with d_start is stopped (SIGKILL) at exit.
# d_turns P I N [PAD]: appends N exchanges numbered I.. (a prompt and its answer:
#   two lines, each a turn of its own, so 2N turns) to the transcript of
#   session P in project folder -home-ann-P; PAD: that many more bytes in each answer.
# d_count: turns in the store.
# d_wait_turns N: waits until the store holds N turns.
# d_start [ENV...]: `daemon start` with ENV (VAR=value) set; $D_PID its pid.
# d_status_field NAME: that member of daemon.json.
# d_cloud_home EMAIL: (sync-lib.sh sourced, y_begin run) machine A signed up
#   as EMAIL on the test's server with storage = cloud: AGENTLOGS_HOME is its
#   home, CLAUDE_HOME=$T_TMP/claude (both exported).
# d_cloud_turns UID N: (sync-lib.sh) waits until the cloud holds N of UID's turns.

. "$SRCDIR/tests/integration/lib.sh"

d_begin() {
	t_mktemp
	AGENTLOGS_HOME=$T_TMP/home
	CLAUDE_HOME=$T_TMP/claude
	export AGENTLOGS_HOME CLAUDE_HOME
	mkdir -p "$CLAUDE_HOME/projects" "$AGENTLOGS_HOME"
	trap 'd_kill; rm -rf "$T_TMP"' EXIT
}

d_kill() {
	if [ -n "${D_PID:-}" ]; then
		kill -9 "$D_PID" 2>/dev/null || :
	fi
}

d_transcript() {
	printf '%s/projects/-home-ann-%s/%s.jsonl\n' "$CLAUDE_HOME" "$1" \
		"$(printf '%s' "$1" | python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, sys.stdin.read()))')"
}

d_turns() {
	d_f=$(d_transcript "$1")
	mkdir -p "$(dirname "$d_f")"
	python3 - "$1" "$2" "$3" "$d_f" "${4:-0}" <<'PY'
import json, sys, uuid
p, first, n, path, pad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
sid = str(uuid.uuid5(uuid.NAMESPACE_URL, p))
out = []
for i in range(first, first + n):
    ts = "2026-03-01T%02d:%02d:%02d.000Z" % (10 + i // 3600 % 10, i // 60 % 60, i % 60)
    base = {"sessionId": sid, "cwd": "/home/ann/" + p, "gitBranch": "main",
            "version": "2.1.9", "timestamp": ts}
    out.append(dict(base, type="user", uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "u-%s-%d" % (p, i))),
                    message={"role": "user", "content": "prompt %d" % i}))
    out.append(dict(base, type="assistant", uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "a-%s-%d" % (p, i))),
                    message={"id": "msg_%s_%d" % (p, i), "role": "assistant", "model": "m",
                             "content": [{"type": "text", "text": "answer %d" % i + "." * pad}],
                             "usage": {"input_tokens": 1, "output_tokens": 1}}))
with open(path, "a") as f:
    f.write("".join(json.dumps(l) + "\n" for l in out))
PY
}

d_count() {
	t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM turns WHERE deleted_at IS NULL" 2>/dev/null || echo 0
}

d_wait_turns() {
	d_w=0
	until [ "$(d_count)" = "$1" ]; do
		d_w=$((d_w + 1))
		[ $d_w -lt 1200 ] || t_fail "${2:-store}: $(d_count) turns after 60 s, expected $1; log: $(tail -n 5 "$AGENTLOGS_HOME/log" 2>/dev/null)"
		sleep 0.05
	done
}

d_start() {
	t_run env "$@" "$AGENTLOGS" daemon start
	[ "$t_rc" -eq 0 ] || t_fail "daemon start exited $t_rc: $t_err"
	D_PID=$(cat "$AGENTLOGS_HOME/daemon.pid")
	t_wait_file "$AGENTLOGS_HOME/daemon.json" "\"pid\":	$D_PID" "daemon.json"
}

d_status_field() {
	python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))[sys.argv[2]]; print("" if v is None else v)' \
		"$AGENTLOGS_HOME/daemon.json" "$1"
}

# d_wait_status is|has FIELD VALUE WHAT: waits until daemon.json's FIELD is
# VALUE, or contains it.
d_wait_status() {
	d_ws=0
	until case $1 in
		is) [ "$(d_status_field "$2" 2>/dev/null)" = "$3" ] ;;
		*) d_status_field "$2" 2>/dev/null | grep -q -F -e "$3" ;;
		esac; do
		d_ws=$((d_ws + 1))
		[ $d_ws -lt 1200 ] || t_fail "$4: daemon.json's $2 $1 not '$3' after 60 s: $(cat "$AGENTLOGS_HOME/daemon.json")"
		sleep 0.05
	done
}

d_cloud_home() {
	y_machine A
	y_signup A "$1"
	AGENTLOGS_HOME=$(y_home A)
	CLAUDE_HOME=$T_TMP/claude
	export AGENTLOGS_HOME CLAUDE_HOME
	mkdir -p "$CLAUDE_HOME/projects"
	"$AGENTLOGS" config set storage cloud >/dev/null || t_fail "config set storage"
}

# d_cloud_turns UID N: waits until the cloud holds N of the user UID's turns.
d_cloud_turns() {
	d_ct=0
	until [ "$(y_cloud_counts "$1" | cut -d' ' -f4)" = "$2" ]; do
		d_ct=$((d_ct + 1))
		[ $d_ct -lt 1200 ] || t_fail "the cloud holds $(y_cloud_counts "$1") (turns 4th), not $2 turns; log: $(tail -n 5 "$AGENTLOGS_HOME/log"); status: $(cat "$AGENTLOGS_HOME/daemon.json")"
		sleep 0.05
	done
}
