#!/usr/bin/python3
"""STAND-IN for an S3-compatible object store (the site's Ceph RGW or Swift S3 API), test only.

Serves one bucket from a folder on 127.0.0.1 at a free port (written to <port file>): PutObject,
GetObject, DeleteObject and ListObjectsV2 (path-style URLs). It enforces what a real store would
refuse, each rule from AWS's S3 / Signature Version 4 documentation:
- every request signed with AWS4-HMAC-SHA256 by the one known key pair, for the configured region
  and service s3 ("Authenticating Requests: Using the Authorization Header"); the signature is
  recomputed here from the canonical request ("Create a canonical request for Signature Version 4");
- a PUT body whose sha256 differs from its x-amz-content-sha256 header is refused
  (XAmzContentSHA256Mismatch);
- ListObjectsV2 returns keys in UTF-8 binary order, at most 1000 per page.
Usage: s3-standin.py <folder> <port file> <bucket> <region> <access key> <secret key>
"""
import hashlib
import hmac
import http.server
import os
import sys
import urllib.parse
from xml.sax.saxutils import escape

folder, port_file, BUCKET, REGION, ACCESS_KEY, SECRET_KEY = sys.argv[1:7]


def signing_key(date):
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (date, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def uri_encode(text, keep_slash):
    return urllib.parse.quote(text, safe="/~" if keep_slash else "~")


class Handler(http.server.BaseHTTPRequestHandler):
    def fail(self, status, code):
        body = f"<Error><Code>{code}</Code></Error>".encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorised(self, payload_hash):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return "AccessDenied"
        fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        access_key, date, region, service, terminal = fields["Credential"].split("/")
        if access_key != ACCESS_KEY:
            return "InvalidAccessKeyId"
        if (region, service, terminal) != (REGION, "s3", "aws4_request"):
            return "AuthorizationHeaderMalformed"
        path, _, query = self.path.partition("?")
        pairs = sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))
        canonical_query = "&".join(f"{uri_encode(k, False)}={uri_encode(v, False)}" for k, v in pairs)
        signed = fields["SignedHeaders"].split(";")
        canonical_headers = "".join(f"{name}:{' '.join(self.headers.get(name, '').split())}\n" for name in signed)
        canonical_request = "\n".join(
            [self.command, uri_encode(urllib.parse.unquote(path), True), canonical_query, canonical_headers, ";".join(signed), payload_hash]
        )
        amz_date = self.headers.get("x-amz-date", "")
        string_to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, f"{date}/{region}/s3/aws4_request", hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        expected = hmac.new(signing_key(date), string_to_sign.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, fields["Signature"]) else "SignatureDoesNotMatch"

    def target(self):
        path = urllib.parse.unquote(self.path.partition("?")[0])
        parts = path.lstrip("/").split("/", 1)
        return parts[0], parts[1] if len(parts) > 1 else ""

    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        declared = self.headers.get("x-amz-content-sha256")
        if declared is None:
            declared = hashlib.sha256(body).hexdigest()
        error = self.authorised(declared)
        if error:
            return self.fail(403, error)
        if declared not in ("UNSIGNED-PAYLOAD",) and declared != hashlib.sha256(body).hexdigest():
            return self.fail(400, "XAmzContentSHA256Mismatch")
        bucket, key = self.target()
        if bucket != BUCKET:
            return self.fail(404, "NoSuchBucket")
        file = os.path.join(folder, key)
        if self.command == "PUT" and key:
            os.makedirs(os.path.dirname(file), exist_ok=True)
            with open(file, "wb") as handle:
                handle.write(body)
            return self.reply(200)
        if self.command == "DELETE" and key:
            if os.path.exists(file):
                os.remove(file)
            return self.reply(204)
        if self.command == "GET" and key:
            if not os.path.isfile(file):
                return self.fail(404, "NoSuchKey")
            with open(file, "rb") as handle:
                return self.reply(200, handle.read())
        if self.command == "GET":
            query = dict(urllib.parse.parse_qsl(self.path.partition("?")[2]))
            prefix = query.get("prefix", "")
            keys = sorted(
                os.path.relpath(os.path.join(root, name), folder)
                for root, _, names in os.walk(folder)
                for name in names
            )
            keys = [k for k in keys if k.startswith(prefix)][:1000]
            items = "".join(f"<Contents><Key>{escape(k)}</Key><Size>{os.path.getsize(os.path.join(folder, k))}</Size></Contents>" for k in keys)
            xml = f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>{BUCKET}</Name><KeyCount>{len(keys)}</KeyCount>{items}</ListBucketResult>'
            return self.reply(200, xml.encode())
        return self.fail(405, "MethodNotAllowed")

    do_GET = do_PUT = do_DELETE = handle_any

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        sys.stderr.write("s3-standin: " + format % args + "\n")


os.makedirs(folder, exist_ok=True)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".partial", "w", encoding="ascii") as handle:
    handle.write(str(server.server_address[1]))
os.replace(port_file + ".partial", port_file)
server.serve_forever()
