#!/usr/bin/python3
"""Runs conformance bursts against real FastAPI under real uvicorn, on 127.0.0.1.

Run with Debian's /usr/bin/python3 (fastapi 0.92, starlette 0.26, anyio 3.6.2,
uvicorn 0.17.6). Starts uvicorn once per (endpoint file, worker count) on a free
port, fires each scenario's burst with its own client (raw sockets, one keep-alive
connection per concurrency slot, requests of a slot sent one after another) and
prints JSON shaped like /work/shared/conformance/reference.json:

  {"<scenario>": {"requests": [{"id", "path", "conn", "sent", "done", "status",
                                "body", "chunks": [[t, text]...]}],
                  "prints": ["Hello 0", ...], "print_t": [0.0012, ...]}}

Times are seconds from the burst start. Prints are the lines the app wrote to
uvicorn's stdout during the scenario, in order.

usage: real_fastapi.py --app FILE.py --scenarios FILE.json [--only a,b] [--out OUT.json]
       real_fastapi.py --app FILE.py --path "/x?i={i}" --requests N --connections C
                       [--extra AT:PATH] [--workers N] [--settle S]
"""

import argparse
import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time

CLIENT_TIMEOUT = 20.0  # seconds a single response may take before the scenario fails


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Uvicorn:
    """One real uvicorn process serving `app` from an endpoint file."""

    def __init__(self, app_file, workers=1):
        self.app_file = os.path.abspath(app_file)
        self.workers = workers
        self.port = free_port()
        self.lines = []  # (monotonic time, text) of every stdout line
        self.lock = threading.Lock()
        module = os.path.splitext(os.path.basename(self.app_file))[0]
        cmd = [sys.executable, "-u", "-m", "uvicorn", f"{module}:app",
               "--host", "127.0.0.1", "--port", str(self.port),
               "--no-access-log", "--log-level", "warning"]
        if workers > 1:
            cmd += ["--workers", str(workers)]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, cwd=os.path.dirname(self.app_file), env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.errors = []
        threading.Thread(target=self._read_err, daemon=True).start()
        self._wait_ready()

    def _read(self):
        for raw in self.proc.stdout:
            text = raw.decode("utf-8", "replace").rstrip("\n")
            with self.lock:
                self.lines.append((time.monotonic(), text))

    def _read_err(self):
        for raw in self.proc.stderr:
            self.errors.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def _wait_ready(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("uvicorn exited: " + "\n".join(self.errors[-20:]))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    # A full request/response proves the app is imported (workers too).
                    s.sendall(b"GET /__loopscope_ready HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
                    if s.recv(64):
                        # with several workers, give the others time to import the app too
                        if self.workers > 1:
                            time.sleep(1.0)
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("uvicorn did not start")

    def mark(self):
        with self.lock:
            return len(self.lines)

    def lines_since(self, mark, timed=False):
        with self.lock:
            return list(self.lines[mark:]) if timed else [t for _, t in self.lines[mark:]]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT: uvicorn's graceful shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Connection:
    """One HTTP/1.1 keep-alive connection: requests strictly one after another.
    Non-blocking; `feed()` parses what arrived and reports a finished response."""

    def __init__(self, port, index):
        self.index = index
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf = b""
        self.queue = []  # request ids still to send on this connection
        self.current = None  # the record in flight
        self.closed = False

    def send(self, record, t0):
        self.current = record
        record["conn"] = self.index
        record["sent"] = round(time.monotonic() - t0, 4)
        self._state = "status"
        self._headers = {}
        self._body = b""
        self._chunks = []
        data = (f"GET {record['path']} HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                "user-agent: loopscope-conformance\r\n\r\n").encode()
        self.sock.setblocking(True)
        self.sock.sendall(data)
        self.sock.setblocking(False)

    def _line(self):
        if b"\r\n" not in self.buf:
            return None
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def on_readable(self, t0):
        """Reads what is there; returns the finished record or None."""
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return None
        except OSError as e:
            data = b""
            self._fail(f"{type(e).__name__}: {e}", t0)
        if not data:
            self.closed = True
            if self.current is not None:
                return self._fail("ConnectionError: connection closed by the server", t0)
            return None
        self.buf += data
        return self._parse(t0)

    def _fail(self, why, t0):
        rec = self.current
        if rec is None:
            return None
        rec.update(status=0, body=why, done=round(time.monotonic() - t0, 4))
        self.current = None
        return rec

    def _parse(self, t0):
        rec = self.current
        if rec is None:
            return None
        while True:
            if self._state == "status":
                line = self._line()
                if line is None:
                    return None
                self._status = int(line.decode("latin-1").split(" ")[1])
                self._state = "headers"
            elif self._state == "headers":
                line = self._line()
                if line is None:
                    return None
                if line:
                    k, _, v = line.decode("latin-1").partition(":")
                    self._headers[k.strip().lower()] = v.strip()
                    continue
                if self._headers.get("transfer-encoding", "").lower() == "chunked":
                    self._state = "chunk-size"
                else:
                    self._need = int(self._headers.get("content-length", "0"))
                    self._state = "body"
            elif self._state == "body":
                if len(self.buf) < self._need:
                    return None
                self._body, self.buf = self.buf[:self._need], self.buf[self._need:]
                return self._finish(t0)
            elif self._state == "chunk-size":
                line = self._line()
                if line is None:
                    return None
                self._need = int(line.split(b";")[0], 16)
                self._state = "trailer" if self._need == 0 else "chunk"
            elif self._state == "chunk":
                if len(self.buf) < self._need + 2:
                    return None
                data = self.buf[:self._need]
                self.buf = self.buf[self._need + 2:]
                self._chunks.append([round(time.monotonic() - t0, 4), data.decode("utf-8", "replace")])
                self._body += data
                self._state = "chunk-size"
            elif self._state == "trailer":
                line = self._line()
                if line is None:
                    return None
                if not line:
                    return self._finish(t0)

    def _finish(self, t0):
        rec = self.current
        rec.update(status=self._status, body=self._body.decode("utf-8", "replace"),
                   done=round(time.monotonic() - t0, 4))
        if self._chunks:
            rec["chunks"] = self._chunks
        self.current = None
        if self._headers.get("connection", "").lower() == "close":
            self.closed = True
        return rec

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def run_burst(server, scenario):
    """One client thread, like an asyncio client: every connection opened first, then
    request i sent on connection i % C in index order; the next request of a connection
    leaves as soon as its previous response is complete."""
    n = int(scenario["requests"])
    c = max(1, min(int(scenario.get("connections", n)), n))
    records = [{"id": i, "path": scenario["path"].replace("{i}", str(i))} for i in range(n)]
    conns = []
    for k in range(c):
        conns.append(Connection(server.port, k))
        # optional pause between connects (lets several worker processes each accept one)
        time.sleep(float(scenario.get("connect_stagger", 0)))
    for i in range(n):
        conns[i % c].queue.append(i)
    extra = scenario.get("extra")
    if extra:
        records.append({"id": n, "path": extra["path"].replace("{i}", str(n))})
    sel = selectors.DefaultSelector()
    for conn in conns:
        sel.register(conn.sock, selectors.EVENT_READ, conn)
    time.sleep(0.05)  # let the server accept every connection while idle
    mark = server.mark()
    t0 = time.monotonic()
    for conn in conns:
        conn.send(records[conn.queue.pop(0)], t0)
    pending = n + (1 if extra else 0)
    extra_due = t0 + float(extra["at"]) if extra else None
    deadline = t0 + CLIENT_TIMEOUT
    while pending and time.monotonic() < deadline:
        timeout = 0.5
        if extra_due is not None:
            timeout = max(0.0, min(timeout, extra_due - time.monotonic()))
        for key, _ in sel.select(timeout):
            conn = key.data
            rec = conn.on_readable(t0)
            if rec is not None:
                pending -= 1
                if conn.queue and not conn.closed:
                    conn.send(records[conn.queue.pop(0)], t0)
            if conn.closed:
                sel.unregister(conn.sock)
                for i in conn.queue:
                    records[i].update(status=0, body="not sent: connection closed", done=None)
                    pending -= 1
                conn.queue = []
        if extra_due is not None and time.monotonic() >= extra_due:
            extra_due = None
            xc = Connection(server.port, c)
            conns.append(xc)
            sel.register(xc.sock, selectors.EVENT_READ, xc)
            xc.send(records[n], t0)
    for conn in conns:
        if conn.current is not None:
            conn._fail("TimeoutError: no response", t0)
        conn.close()
    sel.close()
    # background work and late prints: wait until stdout has been quiet for `settle`
    settle = float(scenario.get("settle", 0.15))
    last = server.mark()
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < settle:
        time.sleep(0.02)
        now = server.mark()
        if now != last:
            last, quiet_since = now, time.monotonic()
    lines = server.lines_since(mark, timed=True)
    return {"requests": records, "prints": [text for _, text in lines],
            "print_t": [round(t - t0, 4) for t, _ in lines]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", required=True)
    ap.add_argument("--scenarios")
    ap.add_argument("--only", default="")
    ap.add_argument("--out")
    ap.add_argument("--path")
    ap.add_argument("--requests", type=int, default=1)
    ap.add_argument("--connections", type=int, default=0)
    ap.add_argument("--extra")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--settle", type=float, default=0.15)
    args = ap.parse_args()

    if args.scenarios:
        with open(args.scenarios) as f:
            scenarios = json.load(f)
        if args.only:
            wanted = set(args.only.split(","))
            scenarios = [s for s in scenarios if s["name"] in wanted]
    elif args.path:
        s = {"name": "adhoc", "path": args.path, "requests": args.requests,
             "connections": args.connections or args.requests, "workers": args.workers,
             "settle": args.settle}
        if args.extra:
            at, _, p = args.extra.partition(":")
            s["extra"] = {"at": float(at), "path": p}
        scenarios = [s]
    else:
        ap.error("--scenarios or --path is required")

    out = {}
    servers = {}
    try:
        for s in scenarios:
            workers = int(s.get("workers", 1))
            if workers not in servers:
                servers[workers] = Uvicorn(args.app, workers)
            out[s["name"]] = run_burst(servers[workers], s)
            time.sleep(0.1)
    finally:
        for srv in servers.values():
            srv.stop()
    text = json.dumps(out, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
