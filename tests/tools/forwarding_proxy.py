#!/usr/bin/env python3
"""The forwarding proxy that tests/rgw/count-proxy.py (recording, for the tests) and bench/latency_proxy.py (added
latency, for the benchmark) share: it forwards every request unchanged to a server on 127.0.0.1 and logs one JSON line
per request, as the server received it.

SigV4 stays valid: the Host header, path, query and body are forwarded as they came.

Each log line has: method, path, query, action (the IAM/STS Action of a form POST or a query), name (the IAM entity of a
form POST, else the unquoted path), status, accessKey (from the Authorization header), start and end (time.time() when
the request was read and when it was answered), time (= end, for the counting proxy's readers), newConnection (the
request opened the client connection), and, with record_headers, headers (the chosen request headers present, by
lower-case name) and signedHeaders (the SignedHeaders of the SigV4 Authorization header).

Options of serve():
  delay           seconds added before forwarding and before answering (one round trip = 2 x delay), and one round
                  trip for a NEW client connection (the TCP handshake a real network would cost);
  keep_upstream   reuse one upstream connection per client connection (else one per request);
  log_first       write the log line BEFORE the client gets its answer (a test reads the log as soon as its last call
                  returned); else after the answer is sent (its end time then includes the answer's delay).
Standard library only.
"""
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


def access_key(auth):
    marker = "Credential="
    i = auth.find(marker)
    if i < 0:
        return None
    return auth[i + len(marker):].split("/", 1)[0]


def signed_headers(auth):
    marker = "SignedHeaders="
    i = auth.find(marker)
    if i < 0:
        return []
    return auth[i + len(marker):].split(",", 1)[0].strip().split(";")


def make_handler(target_host, target_port, log, lock, delay=0.0, keep_upstream=False, log_first=True, record_headers=()):
    record_headers = tuple(h.lower() for h in record_headers)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY on the client side: the answer goes out as two writes (headers, then body), and with Nagle's
        # algorithm the second waits for the client's ACK of the first, which a client in delayed-ACK mode sends only
        # after up to 40 ms. That stall is the proxy's, not the network's it stands for (issue 16's benchmark).
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):  # quiet
            pass

        def setup(self):
            super().setup()
            self.upstream = None
            self.fresh = True
            if delay:
                time.sleep(2 * delay)  # the handshake of a new connection: one round trip

        def finish(self):
            if self.upstream is not None:
                self.upstream.close()
            super().finish()

        def _forward(self, body, headers):
            if not keep_upstream:
                conn = http.client.HTTPConnection(target_host, target_port, timeout=120)
                try:
                    conn.request(self.command, self.path, body=body if body or "Content-Length" in headers else None, headers=headers)
                    resp = conn.getresponse()
                    return resp, resp.read()
                finally:
                    conn.close()
            for attempt in range(2):
                if self.upstream is None:
                    self.upstream = http.client.HTTPConnection(target_host, target_port, timeout=120)
                try:
                    self.upstream.request(self.command, self.path, body=body if body or "Content-Length" in headers else None, headers=headers)
                    resp = self.upstream.getresponse()
                    return resp, resp.read()
                except (http.client.HTTPException, ConnectionError):
                    self.upstream.close()
                    self.upstream = None
                    if attempt:
                        raise

        def _handle(self):
            start = time.time()
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = read_chunked(self.rfile)
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            if body or self.command in ("PUT", "POST"):
                headers["Content-Length"] = str(len(body))
            parsed = urllib.parse.urlsplit(self.path)
            action = None
            if self.command == "POST" and "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                action = (form.get("Action") or [None])[0]
                name = next((form[k][0] for k in ("PolicyName", "UserName", "GroupName") if k in form), None)
            else:
                name = urllib.parse.unquote(parsed.path)
            if action is None and parsed.query:
                action = (urllib.parse.parse_qs(parsed.query).get("Action") or [None])[0]
            status = 502
            answered = False
            fresh = self.fresh
            self.fresh = False

            def record():
                end = time.time()
                auth = self.headers.get("Authorization", "")
                entry = {"start": start, "end": end, "time": end, "method": self.command, "path": parsed.path,
                         "query": parsed.query, "action": action, "name": name, "status": status,
                         "accessKey": access_key(auth), "newConnection": fresh}
                if record_headers:
                    entry["headers"] = {k.lower(): v for k, v in self.headers.items() if k.lower() in record_headers}
                    entry["signedHeaders"] = signed_headers(auth)
                with lock:
                    log.write(json.dumps(entry) + "\n")
                    log.flush()

            try:
                if delay:
                    time.sleep(delay)  # the request on its way
                resp, data = self._forward(body, headers)
                status = resp.status
                if delay:
                    time.sleep(delay)  # the answer on its way
                if log_first:
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
                self.wfile.flush()
            except Exception as exc:  # the target is down: answer 502 and record it
                if answered:  # the target answered (and that is logged); only passing the answer on failed
                    raise
                if log_first:
                    record()
                msg = ("proxy: " + str(exc)).encode()
                self.send_response_only(502)
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
            if not log_first:
                record()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    return Handler


def serve(name, target, log_path, port=0, **options):
    """Listens on 127.0.0.1:port (0: a free one), prints PROXY_URL=... and serves until interrupted."""
    t = urllib.parse.urlsplit(target)
    if t.hostname not in ("127.0.0.1", "localhost"):
        sys.exit(name + ": the target must be on 127.0.0.1")
    log = open(log_path, "a", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(t.hostname, t.port or 80, log, threading.Lock(), **options))
    server.daemon_threads = True
    server.request_queue_size = 64
    print("PROXY_URL=http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
