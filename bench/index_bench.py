#!/usr/bin/env python3
"""Benchmarks of the label index and the multi-series commands.

queries: 100,000 series labelled host (10,000 values), region (10), metric (10); the 1,000
series of region=r1 metric=m1 get 1,000 samples each (one a second), the rest one sample.
Server-side ms per call (INFO commandstats) of TS.QUERYINDEX, TS.MGET and
TS.MRANGE - + AGGREGATION avg 60000 / max 600000 over ~100 and ~1,000 matching series;
next to TS.MGET, the "reply floor": FLOOR.MGET of bench/reply_floor.c, a C module loaded
beside ours that writes the same reply through the module API and does nothing else.

reload: N series (default 1,000,000) with the same labels and one sample each; the time of
DEBUG RELOAD (RDB save + flush + load, the index rebuilt from each loaded series' labels)
against the same reload with the index rebuild disabled is not possible from outside, so the
script reports the reload time next to the time of a reload of the same number of plain
hashes with three fields, and used_memory.

usage: bench/index_bench.py [queries|reload|all] [--module target/libvalkeyts.so] [--series N]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vts_bench import ROOT, Server, resp, T0  # noqa: E402


def labels(i):
    return ("host", "h%d" % (i % 10000), "region", "r%d" % (i % 10), "metric", "m%d" % ((i // 10) % 10))


def load_series(srv, n, samples_for=None, samples=1000):
    batch = []
    for i in range(n):
        batch.append(resp("TS.CREATE", "s:%07d" % i, "LABELS", *labels(i)))
        if samples_for and samples_for(i):
            for k in range(samples):
                batch.append(resp("TS.ADD", "s:%07d" % i, T0 + k * 1000, (i + k) % 97))
        else:
            batch.append(resp("TS.ADD", "s:%07d" % i, T0, i % 97))
        if len(batch) >= 200000:
            srv.pipe(b"".join(batch))
            batch = []
    if batch:
        srv.pipe(b"".join(batch))


ROUNDS = 7


def median(xs):
    return sorted(xs)[len(xs) // 2]


def time_query(srv, cmd, reps):
    """Runs cmd reps times through one pipe; returns server-side ms per call."""
    srv.cli("CONFIG", "RESETSTAT")
    payload = b"".join(resp(*cmd) for _ in range(reps))
    import subprocess
    subprocess.run(["valkey-cli", "-p", str(srv.port), "--pipe"], input=payload, capture_output=True, check=True)
    usec, calls = srv.usec_per_call(cmd[0])
    assert calls == reps, (calls, reps)
    return usec / 1000.0



def build_reply_floor():
    """Compiles bench/reply_floor.c (a C module that only writes a TS.MGET-shaped reply)."""
    import subprocess
    out = os.path.join(ROOT, "target", "reply_floor.so")
    subprocess.run(["gcc", "-O2", "-Wall", "-shared", "-fPIC", "-o", out,
                    os.path.join(ROOT, "bench", "reply_floor.c")], check=True)
    return out


def queries(module, series=100_000):
    srv = Server(module, extra=("--loadmodule", build_reply_floor()))
    try:
        hot = lambda i: i % 100 == 11  # region=r1 metric=m1
        t = time.perf_counter()
        load_series(srv, series, samples_for=hot)
        print("loaded %d series in %.1f s; used_memory %.1f MB" % (series, time.perf_counter() - t,
                                                                     srv.used_memory() / 1e6))
        hosts100 = "host=(%s)" % ",".join("h%d" % (11 + 100 * k) for k in range(10))
        filters = {
            "~100": ["region=r1", hosts100],
            "~1000": ["region=r1", "metric=m1"],
        }
        print("%-8s %-48s %8s %10s %10s" % ("match", "command", "series", "median ms", "min ms"))
        for name, f in filters.items():
            n = len(srv.cli("TS.QUERYINDEX", *f).split())
            cmds = [
                ["TS.QUERYINDEX", *f],
                ["TS.MGET", "FILTER", *f],
                ["TS.MRANGE", "-", "+", "AGGREGATION", "avg", "60000", "FILTER", *f],
                ["TS.MRANGE", "-", "+", "AGGREGATION", "max", "600000", "FILTER", *f],
            ]
            for c in cmds:
                mrange = "MRANGE" in c[0]
                floor = ["FLOOR.MGET", str(n)] if c[0] == "TS.MGET" else None
                time_query(srv, c, 300 if mrange else 1000)  # warm up (JIT)
                if floor:
                    time_query(srv, floor, 1000)
                # rounds of 20 (MRANGE) or 400 calls; the median round is reported, since
                # a shared machine's noise comes in bursts. TS.MGET and the reply floor
                # alternate round by round, so that both see the same machine.
                ms, fms = [], []
                for _ in range(ROUNDS):
                    ms.append(time_query(srv, c, 20 if mrange else 400))
                    if floor:
                        fms.append(time_query(srv, floor, 400))
                label = " ".join(c[:c.index("FILTER")] if "FILTER" in c else c[:1])
                print("%-8s %-48s %8d %10.3f %10.3f" % (name, label, n, median(ms), min(ms)))
                if floor:
                    print("%-8s %-48s %8d %10.3f %10.3f   (TS.MGET / floor, medians: %.2f)"
                          % (name, "reply floor: the same reply, no work", n, median(fms), min(fms),
                             median(ms) / median(fms)))
    finally:
        srv.close()


def reload(module, series=1_000_000):
    srv = Server(module, extra=("--enable-debug-command", "yes"))
    try:
        t = time.perf_counter()
        batch = []
        for i in range(series):
            batch.append(resp("TS.CREATE", "s:%07d" % i, "LABELS", *labels(i)))
            if len(batch) >= 200000:
                srv.pipe(b"".join(batch))
                batch = []
        if batch:
            srv.pipe(b"".join(batch))
        print("created %d labelled series in %.1f s; used_memory %.1f MB (native; the index is on the Java heap)"
              % (series, time.perf_counter() - t, srv.used_memory() / 1e6))
        for _ in range(2):
            t = time.perf_counter()
            srv.cli("DEBUG", "RELOAD")
            print("DEBUG RELOAD (save + flush + load + index rebuild): %.2f s" % (time.perf_counter() - t))
        t = time.perf_counter()
        out = srv.cli("TS.CARD")
        print("TS.CARD after reload: %s (%.1f ms incl. client)" % (out.strip(), (time.perf_counter() - t) * 1000))
        srv.cli("FLUSHALL")
        batch = [resp("HSET", "h:%07d" % i, *labels(i)) for i in range(series)]
        for k in range(0, len(batch), 200000):
            srv.pipe(b"".join(batch[k:k + 200000]))
        t = time.perf_counter()
        srv.cli("DEBUG", "RELOAD")
        print("for scale, DEBUG RELOAD of %d hashes with the same 3 fields: %.2f s" % (series, time.perf_counter() - t))
    finally:
        srv.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", nargs="?", default="all", choices=["queries", "reload", "all"])
    p.add_argument("--module", default=os.path.join(ROOT, "target", "libvalkeyts.so"))
    p.add_argument("--series", type=int, default=0)
    a = p.parse_args()
    if a.what in ("queries", "all"):
        queries(a.module, a.series or 100_000)
    if a.what in ("reload", "all"):
        reload(a.module, a.series or 1_000_000)


if __name__ == "__main__":
    main()
