#!/usr/bin/env python3
"""Opens values sealed by agentlogs' end-to-end encryption, written from the
format's description (src/privacy/e2e.h) with Python's `cryptography`, not
from the C code: the cloud-side checks of the sync tests read the cloud's
plain values through it when they run with AGENTLOGS_TEST_E2E=1.

  e2e_open.py KEYFILE TABLE COLUMNS < ROWS
    ROWS: lines "ROW_JSON<tab>VALUES_JSON", the cloud's row (row_to_json) and
    the values of COLUMNS (json_build_array of the same comma-separated
    expressions); prints the values as psql -At does: '|' between them,
    booleans t/f, null empty, a plain column's sealed value opened with the
    key of KEYFILE (lines "current KEY", maybe "previous KEY": e2e.key)."""
import base64
import hashlib
import hmac
import json
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def keys(path):
    out = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 2:
            k = b64(parts[1])
            check = hmac.new(k, b"agentlogs e2e key check v1", hashlib.sha256).digest()
            out[check[:4]] = k
    return out


def unseal(ks, table, column, rid, version, text):
    raw = b64(text[len("e2e1:"):])
    kid, wnonce, wtag = raw[:4], raw[4:16], raw[16:32]
    wrapped, tag, ct = raw[32:64], raw[64:80], raw[80:]
    ad = b"\0".join(x.encode() for x in (table, column, rid, str(version)))
    dek = AESGCM(ks[kid]).decrypt(wnonce, wrapped + wtag, ad)
    return AESGCM(dek).decrypt(b"\0" * 12, ct + tag, ad).decode()


def show(v):
    if v is None:
        return ""
    if v is True or v is False:
        return "t" if v else "f"
    return str(v)


def main():
    ks = keys(sys.argv[1])
    table, columns = sys.argv[2], sys.argv[3].split(",")
    for line in sys.stdin:
        if not line.strip():
            continue
        row_text, values_text = line.rstrip("\n").split("\t", 1)
        row, values = json.loads(row_text), json.loads(values_text)
        names = [c.strip() for c in columns] if len(columns) == len(values) else []
        vals = []
        for i, v in enumerate(values):
            name = names[i] if names else None
            if name in row and isinstance(v, str) and v.startswith("e2e1:"):
                v = unseal(ks, table, name, row["id"], row["version"], v)
            vals.append(show(v))
        print("|".join(vals))


if __name__ == "__main__":
    main()
