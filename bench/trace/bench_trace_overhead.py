#!/usr/bin/env python3
"""What tracing costs: hello-world throughput of `loopscope bench` traced versus untraced.

Runs `loopscope bench hello_app.py --path P --duration D --connections C` with tracing on
(the default: every event drained into a session) and with `--no-trace`, alternating on
and off so both see the same machine, RUNS times each for the `async def` and the `def`
endpoint of bench/server/hello_app.py. Prints the median requests/s of each and the cost
of tracing in percent of the untraced figure, as the median over the on/off pairs (goal:
<= 5 %), and the same for the CPU time the whole process spends per request while the
burst runs (read from /proc; runs shorter than 2.5 s have none).

usage: bench_trace_overhead.py --loopscope PATH [--runs 5] [--duration 5] [--connections 50]
                               [--strict]
--strict makes the exit status non-zero when the goal is missed.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "..", "server", "hello_app.py")
GOAL_PERCENT = 5.0
SUMMARY = re.compile(r"^requests (\d+)  errors (\d+)  wall ([\d.]+) s  ([\d.]+) req/s", re.M)


def cpu_ns(pid):
    """CPU time of every thread of `pid` so far, in ns (scheduler statistics)."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass  # the thread ended
    except OSError:
        return None
    return total


def bench(loopscope, path, duration, connections, traced):
    """One run: (requests/s, CPU microseconds per request of the whole process while the
    burst runs, or None when /proc cannot tell)."""
    cmd = [loopscope, "bench", APP, "--path", path, "--duration", str(duration),
           "--connections", str(connections)]
    if not traced:
        cmd.append("--no-trace")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # CPU is sampled inside the burst only: after start-up, before the session is built.
    window = (1.0, duration - 0.3)
    cpu = None
    if window[1] - window[0] >= 1.0:
        time.sleep(window[0])
        c0 = cpu_ns(proc.pid)
        time.sleep(window[1] - window[0])
        c1 = cpu_ns(proc.pid)
        if c0 is not None and c1 is not None:
            cpu = (c1 - c0, window[1] - window[0])
    # The session of a traced run is built after the burst: allow for it.
    out, err = proc.communicate(timeout=duration * 20 + 60)
    m = SUMMARY.search(out)
    if proc.returncode != 0 or not m:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}\n{err[-2000:]}")
    if int(m.group(2)):
        print(f"  note: {m.group(2)} errors in {' '.join(cmd)}")
    rps = float(m.group(4))
    us_per_request = cpu[0] / 1e3 / (rps * cpu[1]) if cpu and rps > 0 else None
    return rps, us_per_request


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loopscope", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()
    paths = ["/async", "/sync"]

    samples = {(p, on): [] for p in paths for on in (True, False)}
    cpu = {(p, on): [] for p in paths for on in (True, False)}
    load_before = os.getloadavg()[0]
    for run in range(args.runs):
        for p in paths:
            # Alternate which goes first so neither mode always follows the other.
            order = (True, False) if run % 2 == 0 else (False, True)
            for on in order:
                rps, us = bench(args.loopscope, p, args.duration, args.connections, on)
                samples[(p, on)].append(rps)
                cpu[(p, on)].append(us)
                shown = f"{us:6.1f} CPU us/request" if us is not None else ""
                print(f"run {run + 1}/{args.runs} {p:<7} tracing {'on ' if on else 'off'} {rps:>10.0f} req/s  {shown}",
                      flush=True)

    def paired_cost(p, series, higher_is_better):
        """Median over runs of what tracing cost in each run's on/off pair (the two ran one
        after the other, so they saw about the same machine), in percent."""
        costs = []
        for on, off in zip(series[(p, True)], series[(p, False)]):
            if on and off:
                costs.append((off - on) / off * 100.0 if higher_is_better else (on - off) / off * 100.0)
        return statistics.median(costs) if costs else float("nan")

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else float("nan")

    print(f"\nhello world, loopscope bench --duration {args.duration:g} --connections {args.connections}, "
          f"{args.runs} runs each (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)")
    print(f"{'endpoint':<12}{'req/s on':>11}{'off':>9}{'cost':>8}{'goal':>6}"
          f"{'CPU us/req on':>16}{'off':>7}{'cost':>8}")
    missed = []
    for p in paths:
        rps_cost = paired_cost(p, samples, True)
        kind = "async def" if p == "/async" else "def"
        print(f"{kind:<12}{median(samples[(p, True)]):>11.0f}{median(samples[(p, False)]):>9.0f}"
              f"{rps_cost:>7.1f}%{GOAL_PERCENT:>5.0f}%"
              f"{median(cpu[(p, True)]):>16.2f}{median(cpu[(p, False)]):>7.2f}{paired_cost(p, cpu, False):>7.1f}%")
        if not rps_cost <= GOAL_PERCENT:
            missed.append(kind)
    print("req/s and CPU: medians. cost: the median over runs of each on/off pair's difference: how much "
          "lower the traced throughput is, how much more CPU the whole process spends per request while "
          "the burst runs. Other load on the machine makes both noisy: compare runs on a quiet machine.")
    if missed:
        print("above goal: " + ", ".join(missed))
    return 1 if (args.strict and missed) else 0

if __name__ == "__main__":
    sys.exit(main())
