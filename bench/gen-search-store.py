#!/usr/bin/env python3
"""A synthetic store of TURNS turns for bench/search, written straight into
DATA_DB (which must hold agentlogs' schema: run any agentlogs command on the
home first), through the schema's own triggers, so the search index is built
as a pull would build it.

gen-search-store.py DATA_DB TURNS

Text is drawn from a vocabulary of 60,000 words (English, code identifiers,
paths, numbers) with Zipf frequencies (rank^-1.07, as word counts in natural
text and code go), cut into 200,000 sentences (a third of them code-like
lines) in topics of 50 that share 30 words of their own; a commit's turns
keep to one topic, as a conversation repeats its own names. Turns are shaped
like Claude Code's: 15% prompts of 1-4 sentences; assistant turns of 1-5
sentences, 80% of them with a tool call (Bash, Read, Edit, Grep, Write) whose
result is lognormal, median 6 sentences, at most 64 KiB. 100 turns a
commit, one session a commit, 20 projects. Seeded: the same store each time.
"""
import json
import random
import sqlite3
import sys

db_path, nturns = sys.argv[1], int(sys.argv[2])
rng = random.Random(14)

ENGLISH = ("the of and to a in is it you that he was for on are with as I his they be at one "
           "have this from or had by not word but what some we can out other were all there "
           "when up use your how said an each she which do their time if will way about many "
           "then them write would like so these her long make thing see him two has look more "
           "day could go come did number sound no most people my over know water than call "
           "first who may down side been now find any new work part take get place made live "
           "where after back little only round man year came show every good me give our under "
           "name very through just form sentence great think say help low line differ turn "
           "cause much mean before move right boy old too same tell does set three want air "
           "well also play small end put home read hand port large spell add even land here "
           "must big high such follow act why ask men change went light kind off need house "
           "picture try us again animal point mother world near build self earth father head "
           "stand own page should country found answer school grow study still learn plant "
           "cover food sun four between state keep eye never last let thought city tree cross "
           "farm hard start might story saw far sea draw left late run don't while press close "
           "night real life few north open seem together next white children begin got walk "
           "example ease paper group always music those both mark often letter until mile river "
           "car feet care second book carry took science eat room friend began idea fish "
           "mountain stop once base hear horse cut sure watch color face wood main enough plain "
           "girl usual young ready above ever red list though feel talk bird soon body dog "
           "family direct pose leave song measure door product black short numeral class wind "
           "question happen complete ship area half rock order fire south problem piece told "
           "knew pass since top whole king space heard best hour better true during hundred "
           "five remember step early hold west ground interest reach fast verb sing listen six "
           "table travel less morning ten simple several vowel toward war lay against pattern "
           "slow center love person money serve appear road map rain rule govern pull cold "
           "notice voice unit power town fine certain fly fall lead cry dark machine note wait "
           "plan figure star box noun field rest correct able pound done beauty drive stood "
           "contain front teach week final gave green oh quick develop ocean warm free minute "
           "strong special mind behind clear tail produce fact street inch multiply nothing "
           "course stay wheel full force blue object decide surface deep moon island foot "
           "system busy test record boat common gold possible plane stead dry wonder laugh "
           "thousand ago ran check game shape equate hot miss brought heat snow tire bring yes "
           "distant fill east paint language among").split()
CODE = ("func return err nil if else for range struct type interface package import const var "
        "int string bool byte error context ctx cfg config test tests assert expected actual "
        "parse parser token lexer build make install commit push pull merge branch rebase diff "
        "patch file path dir read write open close buffer stream socket server client request "
        "response header status json yaml sql query index cursor row column table schema "
        "migration sqlite postgres session turn trailer checkpoint hook agent prompt model "
        "cache retry backoff timeout deadline mutex thread lock queue worker job event signal "
        "handler callback promise async await null undefined console log debug warn fatal "
        "printf malloc free strlen memcpy static inline void char size_t uint64_t").split()
SYLL = ["ka", "zu", "mi", "tor", "lan", "qua", "vex", "rin", "pol", "dra", "sem", "ol",
        "ny", "bre", "fu", "gal", "ix", "chu", "wen", "tas"]


