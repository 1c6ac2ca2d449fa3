#!/bin/sh
# Every column of every synced table crosses push -> cloud -> pull: one row of
# each table gets a value of its own in every shared column, A pushes, B pulls,
# and B's row must equal A's, column by column, and the cloud's too. Twice:
# once through the insert path (rows new to the cloud), once through the
# update path (the same rows again, new values). A column that push_batch, the
# client's column lists or the feed forgot arrives as the default or the old
# value and fails here. Then a value the store's CHECKs refuse, from a cloud
# without its own check: the pull refuses it.
#
# The columns are not taken from the code under test: they are the local
# table's columns (PRAGMA table_info) minus the local-only ones named below,
# and every one of them must exist in the cloud table (information_schema).
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin
# The columns that stay on this machine: sync bookkeeping, and what import
# derives from this machine's checkouts (project identity, the notes of
# commits made in other repositories, how the first prompt was chosen), which
# each machine computes for itself, and what analytics counts of a turn (its
# tool calls' names, whether it was typed), which import and pull derive.
LOCAL_ONLY="cloud_id sync_status cloud_version local_version last_synced_at
	identity_key checkout git_elsewhere first_prompt_kind tool_summary typed"
# The columns each machine keeps for itself once it has the row (a project's
# display name, unique on that machine, and its checkout there): they go up,
# and come down into a row new here, but an update leaves this machine's own.
HERE="projects.name projects.local_path"
export LOCAL_ONLY HERE

y_machine A
y_machine B
y_signup A cols@example.com
y_login B cols@example.com
uid=$(y_uid A)
y_import A

# The cloud's columns per synced table, as "table column type" lines.
psql -X -At -F ' ' "$S_DB" -c "SELECT table_name, column_name, data_type
    FROM information_schema.columns WHERE table_schema = 'public'
    AND table_name IN ('projects', 'cognitive_commits', 'sessions', 'turns', 'visuals',
      'conflicts')
    AND column_name NOT IN ('user_id', 'txid')" >"$T_TMP/cloud-columns" ||
	t_fail "reading the cloud's columns"

# distinct ROUND: a value of its own in every shared column of one row per
# table (one commit's family; a visual made up for it), pending, newer. Prints
# "table id" for each row touched.
distinct() {
	python3 - "$(y_home A)/data.db" "$T_TMP/cloud-columns" "$1" <<'PY' >"$T_TMP/touched" ||
import os, sqlite3, sys
db_path, cols_path, rnd = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(db_path)
cloud = {}
for line in open(cols_path):
    t, c, ty = line.split(" ", 2)
    cloud.setdefault(t, {})[c] = ty.strip()
LOCAL_ONLY = set(os.environ["LOCAL_ONLY"].split())
# Keys and references keep their values (they must point at real rows);
# deleted_at is the cloud's to set (a tombstone time), sync-delete covers it.
KEEP = {"id", "project_id", "commit_id", "session_id", "turn_id", "record_id", "deleted_at"}
# (Not "open": an open commit waits for its end before it goes up.)
CHOICES = {"closed_by": ["git_commit", "session_end"], "role": ["user", "assistant"],
           "winner": ["local", "cloud"], "state": ["open", "acknowledged", "resolved"]}
c = db.execute("SELECT c.id, c.project_id, s.id, t.id FROM cognitive_commits c"
               " JOIN sessions s ON s.commit_id = c.id JOIN turns t ON t.session_id = s.id"
               " WHERE c.project_id IS NOT NULL AND c.deleted_at IS NULL"
               " ORDER BY c.id, s.id, t.id LIMIT 1").fetchone()
if c is None:
    sys.exit("no commit with a project, a session and a turn")
commit, project, session, turn = c
visual = "00000000-0000-4000-8000-00000000000%d" % rnd
db.execute("INSERT INTO visuals (id, commit_id, turn_id, type, sha256, captured_at, version,"
           " updated_at) VALUES (?, ?, ?, 'screenshot', 'x', '2026-01-01T00:00:00.000Z', 1,"
           " '2026-01-01T00:00:00.000Z')", (visual, commit, turn))
# One conflict record of the commit, made up too (the same one both rounds).
conflict = "00000000-0000-4000-8000-0000000000c1"
db.execute("INSERT OR IGNORE INTO conflicts (id, record_id, field, detected_at, winner, version,"
           " updated_at) VALUES (?, ?, 'title', '2026-01-01T00:00:00.000Z', 'local', 1,"
           " '2026-01-01T00:00:00.000Z')", (conflict, commit))
rows = {"projects": project, "cognitive_commits": commit, "sessions": session,
        "turns": turn, "visuals": visual, "conflicts": conflict}
n = 0
for t, rid in rows.items():
    local = [r[1] for r in db.execute(f"PRAGMA table_info({t})") if r[1] not in LOCAL_ONLY]
    missing = [col for col in local if col not in cloud[t]]
    if missing:
        sys.exit(f"{t}: local columns missing in the cloud: {missing}")
    old = dict(zip(local, db.execute(f"SELECT {', '.join(chr(34) + x + chr(34) for x in local)}"
                                     f" FROM {t} WHERE id = ?", (rid,)).fetchone()))
    sets = {}
    for col in local:
        if col in KEEP:
            continue
        n += 1
        ty = cloud[t][col]
        if col in CHOICES:
            sets[col] = [v for v in CHOICES[col] if v != old[col]][rnd % (len(CHOICES[col]) - 1)]
        elif col == "version":
            sets[col] = old[col] + 10 * rnd
        elif ty == "boolean":
            sets[col] = 0 if old[col] else 1
        elif ty == "integer":
            sets[col] = 1000 * rnd + n
        elif ty.startswith("timestamp"):
            sets[col] = "2030-%02d-%02dT01:02:03.%03dZ" % (rnd, n % 28 + 1, n)
        elif col in ("files_read", "files_changed", "tool_calls"):
            sets[col] = '["%s.%s.%d"]' % (t, col, rnd)
        else:
            sets[col] = "%s.%s.%d" % (t, col, rnd)
    sets["sync_status"] = "pending"
    db.execute(f"UPDATE {t} SET {', '.join(chr(34) + k + chr(34) + ' = ?' for k in sets)}"
               f" WHERE id = ?", list(sets.values()) + [rid])
    print(t, rid)
db.commit()
PY
		t_fail "giving every column a value of its own"
}

