#!/usr/bin/env python3
"""A misbehaving executor for tests/cli/executor_protocol.sh, started by objload
as `fake_executor.py MODE --connect=127.0.0.1:PORT`:
  close3   connects, reads the handshake, exits with status 3
  page0    answers the handshake with a page size of 0
  os9      answers the handshake with an unknown OS (9)
  arch9    answers the handshake with an unknown instruction set (9)"""
import socket, struct, sys, time

mode = sys.argv[1]
host, port = sys.argv[2].split("=", 1)[1].split(":")
s = socket.create_connection((host, int(port)))
n = struct.unpack("<I", s.recv(4, socket.MSG_WAITALL))[0]
hello = s.recv(n, socket.MSG_WAITALL)  # Hello: op, magic, version
version = struct.unpack("<H", hello[5:7])[0]  # answered in the controller's own
if mode == "close3":
    sys.exit(3)
else:
    page, os_kind, arch = {"page0": (0, 1, 1), "os9": (4096, 9, 1), "arch9": (4096, 1, 9)}[mode]
    body = struct.pack("<BBIHBBIQB", 1, 1, 0x584C5452, version, os_kind, 8, page, 1, arch)
    s.sendall(struct.pack("<I", len(body)) + body)
    time.sleep(60)
