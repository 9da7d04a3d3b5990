#!/usr/bin/env python3
"""One signed S3 (or IAM) request, independent of the module under test, for checking a store's real state.

Usage: s3req.py METHOD URL [--body TEXT] [--header K:V ...] [--service s3|iam]
Keys come from the environment (S3REQ_ACCESS_KEY, S3REQ_SECRET_KEY), never from the command line.
Prints one JSON object: {"status": N, "body": "...", "headers": {...}}.
"""
import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    p = argparse.ArgumentParser()
    p.add_argument("method")
    p.add_argument("url")
    p.add_argument("--body", default="")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--service", default="s3")
    a = p.parse_args()
    if not a.url.startswith(("http://127.0.0.1:", "http://localhost:")):
        sys.exit("s3req: only 127.0.0.1 endpoints")
    body = a.body.encode()
    headers = {}
    for h in a.header:
        k, v = h.split(":", 1)
        headers[k.strip()] = v.strip()
    if a.service == "s3":
        headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    if a.service == "iam" and body:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    req = AWSRequest(method=a.method, url=a.url, data=body, headers=headers)
    creds = Credentials(os.environ["S3REQ_ACCESS_KEY"], os.environ["S3REQ_SECRET_KEY"])
    SigV4Auth(creds, a.service, "us-east-1").add_auth(req)
    data = body if a.method in ("PUT", "POST") else None
    r = urllib.request.Request(a.url, data=data, method=a.method, headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            out = {"status": resp.status, "body": resp.read().decode("utf-8", "replace"), "headers": dict(resp.headers)}
    except urllib.error.HTTPError as e:
        out = {"status": e.code, "body": e.read().decode("utf-8", "replace"), "headers": dict(e.headers)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
