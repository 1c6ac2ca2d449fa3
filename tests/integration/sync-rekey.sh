#!/bin/sh
# Projects are repositories across machines (issue 11). Machine A's store is
# made the way an old build left it (projects keyed by folder name, id UUIDv5
# of the name) and synced; B pulls it and imports its own transcripts; then A's
# next import re-keys it. After everyone syncs:
# - the cloud holds the repository-keyed projects, every commit points at one,
#   the old projects are tombstones, and both machines show the same projects,
#   none of the old ones, with every commit and turn;
# - one repository checked out at ~/work/app on A and at ~/src/app on B (the
#   same origin, written git@host:o/r.git on one and https://host/o/r on the
#   other) is ONE project "o/r" holding both machines' commits, shown on each
#   machine with that machine's own checkout;
# - two repositories that only share a folder name ("cli", "lib") stay two
#   projects, with unique names on both machines.
# Each machine sees only its own checkouts: the other's directories are moved
# away while it runs, as they would be on another computer. The figures are
# derived from the transcripts this test writes, not from agentlogs.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A rekey@example.com
y_login B rekey@example.com
uid=$(y_uid A)

# The checkouts, the transcripts and the expected figures (facts.json).
python3 - "$T_TMP" "$SRCDIR/tests/integration" >"$T_TMP/facts.json" <<'PY' ||
import json, os, sys, uuid
tmp = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from fidelity_fixtures import Transcript, checkout


