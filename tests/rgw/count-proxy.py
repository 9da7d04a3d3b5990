#!/usr/bin/env python3
"""A recording HTTP proxy for the tests: forwards every request unchanged to a target on 127.0.0.1 and appends one
JSON line per request to a log, as the server received it (method, path, query, IAM/STS Action, status).

RGW's own ops log has no IAM calls, so tests count the writes a pipeline makes from this log instead.
SigV4 stays valid because the Host header, path, query and body are forwarded as they came.

Usage: count-proxy.py --target http://127.0.0.1:PORT --log FILE [--port N]
Prints "PROXY_URL=http://127.0.0.1:N" on stdout once it listens.
"""
import argparse
import http.client
import http.server
import json
import sys
import threading
import time
import urllib.parse

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "expect"}


def read_chunked(rfile):
    data = bytearray()
    while True:
        line = rfile.readline(65537)
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                pass
            return bytes(data)
        data += rfile.read(size)
        rfile.readline(65537)


def make_handler(target_host, target_port, log, lock):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet
            pass

        def _handle(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = read_chunked(self.rfile)
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            if body or self.command in ("PUT", "POST"):
                headers["Content-Length"] = str(len(body))
            parsed = urllib.parse.urlsplit(self.path)
            action = None
            ctype = self.headers.get("Content-Type", "")
            if self.command == "POST" and "x-www-form-urlencoded" in ctype:
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                action = (form.get("Action") or [None])[0]
                name = next((form[k][0] for k in ("PolicyName", "UserName", "GroupName") if k in form), None)
            else:
                name = urllib.parse.unquote(parsed.path)
            if action is None and parsed.query:
                qs = urllib.parse.parse_qs(parsed.query)
                action = (qs.get("Action") or [None])[0]
            status = 502
            answered = False

            def record():
                # Written BEFORE the client gets its answer: a test reads the log as soon as its last call returned.
                entry = {
                    "time": time.time(),
                    "method": self.command,
                    "path": parsed.path,
                    "query": parsed.query,
                    "action": action,
                    "name": name,
                    "status": status,
                    "accessKey": _access_key(self.headers.get("Authorization", "")),
                }
                with lock:
                    log.write(json.dumps(entry) + "\n")
                    log.flush()

            try:
                conn = http.client.HTTPConnection(target_host, target_port, timeout=120)
                conn.request(self.command, self.path, body=body if body or "Content-Length" in headers else None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
                record()
                answered = True
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() in HOP or k.lower() == "content-length":
                        continue
                    self.send_header(k, v)
                if self.command == "HEAD":
                    cl = resp.getheader("Content-Length")
                    if cl is not None:
                        self.send_header("Content-Length", cl)
                    self.end_headers()
                else:
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                conn.close()
            except Exception as exc:  # the target is down: answer 502 and record it
                if answered:  # the target answered (and that is logged); only passing the answer on failed
                    raise
                record()
                msg = ("proxy: " + str(exc)).encode()
                self.send_response_only(502)
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    return Handler


def _access_key(auth):
    marker = "Credential="
    i = auth.find(marker)
    if i < 0:
        return None
    return auth[i + len(marker):].split("/", 1)[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, default=0)
    a = p.parse_args()
    t = urllib.parse.urlsplit(a.target)
    if t.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("count-proxy: the target must be on 127.0.0.1")
    log = open(a.log, "a", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(t.hostname, t.port or 80, log, threading.Lock()))
    server.daemon_threads = True
    print("PROXY_URL=http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
