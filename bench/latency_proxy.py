#!/usr/bin/env python3
"""A latency proxy for bench/Measure-Latency.ps1: forwards every request unchanged to a server on 127.0.0.1 and adds a
chosen delay each way, so that a local moto looks like an AWS region some milliseconds away.

  - each request waits --delay-ms before it is forwarded, and its answer waits --delay-ms before it is sent back
    (one round trip = 2 x delay);
  - a NEW client connection costs one more round trip before its first request is read (the TCP handshake a real
    network would cost), so a client that reuses its connections is rewarded as it would be on a real network;
  - every request is logged as one JSON line: start and end time (time.time(), seconds), method, path, query,
    IAM/STS Action, status, and whether it opened a new connection. The benchmark counts sequential round trips
    from these intervals.

SigV4 stays valid: the Host header, path, query and body are forwarded as they came.

Usage: latency_proxy.py --target http://127.0.0.1:PORT --log FILE [--delay-ms 25] [--port N]
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


def make_handler(target_host, target_port, delay, log, lock):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet
            pass

        def setup(self):
            super().setup()
            self.upstream = None
            self.fresh = True
            time.sleep(2 * delay)  # the handshake of a new connection: one round trip

        def finish(self):
            if self.upstream is not None:
                self.upstream.close()
            super().finish()

        def _forward(self, body, headers):
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
                action = (urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action") or [None])[0]
            if action is None and parsed.query:
                action = (urllib.parse.parse_qs(parsed.query).get("Action") or [None])[0]
            time.sleep(delay)  # the request on its way
            status = 502
            try:
                resp, data = self._forward(body, headers)
                status = resp.status
                time.sleep(delay)  # the answer on its way
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
                msg = ("proxy: " + str(exc)).encode()
                self.send_response_only(502)
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
            record = {"start": start, "end": time.time(), "method": self.command, "path": parsed.path,
                      "query": parsed.query, "action": action, "status": status, "newConnection": self.fresh}
            self.fresh = False
            with lock:
                log.write(json.dumps(record) + "\n")
                log.flush()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--delay-ms", type=float, default=25.0)
    p.add_argument("--port", type=int, default=0)
    a = p.parse_args()
    t = urllib.parse.urlsplit(a.target)
    if t.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("latency_proxy: the target must be on 127.0.0.1")
    log = open(a.log, "a", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", a.port),
                                             make_handler(t.hostname, t.port or 80, a.delay_ms / 1000.0, log, threading.Lock()))
    server.daemon_threads = True
    server.request_queue_size = 64
    print("PROXY_URL=http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
