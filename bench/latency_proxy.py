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

SigV4 stays valid: the Host header, path, query and body are forwarded as they came. The proxy itself is
tests/tools/forwarding_proxy.py, shared with tests/rgw/count-proxy.py.

Usage: latency_proxy.py --target http://127.0.0.1:PORT --log FILE [--delay-ms 25] [--port N]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import forwarding_proxy  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--delay-ms", type=float, default=25.0)
    a = p.parse_args()
    forwarding_proxy.serve("latency_proxy", a.target, a.log, a.port, delay=a.delay_ms / 1000.0, keep_upstream=True, log_first=False)


if __name__ == "__main__":
    main()
