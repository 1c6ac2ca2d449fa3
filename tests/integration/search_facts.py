#!/usr/bin/env python3
"""How many turns of some Claude Code transcripts hold each of some words,
derived independently of agentlogs (for tests/integration/search.sh).

A turn is a prompt a person typed (a user line with text, not isMeta) or an
assistant message (its lines share message.id); its text is the prompt, or
the message's text blocks, its tool calls' names, inputs (keys and
strings) and the results that answer
them (tool_result blocks on later user lines, by tool_use_id). Thinking is not
searched. A word is found the way SQLite's unicode61 tokenizer with
remove_diacritics splits text: runs of letters and digits, any case, accents
dropped; but n't ("n't" or "N'T", the apostrophe ASCII or typographic) is
part of the word, so "can't" is one word and holds neither "can" nor "t".

Each QUERY after the transcripts' root is a word; a word with punctuation
("it's": the phrase "it s") or a "quoted phrase" (the words side by side in
one string); or a prefix* (any word starting so). Prints "COUNT QUERY" per
query: the turns holding it.
"""
import json
import os
import re
import sys
import unicodedata

# The same reading of glued JSON lines as the import facts.
from transcript_facts import objects

# A run of letters and digits, with n't glued in; the apostrophe is kept as
# ' so that can't and can’t are the same word.
TOKEN = re.compile(r"[^\W_]+(?:(?:(?<=n)['\u2019](?=t)|(?<=N)['\u2019](?=T))[^\W_]+)*")


def strings(value):
    """Every string inside a JSON value, its keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)


def tokens(text):
    """The words of text in order, as unicode61 with remove_diacritics reads them."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))
    return [w.lower().replace("\u2019", "'") for w in TOKEN.findall(plain)]


def words(text):
    """A string's words, and its words in order (for phrases)."""
    got = tokens(text)
    return set(got) | {tuple(got)}


def holds(got, query):
    """Whether a turn's words (as words() gives them, united) hold the query."""
    if query.endswith("*"):
        stem = tokens(query[:-1])
        return len(stem) == 1 and any(isinstance(w, str) and w.startswith(stem[0])
                                      for w in got)
    want = tokens(query.strip('"'))
    if len(want) == 1:
        return want[0] in got
    n = len(want)
    return any(isinstance(seq, tuple) and
               any(list(seq[i:i + n]) == want for i in range(len(seq) - n + 1))
               for seq in got)


def main(root, wanted):
    turns = {}	# turn key -> set of words
    owner = {}	# tool_use id -> the assistant turn that made the call
    for dirpath, _, files in sorted(os.walk(os.path.join(root, "projects"))):
        for name in sorted(files):
            if not name.endswith(".jsonl"):
                continue
            for line in open(os.path.join(dirpath, name), encoding="utf-8"):
                try:
                    objs = objects(line) if line.strip() else []
                except ValueError:
                    continue
                for obj in objs:
                    kind = obj.get("type")
                    msg = obj.get("message") or {}
                    content = msg.get("content")
                    blocks = content if isinstance(content, list) else []
                    if kind == "assistant":
                        key = ("a", msg.get("id"))
                        got = turns.setdefault(key, set())
                        for b in blocks:
                            if b.get("type") == "text":
                                got |= words(b.get("text", ""))
                            elif b.get("type") == "tool_use":
                                owner[b.get("id")] = key
                                got |= words(b.get("name", ""))
                                for s in strings(b.get("input")):
                                    got |= words(s)
                        continue
                    if kind != "user" or obj.get("isMeta"):
                        continue
                    for b in blocks:
                        if b.get("type") == "tool_result" and b.get("tool_use_id") in owner:
                            res = b.get("content")
                            text = res if isinstance(res, str) else " ".join(
                                x.get("text", "") for x in res or [] if isinstance(x, dict))
                            turns[owner[b["tool_use_id"]]] |= words(text)
                    if isinstance(content, str) and content:
                        turns[("u", obj.get("uuid"))] = words(content)
                    elif any(b.get("type") == "text" and b.get("text") for b in blocks):
                        turns[("u", obj.get("uuid"))] = words(" ".join(
                            b.get("text", "") for b in blocks if b.get("type") == "text"))
    for w in wanted:
        print(sum(1 for got in turns.values() if holds(got, w)), w)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
