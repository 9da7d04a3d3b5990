#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the tests: listens on 127.0.0.1 in front of a real server (moto, Ceph RGW)
and, by rule, breaks chosen requests the way an unlucky network or server would.

    python3 fault_proxy.py --target http://127.0.0.1:5000 [--port 0] [--port-file FILE]

The clients talk to the proxy as if it were the server (SigV4 signs the Host header, which is passed through
untouched). Everything under /__fault/ is the proxy's own control API, never forwarded:

    POST /__fault/rules     body: a JSON list of rules (replaces the current ones, resets their counters)
    POST /__fault/reset     clears the rules, the injection report and the request log
    GET  /__fault/report    JSON list of what was injected: seq, rule, fault, service, operation, occurrence
    GET  /__fault/requests  JSON list of every request forwarded or broken: seq, service, operation, write, fault
    GET  /__fault/health    200 "ok"

A rule (JSON object):
    action   IAM/STS Action to match (form body Action=...), e.g. "CreateAccessKey"
    method   S3: HTTP method to match, e.g. "PUT"
    path     S3: a regular expression searched in "PATH?QUERY", e.g. "^/my-bucket/\\?policy"
    operation  any service: exactly the operation as /__fault/requests names it ("CreateUser", "PUT /b/?policy")
    nth      inject from the nth matching request on (1-based, default 1)
    times    how many matching requests to break from there (default 1; 0 = every one)
    fault    one of:
             500          an InternalFailure/InternalError answer; not forwarded
             throttle     IAM/STS: 400 Throttling; S3: 503 SlowDown; not forwarded
             drop-before  the connection is closed before anything is forwarded (the server never acted)
             drop-after   forwarded (the server acted), then the connection is closed with no answer
             truncate     forwarded; a 2xx answer's body is cut in half, Content-Length matching the cut body
             delay-before held `seconds`, then forwarded (the server acts late) and answered
             delay-after  forwarded, the answer held `seconds`, then sent
             hang         never forwarded, never answered (until the client gives up or the proxy stops)
             hang-after   forwarded, the answer withheld forever
    seconds  for delay-*: how long (default 5)

