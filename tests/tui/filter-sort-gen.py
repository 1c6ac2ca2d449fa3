"""Transcripts for filter-sort.sh, and the lists its filters and sorts must show.

Five sessions in five projects (one commit each), with their own days, turn
counts, token counts, durations and tools. `gen.py CLAUDE_HOME` writes them;
`gen.py --states DB` marks them published, hidden or synced in the store;
`gen.py --expect FILTER SORT DIR` prints the names of the commits (a word of
each first prompt) that FILTER keeps, in SORT's order (DIR: desc or asc),
worked out here from the figures below, not from the store.
"""
import datetime, json, sys, uuid

# name, project, start (UTC), exchanges, tokens in/out per answer, tool or None,
# minutes between exchanges, prompt.
SESSIONS = [
    ("alpha", "notes-a", "2026-03-02T10:00:00", 2, (60, 40), "Bash", 30, "alpha: fix the Trailer bug"),
    ("bravo", "notes-b", "2026-03-05T09:00:00", 5, (6, 4), "Read", 1, "bravo: write the docs"),
    ("charlie", "web", "2026-03-08T08:00:00", 1, (900, 100), "Bash", 0, "charlie: trailer parsing"),
    ("delta", "web-old", "2026-03-12T07:00:00", 3, (30, 20), None, 3, "delta: refactor the loop"),
    ("echo", "api", "2026-02-20T06:00:00", 4, (200, 100), "Edit", 4, "echo: notes on trailers"),
]
# What filter-sort.sh sets by SQL after the import (the others wait to go up).
PUBLISHED, HIDDEN, SYNCED = {"bravo"}, {"delta"}, {"echo"}


def times(s):
    start = datetime.datetime.fromisoformat(s[2])
    out = []
    for i in range(s[3]):
        t = start + datetime.timedelta(minutes=s[6] * i)
        out += [t, t + datetime.timedelta(seconds=3)]  # the prompt, its answer
    return out


def write(home):
    import os
    for s in SESSIONS:
        name, project = s[0], s[1]
        sid = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        d = os.path.join(home, "projects", "-home-ann-" + project)
        os.makedirs(d, exist_ok=True)
        lines = []
        ts = times(s)
        for i in range(s[3]):
            base = {"sessionId": sid, "cwd": "/home/ann/" + project, "gitBranch": "main",
                    "version": "2.1.9"}
            prompt = s[7] if i == 0 else "%s more %d" % (name, i)
            lines.append(dict(base, type="user", timestamp=ts[2 * i].isoformat() + ".000Z",
                              uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "u-%s-%d" % (name, i))),
                              message={"role": "user", "content": prompt}))
            content = [{"type": "text", "text": "answer %d" % i}]
            if s[5] is not None:
                content.append({"type": "tool_use", "id": "toolu_%s_%d" % (name, i),
                                "name": s[5], "input": {"x": i}})
            lines.append(dict(base, type="assistant", timestamp=ts[2 * i + 1].isoformat() + ".000Z",
                              uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "a-%s-%d" % (name, i))),
                              message={"id": "msg_%s_%d" % (name, i), "role": "assistant",
                                       "model": "m", "content": content,
                                       "usage": {"input_tokens": s[4][0],
                                                 "output_tokens": s[4][1]}}))
        with open(os.path.join(d, sid + ".jsonl"), "w") as f:
            f.write("".join(json.dumps(l) + "\n" for l in lines))


def keeps(s, words):
    states = {"published": s[0] in PUBLISHED, "hidden": s[0] in HIDDEN,
              "pending": s[0] not in SYNCED}
    if "is:hidden" not in words.split() and "not:hidden" not in words.split() and states["hidden"]:
        return False  # hidden commits are not listed unless asked for
    for w in words.split():
        k, _, v = w.partition(":")
        if not _:
            if w.lower() not in s[7].lower():
                return False
        elif k == "project" and v.lower() not in s[1].lower():
            return False
        elif k == "since" and s[2][:10] < v:
            return False
        elif k == "until" and s[2][:10] > v:
            return False
        elif k == "tool" and (s[5] or "").lower() != v.lower():
            return False
        elif k in ("is", "not") and states[v] != (k == "is"):
            return False
    return True


def key(s, sort):
    ts = times(s)
    return {"date": s[2],
            "turns": 2 * s[3],
            "tokens": s[3] * sum(s[4]),
            "duration": (ts[-1] - ts[0]).total_seconds()}[sort]


if __name__ == "__main__":
    if sys.argv[1] == "--states":
        import sqlite3
        db = sqlite3.connect(sys.argv[2])
        for names, sql in ((PUBLISHED, "published = 1"), (HIDDEN, "hidden = 1"),
                           (SYNCED, "sync_status = 'synced'")):
            for n in names:
                db.execute("UPDATE cognitive_commits SET %s WHERE first_prompt LIKE ?" % sql,
                           (n + ":%",))
        db.commit()
    elif sys.argv[1] != "--expect":
        write(sys.argv[1])
    else:
        words, sort, direction = sys.argv[2:5]
        kept = [s for s in SESSIONS if keeps(s, words)]
        kept.sort(key=lambda s: (key(s, sort), s[2]), reverse=direction == "desc")
        print(" ".join(s[0] for s in kept))
