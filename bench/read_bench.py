#!/usr/bin/env python3
"""Read-side benchmarks against built-in commands of the same reply shape, for one module
build or several side by side.

Each module build gets its own valkey-server with the same data; rounds alternate between
the servers, so that all of them see the same spells of a shared, noisy machine. In each
round and server, the module's command and its built-in reference run through one pipe
each and their server-side time per call comes from INFO commandstats; the ratio of the
two is the figure to trust. Printed: per build, the median round and the spread of rounds.

small:      TS.GET over 100,000 series (one sample each) against HMGET k a b over 100,000
            hashes (random keys, the same order for both); the same on one key each (the
            fixed cost of a command, no cache misses); and TS.RANGE k - + of a
            50-sample series against ZRANGE z 0 -1 WITHSCORES of 50 members.
get:        TS.GET over 100,000 random keys against HMGET k a b as in small, for series of one
            sample and for series of several chunks (CHUNK_SIZE 48, 32 samples: the last
            chunk is reached through the chunk array), each against the HMGET run right
            after it.
queryindex: 1,000,000 series labelled host=h0..h49999, region=r0..r19, metric=m0..m99;
            TS.QUERYINDEX host=h1 region=r1 (20 matches) against SINTER of two sets
            holding the same keys (the 20 of host h1, the 50,000 of region r1).
raw:        one series of 5,000,000 samples; TS.RANGE big - + COUNT 1000 against XRANGE xs
            - + COUNT 1000 of a 5,000-entry stream, and the full scan TS.RANGE big - +
            (two calls a round) in XRANGE COUNT 1000 times.

Build each version into its own directory first (the module finds valkeyts.jar next to
libvalkeyts.so), e.g. `cp target/libvalkeyts.so target/valkeyts.jar /tmp/a/`.

On a machine shared with other work, VTS_BENCH_CPU=1 times each command by the CPU time of
the server's main thread instead (per call, including the server's reading and writing):
steadier when other processes take time slices away from the server.

usage: bench/read_bench.py small|get|queryindex|raw [--module A.so [--module B.so ...]] [--rounds 7]
"""
import argparse
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vts_bench as vb  # noqa: E402
from vts_bench import resp, T0  # noqa: E402


