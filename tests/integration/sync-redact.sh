#!/bin/sh
# Secrets never leave the machine (issue 15): A imports a transcript holding
# fake secrets of many kinds (tests/fixtures/redact) and a screenshot whose
# caption holds one, and pushes; the cloud's
# whole database, dumped, holds none of them but [REDACTED:...] instead. B
# pulls the redacted copies; A, pulling them back, keeps its originals, and
# neither a re-import on A nor B's import of the transcript marks anything
# pending; redacted against original is no conflict. A pattern that does not
# compile makes push fail closed: one line, nothing sent.
. "$SRCDIR/tests/integration/sync-lib.sh"
t_need_cmd pg_dump
y_begin

fixture=$SRCDIR/tests/fixtures/redact
secrets=$fixture/secrets.txt
[ -s "$secrets" ] || t_fail "no $secrets"

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)

# "projects commits sessions turns visuals" not synced on machine $1.
unsynced() {
	y_sql=
	for y_t in $Y_TABLES; do
		y_sql="$y_sql${y_sql:+ || ' ' || }(SELECT count(*) FROM $y_t WHERE sync_status <> 'synced')"
	done
	t_sql "$(y_home "$1")/data.db" "SELECT $y_sql"
}

# Every content field of machine $1's store, one after the other.
content() {
	t_sql "$(y_home "$1")/data.db" "SELECT content || char(10) || coalesce(thinking, '') ||
	    char(10) || coalesce(tool_calls, '') FROM turns UNION ALL SELECT coalesce(first_prompt,
	    '') || char(10) || coalesce(git_subject, '') || char(10) || coalesce(title, '')
	    FROM cognitive_commits"
}

# How many of the fixture's secrets the file $1 holds (each fixed-string, whole).
held() {
	n=0
	while IFS= read -r s; do
		! grep -qF -- "$s" "$1" || n=$((n + 1))
	done <"$secrets"
	echo "$n"
}

all=$(wc -l <"$secrets" | tr -d ' ')
y_ok A import --claude-dir "$fixture"
# A title holding a secret too (a title is content, and people edit it).
commit=$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits WHERE git_hash IS NOT NULL")
y_ok A title "$commit" "Rotate $(grep '^ghp_' "$secrets")"
# A screenshot whose caption holds a secret (a caption is content too): a
# transcript pasting one image, its caption set the way an edit would.
python3 - "$T_TMP/shots/projects/-home-sam-src-shots" <<'PY' || t_fail "writing the screenshot transcript"
import base64, json, os, sys
os.makedirs(sys.argv[1])
sid = "5c4e2a10-0000-4000-8000-0000000000f1"
head = {"sessionId": sid, "cwd": "/home/sam/src/shots"}
shot = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
        "data": base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x07" * 3000).decode()}}
lines = [
    dict(head, type="user", uuid="5c4e2a10-0000-4000-8000-0000000000f2",
         timestamp="2026-03-10T10:00:00.000Z",
         message={"role": "user", "content": [{"type": "text", "text": "the settings page"}, shot]}),
    dict(head, type="assistant", uuid="5c4e2a10-0000-4000-8000-0000000000f3",
         timestamp="2026-03-10T10:00:05.000Z",
         message={"id": "msg_f1", "model": "m", "role": "assistant",
                  "content": [{"type": "text", "text": "Seen."}],
                  "usage": {"input_tokens": 1, "output_tokens": 1}}),
]
with open(os.path.join(sys.argv[1], sid + ".jsonl"), "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
PY
y_ok A import --claude-dir "$T_TMP/shots"
ghp=$(grep '^ghp_' "$secrets")
caption="Settings page showing $ghp"
python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE visuals SET caption = ?", (sys.argv[2],))
db.commit()' "$(y_home A)/data.db" "$caption" || t_fail "setting the caption"
t_assert_eq 1 "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM visuals
    WHERE caption = '$caption' AND sync_status = 'pending'")" "A's captioned screenshot, pending"
# What A must keep, and what alone may leave (the GitHub format, known apart from the redactor).
caption_sent="Settings page showing [REDACTED:GITHUB_TOKEN]"

content A >"$T_TMP/a.txt"
t_assert_eq "$all" "$(held "$T_TMP/a.txt")" "secrets in A's store after its import"

# The dry run lists them, masked: never a whole secret.
y_ok A redact --dry-run
printf '%s\n' "$t_out" >"$T_TMP/dry.txt"
for kind in GITHUB_TOKEN URL_PASSWORD AWS_ACCESS_KEY AWS_SECRET_KEY STRIPE_KEY SLACK_WEBHOOK \
    ANTHROPIC_KEY JWT PRIVATE_KEY NPM_TOKEN GOOGLE_API_KEY PASSWORD; do
	t_assert_contains "$t_out" "$kind" "redact --dry-run"
done
t_assert_eq 0 "$(held "$T_TMP/dry.txt")" "whole secrets in redact --dry-run's output"
y_ok A redact --dry-run --json
printf '%s\n' "$t_out" >"$T_TMP/dry.json"
t_assert_json "$T_TMP/dry.json" "redact --dry-run --json"
t_assert_eq 0 "$(held "$T_TMP/dry.json")" "whole secrets in redact --dry-run --json"

# A bad pattern (config set refuses it, config.sh; an edited file can still
# hold one): push, pull and sync fail closed with one line, before any request.
printf 'set redact.patterns = "(unclosed"\n' >>"$(y_home A)/config"
before=$(y_requests)
y_on A push
t_assert_eq 1 "$t_rc" "push's exit status with a bad redact.patterns"
t_assert_contains "$t_err" "redact.patterns" "push's error"
t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l | tr -d ' ')" "lines of push's error"
t_assert_eq "$before" "$(y_requests)" "requests made by a push that failed closed"
t_assert_eq 0 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM turns")" "turns in the cloud"
y_ok A config unset redact.patterns