def make_vocab(n):
    seen, vocab = set(), []
    for w in ENGLISH + CODE:
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    while len(vocab) < n:
        kind = rng.random()
        w = "".join(rng.choice(SYLL) for _ in range(rng.randint(2, 4)))
        if kind < 0.15:
            w = w + "_" + rng.choice(CODE)
        elif kind < 0.25:
            w = rng.choice(CODE) + w.capitalize()
        elif kind < 0.32:
            w = "src/%s/%s.%s" % (rng.choice(CODE), w, rng.choice(["c", "go", "py", "ts", "h"]))
        elif kind < 0.37:
            w = str(rng.randint(10, 99999))
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    return vocab


NSENT, TOPIC = 200000, 50
vocab = make_vocab(60000)
weights = [1.0 / (r + 1) ** 1.07 for r in range(len(vocab))]
cum, total = [], 0.0
for w in weights:
    total += w
    cum.append(total)
draws = rng.choices(vocab, cum_weights=cum, k=NSENT * 14)
sentences, pos = [], 0
for i in range(NSENT):
    # A third of a sentence's words are its topic's: a conversation, like a
    # file or a log, repeats its own names.
    if i % TOPIC == 0:
        topic = rng.sample(vocab[200:], 30)
    n = rng.randint(6, 22)
    words = draws[pos:pos + n] + rng.choices(topic, k=n // 3)
    rng.shuffle(words)
    pos = (pos + n) % (len(draws) - 30)
    s = " ".join(words)
    if i % 3 == 0:	# a line of code: indented, a call
        sentences.append("    %s(%s);" % (words[0], ", ".join(words[1:])))
        continue
    sentences.append(s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", ":", ";"]))


def pick(topic, lo, hi):
    """Sentences of one topic: a turn keeps to one conversation's words."""
    base = topic * TOPIC
    return [sentences[base + rng.randrange(TOPIC)] for _ in range(rng.randint(lo, hi))]


def text(topic, lo, hi):
    return " ".join(pick(topic, lo, hi))


def result(topic):
    n = min(400, max(1, int(rng.lognormvariate(1.8, 1.2))))
    return "\n".join(pick(topic, n, n))[:65536]


TOOLS = [("Bash", "command"), ("Read", "file_path"), ("Edit", "old_string"),
         ("Grep", "pattern"), ("Write", "file_path")]


def ts(i):
    s = 1764000000 + i * 7
    return "2025-%02d-%02dT%02d:%02d:%02d.000Z" % (11 + (s // 2592000) % 2, 1 + (s // 86400) % 28,
                                                   (s // 3600) % 24, (s // 60) % 60, s % 60)


con = sqlite3.connect(db_path)
con.execute("PRAGMA foreign_keys = OFF")
con.execute("PRAGMA journal_mode = WAL")
con.execute("PRAGMA synchronous = OFF")
con.execute("BEGIN")
per = 100
ncommits = (nturns + per - 1) // per
for p in range(20):
    con.execute("INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)",
                ("bench-project-%02d" % p, "bench/p%02d" % p, ts(0)))
for c in range(ncommits):
    cid, sid = "bench-commit-%07d" % c, "bench-session-%07d" % c
    first, last = ts(c * per), ts(min(nturns, (c + 1) * per) - 1)
    con.execute("INSERT INTO cognitive_commits (id, started_at, closed_at, closed_by,"
                " project_id, git_subject, title, turn_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (cid, first, last, "git_commit", "bench-project-%02d" % (c % 20),
                 rng.choice(sentences), rng.choice(sentences) if c % 10 == 0 else None, per))
    con.execute("INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at)"
                " VALUES (?, ?, ?, ?, ?)", (sid, cid, "claude-%07d" % c, first, last))


def rows():
    for i in range(nturns):
        sid = "bench-session-%07d" % (i // per)
        topic = (i // per * 7919) % (NSENT // TOPIC)
        calls = "[]"
        if i % per == 0 or rng.random() < 0.15:
            role, content = "user", text(topic, 1, 4)
        else:
            role, content = "assistant", text(topic, 1, 5)
            if rng.random() < 0.8:
                name, key = rng.choice(TOOLS)
                calls = json.dumps([{"id": "toolu_%012x" % i, "name": name,
                                     "input": {key: text(topic, 1, 2)}, "result": result(topic),
                                     "is_error": rng.random() < 0.05}], separators=(",", ":"))
        yield ("bench-turn-%08d" % i, sid, i % per, role, content, ts(i), calls)


con.executemany("INSERT INTO turns (id, session_id, seq, role, content, timestamp, tool_calls)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", rows())
con.commit()
