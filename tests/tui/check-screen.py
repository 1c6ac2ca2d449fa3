#!/usr/bin/env python3
"""Checks a saved browser screen against the store it was drawn from.

    check-screen.py DATA_DB SCREEN_FILE

The expected screens under tests/tui/expected/ are written by the program
itself (UPDATE=1), so on their own they would bless whatever it draws. This
derives from data.db, with its own SQL, what a screen must show and fails
with one line per mismatch:

- the status bar's up-arrow N: the commits waiting to go up; its !N: the
  open conflicts held for a decision (no winner); its ~N, shown only when
  there are any: the open ones settled by the last write, to review;
- the status bar's "VIEW i/N" for the commits (one project's, as the header
  names it, or every project's; hidden ones listed or not), pending, projects
  and conflicts views: N is the list's length, 1 <= i <= N (0/0 when empty;
  a filtered commits list, whose header shows "filter: ...", only the latter);
- every commit row in the commits and pending lists: a commit of that list
  started at the row's date whose title (else git subject, else first prompt)
  the row shows, as far as the column lets it;
- a search's list (the header's "search: WORDS", plain words): N is the number
  of live turns holding the words in a row (their text, or their tool calls'
  names, inputs and results) plus the commits whose title or git subject do,
  each row is one of them (its date, and title, user or agent), newest first;
- a conversation's "turns i/N": N is the turn count of a session in the store;
- with the screen's size (a third argument COLSxROWS, given when the script
  never resizes): as many lines as rows, none wider than the terminal;
- a filter in force (the header's "filter: ...") when the message line says
  "Filtered."; a filtered pending list's N is the number of pending commits
  the filter keeps, a filtered conflicts list's the open conflicts it keeps
  (for the terms evaluated here: words, project:, since:, until:, is:, not:,
  field:);
- after / (the message line "Found: TEXT", "Found: TEXT (search wrapped)" or
  "Not found: TEXT") in the commits list (every project's, in its default order) or the
  pending list: the row under the cursor (the i of "VIEW i/N", counted in the
  list's order worked out here) shows TEXT, any case (its date, project, hash
  or title); "Not found" only when no row of the list does.
"""
import json
import os
import re
import sqlite3
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from search_facts import strings, tokens  # noqa: E402 (the one tokenizer of the tests)

UP = "\u2191"
SEPARATORS = ("\u2500", "\u2502")  # the stacked and side-by-side separators


def label(title, subject, prompt, ident):
    for text in (title, subject, prompt):
        if text is not None and text.strip() != "":
            return " ".join(text.split())
    return ident


def dates(started_at):
    """The row's date as the list shows it, wide and narrow: 2026-03-06 17:40 and 03-06 17:40."""
    day, time = started_at[:10], started_at[11:16]
    return {day + " " + time, day[5:] + " " + time}


def commits(db, where, args=()):
    return db.execute(
        "SELECT c.id, c.started_at, c.title, c.git_subject, c.first_prompt, c.hidden"
        " FROM cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id"
        " WHERE " + where, args).fetchall()


def list_rows(lines):
    """The list pane's lines: below the header, above the separator (or left of it)."""
    rows = []
    for line in lines[1:-2]:
        if line.startswith(SEPARATORS[0]):
            break
        rows.append(line.split(SEPARATORS[1])[0])
    return rows


def shows_title(rest, text):
    """Whether the row (after its date) shows text: whole, or cut with an ellipsis."""
    start = rest.find(text[:min(len(text), 6)])
    if start < 0:
        return False
    shown = rest[start:]
    if "\u2026" in shown:
        shown = shown[:shown.index("\u2026")]
    else:
        # The badges after the title: P, H, the parallel and up arrows, !.
        shown = re.sub(r"(\s+[PH\u2225\u2191!]+)*\s*$", "", shown)
    return len(shown) >= min(len(text), 6) and text.startswith(shown)


def check_rows(rows, candidates, problems):
    row_re = re.compile(r"^(?:\d{4}-)?\d\d-\d\d \d\d:\d\d ")
    for row in rows:
        m = row_re.match(row)
        if m is None:
            continue
        shown, rest = m.group(0).strip(), row[m.end():]
        ok = False
        for ident, started, title, subject, prompt, _hidden in candidates:
            if shown not in dates(started):
                continue
            text = label(title, subject, prompt, ident)
            if shows_title(rest, text):
                ok = True
                break
        if not ok:
            problems.append("row %r: no commit of this list started at %s shows that title"
                            % (row.rstrip(), shown))


