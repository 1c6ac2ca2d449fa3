#!/usr/bin/env python3
"""The figures of an analytics upload, without noise, for a Claude directory.

Usage: analytics-expected.py CLAUDE_DIR

Reads the transcripts under CLAUDE_DIR/projects directly (not the store) by
the transcript rules of ARCHITECTURE.md section 3: an assistant message
written over several lines sharing message.id is one turn, with the last
line's usage; a user line is a turn when it holds a prompt (text), not when
it only returns tool results; every tool_use block is one call. It assumes
what the test fixture guarantees: no git commit and no idle gap, so each
session is one commit, and no session needs a clamp. Prints the figures as
the upload's "figures" object.
"""
import json
import os
import sys

TOOLS = ("AskUserQuestion Bash BashOutput Edit ExitPlanMode Glob Grep KillShell LS MultiEdit "
         "NotebookEdit NotebookRead Read Skill SlashCommand Task TaskCreate TaskUpdate TodoWrite "
         "WebFetch WebSearch").split()
BUCKETS = ["0-1", "2-3", "4-7", "8-15", "16-31", "32-63", "64+"]


def bucket(n):
    for i, hi in enumerate((1, 3, 7, 15, 31, 63)):
        if n <= hi:
            return BUCKETS[i]
    return BUCKETS[-1]


def family(model):
    for f in ("opus", "sonnet", "haiku"):
        if f in (model or ""):
            return f
    return "other"


def main():
    root = os.path.join(sys.argv[1], "projects")
    sessions = {}
    for project in sorted(os.listdir(root)):
        for name in sorted(os.listdir(os.path.join(root, project))):
            for line in open(os.path.join(root, project, name)):
                o = json.loads(line)
                s = sessions.setdefault(o["sessionId"], {"prompts": 0, "messages": {}})
                m = o["message"]
                if o["type"] == "user":
                    c = m["content"]
                    if isinstance(c, str) or any(b.get("type") == "text" for b in c):
                        s["prompts"] += 1
                else:
                    msg = s["messages"].setdefault(m["id"], {"tools": []})
                    msg["model"] = m["model"]
                    msg["usage"] = m["usage"]
                    msg["tools"] += [b["name"] for b in m["content"] if b["type"] == "tool_use"]
    fig = {
        "sessions": len(sessions), "commits": len(sessions), "turns": 0,
        "turns_per_commit": {b: 0 for b in BUCKETS},
        "tools": {t: 0 for t in TOOLS + ["mcp", "other"]},
        "models": {m: 0 for m in ("opus", "sonnet", "haiku", "other")},
        "tokens": {t: 0 for t in ("input", "output", "cache_read", "cache_creation")},
    }
    for s in sessions.values():
        turns = s["prompts"] + len(s["messages"])
        fig["turns"] += turns
        fig["turns_per_commit"][bucket(turns)] += 1
        for msg in s["messages"].values():
            fig["models"][family(msg["model"])] += 1
            u = msg["usage"]
            fig["tokens"]["input"] += u["input_tokens"]
            fig["tokens"]["output"] += u["output_tokens"]
            fig["tokens"]["cache_read"] += u["cache_read_input_tokens"]
            fig["tokens"]["cache_creation"] += u["cache_creation_input_tokens"]
            for t in msg["tools"]:
                k = t if t in TOOLS else "mcp" if t.startswith("mcp__") else "other"
                fig["tools"][k] += 1
    print(json.dumps(fig, sort_keys=True))


main()
