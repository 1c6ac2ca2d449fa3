#!/usr/bin/env python3
"""A stand-in for GitHub's OAuth web flow and REST API, for tests.

It speaks the parts of GitHub's protocol that agentlogs-server uses:

  GET  /login/oauth/authorize     checks client_id, redirect_uri and state, then
                                  plays the user approving at once: 302 to
                                  redirect_uri?code=..&state=.. (in deny mode,
                                  ?error=access_denied&..&state=..)
  POST /login/oauth/access_token  form or JSON body (client_id, client_secret,
                                  code, redirect_uri); a code works once. JSON
                                  answer with "Accept: application/json", else
                                  form-encoded; errors are HTTP 200 with
                                  {"error": ..} as GitHub does
  GET  /user, GET /user/emails    need "Authorization: token|Bearer <token>"
                                  and a User-Agent; /user/emails needs the
                                  user:email scope

Test controls (not GitHub's):
  POST /_stub/config  a JSON object; its keys replace the settings: "user"
                      (the /user object of whoever signs in next), "emails",
                      "deny" (the user refuses), "token_error" (every code
                      exchange fails), "callback" (the app's registered
                      callback URL; a different redirect_uri is a mismatch)
  GET  /_stub/stats   requests served, by path

Usage: github-stub.py --client-id ID --client-secret SECRET [--port 0]
Prints the port it listens on (on 127.0.0.1) to stdout once ready.
"""

import argparse
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOCS = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
CODE_TTL = 600  # GitHub's codes expire after ten minutes

DEFAULT_USER = {
    "login": "octo-cat",
    "id": 583231,
    "node_id": "MDQ6VXNlcjU4MzIzMQ==",
    "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
    "html_url": "https://github.com/octo-cat",
    "type": "User",
    "site_admin": False,
    "name": "Mona Octocat",
    "company": None,
    "blog": "",
    "location": None,
    "email": None,  # no public email: the address comes from /user/emails
    "bio": None,
    "created_at": "2011-01-25T18:44:36Z",
    "updated_at": "2024-01-01T00:00:00Z",
}

DEFAULT_EMAILS = [
    {"email": "583231+octo-cat@users.noreply.github.com", "primary": False,
     "verified": True, "visibility": None},
    {"email": "unverified@example.org", "primary": False, "verified": False,
     "visibility": None},
    {"email": "Mona@Example.org", "primary": True, "verified": True,
     "visibility": "private"},
]


class Stub:
    def __init__(self, client_id, client_secret):
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.Lock()
        self.config = {"user": dict(DEFAULT_USER), "emails": list(DEFAULT_EMAILS),
                       "deny": False, "token_error": False, "callback": None}
        self.codes = {}   # code -> grant
        self.tokens = {}  # access token -> grant
        self.stats = {}


def redirect_with(url, params):
    parts = urllib.parse.urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urllib.parse.urlencode(params)
    return urllib.parse.urlunsplit(parts._replace(query=query))


