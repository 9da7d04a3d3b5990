#!/usr/bin/env python3
"""A local OIDC issuer for the tests (issue 18): serves, over https on 127.0.0.1, the discovery document
(/.well-known/openid-configuration) and the JWKS (/jwks, the signing certificate in x5c, as Ceph RGW reads it), and
writes tokens signed by its own RSA key.

    python3 oidc_issuer.py --out DIR --audience AUD --subject SUB [--subject SUB2 ...]

Writes DIR/issuer.json: {"issuer", "port", "thumbprint" (SHA-1 of the certificate, hex), "tokens": {SUB: JWT}} once
it is listening, then serves until killed. Needs python3 with the 'cryptography' package. Loopback only.
"""
import argparse
import base64
import datetime
import hashlib
import ipaddress
import json
import os
import ssl
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--audience", required=True)
    parser.add_argument("--subject", action="append", required=True)
    args = parser.parse_args()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    os.makedirs(args.out, exist_ok=True)
    cert_path = os.path.join(args.out, "issuer-cert.pem")
    key_path = os.path.join(args.out, "issuer-key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    os.chmod(key_path, 0o600)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            base = "https://127.0.0.1:%d" % self.server.server_address[1]
            if self.path.startswith("/.well-known/openid-configuration"):
                body = {"issuer": base, "jwks_uri": base + "/jwks", "id_token_signing_alg_values_supported": ["RS256"]}
            elif self.path.startswith("/jwks"):
                body = {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "test-key", "x5c": [base64.b64encode(der).decode()]}]}
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    issuer = "https://127.0.0.1:%d" % port

    def token(subject):
        t = int(time.time())
        header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "test-key"}).encode())
        payload = b64url(json.dumps({"iss": issuer, "sub": subject, "aud": args.audience, "iat": t, "nbf": t, "exp": t + 900}).encode())
        signature = key.sign((header + "." + payload).encode(), padding.PKCS1v15(), hashes.SHA256())
        return header + "." + payload + "." + b64url(signature)

    info = {"issuer": issuer, "port": port, "thumbprint": hashlib.sha1(der).hexdigest(),
            "tokens": {s: token(s) for s in args.subject}}
    tmp = os.path.join(args.out, "issuer.json.tmp")
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, os.path.join(args.out, "issuer.json"))
    server.serve_forever()


if __name__ == "__main__":
    main()