def holds(text_tokens, want):
    n = len(want)
    return any(text_tokens[i:i + n] == want for i in range(len(text_tokens) - n + 1))


def call_text(tool_calls):
    out = []
    for call in json.loads(tool_calls or "[]"):
        if isinstance(call, dict):
            out.append(call.get("name") or "")
            out.extend(strings(call.get("input")))
            out.extend(strings(call.get("result")))
    return " ".join(out)


def search_hits(db, query):
    """(when, kind) of every hit of a search of plain words, newest first."""
    want = tokens(query)
    hits = []
    for when, role, content, calls in db.execute(
            "SELECT t.timestamp, t.role, t.content, t.tool_calls FROM turns t"
            " JOIN sessions s ON s.id = t.session_id JOIN cognitive_commits c ON c.id = s.commit_id"
            " WHERE t.deleted_at IS NULL AND s.deleted_at IS NULL AND c.deleted_at IS NULL"
            " AND c.hidden = 0"):
        if holds(tokens(content or ""), want) or holds(tokens(call_text(calls)), want):
            hits.append((when, "user" if role == "user" else "agent"))
    for when, title, subject in db.execute(
            "SELECT started_at, title, git_subject FROM cognitive_commits"
            " WHERE deleted_at IS NULL AND hidden = 0"):
        if holds(tokens(title or ""), want) or holds(tokens(subject or ""), want):
            hits.append((when, "title"))
    return sorted(hits, reverse=True)


def check_search(db, query, line, total, rows, problems):
    hits = search_hits(db, query)
    if total != len(hits):
        problems.append("search %d/%d: the store has %d hits of %r" % (line, total, len(hits), query))
    row_re = re.compile(r"^((?:\d{4}-)?\d\d-\d\d \d\d:\d\d) (title|user |agent) ")
    last = None
    for row in rows:
        m = row_re.match(row)
        if m is None:
            continue
        shown, kind = m.group(1), m.group(2).strip()
        if not any(shown in dates(when) and kind == k for when, k in hits):
            problems.append("row %r: no %s hit of %r at %s" % (row.rstrip(), kind, query, shown))
        if last is not None and shown[-11:] > last[-11:]:
            problems.append("row %r: newer than the row above" % row.rstrip())
        last = shown


def preview_files(db, lines, problems):
    """A commit's preview lists its files as the store has them, relative to the
    project's directory when inside it (the first five, then "and N more")."""
    ident = None
    for i, line in enumerate(lines):
        m = re.match(r"commit   ([0-9a-f-]{36})\s*$", line)
        if m:
            ident = m.group(1)
            continue
        m = re.match(r"(changed|read)(\s+)(\d+): (.*)$", line)
        if ident is None or not m or len(m.group(1) + m.group(2)) != 9:
            continue
        text = m.group(4)
        for more in lines[i + 1:]:
            if not more.startswith(" " * 9) or not more.strip():
                break
            text += " " + more.strip()
        row = db.execute("SELECT c.files_changed, c.files_read, p.local_path"
                         " FROM cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id"
                         " WHERE c.id = ?", (ident,)).fetchone()
        if row is None:
            continue
        files = json.loads(row[0] if m.group(1) == "changed" else row[1])
        root = (row[2] or "").rstrip("/")
        shown = [f[len(root) + 1:] if root and f.startswith(root + "/") and len(f) > len(root) + 1
                 else f for f in files[:5]]
        want = ", ".join(shown) + (" and %d more" % (len(files) - 5) if len(files) > 5 else "")
        if int(m.group(3)) != len(files) or text.replace(" ", "") != want.replace(" ", ""):
            problems.append("preview %s: %s %s: %s, the store has %d: %s"
                            % (ident[:8], m.group(1), m.group(3), text, len(files), want))


def columns(text):
    """The terminal columns text takes: wide characters two, joiners and marks none."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200d\ufe0e\ufe0f":
            continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return n


def check_size(lines, size, problems):
    cols, rows = (int(x) for x in size.split("x"))
    if len(lines) != rows:
        problems.append("%d lines on a screen of %d rows" % (len(lines), rows))
    for n, line in enumerate(lines):
        if columns(line) > cols:
            problems.append("line %d is %d columns wide, the terminal %d: %r"
                            % (n + 1, columns(line), cols, line))


def filter_terms(text):
    """The filter's terms as (name or None for a word, value), quotes gone."""
    out = []
    for term in re.findall(r'(?:[^\s"]|"[^"]*")+', text):
        if term.startswith('"'):
            out.append((None, term.replace('"', "")))
            continue
        name, colon, value = term.partition(":")
        out.append((name, value.replace('"', "")) if colon else (None, term.replace('"', "")))
    return out


