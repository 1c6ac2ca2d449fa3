#!/usr/bin/env python3
"""Invented Claude Code transcripts for the cases real histories showed import
getting wrong, and what a correct import makes of them.

    fidelity_fixtures.py DIR    writes DIR/claude/projects/... (and any git
                                checkouts under DIR/machines) and prints the
                                expected figures as one JSON object.

The expectations are written down here, case by case, from the way the
transcripts are built: nothing is derived by running agentlogs.
"""
import json
import os
import sys

T0 = 1767225600  # 2026-01-01T00:00:00Z


def ts(sec):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(T0 + sec)) + ".000Z"


class Transcript:
    """One session's lines; every line is written as Claude Code writes it."""

    def __init__(self, sid, cwd, branch="main"):
        self.sid, self.cwd, self.branch = sid, cwd, branch
        self.lines, self.n, self.clock = [], 0, 0

    def _head(self, kind, **extra):
        self.n += 1
        self.clock += 5
        rec = {"type": kind, "uuid": f"{self.sid}-{self.n:04d}", "sessionId": self.sid,
               "cwd": self.cwd, "gitBranch": self.branch, "version": "2.1.0",
               "timestamp": ts(self.clock)}
        rec.update(extra)
        return rec

    def user(self, content, **extra):
        rec = self._head("user", **extra)
        rec["message"] = {"role": "user", "content": content}
        self.lines.append(json.dumps(rec))
        return rec["uuid"]

    def assistant(self, blocks, usage=None):
        rec = self._head("assistant")
        rec["message"] = {"id": f"msg_{rec['uuid']}", "model": "claude-x", "role": "assistant",
                          "content": blocks,
                          "usage": usage or {"input_tokens": 10, "output_tokens": 5}}
        self.lines.append(json.dumps(rec))
        return rec["message"]["id"]

    def say(self, text):
        return self.assistant([{"type": "text", "text": text}])

    def tool(self, name, inp, result, is_error=False, text=None):
        """A call and its result; returns the call's id."""
        cid = f"toolu_{self.sid}_{self.n + 1}"
        blocks = ([{"type": "text", "text": text}] if text else []) + \
            [{"type": "tool_use", "id": cid, "name": name, "input": inp}]
        self.assistant(blocks)
        self.user([{"type": "tool_result", "tool_use_id": cid, "content": result,
                    "is_error": is_error}])
        return cid

    def git_commit(self, message, hash_, branch=None, command=None):
        out = f"[{branch or self.branch} {hash_}] {message}\n 1 file changed, 1 insertion(+)"
        self.tool("Bash", {"command": command or f"git commit -am '{message}'"}, out)

    def write(self, root, folder=None, name=None):
        d = os.path.join(root, "projects", folder or self.cwd.replace("/", "-"))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, (name or self.sid) + ".jsonl"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


LONG = ("Add a forecast page that shows the next seven days of weather for the saved "
        "cities, with the daily high and low, the chance of rain, and a small chart of the "
        "temperature across the week; keep it fast on slow phones")


def titles_case(root, facts):
    """(a) Slash commands, notices and markup are no prompts; titles fit a line."""
    t = Transcript("s-titles", "/home/ann/src/app")
    t.user("<command-name>/clear</command-name>\n<command-message>clear</command-message>\n"
           "<command-args></command-args>")
    t.user("<local-command-stdout></local-command-stdout>")
    t.user([{"type": "text", "text": "[Request interrupted by user]"}])
    t.user([{"type": "text", "text": "<ide_opened_file>The user opened the file "
             "/home/ann/src/app/web/page.tsx in the IDE.</ide_opened_file>"},
            {"type": "text", "text": LONG}])
    t.say("I will add the page.")
    t.git_commit("Add the forecast page", "1111111")
    t.user("<command-message>review</command-message>\n<command-name>/review</command-name>\n"
           "<command-args>PR 12</command-args>")
    t.user("<system-reminder>The file changed on disk.</system-reminder>")
    t.say("Reviewing the pull request.")
    t.git_commit("Apply the review", "2222222")
    # Work after the commit without a prompt: the agent's first sentence names it.
    t.tool("Bash", {"command": "git push"}, "ok",
           text="Pushing the branch now. Then I open the pull request.")
    t.write(root)
    # A long prompt behind a reminder, and no git commit: the log shows it cut.
    u = Transcript("s-long", "/home/ann/src/app")
    u.user([{"type": "text", "text": "<system-reminder>Plan mode is off.</system-reminder>"},
            {"type": "text", "text": "  " + LONG.replace("; ", ";\n\n")}])
    u.say("Done.")
    u.write(root)
    facts["titles"] = {
        "s-titles": [
            {"first_prompt": LONG, "git_subject": "Add the forecast page"},
            {"first_prompt": "/review PR 12", "git_subject": "Apply the review"},
            {"first_prompt": "Pushing the branch now.", "git_subject": None},
        ],
        "s-long": [
            {"first_prompt": LONG.replace("; ", ";\n\n"), "git_subject": None,
             "log_cut_of": LONG},
        ],
    }
    # Typed: the long prompt, /clear and /review (slash commands are typed), the other long one.
    facts["typed_prompts"] = facts.get("typed_prompts", 0) + 4