# What leaves is redacted: the whole cloud database holds no secret.
y_ok A push
y_settle
pg_dump --data-only "$S_DB" >"$T_TMP/cloud.sql" 2>"$T_TMP/pg_dump.err" ||
	t_fail "pg_dump: $(cat "$T_TMP/pg_dump.err")"
t_assert_eq 0 "$(held "$T_TMP/cloud.sql")" "secrets in the cloud's database after A's push"
for kind in GITHUB_TOKEN URL_PASSWORD AWS_ACCESS_KEY PRIVATE_KEY NPM_TOKEN GOOGLE_API_KEY; do
	grep -qF "[REDACTED:$kind]" "$T_TMP/cloud.sql" || t_fail "no [REDACTED:$kind] in the cloud"
done
# The caption too: redacted in the cloud, the original kept on A.
t_assert_eq "$caption_sent" "$(psql -X -At "$S_DB" -c "SELECT caption FROM visuals")" \
	"the caption in the cloud"
! grep -qF -- "$ghp" "$T_TMP/cloud.sql" || t_fail "the caption's token is in the cloud's dump"
# The commit's subject and first prompt too (commit fields, not only turns).
subject=$(psql -X -At "$S_DB" -c "SELECT git_subject FROM cognitive_commits WHERE git_subject
    IS NOT NULL")
t_assert_eq "Publish with [REDACTED:NPM_TOKEN]" "$subject" "the subject in the cloud"
content A >"$T_TMP/a.txt"
t_assert_eq "$all" "$(held "$T_TMP/a.txt")" "secrets in A's store after its push"
t_assert_eq "0 0 0 0 0" "$(unsynced A)" "rows pending on A after its push"
# Its own rows coming back redacted are what it has: nothing new, nothing taken.
y_ok A pull
t_assert_eq "Everything up to date with $S_URL." "$t_out" "A's pull after its push"

# B sees the redacted text.
y_ok B pull
content B >"$T_TMP/b.txt"
t_assert_eq 0 "$(held "$T_TMP/b.txt")" "secrets on B after its pull"
grep -qF "[REDACTED:GITHUB_TOKEN]" "$T_TMP/b.txt" || t_fail "B's pulled prompt is not redacted"
t_assert_eq "$caption_sent" "$(t_sql "$(y_home B)/data.db" "SELECT caption FROM visuals")" \
	"the caption B pulled"
y_ok B show --json "$(t_sql "$(y_home B)/data.db" "SELECT id FROM cognitive_commits
    WHERE git_hash IS NOT NULL")"
t_assert_contains "$t_out" "[REDACTED:ANTHROPIC_KEY]" "B's show"

# A pulls every row back, newer: B bumps them all (and retitles the commits)
# while A hides one of its commits. A keeps its originals, on the per-row path
# (commits, merged with A's edit) and the bulk one (turns). No conflict: the
# title A pushed (redacted) is the one B changed, not an edit of A's.
y_ok A hide "$commit"
y_bump B retitled
y_ok B push
y_settle
y_ok A sync
content A >"$T_TMP/a.txt"
t_assert_eq "$all" "$(held "$T_TMP/a.txt")" "secrets in A's store after pulling B's versions"
t_assert_eq "$caption" "$(t_sql "$(y_home A)/data.db" "SELECT caption FROM visuals")" \
	"A's caption after pulling B's version of its screenshot"
t_assert_eq 2 "$(t_sql "$(y_home A)/data.db" "SELECT version FROM visuals")" \
	"the version of A's screenshot after the pull"
t_assert_eq 0 "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM conflicts")" \
	"conflicts on A after merging redacted rows"
t_assert_eq retitled "$(y_title A "$commit")" "A's title after the merge"
t_assert_eq 1 "$(t_sql "$(y_home A)/data.db" "SELECT hidden FROM cognitive_commits
    WHERE id = '$commit'")" "A's hidden flag after the merge"
t_assert_eq "0 0 0 0 0" "$(unsynced A)" "rows pending on A after its sync"
pg_dump --data-only "$S_DB" >"$T_TMP/cloud.sql" || t_fail "pg_dump"
t_assert_eq 0 "$(held "$T_TMP/cloud.sql")" "secrets in the cloud after A's sync"
y_settle
y_ok B pull
y_same_rows "A B" "$uid" "A and B after A's sync"

# Import never dirties what the cloud already has: not on A (originals kept),
# not on B, whose redacted rows take the originals back without going pending.
y_ok A import --from-start --claude-dir "$fixture"
t_assert_eq "0 0 0 0 0" "$(unsynced A)" "rows A's re-import marked pending"
y_ok B import --claude-dir "$fixture"
t_assert_eq "0 0 0 0 0" "$(unsynced B)" "rows B's import marked pending"
content B >"$T_TMP/b.txt"
t_assert_eq "$all" "$(held "$T_TMP/b.txt")" "secrets on B once it imported the transcript"
before=$(y_requests)
y_ok B push
t_assert_eq "Everything up to date with $S_URL." "$t_out" "B's push after its import"
y_ok A push
t_assert_eq "Everything up to date with $S_URL." "$t_out" "A's push after its re-import"
y_same_rows "A B" "$uid" "A and B after both imported"

# With redaction off, the dry run says so.
y_ok A config set redact.enabled false
y_ok A redact --dry-run
t_assert_contains "$t_out" "redact.enabled is false" "redact --dry-run with redaction off"
