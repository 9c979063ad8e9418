#!/usr/bin/env python3
"""Hello-world throughput: real uvicorn + FastAPI versus `loopscope serve`.

Runs `wrk -t1 -c50 -d5s` against `async def` and `def` endpoints of hello_app.py,
first under real uvicorn (Debian's /usr/bin/python3), then under `loopscope serve`,
one after another (never at the same time), and prints a table with the ratios.
Goals: `async def` >= 20x uvicorn, `def` >= 10x.

Where nginx is installed (it is not a dependency), it is measured too, returning the same
JSON as a constant from its own workers: the ceiling of this machine with this client,
against which the goals can be read.

usage: bench_server.py [--loopscope PATH] [--duration 5] [--connections 50] [--strict]
--strict makes the exit status non-zero when a goal is missed.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "hello_app.py")
GOALS = {"/async": 20.0, "/sync": 10.0}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n".encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def wrk(port, path, duration, connections):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s",
                          f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=duration + 30).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock_err = re.search(r"Socket errors:.*", out)
    note = ""
    if errors:
        note += f" non-2xx={errors.group(1)}"
    if sock_err:
        note += " " + sock_err.group(0)
    return (float(m.group(1)) if m else 0.0), note.strip()


def serve(cmd, port, paths, duration, connections, cwd=None):
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    results = {}
    try:
        if not wait_ready(port, proc, paths[0]):
            err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None else ""
            raise RuntimeError(f"server did not start: {' '.join(cmd)}\n{err[-2000:]}")
        for p in paths:
            wrk(port, p, 1, connections)  # warm-up
            results[p] = wrk(port, p, duration, connections)
    finally:
        if proc.poll() is None:
            proc.send_signal(2)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return results


NGINX_CONF = """worker_processes auto;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir};
  proxy_temp_path {dir};
  fastcgi_temp_path {dir};
  uwsgi_temp_path {dir};
  scgi_temp_path {dir};
  server {{
    listen 127.0.0.1:{port};
    default_type application/json;
    location / {{ return 200 '{{"message":"hello"}}'; }}
  }}
}}
"""


def nginx(duration, connections):
    """nginx returning the hello JSON as a constant, or None where nginx is missing."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not binary:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as d:
        port = free_port()
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=d, port=port))
        try:
            return serve([binary, "-c", conf, "-p", d], port, ["/async"], duration, connections)["/async"]
        except RuntimeError as e:
            print(f"bench_server: nginx did not start: {str(e).splitlines()[0]}")
            return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loopscope", default="")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("bench_server: wrk is not installed (scripts/setup-deps.sh installs it)")
        return 1
    paths = ["/async", "/sync"]

    port = free_port()
    uvicorn = serve(["/usr/bin/python3", "-m", "uvicorn", "hello_app:app", "--host", "127.0.0.1",
                     "--port", str(port), "--no-access-log", "--log-level", "warning"],
                    port, paths, args.duration, args.connections, cwd=HERE)

    loopscope = {}
    if args.loopscope and os.path.exists(args.loopscope):
        port = free_port()
        try:
            loopscope = serve([args.loopscope, "serve", APP, "--port", str(port), "--no-access-log"],
                              port, paths, args.duration, args.connections)
        except RuntimeError as e:
            # an older build without --no-access-log: retry with the access log on
            print(f"bench_server: {str(e).splitlines()[0]}; retrying with the access log on")
            port = free_port()
            loopscope = serve([args.loopscope, "serve", APP, "--port", str(port)],
                              port, paths, args.duration, args.connections)
    else:
        print("bench_server: no loopscope binary given; measuring uvicorn only")

    ceiling = nginx(args.duration, args.connections)

    print(f"\nhello world, wrk -t1 -c{args.connections} -d{args.duration}s, requests/s")
    print(f"{'endpoint':<12}{'uvicorn':>12}{'loopscope':>12}{'ratio':>9}{'goal':>7}")
    missed = []
    for p in paths:
        u, unote = uvicorn[p]
        l, lnote = loopscope.get(p, (0.0, ""))
        ratio = l / u if u > 0 and l > 0 else 0.0
        kind = "async def" if p == "/async" else "def"
        print(f"{kind:<12}{u:>12.0f}{l:>12.0f}{ratio:>8.1f}x{GOALS[p]:>6.0f}x  {unote} {lnote}".rstrip())
        if ratio < GOALS[p]:
            missed.append(kind)
    if ceiling:
        n, nnote = ceiling
        print(f"{'nginx':<12}{'':>12}{n:>12.0f}{'':>9}{'':>7}  constant response, its own workers {nnote}".rstrip())
        u = uvicorn["/async"][0]
        if u > 0 and n > 0:
            print(f"on this machine the async goal ({GOALS['/async']:.0f} x {u:.0f} = {GOALS['/async'] * u:.0f}) is "
                  f"{GOALS['/async'] * u / n:.0%} of nginx; loopscope's async def is "
                  f"{loopscope.get('/async', (0.0, ''))[0] / n:.0%} of it")
    if missed and loopscope:
        print("below goal: " + ", ".join(missed))
    return 1 if (args.strict and (missed or not loopscope)) else 0


if __name__ == "__main__":
    sys.exit(main())
