#!/usr/bin/env python3
"""Figures about Claude Code transcripts, derived independently of agentlogs.

Prints one JSON object: per Claude session the number of turns (user prompts
plus distinct assistant messages) and the token totals taken from the LAST
usage line of each message.id; the successful `git commit` calls; the
assistant message ids found on lines holding several glued JSON objects; and
each session's project root.
"""
import json
import os
import re
import sys

GIT_COMMIT = re.compile(r"(^|[\s;&|(])git(\s+-[Cc]\s+\S+|\s+--?[\w-]+(=\S+)?)*\s+commit(\s|$)")
SUMMARY = re.compile(r"^\[[^\]\n]+ [0-9a-f]{7,40}\] ", re.M)


def objects(line):
    dec = json.JSONDecoder()
    s = line.strip()
    pos, out = 0, []
    while pos < len(s):
        obj, end = dec.raw_decode(s, pos)
        out.append(obj)
        pos = end
        while pos < len(s) and s[pos].isspace():
            pos += 1
    return out


def result_text(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n\n".join(b.get("text", "") for b in content if b.get("type") == "text")
    return ""


WORKTREE = re.compile(r"/(\.worktrees|\.claude/worktrees|\.git/worktrees)/.*$")


def checkout_root(cwd):
    """These transcripts come from other machines: no checkout here, so a project is
    the working directory with any worktree part removed (never its folder name)."""
    return WORKTREE.sub("", cwd).rstrip("/") or "/"


def main(root):
    sessions = {}
    roots = {}
    git_commits = 0
    glued = []
    for dirpath, _, files in sorted(os.walk(os.path.join(root, "projects"))):
        for name in sorted(files):
            if not name.endswith(".jsonl"):
                continue
            commits_pending = {}
            usage_by_msg = {}
            for line in open(os.path.join(dirpath, name), encoding="utf-8"):
                if not line.strip():
                    continue
                try:
                    objs = objects(line)
                except ValueError:
                    continue
                for obj in objs:
                    kind = obj.get("type")
                    if kind not in ("user", "assistant"):
                        continue
                    sid = obj["sessionId"]
                    if "cwd" in obj and sid not in roots:
                        roots[sid] = checkout_root(obj["cwd"])
                    s = sessions.setdefault(sid, {"turns": 0, "messages": set(),
                                                  "input": 0, "output": 0,
                                                  "cache_read": 0, "cache_creation": 0})
                    msg = obj.get("message", {})
                    content = msg.get("content")
                    if kind == "assistant":
                        mid = msg.get("id")
                        if len(objs) > 1:
                            glued.append(mid)
                        if mid not in s["messages"]:
                            s["messages"].add(mid)
                            s["turns"] += 1
                        if "usage" in msg:
                            usage_by_msg[(sid, mid)] = msg["usage"]
                        for b in content if isinstance(content, list) else []:
                            if b.get("type") == "tool_use" and b.get("name") == "Bash" and \
                                    GIT_COMMIT.search(b.get("input", {}).get("command", "")):
                                commits_pending[b["id"]] = True
                        continue
                    if obj.get("isMeta"):
                        continue
                    is_prompt = False
                    if isinstance(content, str):
                        is_prompt = content != ""
                    elif isinstance(content, list):
                        for b in content:
                            t = b.get("type")
                            if (t == "text" and b.get("text")) or t == "image":
                                is_prompt = True
                            if t == "tool_result" and commits_pending.pop(b.get("tool_use_id"), None):
                                if not b.get("is_error") and SUMMARY.search(result_text(b.get("content"))):
                                    git_commits += 1
                    if is_prompt:
                        s["turns"] += 1
            for (sid, _), u in usage_by_msg.items():
                s = sessions[sid]
                s["input"] += u.get("input_tokens", 0)
                s["output"] += u.get("output_tokens", 0)
                s["cache_read"] += u.get("cache_read_input_tokens", 0)
                s["cache_creation"] += u.get("cache_creation_input_tokens", 0)
    for s in sessions.values():
        del s["messages"]
    json.dump({"sessions": sessions, "git_commits": git_commits, "glued_messages": glued,
               "session_roots": roots},
              sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