class Handler(BaseHTTPRequestHandler):
    server_version = "GitHub.com"
    stub = None  # set in main

    def log_message(self, fmt, *args):
        pass  # the query holds codes and states; tests read the stats instead

    def send(self, status, body, ctype="application/json; charset=utf-8", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status, obj):
        self.send(status, json.dumps(obj))

    def count(self, path):
        with self.stub.lock:
            self.stub.stats[path] = self.stub.stats.get(path, 0) + 1

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # ------------------------------------------------------------ routes

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        self.count(url.path)
        if url.path == "/login/oauth/authorize":
            self.authorize(q)
        elif url.path == "/user":
            self.api(lambda g: g["user"])
        elif url.path == "/user/emails":
            self.api(lambda g: g["emails"], scope="user:email")
        elif url.path == "/_stub/stats":
            with self.stub.lock:
                self.send_json(200, self.stub.stats)
        else:
            self.send_json(404, {"message": "Not Found"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        self.count(url.path)
        if url.path == "/login/oauth/access_token":
            self.access_token(url)
        elif url.path == "/_stub/config":
            try:
                change = json.loads(self.body() or b"{}")
                assert isinstance(change, dict)
            except (ValueError, AssertionError):
                self.send_json(400, {"message": "a JSON object, please"})
                return
            with self.stub.lock:
                self.stub.config.update(change)
                self.send_json(200, self.stub.config)
        else:
            self.send_json(404, {"message": "Not Found"})

    def authorize(self, q):
        stub = self.stub
        with stub.lock:
            cfg = json.loads(json.dumps(stub.config))
        if q.get("client_id") != stub.client_id:
            self.send(404, "<h1>404: this OAuth app does not exist</h1>", "text/html")
            return
        redirect_uri = q.get("redirect_uri") or cfg["callback"]
        if not redirect_uri:
            self.send(400, "<h1>no redirect_uri and no registered callback</h1>", "text/html")
            return
        if not q.get("state"):
            self.send(400, "<h1>state is required by this stub</h1>", "text/html")
            return
        state = q["state"]
        if cfg["callback"] and redirect_uri != cfg["callback"]:
            # GitHub sends the user to the registered callback with an error.
            self.send(302, "", "text/html", [("Location", redirect_with(cfg["callback"], {
                "error": "redirect_uri_mismatch",
                "error_description": "The redirect_uri MUST match the registered callback URL for this application.",
                "error_uri": DOCS, "state": state}))])
            return
        if cfg["deny"]:
            self.send(302, "", "text/html", [("Location", redirect_with(redirect_uri, {
                "error": "access_denied",
                "error_description": "The user has denied your application access.",
                "error_uri": DOCS, "state": state}))])
            return
        code = secrets.token_hex(10)
        with stub.lock:
            stub.codes[code] = {"client_id": q["client_id"], "redirect_uri": redirect_uri,
                                "scope": q.get("scope", ""), "user": cfg["user"],
                                "emails": cfg["emails"], "expires": time.time() + CODE_TTL}
        self.send(302, "", "text/html", [("Location", redirect_with(redirect_uri, {
            "code": code, "state": state}))])

    def access_token(self, url):
        stub = self.stub
        raw = self.body()
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = dict(urllib.parse.parse_qsl(url.query))
        try:
            if ctype == "application/json":
                params.update({k: str(v) for k, v in json.loads(raw or b"{}").items()})
            else:
                params.update(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        except (ValueError, AttributeError):
            pass
        wants_json = "application/json" in (self.headers.get("Accept") or "")

        def answer(obj):
            if wants_json:
                self.send_json(200, obj)
            else:
                self.send(200, urllib.parse.urlencode(obj), "application/x-www-form-urlencoded")

        def error(code, description):
            answer({"error": code, "error_description": description, "error_uri": DOCS})

        if params.get("client_id") != stub.client_id or \
                params.get("client_secret") != stub.client_secret:
            error("incorrect_client_credentials",
                  "The client_id and/or client_secret passed are incorrect.")
            return
        with stub.lock:
            grant = stub.codes.pop(params.get("code", ""), None)  # one use, even when it fails
            token_error = stub.config["token_error"]
        if grant is None or grant["expires"] < time.time() or token_error or \
                grant["client_id"] != params["client_id"]:
            error("bad_verification_code", "The code passed is incorrect or expired.")
            return
        if params.get("redirect_uri") and params["redirect_uri"] != grant["redirect_uri"]:
            error("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.")
            return
        token = "gho_" + secrets.token_hex(18)
        with stub.lock:
            stub.tokens[token] = grant
        scope = ",".join(s for s in grant["scope"].replace(",", " ").split() if s)
        answer({"access_token": token, "token_type": "bearer", "scope": scope})

    def api(self, what, scope=None):
        if not self.headers.get("User-Agent"):
            self.send_json(403, {"message": "Request forbidden by administrative rules. "
                                 "Please make sure your request has a User-Agent header."})
            return
        auth = (self.headers.get("Authorization") or "").split(None, 1)
        if len(auth) != 2 or auth[0].lower() not in ("token", "bearer"):
            self.send_json(401, {"message": "Requires authentication",
                                 "documentation_url": "https://docs.github.com/rest"})
            return
        with self.stub.lock:
            grant = self.stub.tokens.get(auth[1].strip())
        if grant is None:
            self.send_json(401, {"message": "Bad credentials",
                                 "documentation_url": "https://docs.github.com/rest"})
            return
        scopes = grant["scope"].replace(",", " ").split()
        if scope is not None and scope not in scopes and "user" not in scopes:
            self.send_json(404, {"message": "Not Found",
                                 "documentation_url": "https://docs.github.com/rest"})
            return
        self.send_json(200, what(grant))


def main():
    ap = argparse.ArgumentParser(description="GitHub OAuth and API stub for tests")
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    Handler.stub = Stub(args.client_id, args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