def day_ok(day, terms):
    return all(not (n == "since" and day < v) and not (n == "until" and day > v) for n, v in terms)


def commit_keeps(row, terms):
    """Whether the filter keeps the commit (id, started, title, subject, prompt, hidden,
    project, published, conflict); None for a term not evaluated here."""
    _id, started, title, subject, prompt, hidden, project, published, conflict = row[:9]
    states = {"published": published, "hidden": hidden, "conflict": conflict,
              "conflicted": conflict}
    for name, value in terms:
        if name is None:
            if not any(value.lower() in (t or "").lower() for t in (title, subject, prompt)):
                return False
        elif name == "project":
            if value.lower() not in (project or "").lower():
                return False
        elif name in ("is", "not") and value in states:
            if bool(states[value]) != (name == "is"):
                return False
        elif name not in ("since", "until"):
            return None
    return day_ok(started[:10], terms)


def pending_list(db):
    """The pending commits in push's order, with what / and the filter read of each."""
    return db.execute(
        "SELECT c.id, c.started_at, c.title, c.git_subject, c.first_prompt, c.hidden,"
        " coalesce(p.name, c.project_name, '?'), c.published, EXISTS (SELECT 1 FROM conflicts k"
        " WHERE k.resolved_at IS NULL AND k.record_id = c.id), c.git_hash, c.deleted_at"
        " FROM cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id"
        " WHERE c.sync_status = 'pending' ORDER BY c.started_at, c.id").fetchall()


def commit_list(db, with_hidden):
    """Every project's commits, newest first, with what / reads of each."""
    return db.execute(
        "SELECT c.id, c.started_at, c.title, c.git_subject, c.first_prompt, c.hidden,"
        " coalesce(p.name, c.project_name, '?'), c.published, 0, c.git_hash, NULL"
        " FROM cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id"
        " WHERE c.deleted_at IS NULL AND (? OR c.hidden = 0)"
        " ORDER BY c.started_at DESC, c.id DESC", (with_hidden,)).fetchall()


def shown_text(row):
    """What a commit's row shows, as / reads it: date, project, hash, deleted, title."""
    ident, started, title, subject, prompt = row[:5]
    return " ".join([started[:10] + " " + started[11:16], row[6] or "", row[9] or "",
                     "deleted" if row[10] else "", label(title, subject, prompt, ident)]).lower()


def check_find(message, rows, line, problems):
    """After /: the cursor's row (line, 1-based) shows the text; "Not found": none does."""
    m = re.match(r"^Found: (.+?)(?: \(search wrapped\))?\s*$", message)
    if m and not message.rstrip().endswith("\u2026") and 1 <= line <= len(rows):
        if m.group(1).lower() not in shown_text(rows[line - 1]):
            problems.append("Found: %s, but row %d (%r) does not show it"
                            % (m.group(1), line, shown_text(rows[line - 1])))
    m = re.match(r"^Not found: (.+?)\s*$", message)
    if m and not message.rstrip().endswith("\u2026"):
        holding = [r for r in rows if m.group(1).lower() in shown_text(r)]
        if holding:
            problems.append("Not found: %s, but %d rows show it (%r)"
                            % (m.group(1), len(holding), shown_text(holding[0])))


def conflict_keeps(row, terms):
    """Whether the filter keeps the open conflict (field, winner, detected_at); None when a
    term is not evaluated here."""
    field, winner, detected = row
    labels = {"display_order": "order", "deleted_at": "deleted"}
    for name, value in terms:
        if name == "field":
            if value.lower() not in (field.lower(), labels.get(field, field).lower()):
                return False
        elif name in ("is", "not") and value in ("held", "settled"):
            if (winner is None) != ((name == "is") == (value == "held")):
                return False
        elif name not in ("since", "until"):
            return None
    return day_ok(detected[:10], terms)


