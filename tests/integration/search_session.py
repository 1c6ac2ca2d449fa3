#!/usr/bin/env python3
"""The first N lines (argv[1]) of a small Claude Code session for the search
tests: a prompt, an answer, a Bash call whose result comes on the next line,
and a second prompt the next day. Each word below is in one turn only:
zanzibar (both prompts), quokka, foo.bar, can't (the answer), periwinkle (the
call's input), marmalade and defined (its result), cafe (the second prompt).
"""
import json, sys
sid = "5a1b2c3d-1111-4222-8333-444455556666"
def uid(n):
    """The line's uuid: the cloud keys turns by it."""
    return "5a1b2c3d-0000-4000-8000-%012d" % n
def rec(kind, uuid, sec, message):
    return {"type": kind, "uuid": uuid, "sessionId": sid, "cwd": "/home/ann/src/app",
            "gitBranch": "main", "version": "2.1.9",
            "timestamp": "2026-03-0%dT10:00:%02d.000Z" % (1 + sec // 50, sec % 50),
            "message": message}
def asst(uuid, sec, mid, block):
    return rec("assistant", uuid, sec, {"id": mid, "role": "assistant", "model": "claude-x",
        "content": [block], "usage": {"input_tokens": 1, "output_tokens": 1}})
lines = [
    rec("user", uid(1), 1, {"role": "user", "content": "Why does the zanzibar parser fail?"}),
    asst(uid(2), 2, "msg_1", {"type": "text", "text": "I can't tell yet; the quokka module reads foo.bar first."}),
    asst(uid(3), 3, "msg_2", {"type": "tool_use", "id": "toolu_1", "name": "Bash",
                               "input": {"command": "grep -rn periwinkle src/"}}),
    rec("user", uid(4), 4, {"role": "user", "content": [{"type": "tool_result",
        "tool_use_id": "toolu_1", "content": "src/p.c:3: marmalade\tdefined here", "is_error": False}]}),
    rec("user", uid(5), 60, {"role": "user", "content": "Now the café zanzibar part"}),
]
n = int(sys.argv[1])
sys.stdout.write("".join(json.dumps(l) + "\n" for l in lines[:n]))