def median(xs):
    return sorted(xs)[len(xs) // 2]


def main_thread_cpu_ns(srv):
    """CPU time the server's main thread has run (ns): unlike commandstats' wall-clock
    time, time slices taken by other processes do not count (JVM threads do not either)."""
    with open("/proc/%d/task/%d/schedstat" % (srv.proc.pid, srv.proc.pid)) as f:
        return int(f.read().split()[0])


CPU = os.environ.get("VTS_BENCH_CPU") == "1"


def timed(srv, pairs):
    """pairs: [(command name for commandstats, payload)]; returns usec per call of each:
    server-side from commandstats, or with VTS_BENCH_CPU=1 the main thread's CPU time per
    call of the whole pipe (reading, parsing and writing included)."""
    out = []
    for name, payload in pairs:
        srv.cli("CONFIG", "RESETSTAT")
        cpu = main_thread_cpu_ns(srv)
        srv.pipe(payload)
        cpu = main_thread_cpu_ns(srv) - cpu
        us, calls = srv.usec_per_call(name)
        out.append(cpu / 1000 / calls if CPU else us)
    return out


def chunked_pipe(srv, cmds, size=100000):
    for i in range(0, len(cmds), size):
        srv.pipe(b"".join(cmds[i:i + size]))


# ------------------------------------------------------------------ workloads

def small_load(srv, n=100_000):
    cmds = []
    for i in range(n):
        cmds.append(resp("TS.ADD", "g:%d" % i, T0, "%.2f" % (i / 7)))
        cmds.append(resp("HSET", "hg:%d" % i, "a", "%.2f" % (i / 7), "b", T0))
    args = ["TS.MADD"]
    zargs = ["ZADD", "z"]
    for k in range(50):
        args += ["r50", T0 + k * 1000, "%.2f" % (k * 1.25)]
        zargs += ["%.2f" % (k * 1.25), "m%d" % k]
    cmds.append(resp("TS.CREATE", "r50"))
    cmds.append(resp(*args))
    cmds.append(resp(*zargs))
    chunked_pipe(srv, cmds)


def small_queries(n=100_000, calls=100_000, range_calls=20_000):
    rnd = random.Random(5)
    keys = [rnd.randrange(n) for _ in range(calls)]
    return [
        ("ts.get", b"".join(resp("TS.GET", "g:%d" % k) for k in keys)),
        ("hmget", b"".join(resp("HMGET", "hg:%d" % k, "a", "b") for k in keys)),
        ("ts.get", resp("TS.GET", "g:1") * calls),
        ("hmget", resp("HMGET", "hg:1", "a", "b") * calls),
        ("ts.range", resp("TS.RANGE", "r50", "-", "+") * range_calls),
        ("zrange", resp("ZRANGE", "z", "0", "-1", "WITHSCORES") * range_calls),
    ]


def small_report(us):
    get, hmget, get1, hmget1, rng, zr = us
    return ("TS.GET %.3f us, HMGET %.3f us: %.2fx | one key: %.3f / %.3f us: %.2fx | "
            "TS.RANGE 50 %.3f us, ZRANGE 50 %.3f us: %.2fx"
            % (get, hmget, get / hmget, get1, hmget1, get1 / hmget1, rng, zr, rng / zr)), \
        [get / hmget, get1 / hmget1, rng / zr]


def get_load(srv, n=100_000, samples=32):
    cmds = []
    for i in range(n):
        cmds.append(resp("TS.ADD", "g:%d" % i, T0, "%.2f" % (i / 7)))
        cmds.append(resp("HSET", "hg:%d" % i, "a", "%.2f" % (i / 7), "b", T0))
        cmds.append(resp("TS.CREATE", "m:%d" % i, "CHUNK_SIZE", 48))
        args = ["TS.MADD"]
        for k in range(samples):
            args += ["m:%d" % i, T0 + k * 1000 + (i * k) % 7, "%.2f" % ((i * 31 + k * 17) % 1000 / 7)]
        cmds.append(resp(*args))
    chunked_pipe(srv, cmds)
    info = srv.cli("TS.INFO", "m:1").split("\n")
    chunks = int(info[info.index("chunkCount") + 1])
    assert chunks >= 2, "m:1 has %d chunk(s): no chunk array" % chunks


def get_queries(n=100_000, calls=100_000):
    rnd = random.Random(5)
    keys = [rnd.randrange(n) for _ in range(calls)]
    hmget = b"".join(resp("HMGET", "hg:%d" % k, "a", "b") for k in keys)
    return [
        ("ts.get", b"".join(resp("TS.GET", "g:%d" % k) for k in keys)),
        ("hmget", hmget),
        ("ts.get", b"".join(resp("TS.GET", "m:%d" % k) for k in keys)),
        ("hmget", hmget),
    ]


def get_report(us):
    g1, h1, gm, h2 = us
    return ("one sample: TS.GET %.3f us, HMGET %.3f us: %.2fx | several chunks: TS.GET %.3f us, HMGET %.3f us: %.2fx"
            % (g1, h1, g1 / h1, gm, h2, gm / h2)), [g1 / h1, gm / h2]


def qi_load(srv, n=1_000_000):
    cmds = []
    for i in range(n):
        cmds.append(resp("TS.CREATE", "s:%07d" % i, "LABELS", "host", "h%d" % (i % 50000),
                         "region", "r%d" % (i % 20), "metric", "m%d" % ((i // 50000) % 100)))
        if len(cmds) >= 100000:
            srv.pipe(b"".join(cmds))
            cmds = []
    host = ["s:%07d" % i for i in range(1, n, 50000)]
    region = ["s:%07d" % i for i in range(1, n, 20)]
    cmds.append(resp("SADD", "set:host=h1", *host))
    for i in range(0, len(region), 1000):
        cmds.append(resp("SADD", "set:region=r1", *region[i:i + 1000]))
    srv.pipe(b"".join(cmds))


def qi_queries(calls=20_000):
    return [
        ("ts.queryindex", resp("TS.QUERYINDEX", "host=h1", "region=r1") * calls),
        ("sinter", resp("SINTER", "set:host=h1", "set:region=r1") * calls),
    ]


def qi_report(us):
    q, s = us
    return "TS.QUERYINDEX %.2f us, SINTER %.2f us: %.2fx" % (q, s, q / s), [q / s]


def raw_load(srv):
    vb.load_big(srv, 5_000_000)
    srv.pipe(b"".join(resp("XADD", "xs", "%d-0" % (T0 + i * 1000), "v", "%.2f" % (100 + i % 997 / 100))
                      for i in range(5000)))


def raw_queries(calls=500):
    return [
        ("ts.range", resp("TS.RANGE", "big", "-", "+", "COUNT", 1000) * calls),
        ("xrange", resp("XRANGE", "xs", "-", "+", "COUNT", 1000) * calls),
    ]


def raw_round(srv, pairs):
    count, x = timed(srv, pairs)
    srv.cli("CONFIG", "RESETSTAT")
    cpu = main_thread_cpu_ns(srv)
    # --pipe gives up after 30 s without a reply unless told otherwise
    subprocess.run(["valkey-cli", "-p", str(srv.port), "--pipe", "--pipe-timeout", "0"],
                   input=resp("TS.RANGE", "big", "-", "+") * 2, capture_output=True, check=True)
    cpu = main_thread_cpu_ns(srv) - cpu
    full = cpu / 2000 if CPU else srv.usec_per_call("ts.range")[0]
    return [count, x, full]


def raw_report(us):
    count, x, full = us
    return ("COUNT 1000 %.0f us, XRANGE %.0f us: %.2fx | full scan %.0f ms: %.0fx XRANGE"
            % (count, x, count / x, full / 1000, full / x)), [count / x, full / x]


WORKLOADS = {
    "small": (small_load, small_queries, timed, small_report),
    "get": (get_load, get_queries, timed, get_report),
    "queryindex": (qi_load, qi_queries, timed, qi_report),
    "raw": (raw_load, raw_queries, raw_round, raw_report),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--module", action="append")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--jvm-options", action="append",
                    help="JVM_OPTIONS per --module, in the same order (\"\" = the defaults)")
    a = ap.parse_args()
    modules = a.module or [os.path.join(vb.ROOT, "target", "libvalkeyts.so")]
    load, queries, run, report = WORKLOADS[a.workload]
    pairs = queries()
    servers = []
    try:
        for i, m in enumerate(modules):
            opts = a.jvm_options[i] if a.jvm_options and i < len(a.jvm_options) else ""
            srv = vb.Server(m, ["JVM_OPTIONS", opts] if opts else [])
            servers.append(srv)
            load(srv)
            run(srv, pairs)  # warm-up round (JIT, allocator)
        ratios = [[] for _ in servers]
        for r in range(a.rounds):
            for i, srv in enumerate(servers):
                text, rs = report(run(srv, pairs))
                ratios[i].append(rs)
                print("round %d %s: %s" % (r, "ABCDEFGH"[i], text))
                sys.stdout.flush()
        for i, m in enumerate(modules):
            cols = list(zip(*ratios[i]))
            print("%s (%s): median ratios %s; spreads %s" % (
                "ABCDEFGH"[i], m, " ".join("%.2f" % median(c) for c in cols),
                " ".join("%.2f-%.2f" % (min(c), max(c)) for c in cols)))
    finally:
        for srv in servers:
            srv.close()


if __name__ == "__main__":
    main()