def files_case(root, facts):
    """(b) Only calls that succeeded count; MultiEdit and NotebookEdit too."""
    app = "/home/ann/src/app"
    t = Transcript("s-files", app)
    t.user("Tidy the sources")
    t.tool("Read", {"file_path": f"{app}/src/a.c"}, "int a;")
    t.tool("Read", {"file_path": f"{app}/src/missing.c"}, "File does not exist.", True)
    t.tool("Edit", {"file_path": f"{app}/src/b.c", "old_string": "x", "new_string": "y"},
           "<tool_use_error>String to replace not found in file.</tool_use_error>", True)
    t.tool("Edit", {"file_path": f"{app}/src/b.c", "old_string": "z", "new_string": "y"},
           "<tool_use_error>File has not been read yet.</tool_use_error>", True)
    t.tool("Edit", {"file_path": f"{app}/src/c.c", "old_string": "x", "new_string": "y"},
           "<tool_use_error>String to replace not found in file.</tool_use_error>", True)
    t.tool("Edit", {"file_path": f"{app}/src/c.c", "old_string": "q", "new_string": "y"},
           "The file has been updated.")
    t.tool("MultiEdit", {"file_path": f"{app}/src/d.c", "edits": []}, "Applied 2 edits.")
    t.tool("NotebookEdit", {"notebook_path": f"{app}/nb/e.ipynb", "new_source": "x"}, "ok")
    t.tool("Write", {"file_path": "/tmp/scratch.txt", "content": "x"}, "File created.")
    # Interrupted: a call without a result changed nothing we know of.
    t.assistant([{"type": "tool_use", "id": "toolu_never", "name": "Edit",
                  "input": {"file_path": f"{app}/src/never.c"}}])
    t.user([{"type": "text", "text": "[Request interrupted by user for tool use]"}])
    # The last call's result only arrives after a first import.
    t.assistant([{"type": "tool_use", "id": "toolu_late", "name": "Write",
                  "input": {"file_path": f"{app}/src/late.c", "content": "x"}}])
    t.write(root)
    late = t._head("user")
    late["message"] = {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_late", "content": "File created."}]}
    folder = app.replace("/", "-")
    facts.setdefault("appends", {})[f"projects/{folder}/s-files.jsonl"] = [json.dumps(late)]
    facts["files"] = {"s-files": {
        "read": [f"{app}/src/a.c"],
        "changed": sorted([f"{app}/src/c.c", f"{app}/src/d.c", f"{app}/nb/e.ipynb",
                           "/tmp/scratch.txt", f"{app}/src/late.c"]),
        # show names them from the project's root; outside it, in full
        "show_changed": "Changed:  nb/e.ipynb, src/c.c, src/d.c, src/late.c, /tmp/scratch.txt",
    }}
    facts["typed_prompts"] = facts.get("typed_prompts", 0) + 1


def throwaway_case(root, facts):
    """(c) A git commit in another repository does not close the project's commit."""
    t = Transcript("s-tmp", "/home/ann/src/app")
    t.user("Try the parser in a scratch repository first, then commit the real fix")
    t.git_commit("init", "abc1234", branch="master (root-commit)",
                 command="cd /tmp/x && git init && git add . && git commit -m init")
    t.git_commit("wip", "5555555", command="git -C /tmp/y commit -am wip")
    t.git_commit("scratch", "6666666", branch="scratch")
    t.tool("Edit", {"file_path": "/home/ann/src/app/parse.c"}, "ok")
    t.git_commit("Fix the parser", "3333333",
                 command="cd /home/ann/src/app && git commit -am 'Fix the parser'")
    t.write(root)
    facts["throwaway"] = {"s-tmp": {
        "commits": [["git_commit", "3333333"]],
        "show_lines": [
            "Other:    git commit [master abc1234] init in another repository",
            "Other:    git commit [main 5555555] wip in another repository",
            "Other:    git commit [scratch 6666666] scratch in another repository"],
        # show --json and log --json: the same notes, as an array
        "elsewhere": ["[master abc1234] init", "[main 5555555] wip", "[scratch 6666666] scratch"],
    }}
    facts["typed_prompts"] = facts.get("typed_prompts", 0) + 1


def numbers_case(root, facts):
    """(d) Usage figures that are no whole numbers in 0..2^53 are skipped and counted."""
    t = Transcript("s-numbers", "/srv/numbers")
    t.user("Count the tokens")
    t.assistant([{"type": "text", "text": "One."}],
                {"input_tokens": 1e300, "output_tokens": "7", "cache_read_input_tokens": -3,
                 "cache_creation_input_tokens": 2.5})
    t.assistant([{"type": "text", "text": "Two."}],
                {"input_tokens": 100, "output_tokens": 20, "cache_read_input_tokens": 3,
                 "cache_creation_input_tokens": 2 ** 53 + 2})
    t.write(root)
    facts["tokens"] = {"s-numbers": {"input": 100, "output": 20, "cache_read": 3,
                                     "cache_creation": 0}}
    facts["skipped_values"] = facts.get("skipped_values", 0) + 5
    facts["typed_prompts"] = facts.get("typed_prompts", 0) + 1
    # One warning per record with bad figures: 2.
    facts["warnings"] = facts.get("warnings", 0) + 2
    facts.setdefault("summary", {})["projects/-srv-numbers/s-numbers.jsonl"] = (0, 5)


def odd_lines_case(root, facts):
    """(d) Malformed lines, a crash cut a record short, a session id changing mid-file."""
    t = Transcript("s-odd", "/srv/odd")
    t.user("Survive a crash")
    good = t.say("Still here.")
    for i in range(6):
        t.lines.append('{"type":"user","message":' + "x" * i)  # malformed
    # A crash cut the record short; the resumed session wrote the next one on that line.
    cut = t.lines.pop()
    t.say("Resumed after the crash.")
    t.lines[-1] = cut + t.lines[-1]
    # The session id changes mid-file (Claude Code did this on resume).
    t.sid = "s-odd-2"
    t.user("And go on")
    t.say("Going on.")
    t.write(root, folder="-srv-odd", name="s-odd")
    facts["skipped_lines"] = facts.get("skipped_lines", 0) + 6
    facts["warnings"] = facts.get("warnings", 0) + 6
    facts.setdefault("summary", {})["projects/-srv-odd/s-odd.jsonl"] = (6, 0)
    facts["recovered_text"] = "Resumed after the crash."
    facts["file_sessions"] = {"projects/-srv-odd/s-odd.jsonl": ["s-odd", "s-odd-2"]}
    facts["typed_prompts"] = facts.get("typed_prompts", 0) + 2


def rewrite_case(root, facts):
    """(d) A transcript rewritten shorter, then grown: its old rows are replaced."""
    t = Transcript("s-rw", "/srv/rw")
    t.user("First question, asked at some length so that the line is long " + "x" * 400)
    t.say("First answer " + "y" * 400)
    keep = list(t.lines)
    t.user("Second question " + "x" * 400)
    t.say("Second answer " + "y" * 400)
    t.user("Third question " + "x" * 400)
    t.say("Third answer " + "y" * 400)
    t.write(root)
    # The rewrite keeps the first exchange and goes on differently.
    t.lines = keep
    t.user("Another second question")
    t.say("Another second answer")
    t.user("And a third")
    facts.setdefault("rewrites", {})["projects/-srv-rw/s-rw.jsonl"] = list(t.lines)
    facts["rewritten"] = {"s-rw": 5}
    facts["typed_prompts"] = facts.get("typed_prompts", 0) + 3


def fork_case(root, facts):
    """(d) Two transcripts share their opening lines, in both ways Claude Code copies
    them (with the new session id, or keeping the old one): every line is one turn
    in one commit, the same whichever file is imported first."""
    out = os.path.dirname(root)
    for keep_id in (False, True):
        a = Transcript("s-orig-%d" % keep_id, "/srv/fork")
        a.user("Start the work")
        a.say("Started.")
        a.user("Go on")
        a.say("Went on.")
        shared = list(a.lines)
        a.user("Finish in the original session")
        a.say("Finished.")
        b = Transcript("s-copy-%d" % keep_id, "/srv/fork")
        b.n, b.clock = 100, a.clock
        b.lines = shared if keep_id else [
            json.dumps(dict(json.loads(l), sessionId=b.sid)) for l in shared]
        b.user("Continue in the resumed session")
        b.say("Continued.")
        a.write(os.path.join(out, "fork-a"), folder="-srv-fork")
        b.write(os.path.join(out, "fork-b"), folder="-srv-fork")
    # Distinct turns: 2 x (4 shared + 2 original + 2 resumed).
    facts["fork_turns"] = 16


def checkout(path, remote=None, worktree=None):
    """A git checkout on this machine, as far as agentlogs reads one: .git/config."""
    os.makedirs(os.path.join(path, ".git"), exist_ok=True)
    with open(os.path.join(path, ".git", "config"), "w") as f:
        f.write("[core]\n\tbare = false\n")
        if remote:
            f.write('[remote "upstream"]\n\turl = /somewhere/else\n')
            f.write(f'[remote "origin"]\n\turl = {remote}\n\tfetch = +refs/heads/*\n')
    if worktree:
        wt = os.path.join(path, ".claude", "worktrees", worktree)
        gd = os.path.join(path, ".git", "worktrees", worktree)
        os.makedirs(wt, exist_ok=True)
        os.makedirs(gd, exist_ok=True)
        with open(os.path.join(wt, ".git"), "w") as f:
            f.write(f"gitdir: {gd}\n")
        with open(os.path.join(gd, "commondir"), "w") as f:
            f.write("../..\n")
        return wt


def identity_case(root, facts):
    """(e) Projects are repositories: one remote on two checkouts is one project,
    subdirectories and worktrees belong to their checkout, two repositories that
    share a folder name are two projects with unique names."""
    m = os.path.join(os.path.dirname(root), "machines")
    laptop, desktop = f"{m}/laptop/work/app", f"{m}/desktop/src/app"
    wt = checkout(laptop, "git@github.com:ann/app.git", worktree="feat")
    checkout(desktop, "https://GitHub.com/ann/app")
    os.makedirs(f"{laptop}/web/src", exist_ok=True)
    checkout(f"{m}/laptop/work/cli")
    checkout(f"{m}/laptop/other/cli")
    sessions = {"s-laptop": laptop, "s-laptop-web": f"{laptop}/web/src", "s-wt": wt,
                "s-desktop": desktop, "s-cli-1": f"{m}/laptop/work/cli",
                "s-cli-2": f"{m}/laptop/other/cli", "s-mono": "/srv/mono",
                "s-mono-sub": "/srv/mono/pkg/a"}
    for sid, cwd in sessions.items():
        t = Transcript(sid, cwd)
        t.user(f"Work in {os.path.basename(cwd)}")
        t.say("Working.")
        t.write(root)
    # A subdirectory's session, then its parent's, then the subdirectory's again (the
    # folders set that order): the parent's project takes in the first one, and the
    # last finds it, though the import found the same directory's project before.
    ordered = [("s-lib-sub-1", "/srv/lib/pkg/a"), ("s-lib", "/srv/lib"),
               ("s-lib-sub-2", "/srv/lib/pkg/a")]
    for i, (sid, cwd) in enumerate(ordered):
        t = Transcript(sid, cwd)
        t.user(f"Work in {os.path.basename(cwd)}")
        t.say("Working.")
        t.write(root, folder=f"-srv-lib-{i}")
    # The project's path is the checkout imported first (transcripts go in path order).
    app = {"key": "git:github.com/ann/app", "name": "ann/app", "path": desktop,
           "remote": "github.com/ann/app"}
    facts["identity"] = {
        "s-laptop": app, "s-laptop-web": app, "s-wt": app,
        "s-desktop": app,
        "s-cli-1": {"key": f"path:{m}/laptop/work/cli", "path": f"{m}/laptop/work/cli",
                    "remote": None},
        "s-cli-2": {"key": f"path:{m}/laptop/other/cli", "path": f"{m}/laptop/other/cli",
                    "remote": None},
        "s-mono": {"key": "path:/srv/mono", "name": "mono", "path": "/srv/mono",
                   "remote": None},
        "s-mono-sub": {"key": "path:/srv/mono", "name": "mono", "path": "/srv/mono",
                       "remote": None},
    }
    for sid, _ in ordered:
        facts["identity"][sid] = {"key": "path:/srv/lib", "name": "lib", "path": "/srv/lib",
                                  "remote": None}
    # Overlapping in time: parallel within the laptop's checkout only.
    facts["parallel"] = {"s-laptop": 1, "s-laptop-web": 1, "s-wt": 1, "s-desktop": 0,
                         "s-cli-1": 0, "s-cli-2": 0}
    facts["typed_prompts"] = facts.get("typed_prompts", 0) + len(sessions) + len(ordered)


CASES = [titles_case, files_case, throwaway_case, numbers_case, odd_lines_case,
         rewrite_case, fork_case, identity_case]


def main(out):
    root = os.path.join(out, "claude")
    facts = {}
    for case in CASES:
        case(root, facts)
    json.dump(facts, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
