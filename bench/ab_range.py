#!/usr/bin/env python3
"""Two module builds (or two settings) side by side on one TS.RANGE aggregation.

Both servers get the same 5,000,000-sample series; rounds of 20 calls alternate between
them, so that both see the same spells of a shared, noisy machine; the median round of
each is the figure to compare. Build each version into its own directory first (the
module finds valkeyts.jar next to libvalkeyts.so), e.g. `cp target/libvalkeyts.so
target/valkeyts.jar /tmp/a/`.

usage: bench/ab_range.py MODULE_A MODULE_B [--args-a "..."] [--args-b "..."]
                         [--agg avg|none] [--bucket 60000] [--rounds 11]
(--agg none: the raw full scan `TS.RANGE big - +`, two calls per round)
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vts_bench as vb  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("module_a")
    ap.add_argument("module_b")
    ap.add_argument("--args-a", default="", help="extra server arguments for A")
    ap.add_argument("--args-b", default="", help="extra server arguments for B")
    ap.add_argument("--agg", default="avg")
    ap.add_argument("--bucket", type=int, default=60000)
    ap.add_argument("--rounds", type=int, default=11)
    a = ap.parse_args()
    total = 5_000_000
    servers = [vb.Server(a.module_a, a.args_a.split()), vb.Server(a.module_b, a.args_b.split())]
    try:
        raw = a.agg == "none"
        q = vb.resp("TS.RANGE", "big", "-", "+") if raw else vb.resp("TS.RANGE", "big", "-", "+", "AGGREGATION", a.agg, a.bucket)
        calls = 2 if raw else 20
        for srv in servers:
            vb.load_big(srv, total)
            srv.pipe(q * (calls * 2))
        ms = [[], []]
        for _ in range(a.rounds):
            for i, srv in enumerate(servers):
                srv.cli("CONFIG", "RESETSTAT")
                srv.pipe(q * calls)
                ms[i].append(srv.usec_per_call("ts.range")[0] / 1000)
        for name, m in zip("AB", ms):
            med = sorted(m)[len(m) // 2]
            what = "full scan" if raw else "AGGREGATION %s %d" % (a.agg, a.bucket)
            print("%s: %s: median %.1f ms (%.0f M samples/s), fastest %.1f ms; rounds %s"
                  % (name, what, med, total / med / 1000, min(m), " ".join("%.1f" % x for x in m)))
    finally:
        for srv in servers:
            srv.close()


if __name__ == "__main__":
    main()