Standard library only. Bounded: one thread per client connection, each request forwarded on its own connection.
"""
import argparse
import http.client
import json
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = {"500", "throttle", "drop-before", "drop-after", "truncate", "delay-before", "delay-after", "hang", "hang-after"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.report = []
        self.requests = []
        self.seq = 0
        self.stopping = threading.Event()

    def set_rules(self, rules):
        checked = []
        for i, rule in enumerate(rules):
            if not isinstance(rule, dict):
                raise ValueError(f"rule {i} is not an object")
            fault = str(rule.get("fault", ""))
            if fault not in FAULTS:
                raise ValueError(f"rule {i}: fault '{fault}' is not one of {sorted(FAULTS)}")
            if not rule.get("action") and not rule.get("method") and not rule.get("path") and not rule.get("operation"):
                raise ValueError(f"rule {i}: give action (IAM/STS), method/path (S3) or operation")
            path = rule.get("path")
            checked.append({
                "id": i,
                "action": rule.get("action"),
                "operation": rule.get("operation"),
                "method": (rule.get("method") or "").upper() or None,
                "path": re.compile(path) if path else None,
                "path_text": path,
                "nth": int(rule.get("nth", 1)),
                "times": int(rule.get("times", 1)),
                "fault": fault,
                "seconds": float(rule.get("seconds", 5)),
                "seen": 0,
                "injected": 0,
            })
        with self.lock:
            self.rules = checked

    def classify(self, method, target, body, headers):
        """Service, operation and whether the request writes, as the tests name them."""
        action = None
        version = None
        ctype = headers.get("Content-Type", "") or ""
        if method == "POST" and b"Action=" in body[:4096] and "x-www-form-urlencoded" in ctype:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            action = (form.get("Action") or [None])[0]
            version = (form.get("Version") or [None])[0]
        if action is None and method == "GET" and "Action=" in target:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)
            action = (query.get("Action") or [None])[0]
            version = (query.get("Version") or [None])[0]
        if action:
            service = "sts" if version == "2011-06-15" else "iam"
            return service, action, not re.match(r"^(Get|List)", action)
        parts = urllib.parse.urlsplit(target)
        subresources = "&".join(p.split("=")[0] for p in parts.query.split("&") if p)
        operation = f"{method} {parts.path}" + (f"?{subresources}" if subresources else "")
        return "s3", operation, method in ("PUT", "POST", "DELETE")

    def match(self, service, operation, method, target):
        """The rule to apply to this request, if any (counters advance for every matching rule)."""
        chosen = None
        with self.lock:
            self.seq += 1
            seq = self.seq
            for rule in self.rules:
                if rule["operation"] is not None:
                    if rule["operation"] != operation:
                        continue
                elif rule["action"] is not None:
                    if service == "s3" or rule["action"] != operation:
                        continue
                else:
                    if service != "s3":
                        continue
                    if rule["method"] and rule["method"] != method:
                        continue
                    path_query = target
                    if rule["path"] and not rule["path"].search(path_query):
                        continue
                rule["seen"] += 1
                if chosen is not None:
                    continue
                if rule["seen"] < rule["nth"]:
                    continue
                if rule["times"] and rule["injected"] >= rule["times"]:
                    continue
                rule["injected"] += 1
                chosen = rule
            return seq, chosen

    def record(self, seq, service, operation, write, rule, occurrence=None):
        with self.lock:
            entry = {"seq": seq, "service": service, "operation": operation, "write": write,
                     "fault": rule["fault"] if rule else None, "time": time.time()}
            self.requests.append(entry)
            if rule:
                self.report.append({"seq": seq, "rule": rule["id"], "fault": rule["fault"], "service": service,
                                    "operation": operation, "occurrence": rule["seen"], "time": time.time()})


def make_handler(state, target_host, target_port):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "BackupIamFaultProxy/1"

        def log_message(self, fmt, *args):  # quiet: the report is the log
            pass

        def _read_body(self):
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    line = self.rfile.readline()
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status, headers, body):
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()

        def _drop(self):
            self.close_connection = True
            try:
                # An abortive close (RST), as a dead peer or a middlebox would leave it.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _forward(self, body):
            conn = http.client.HTTPConnection(target_host, target_port, timeout=300)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "expect"}
                headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                return response.status, response.getheaders(), data
            finally:
                conn.close()

        def _control(self, body):
            if self.path.startswith("/__fault/rules") and self.command == "POST":
                try:
                    state.set_rules(json.loads(body or b"[]"))
                except (ValueError, TypeError) as ex:
                    return self._send(400, [("Content-Type", "text/plain")], str(ex).encode())
                return self._send(200, [("Content-Type", "application/json")], b'{"ok":true}')
            if self.path.startswith("/__fault/reset") and self.command == "POST":
                with state.lock:
                    state.rules, state.report, state.requests = [], [], []
                return self._send(200, [("Content-Type", "application/json")], b'{"ok":true}')
            if self.path.startswith("/__fault/report"):
                with state.lock:
                    data = json.dumps(state.report).encode()
                return self._send(200, [("Content-Type", "application/json")], data)
            if self.path.startswith("/__fault/requests"):
                with state.lock:
                    data = json.dumps(state.requests).encode()
                return self._send(200, [("Content-Type", "application/json")], data)
            if self.path.startswith("/__fault/health"):
                return self._send(200, [("Content-Type", "text/plain")], b"ok")
            return self._send(404, [("Content-Type", "text/plain")], b"no such control endpoint")

        def _error(self, service, status, code, message):
            if service == "s3":
                body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
                        f'<RequestId>fault-proxy</RequestId></Error>').encode()
            else:
                kind = "Sender" if status < 500 else "Receiver"
                body = (f'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>{kind}</Type>'
                        f'<Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId>'
                        f'</ErrorResponse>').encode()
            self._send(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", "fault-proxy")], body)

        def _handle(self):
            body = self._read_body()
            if self.path.startswith("/__fault/"):
                return self._control(body)
            service, operation, write = state.classify(self.command, self.path, body, self.headers)
            seq, rule = state.match(service, operation, self.command, self.path)
            state.record(seq, service, operation, write, rule)
            fault = rule["fault"] if rule else None
            if fault == "500":
                code = "InternalError" if service == "s3" else "InternalFailure"
                return self._error(service, 500, code, "Injected by the fault proxy")
            if fault == "throttle":
                if service == "s3":
                    return self._error(service, 503, "SlowDown", "Please reduce your request rate (injected)")
                return self._error(service, 400, "Throttling", "Rate exceeded (injected)")
            if fault == "drop-before":
                return self._drop()
            if fault == "hang":
                state.stopping.wait()
                return self._drop()
            if fault == "delay-before":
                state.stopping.wait(rule["seconds"])
            status, headers, data = self._forward(body)
            if fault == "drop-after":
                return self._drop()
            if fault == "hang-after":
                state.stopping.wait()
                return self._drop()
            if fault == "delay-after":
                state.stopping.wait(rule["seconds"])
            if fault == "truncate" and 200 <= status < 300 and len(data) > 1:
                data = data[: len(data) // 2]
            try:
                self._send(status, headers, data)
            except OSError:
                self.close_connection = True

        def do_GET(self):
            self._handle()

        do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    return Handler


def main():
    parser = argparse.ArgumentParser(description="Fault-injecting HTTP proxy for BackupIam's tests (127.0.0.1 only).")
    parser.add_argument("--target", required=True, help="the real server, e.g. http://127.0.0.1:5000")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    args = parser.parse_args()
    target = urllib.parse.urlsplit(args.target)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the proxy only fronts a server on the loopback interface")
    state = State()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state, target.hostname, target.port or 80))
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"fault proxy on http://127.0.0.1:{port} -> {args.target}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        state.stopping.set()
        server.server_close()


if __name__ == "__main__":
    main()