# same ROUND: the touched rows are equal on A and B, and in the cloud.
same() {
	psql -X -At "$S_DB" -c "SELECT json_object_agg(tbl || ' ' || id, r) FROM (
	    SELECT 'projects' tbl, id, to_jsonb(t) r FROM projects t WHERE user_id = '$uid'
	    UNION ALL SELECT 'cognitive_commits', id, to_jsonb(t) FROM cognitive_commits t
	      WHERE user_id = '$uid'
	    UNION ALL SELECT 'sessions', id, to_jsonb(t) FROM sessions t WHERE user_id = '$uid'
	    UNION ALL SELECT 'turns', id, to_jsonb(t) FROM turns t WHERE user_id = '$uid'
	    UNION ALL SELECT 'visuals', id, to_jsonb(t) FROM visuals t WHERE user_id = '$uid'
	    UNION ALL SELECT 'conflicts', id, to_jsonb(t) FROM conflicts t WHERE user_id = '$uid') x" \
		>"$T_TMP/cloud.json" || t_fail "reading the cloud's rows"
	diff=$(python3 - "$(y_home A)/data.db" "$(y_home B)/data.db" "$T_TMP/touched" \
	    "$T_TMP/cloud.json" "$1" <<'PY'
import datetime, json, os, sqlite3, sys
a, b = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
cloud = json.load(open(sys.argv[4]))
rnd = int(sys.argv[5])
LOCAL_ONLY = set(os.environ["LOCAL_ONLY"].split())
HERE = set(os.environ["HERE"].split())
def ms(v):
    return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
checked = 0
for line in open(sys.argv[3]):
    t, rid = line.split()
    cols = [r[1] for r in a.execute(f"PRAGMA table_info({t})") if r[1] not in LOCAL_ONLY]
    q = f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {t} WHERE id = ?"
    ra, rb = a.execute(q, (rid,)).fetchone(), b.execute(q, (rid,)).fetchone()
    if rb is None:
        print(f"{t} {rid} is not on B")
        continue
    cr = cloud.get(f"{t} {rid}")
    for c, va, vb in zip(cols, ra, rb):
        checked += 1
        if f"{t}.{c}" in HERE and rnd > 1:
            # B keeps what it took when the row was new to it (round 1's).
            if vb != f"{t}.{c}.1":
                print(f"{t}.{c}: B's own value became {vb!r}")
        elif va != vb:
            print(f"{t}.{c}: A has {va!r}, B has {vb!r}")
        vc = cr[c]
        if isinstance(vc, bool):
            vc = int(vc)
        if isinstance(vc, str) and isinstance(va, str) and vc[:4].isdigit() and "T" in vc:
            same = ms(vc) == ms(va)
        else:
            same = vc == va
        if not same:
            print(f"{t}.{c}: A has {va!r}, the cloud {cr[c]!r}")
print(f"checked {checked}", file=sys.stderr)
PY
) || t_fail "comparing the rows"
	[ -z "$diff" ] || t_fail "round $1: $diff"
}

# Round 1: rows new to the cloud (the insert path).
distinct 1
y_ok A sync
y_settle
y_ok B sync
same 1

# Round 2: the same rows again (the update path), and a second new visual.
distinct 2
y_ok A sync
y_settle
y_ok B sync
same 2
t_assert_eq 6 "$(wc -l <"$T_TMP/touched" | tr -d ' ')" "rows touched in a round"

# A value the store's CHECKs refuse, sent by a cloud without its own check: a
# pull writes with the checks off, so it must refuse the row itself (one line
# naming the table and the column) and store nothing of its page.
psql -X -q "$S_DB" -c "ALTER TABLE public.turns DROP CONSTRAINT turns_role_check;
    UPDATE public.turns SET role = 'system', content = 'a system turn', version = version + 1
    WHERE id = (SELECT id FROM public.turns ORDER BY id LIMIT 1)" || t_fail "a turn of role system in the cloud"
y_settle
y_on B pull
t_assert_eq 1 "$t_rc" "B's pull of a turn of role system"
t_assert_contains "$t_err" "the cloud sent a turns row whose role is not one this store accepts"
t_assert_eq 0 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM turns
    WHERE role NOT IN ('user', 'assistant') OR content = 'a system turn'")" "the refused turn on B"
echo "PASS: sync-columns"
