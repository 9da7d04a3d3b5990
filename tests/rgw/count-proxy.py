#!/usr/bin/env python3
"""A recording HTTP proxy for the tests: forwards every request unchanged to a target on 127.0.0.1 and appends one
JSON line per request to a log, as the server received it (method, path, query, IAM/STS Action, status, access key;
with --record-header, those request headers and the SigV4 SignedHeaders). The line is written before the client gets
its answer.

RGW's own ops log has no IAM calls, so tests count the writes a pipeline makes from this log instead. The proxy itself
is tests/tools/forwarding_proxy.py, shared with bench/latency_proxy.py.

Usage: count-proxy.py --target http://127.0.0.1:PORT --log FILE [--port N] [--record-header NAME ...]
Prints "PROXY_URL=http://127.0.0.1:N" on stdout once it listens.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import forwarding_proxy  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--record-header", action="append", default=[])
    a = p.parse_args()
    forwarding_proxy.serve("count-proxy", a.target, a.log, a.port, log_first=True, record_headers=a.record_header)


if __name__ == "__main__":
    main()