def main():
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    with open(sys.argv[2], encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    problems = []
    if len(lines) < 3:
        print("%s: %d lines, not a screen" % (sys.argv[2], len(lines)))
        return 1
    header, status, message = lines[0], lines[-2], lines[-1]
    if len(sys.argv) > 3:
        check_size(lines, sys.argv[3], problems)
    filters = [f[8:] for f in header.strip().split(" \u00b7 ") if f.startswith("filter: ")]
    if message.strip() == "Filtered." and not filters and not header.rstrip().endswith("\u2026"):
        problems.append("the message says Filtered., the title line shows no filter")

    pending = db.execute("SELECT count(*) FROM cognitive_commits"
                         " WHERE sync_status = 'pending'").fetchone()[0]
    held, settled = db.execute("SELECT count(*) FILTER (WHERE winner IS NULL),"
                               " count(*) FILTER (WHERE winner IS NOT NULL) FROM conflicts"
                               " WHERE resolved_at IS NULL").fetchone()
    m = re.search(UP + r"(\d+)", status)
    if m and int(m.group(1)) != pending:
        problems.append("status bar shows %s%s, the store has %d pending commits"
                        % (UP, m.group(1), pending))
    m = re.search(r" !(\d+)", status)
    if m and int(m.group(1)) != held:
        problems.append("status bar shows !%s, the store has %d held conflicts"
                        % (m.group(1), held))
    if m:
        r = re.search(r" !\d+ ~(\d+)", status)
        if (int(r.group(1)) if r else 0) != settled:
            problems.append("status bar shows ~%s, the store has %d settled conflicts"
                            % (r.group(1) if r else "(none)", settled))

    m = re.search(r"(\w+) (\d+)/(\d+)\s*$", status)
    if m:
        view, line, total = m.group(1), int(m.group(2)), int(m.group(3))
        if (total == 0 and line != 0) or (total > 0 and not 1 <= line <= total):
            problems.append("status bar shows %s %d/%d" % (view, line, total))
        fields = header.strip().split(" \u00b7 ")
        listed = None
        # A filtered list (f) counts what it keeps: tests/tui/filter-sort.sh checks that.
        filtered = any(f.startswith("filter: ") for f in fields[3:])
        if view == "commits" and len(fields) >= 3 and not fields[2].endswith("\u2026") \
                and not filtered:
            if fields[2] == "all projects":
                listed = commits(db, "c.deleted_at IS NULL")
            else:
                listed = commits(db, "c.deleted_at IS NULL AND p.name = ?", (fields[2],))
            shown = sum(1 for c in listed if not c[5])
            if total not in (shown, len(listed)):
                problems.append("commits %d/%d: the store lists %d (%d with the hidden ones)"
                                % (line, total, shown, len(listed)))
            if fields[2] == "all projects" and not any(f.startswith("sort: ") for f in fields):
                check_find(message, commit_list(db, total != shown), line, problems)
        elif view == "pending":
            rows = pending_list(db)
            if filters and not filters[0].endswith("\u2026"):
                kept = [commit_keeps(r, filter_terms(filters[0])) for r in rows]
                rows = None if None in kept else [r for r, k in zip(rows, kept) if k]
            elif filters:
                rows = None
            if rows is not None and total != len(rows):
                problems.append("pending %d/%d: the store has %d pending commits%s"
                                % (line, total, len(rows), " the filter keeps" if filters else ""))
            if rows is not None:
                check_find(message, rows, line, problems)
                listed = [r[:6] for r in rows]
        elif view == "projects":
            n = db.execute("SELECT count(*) FROM projects WHERE deleted_at IS NULL").fetchone()[0]
            if total != n:
                problems.append("projects %d/%d: the store has %d projects" % (line, total, n))
        elif view == "conflicts":
            rows = db.execute("SELECT field, winner, detected_at FROM conflicts"
                              " WHERE resolved_at IS NULL").fetchall()
            n = len(rows)
            if filters:
                kept = [conflict_keeps(r, filter_terms(filters[0])) for r in rows]
                n = None if None in kept or filters[0].endswith("\u2026") else sum(kept)
            if n is not None and total != n:
                problems.append("conflicts %d/%d: the store has %d open conflicts%s"
                                % (line, total, n, " the filter keeps" if filters else ""))
        elif view == "turns":
            counts = [n for (n,) in db.execute(
                "SELECT count(*) FROM turns WHERE deleted_at IS NULL GROUP BY session_id")]
            if total not in counts:
                problems.append("turns %d/%d: no session in the store has %d turns"
                                % (line, total, total))
        elif view == "search" and len(fields) >= 3 and fields[2].startswith("search: ") \
                and not fields[2].endswith("\u2026") \
                and re.fullmatch(r"[\w' .-]+", fields[2][8:]):
            check_search(db, fields[2][8:], line, total, list_rows(lines), problems)
        if listed is not None:
            check_rows(list_rows(lines), listed, problems)

    preview_files(db, lines, problems)
    for p in problems:
        print("%s: %s" % (sys.argv[2], p))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
