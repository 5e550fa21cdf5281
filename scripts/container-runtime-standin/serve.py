#!/usr/bin/python3
"""Serves a folder on 127.0.0.1 at a free port (test only), writing the port to a file once listening.

The container_runtime converge test's stand-in for github.com release downloads. Usage:
serve.py <folder> <port file>; stop it by its pid.
"""
import functools
import http.server
import os
import sys

folder, port_file = sys.argv[1], sys.argv[2]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(port_file + ".partial", "w", encoding="ascii") as handle:
    handle.write(str(server.server_address[1]))
os.replace(port_file + ".partial", port_file)
server.serve_forever()
