#!/usr/bin/env python3
"""idle_clients.py HOST PORT USER PASSWORD DB COUNT PID
Opens COUNT authenticated client connections (SCRAM-SHA-256, PostgreSQL protocol 3.0, standard library
only), keeps them idle, then prints the resident memory of process PID (the proxy) before and after,
in KiB, as tab-separated 'count rss_before_kib rss_after_kib kib_per_connection'."""
import base64, hashlib, hmac, os, socket, struct, sys, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit(f"no process {pid}")

def read(s):
    head = b""
    while len(head) < 5:
        chunk = s.recv(5 - len(head))
        if not chunk:
            raise ConnectionError("closed during startup")
        head += chunk
    n = struct.unpack("!I", head[1:])[0] - 4
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return head[:1], body

def send(s, kind, body):
    s.sendall(kind + struct.pack("!I", len(body) + 4) + body)

def connect(host, port, user, password, db):
    s = socket.create_connection((host, port), timeout=30)
    body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    kind, b = read(s)
    if kind != b"R" or struct.unpack("!I", b[:4])[0] != 10:
        raise SystemExit(f"expected SASL, got {kind} {b[:40]}")
    nonce = base64.b64encode(os.urandom(18)).decode()
    first = "n=,r=" + nonce
    send(s, b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(first) + 3) + ("n,," + first).encode())
    kind, b = read(s)
    server_first = b[4:].decode()
    attrs = dict(x.split("=", 1) for x in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    final = "c=biws,r=" + attrs["r"]
    auth = (first + "," + server_first + "," + final).encode()
    sig = hmac.new(hashlib.sha256(client_key).digest(), auth, hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, sig))
    send(s, b"p", (final + ",p=" + base64.b64encode(proof).decode()).encode())
    while True:
        kind, b = read(s)
        if kind == b"E":
            raise SystemExit("login failed: " + b.decode(errors="replace"))
        if kind == b"Z":
            return s

def main():
    host, port, user, password, db, count, pid = sys.argv[1:8]
    port, count, pid = int(port), int(count), int(pid)
    before = rss_kib(pid)
    conns = []
    for i in range(count):
        conns.append(connect(host, port, user, password, db))
    time.sleep(2)  # let the proxy settle (lazy allocations, GC) before reading its memory
    after = rss_kib(pid)
    print(f"{count}\t{before}\t{after}\t{(after - before) / count:.2f}")
    for c in conns:
        c.close()

main()