class T(Transcript):
    """The cloud keeps turn ids as UUIDs, as Claude Code writes them."""

    def _head(self, kind, **extra):
        rec = super()._head(kind, **extra)
        rec["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, rec["uuid"]))
        return rec

# (machine, transcript folder, session, cwd, prompts): one commit each.
checkout(f"{tmp}/mA/work/app", "git@GitHub.com:o/r.git")
checkout(f"{tmp}/mA/work/app2", "git@github.com:o/r")
checkout(f"{tmp}/mB/src/app", "https://github.com/o/r")
checkout(f"{tmp}/mA/work/s", "ssh://git@github.com:22/o/s")
checkout(f"{tmp}/mB/src/s", "git@github.com:o/s")
os.makedirs(f"{tmp}/mA/work/app/web", exist_ok=True)
for d in ("mA/work/cli", "mB/code/cli", "mA/x/lib", "mB/y/lib"):
    checkout(f"{tmp}/{d}")
# Seconds apart, each line 5 s after the last: the first sessions of o/r
# overlap in time. Only those of one checkout on one machine are parallel:
# a-app with a-app-web (a subdirectory), not a-app2 (a second checkout) nor
# b-app-late (another machine).
sessions = [
    ("A", "old", "a-app", "mA/work/app", 2, 0),
    ("A", "old", "a-app-web", "mA/work/app/web", 1, 2),
    ("A", "old", "a-app2", "mA/work/app2", 1, 3),
    ("A", "old", "a-cli", "mA/work/cli", 3, 3000),
    ("A", "new", "a-lib", "mA/x/lib", 1, 4000),
    ("A", "new", "a-s", "mA/work/s", 1, 5000),
    ("B", "own", "b-app", "mB/src/app", 2, 6000),
    ("B", "own", "b-cli", "mB/code/cli", 1, 7000),
    ("B", "own", "b-lib", "mB/y/lib", 1, 8000),
    ("B", "late", "b-s", "mB/src/s", 2, 9000),
    ("B", "late", "b-app-late", "mB/src/app", 1, 4),
]
facts = {"sessions": {}, "turns": 0,
         "parallel": {s[2]: 0 for s in sessions}}
facts["parallel"].update({"a-app": 1, "a-app-web": 1})
for machine, folder, sid, cwd, prompts, start in sessions:
    t = T(sid, f"{tmp}/{cwd}")
    t.clock = start
    for i in range(prompts):
        t.user(f"Prompt {i} in {cwd}")
        t.say(f"Answer {i}.")
    t.write(f"{tmp}/claude-{machine}-{folder}")
    facts["sessions"][sid] = {"machine": machine, "turns": 2 * prompts}
    facts["turns"] += 2 * prompts
# The projects everyone must end with: repository key -> the sessions it holds.
repo = lambda d: f"path:{tmp}/{d}"
facts["projects"] = {
    "git:github.com/o/r": ["a-app", "a-app-web", "a-app2", "b-app", "b-app-late"],
    "git:github.com/o/s": ["a-s", "b-s"],
    repo("mA/work/cli"): ["a-cli"], repo("mB/code/cli"): ["b-cli"],
    repo("mA/x/lib"): ["a-lib"], repo("mB/y/lib"): ["b-lib"],
}
# Where each machine has the repositories checked out.
facts["checkout"] = {
    "git:github.com/o/r": {"A": f"{tmp}/mA/work/app", "B": f"{tmp}/mB/src/app"},
    "git:github.com/o/s": {"A": f"{tmp}/mA/work/s", "B": f"{tmp}/mB/src/s"},
}
json.dump(facts, sys.stdout)
PY
	t_fail "writing the transcripts"

mv "$T_TMP/mB" "$T_TMP/mB.away"
# at MACHINE: only that machine's checkouts exist.
at() {
	other=B
	[ "$1" = A ] || other=A
	[ -d "$T_TMP/m$other.away" ] || mv "$T_TMP/m$other" "$T_TMP/m$other.away"
	[ -d "$T_TMP/m$1" ] || mv "$T_TMP/m$1.away" "$T_TMP/m$1"
}

# 1. A's old store: what an old build's import made (projects named and keyed
# by the folder), pushed.
at A
y_ok A import --claude-dir "$T_TMP/claude-A-old"
python3 - "$(y_home A)/data.db" <<'PY' || t_fail "making A's store old-style"
import os, sqlite3, sys, uuid
NS = uuid.UUID("2b1bbf99-738c-5e92-a614-d78443f6f89e")
db = sqlite3.connect(sys.argv[1])
for pid, path in db.execute("SELECT id, local_path FROM projects").fetchall():
    name = os.path.basename(path)
    old = str(uuid.uuid5(NS, "project:" + name))
    db.execute("UPDATE projects SET id = ?, name = ?, identity_key = NULL, remote_url = NULL"
               " WHERE id = ?", (old, name, pid))
    db.execute("UPDATE cognitive_commits SET project_id = ?, project_name = ?, checkout = NULL"
               " WHERE project_id = ?", (old, name, pid))
db.commit()
PY
old_projects=$(t_sql "$(y_home A)/data.db" "SELECT group_concat(id, ' ') FROM
    (SELECT id FROM projects ORDER BY id)")
t_assert_eq 2 "$(echo "$old_projects" | wc -w | tr -d ' ')" "old projects on A (app, cli)"
y_ok A push
y_settle
at B
y_ok B pull
t_assert_eq "$old_projects" "$(t_sql "$(y_home B)/data.db" "SELECT group_concat(id, ' ') FROM
    (SELECT id FROM projects WHERE deleted_at IS NULL ORDER BY id)")" "B's projects after its pull"

# 2. B, already upgraded, imports its own transcripts while the old projects
# still hold A's commits: it re-keys only what it imported itself.
y_ok B import --claude-dir "$T_TMP/claude-B-own"
y_ok B push
y_settle

# 3. A's next import re-keys its store, and it imports one more repository.
at A
y_ok A import --claude-dir "$T_TMP/claude-A-old"
y_ok A import --claude-dir "$T_TMP/claude-A-new"
y_ok A sync
y_settle
at B
y_ok B sync
y_settle
at A
y_ok A sync
y_settle

# 4. B imports a checkout of a repository it already pulled from A (o/s).
at B
y_ok B import --claude-dir "$T_TMP/claude-B-late"
y_ok B sync
y_settle
at A
y_ok A sync
y_settle

# The cloud, and each machine: the repository-keyed projects, each holding
# its sessions' commits and turns; the old ones tombstones.
psql -X -At "$S_DB" -c "SELECT json_build_object(
    'projects', (SELECT json_agg(json_build_object('id', id, 'deleted', deleted_at IS NOT NULL))
        FROM projects WHERE user_id = '$uid'),
    'commits', (SELECT json_agg(json_build_object('project', c.project_id,
        'session', s.claude_session_id, 'deleted', c.deleted_at IS NOT NULL,
        'parallel', c.parallel::int,
        'turns', (SELECT count(*) FROM turns t WHERE t.user_id = s.user_id
            AND t.session_id = s.id AND t.deleted_at IS NULL)))
        FROM cognitive_commits c JOIN sessions s ON s.user_id = c.user_id AND s.commit_id = c.id
        WHERE c.user_id = '$uid'))" >"$T_TMP/cloud.json" || t_fail "reading the cloud"
for m in A B; do
	y_ok "$m" projects --json
	printf '%s\n' "$t_out" >"$T_TMP/projects-$m.json"
done
python3 - "$T_TMP" "$old_projects" <<'PY' || exit 1
import json, sqlite3, sys, uuid
tmp, old = sys.argv[1], set(sys.argv[2].split())
facts = json.load(open(f"{tmp}/facts.json"))
NS = uuid.UUID("2b1bbf99-738c-5e92-a614-d78443f6f89e")
pid = {k: str(uuid.uuid5(NS, "project:" + k)) for k in facts["projects"]}
want = {}  # session -> project id
for k, sids in facts["projects"].items():
    for sid in sids:
        want[sid] = pid[k]
fail = []
def check(what, expected, actual):
    if expected != actual:
        fail.append(f"{what}: expected {expected!r}, got {actual!r}")

cloud = json.load(open(f"{tmp}/cloud.json"))
check("the cloud's live projects", sorted(pid.values()),
      sorted(p["id"] for p in cloud["projects"] if not p["deleted"]))
check("the cloud's tombstoned projects", sorted(old),
      sorted(p["id"] for p in cloud["projects"] if p["deleted"]))
check("the cloud's live commits per session", {s: want[s] for s in want},
      {c["session"]: c["project"] for c in cloud["commits"] if not c["deleted"]})
check("the cloud's turns", facts["turns"], sum(c["turns"] for c in cloud["commits"]))
check("the cloud's parallel marks", facts["parallel"],
      {c["session"]: c["parallel"] for c in cloud["commits"] if not c["deleted"]})

for m in ("A", "B"):
    db = sqlite3.connect(f"{tmp}/{m}/data.db")
    shown = json.load(open(f"{tmp}/projects-{m}.json"))
    check(f"{m}: projects listed", sorted(pid.values()), sorted(p["id"] for p in shown))
    names = [p["name"] for p in shown]
    check(f"{m}: unique project names", len(names), len(set(names)))
    by_id = {p["id"]: p for p in shown}
    for k, paths in facts["checkout"].items():
        p = by_id.get(pid[k], {})
        check(f"{m}: {k}'s name", k.split("/", 1)[1], p.get("name"))
        check(f"{m}: {k}'s path (this machine's checkout)", paths[m], p.get("local_path"))
        key = db.execute("SELECT identity_key FROM projects WHERE id = ?", (pid[k],)).fetchone()
        check(f"{m}: {k}'s identity key", (k,), key)
    for k, sids in facts["projects"].items():
        p = by_id.get(pid[k], {})
        check(f"{m}: {k} commits", len(sids), p.get("commits"))
        check(f"{m}: {k} turns", sum(facts["sessions"][s]["turns"] for s in sids),
              p.get("turns"))
    got = dict(db.execute("""SELECT s.claude_session_id, c.project_id FROM cognitive_commits c
        JOIN sessions s ON s.commit_id = c.id WHERE c.deleted_at IS NULL"""))
    check(f"{m}: commits per session", want, got)
    check(f"{m}: parallel marks", facts["parallel"], dict(db.execute("""SELECT
        s.claude_session_id, c.parallel FROM cognitive_commits c JOIN sessions s
        ON s.commit_id = c.id WHERE c.deleted_at IS NULL""")))
    check(f"{m}: old projects left", [], [r[0] for r in db.execute(
        "SELECT id FROM projects WHERE deleted_at IS NULL") if r[0] in old])
    check(f"{m}: rows not synced", 0, db.execute("""SELECT (SELECT count(*) FROM projects
        WHERE sync_status <> 'synced') + (SELECT count(*) FROM cognitive_commits
        WHERE sync_status <> 'synced')""").fetchone()[0])
    # What import derived on this machine stays: its own commits' checkout.
    for sid, s in facts["sessions"].items():
        if s["machine"] != m:
            continue
        co = db.execute("""SELECT c.checkout FROM cognitive_commits c JOIN sessions s
            ON s.commit_id = c.id WHERE s.claude_session_id = ?""", (sid,)).fetchone()
        if co is None or co[0] is None or not co[0].startswith(f"{tmp}/m{m}/"):
            fail.append(f"{m}: {sid}'s checkout is {co}, not on this machine")
if fail:
    print("FAIL:\n  " + "\n  ".join(fail), file=sys.stderr)
    sys.exit(1)
PY
y_same_rows "A B" "$uid" "A and B at the end"

# 5. A tombstone whose name another project has here (written in the cloud by
# another client): the pull keeps this machine's names unique.
lib=$(python3 -c 'import sys, uuid
print(uuid.uuid5(uuid.UUID("2b1bbf99-738c-5e92-a614-d78443f6f89e"), "project:path:" + sys.argv[1]))' \
	"$T_TMP/mA/x/lib")
t_assert_eq 1 "$(psql -X -At "$S_DB" -c "WITH u AS (UPDATE projects SET name = 'o/r',
    deleted_at = now(), version = version + 1, updated_at = now()
    WHERE user_id = '$uid' AND id = '$lib' RETURNING 1) SELECT count(*) FROM u")" \
	"tombstoning A's lib in the cloud"
y_settle
y_ok B sync
t_assert_eq "1 0" "$(t_sql "$(y_home B)/data.db" "SELECT count(*) || ' ' ||
    count(deleted_at) FROM projects WHERE name = 'o/r'")" "B's projects named o/r (live, deleted)"
t_assert_eq 1 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM projects
    WHERE id = '$lib' AND deleted_at IS NOT NULL")" "A's lib tombstoned on B"
echo "PASS: sync-rekey"
