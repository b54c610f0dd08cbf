#!/usr/bin/env python3
"""End-to-end benchmarks of the timeseries module against built-in commands.

Each benchmark starts its own valkey-server (127.0.0.1, free port, temp dir, no
persistence) with the module loaded, feeds it through `valkey-cli --pipe` and reads the
server-side cost per call from INFO commandstats. Ratios against a built-in command are
measured in the same run on the same server, because the machines are shared and noisy.

usage: bench/vts_bench.py [ingest|madd|madd-floor|memory|range|range-alone|range-helper|rules|ops|series-memory|memory-shapes|all]
       [--module target/libvalkeyts.so]
       bench/vts_bench.py ab|ab-ingest|ab-range --old OLD/libvalkeyts.so [--module target/libvalkeyts.so]
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, module, extra=()):
        self.dir = tempfile.mkdtemp(prefix="vts-bench-")
        self.port = free_port()
        args = ["valkey-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--logfile", os.path.join(self.dir, "server.log"), "--loadmodule", module, *extra]
        self.proc = subprocess.Popen(args)
        for _ in range(1200):  # up to 60 s: a loaded machine starts the JVM slowly
            try:
                if self.cli("PING").strip() == "PONG":
                    return
            except subprocess.CalledProcessError:
                pass
            time.sleep(0.05)
            if self.proc.poll() is not None:
                break
        self.proc.kill()  # a server left running would keep the bench lock (inherited fd)
        self.proc.wait()
        raise RuntimeError("server did not start; see " + self.dir)

    def cli(self, *args):
        return subprocess.run(["valkey-cli", "-p", str(self.port), *[str(a) for a in args]], check=True,
                              capture_output=True, text=True).stdout

    def pipe(self, payload):
        t0 = time.perf_counter()
        out = subprocess.run(["valkey-cli", "-p", str(self.port), "--pipe"], input=payload,
                             capture_output=True, check=True).stdout.decode()
        elapsed = time.perf_counter() - t0
        if "errors: 0" not in out:
            raise RuntimeError("pipe reported errors: " + out)
        return elapsed

    def info(self, section):
        out = {}
        for line in self.cli("INFO", section).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k] = v
        return out

    def usec_per_call(self, command):
        stats = {k.lower(): v for k, v in self.info("commandstats").items()}.get("cmdstat_" + command.lower())
        if not stats:
            return None
        fields = dict(kv.split("=") for kv in stats.split(","))
        return float(fields["usec_per_call"]), int(fields["calls"])

    def used_memory(self):
        """used_memory once the pipe's client is gone (its buffers freed): only valkey-cli's own connection left."""
        for _ in range(100):
            if int(self.info("clients")["connected_clients"]) <= 1:
                break
            time.sleep(0.02)
        return int(self.info("memory")["used_memory"])

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def resp(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(parts)


T0 = 1_700_000_000_000


def warm_up(srv, *cmd_lists):
    """Runs a slice of each workload once and flushes, so that both sides are measured warm (JIT, allocator)."""
    for cmds in cmd_lists:
        srv.pipe(b"".join(cmds[:200000]))
    srv.cli("FLUSHALL")
    srv.cli("CONFIG", "RESETSTAT")


def ingest(module, series=1000, samples=1000):
    """TS.ADD against XADD with the same keys and ids, round-robin over the series."""
    rnd = random.Random(1)
    ts_cmds, x_cmds = [], []
    for i in range(samples):
        t = T0 + i * 1000
        for s in range(series):
            v = "%.2f" % (rnd.random() * 100)
            ts_cmds.append(resp("TS.ADD", "ts:%d" % s, t, v))
            x_cmds.append(resp("XADD", "xs:%d" % s, "%d-0" % t, "v", v))
    srv = Server(module)
    try:
        warm_up(srv, ts_cmds, x_cmds)
        x_time = srv.pipe(b"".join(x_cmds))
        ts_time = srv.pipe(b"".join(ts_cmds))
        n = series * samples
        ts_us, _ = srv.usec_per_call("ts.add")
        x_us, _ = srv.usec_per_call("xadd")
        print("ingest: %d series x %d samples" % (series, samples))
        print("  TS.ADD  %9.0f adds/s through the pipe, %6.0f ns/call server side" % (n / ts_time, ts_us * 1000))
        print("  XADD    %9.0f adds/s through the pipe, %6.0f ns/call server side" % (n / x_time, x_us * 1000))
        print("  TS.ADD / XADD throughput ratio (pipe): %.2f; server-side cost ratio XADD/TS.ADD: %.2f"
              % (x_time / ts_time, x_us / ts_us))
    finally:
        srv.close()


def madd_commands(series, samples, batch):
    """TS.MADD batches of `batch` series into ts:0.., one sample each per round of `samples`,
    and XADDs of the same samples into xs:0..: (the TS.MADD commands, the XADD commands)."""
    rnd = random.Random(2)
    m_cmds, x_cmds = [], []
    for i in range(samples):
        t = T0 + i * 1000
        for b in range(0, series, batch):
            args = ["TS.MADD"]
            for s in range(b, b + batch):
                v = "%.2f" % (rnd.random() * 100)
                args += ["ts:%d" % s, t, v]
                x_cmds.append(resp("XADD", "xs:%d" % s, "%d-0" % t, "v", v))
            m_cmds.append(resp(*args))
    return m_cmds, x_cmds


def madd(module, series=1000, samples=1000, batch=100):
    m_cmds, x_cmds = madd_commands(series, samples, batch)
    m_cmds = [resp("TS.CREATE", "ts:%d" % s) for s in range(series)] + m_cmds
    srv = Server(module)
    try:
        warm_up(srv, m_cmds, x_cmds)
        x_time = srv.pipe(b"".join(x_cmds))
        m_time = srv.pipe(b"".join(m_cmds))
        n = series * samples
        print("madd: batches of %d, %d samples" % (batch, n))
        m_us, _ = srv.usec_per_call("ts.madd")
        x_us, _ = srv.usec_per_call("xadd")
        print("  TS.MADD %9.0f samples/s; XADD %9.0f samples/s; ratio %.2f (pipe)"
              % (n / m_time, n / x_time, x_time / m_time))
        print("  server side: TS.MADD %.0f ns/sample, XADD %.0f ns/sample; ratio %.2f"
              % (m_us * 1000 / batch, x_us * 1000, x_us * batch / m_us))
    finally:
        srv.close()


def build_madd_floor():
    """Compiles bench/reply_floor.c (a C module whose FLOOR.MADD makes TS.MADD's module API calls, nothing else)."""
    out = os.path.join(ROOT, "target", "reply_floor.so")
    subprocess.run(["gcc", "-O2", "-Wall", "-shared", "-fPIC", "-o", out, os.path.join(ROOT, "bench", "reply_floor.c")],
                   check=True)
    return out


def madd_floor(module, series=1000, samples=1000, batch=100, rounds=3):
    """TS.MADD, FLOOR.MADD and FLOOR.MADDBATCH (bench/reply_floor.c: the same module API calls
    per triple, no sample stored; key by key, and in TS.MADD's order: all keys opened, then all
    closed) over the same keys and samples, and XADD of the same samples, on one server; each
    round from FLUSHALL; medians of the rounds' server-side ns per sample and of the ratios."""
    m_cmds, x_cmds = madd_commands(series, samples, batch)
    creates = b"".join(resp("TS.CREATE", "ts:%d" % s) for s in range(series))
    head = b"*%d\r\n$7\r\nTS.MADD\r\n" % (1 + 3 * batch)

    def renamed(name):
        return b"".join(b"*%d\r\n$%d\r\n%s\r\n" % (1 + 3 * batch, len(name), name) + c[len(head):] for c in m_cmds)
    payloads = [("ts.madd", b"".join(m_cmds)), ("floor.madd", renamed(b"FLOOR.MADD")),
                ("floor.maddbatch", renamed(b"FLOOR.MADDBATCH"))]
    x_payload = b"".join(x_cmds)
    srv = Server(module, ["--loadmodule", build_madd_floor()])
    rows = []
    try:
        for r in range(rounds + 1):  # round 0 warms up (JIT, allocator)
            srv.cli("FLUSHALL")
            srv.pipe(creates)
            srv.cli("CONFIG", "RESETSTAT")
            srv.pipe(x_payload)
            for _, p in payloads:
                srv.pipe(p)
            if r == 0:
                continue
            x = srv.usec_per_call("xadd")[0] * 1000
            row = [srv.usec_per_call(c)[0] * 1000 / batch for c, _ in payloads] + [x]
            rows.append(row)
            m, f, fb, _ = row
            print("madd-floor round %d: TS.MADD %.0f ns/sample, FLOOR.MADD %.0f, FLOOR.MADDBATCH %.0f, XADD %.0f ns; "
                  "XADD/TS.MADD %.2f, XADD/FLOOR.MADD %.2f, XADD/FLOOR.MADDBATCH %.2f, TS.MADD - FLOOR.MADD %.0f ns"
                  % (r, m, f, fb, x, x / m, x / f, x / fb, m - f))
            sys.stdout.flush()

        def med(xs):
            return sorted(xs)[len(xs) // 2]
        print("madd-floor: medians of %d rounds: TS.MADD %.0f ns/sample, FLOOR.MADD %.0f, FLOOR.MADDBATCH %.0f, XADD %.0f; "
              "XADD/TS.MADD %.2f, XADD/FLOOR.MADD %.2f, XADD/FLOOR.MADDBATCH %.2f, TS.MADD - FLOOR.MADD %.0f ns"
              % (rounds, med([w[0] for w in rows]), med([w[1] for w in rows]), med([w[2] for w in rows]),
                 med([w[3] for w in rows]), med([w[3] / w[0] for w in rows]), med([w[3] / w[1] for w in rows]),
                 med([w[3] / w[2] for w in rows]), med([w[0] - w[1] for w in rows])))
    finally:
        srv.close()


def shapes(n):
    rnd = random.Random(3)
    walk = 100.0
    out = {"random walk, 2 decimals": [], "integer counter": [], "constant": [], "uniform random doubles": []}
    c = 0
    for i in range(n):
        walk += rnd.uniform(-1, 1)
        out["random walk, 2 decimals"].append("%.2f" % walk)
        c += rnd.randint(0, 10)
        out["integer counter"].append(str(c))
        out["constant"].append("42.5")
        out["uniform random doubles"].append(repr(rnd.random()))
    return out


def memory(module, series=100, samples=10000):
    """Bytes per sample: growth of used_memory / samples, per value shape."""
    for name, bps in memory_shapes(module, series, samples, quiet=True).items():
        print("memory: %-24s %.2f bytes/sample" % (name, bps))


def load_big(srv, total):
    """One series "big" of total samples, 1 s apart, a random walk with 2 decimals."""
    rnd = random.Random(4)
    cmds, v = [], 100.0
    for b in range(0, total, 1000):
        args = ["TS.MADD"]
        for i in range(b, b + 1000):
            v += rnd.uniform(-1, 1)
            args += ["big", T0 + i * 1000, "%.2f" % v]
        cmds.append(resp(*args))
    srv.cli("TS.CREATE", "big")
    srv.pipe(b"".join(cmds))


def range_alone(module, total=5_000_000):
    """Each of the issue's two aggregation queries on a server that runs nothing else:
    30 warm-up calls, then 7 rounds of 20 through one pipe; median and fastest round. Each
    query runs with the helper thread (ts-num-threads 3, the default) and without it (1)."""
    for agg, bucket in (("avg", 60000), ("max", 3600000)):
        for threads in (3, 1):
            srv = Server(module, ["--timeseries.ts-num-threads", str(threads)])
            try:
                load_big(srv, total)
                q = resp("TS.RANGE", "big", "-", "+", "AGGREGATION", agg, bucket)
                srv.pipe(q * 30)
                ms = []
                for _ in range(7):
                    srv.cli("CONFIG", "RESETSTAT")
                    srv.pipe(q * 20)
                    ms.append(srv.usec_per_call("ts.range")[0] / 1000)
                ms.sort()
                print("range-alone: AGGREGATION %s %d, ts-num-threads %d: median %.1f ms/call (%.1f M samples/s), "
                      "fastest %.1f ms (%.1f M/s)"
                      % (agg, bucket, threads, ms[3], total / ms[3] / 1000, ms[0], total / ms[0] / 1000))
                sys.stdout.flush()
            finally:
                srv.close()


def range_helper(module, total=5_000_000, rounds=11):
    """AGGREGATION avg 60000 with and without the helper thread side by side: two servers
    (ts-num-threads 3 and 1) with the same series, alternating rounds of 20 calls, so both
    see the same spells of the machine; the median round of each and their ratio."""
    q = resp("TS.RANGE", "big", "-", "+", "AGGREGATION", "avg", 60000)
    servers = [Server(module, ["--timeseries.ts-num-threads", t]) for t in ("3", "1")]
    try:
        for srv in servers:
            load_big(srv, total)
            srv.pipe(q * 40)
        ms = [[], []]
        for _ in range(rounds):
            for i, srv in enumerate(servers):
                srv.cli("CONFIG", "RESETSTAT")
                srv.pipe(q * 20)
                ms[i].append(srv.usec_per_call("ts.range")[0] / 1000)
        med = [sorted(m)[len(m) // 2] for m in ms]
        print("range-helper: AGGREGATION avg 60000, median of %d rounds: ts-num-threads 3 %.1f ms (%.1f M samples/s), "
              "ts-num-threads 1 %.1f ms (%.1f M/s); the helper gives %.2fx"
              % (rounds, med[0], total / med[0] / 1000, med[1], total / med[1] / 1000, med[1] / med[0]))
    finally:
        for srv in servers:
            srv.close()


def range_scan(module, total=5_000_000):
    srv = Server(module)
    try:
        load_big(srv, total)
        srv.cli("CONFIG", "RESETSTAT")
        srv.pipe(b"".join(resp("TS.RANGE", "big", "-", "+", "COUNT", 1000) for _ in range(2000)))
        # the same reply shape from a built-in: XRANGE COUNT 1000 over a stream
        srv.pipe(b"".join(resp("XADD", "xs", "%d-0" % (T0 + i * 1000), "v", "%.2f" % (100 + i % 997 / 100))
                          for i in range(5000)))
        srv.pipe(b"".join(resp("XRANGE", "xs", "-", "+", "COUNT", 1000) for _ in range(2000)))
        us, calls = srv.usec_per_call("ts.range")
        x_us, _ = srv.usec_per_call("xrange")
        print("range: COUNT 1000 on %d samples: %.1f us/call, %.1f M samples/s; XRANGE COUNT 1000: %.1f us/call;"
              " ratio %.2f" % (total, us, 1000 / us, x_us, x_us / us))
        srv.cli("CONFIG", "RESETSTAT")
        with open(os.devnull, "wb") as null:
            for _ in range(3):
                subprocess.run(["valkey-cli", "-p", str(srv.port), "TS.RANGE", "big", "-", "+"], stdout=null, check=True)
        us, calls = srv.usec_per_call("ts.range")
        print("range: full scan of %d samples: %.1f ms/call, %.1f M samples/s server side"
              % (total, us / 1000, total / us))
        for agg, bucket in (("avg", 60000), ("max", 3600000), ("sum", 86400000), ("avg,min,max", 60000),
                            ("twa", 60000), ("p99", 3600000)):
            # untimed calls first: a long-running server has its JIT warm (the new code paths
            # need more than a handful of calls before they are compiled)
            for _ in range(15):
                srv.cli("TS.RANGE", "big", "-", "+", "AGGREGATION", agg, str(bucket))
            srv.cli("CONFIG", "RESETSTAT")
            for _ in range(10):
                out = srv.cli("TS.RANGE", "big", "-", "+", "AGGREGATION", agg, str(bucket))
                if out.startswith("ERR"):
                    print("range: AGGREGATION %s: %s" % (agg, out.strip()))
                    break
            else:
                us, calls = srv.usec_per_call("ts.range")
                print("range: AGGREGATION %s %d: %.1f ms/call, %.1f M samples/s" % (agg, bucket, us / 1000, total / us))
    finally:
        srv.close()


RULE_SET = [("avg", 10_000), ("max", 60_000), ("sum", 3_600_000), ("p50", 60_000), ("twa", 10_000)]


def rules(module, series=200, samples=5000):
    """TS.ADD on series with 5 compaction rules against series with none, one sample a second."""
    rnd = random.Random(3)
    setup, plain, ruled = [], [], []
    for s in range(series):
        setup.append(resp("TS.CREATE", "p:%d" % s))
        setup.append(resp("TS.CREATE", "r:%d" % s))
        for agg, dur in RULE_SET:
            dest = "r:%d:%s:%d" % (s, agg, dur)
            setup.append(resp("TS.CREATE", dest))
            setup.append(resp("TS.CREATERULE", "r:%d" % s, dest, "AGGREGATION", agg, dur))
    for i in range(samples):
        t = T0 + i * 1000
        for s in range(series):
            v = "%.2f" % (rnd.random() * 100)
            plain.append(resp("TS.ADD", "p:%d" % s, t, v))
            ruled.append(resp("TS.ADD", "r:%d" % s, t, v))
    srv = Server(module)
    try:
        srv.pipe(b"".join(setup))
        warm = samples // 5 * series  # the first fifth of both workloads warms up (JIT), then the rest is measured
        srv.pipe(b"".join(plain[:warm]))
        srv.pipe(b"".join(ruled[:warm]))
        srv.cli("CONFIG", "RESETSTAT")
        p_time = srv.pipe(b"".join(plain[warm:]))
        p_us, _ = srv.usec_per_call("ts.add")
        srv.cli("CONFIG", "RESETSTAT")
        r_time = srv.pipe(b"".join(ruled[warm:]))
        r_us, _ = srv.usec_per_call("ts.add")
        n = len(plain) - warm
        print("rules: %d series x %d samples, rules %s" % (series, samples - samples // 5,
                                                            ", ".join("%s/%dms" % r for r in RULE_SET)))
        print("  TS.ADD, no rules  %9.0f adds/s through the pipe, %6.0f ns/call server side" % (n / p_time, p_us * 1000))
        print("  TS.ADD, 5 rules   %9.0f adds/s through the pipe, %6.0f ns/call server side" % (n / r_time, r_us * 1000))
        print("  throughput with 5 rules / without (pipe): %.2f; server-side cost ratio: %.2f"
              % (p_time / r_time, r_us / p_us))
    finally:
        srv.close()


def ops(module, series=100000, readers=200, writes=200000):
    """INFO timeseries over many series against INFO keyspace; TS.ADD with TS.READ clients blocked
    (none, on other keys, on the written key) against XADD, all in one server."""
    srv = Server(module)
    socks = []
    try:
        srv.pipe(b"".join(resp("TS.ADD", "s:%d" % i, T0, 1, "LABELS", "host", "h%d" % (i % 1000), "i", i)
                          for i in range(series)))
        srv.cli("INFO", "timeseries")  # the first INFO counts at once; later ones report the last count
        time.sleep(1)
        for section in ("keyspace", "timeseries", "everything"):
            runs = []
            for _ in range(5):
                srv.cli("CONFIG", "RESETSTAT")
                subprocess.run(["valkey-cli", "-p", str(srv.port), "-r", "20", "-i", "0.05", "INFO", section],
                               capture_output=True, check=True)
                runs.append(srv.usec_per_call("info")[0] / 1000)
            runs.sort()
            print("  INFO %-10s %8.3f ms median (%.3f-%.3f over 5 runs of 20) with %d series"
                  % (section, runs[2], runs[0], runs[-1], series))

        def add_cost(key):
            cmds = b"".join(resp("TS.ADD", key, T0 + 1 + i, 1) for i in range(writes))
            xs = b"".join(resp("XADD", "x:" + key, "%d-0" % (T0 + 1 + i), "v", 1) for i in range(writes))
            srv.cli("CONFIG", "RESETSTAT")
            x_wall = srv.pipe(xs)
            ts_wall = srv.pipe(cmds)
            # commandstats leave out the wake-ups the server runs after each command: wall time shows them
            return (srv.usec_per_call("ts.add")[0] * 1000, srv.usec_per_call("xadd")[0] * 1000,
                    ts_wall * 1e9 / writes, x_wall * 1e9 / writes)

        def block(key, n):
            for _ in range(n):
                c = socket.create_connection(("127.0.0.1", srv.port))
                c.sendall(resp("TS.READ", key, "$", "BLOCK", 0, 1000000000))
                socks.append(c)
            for _ in range(200):
                if srv.info("timeseries").get("timeseries_blocked_read_clients") == str(len(socks)):
                    return
                time.sleep(0.05)
            raise RuntimeError("readers did not block")

        add_cost("warm")
        for label, setup, key in (("no reader", None, "w0"), ("%d readers on another key" % readers, "other", "w1"),
                                  ("%d readers on the written key" % readers, "w2", "w2")):
            if setup:
                block(setup, readers)
            ts_ns, x_ns, ts_wall, x_wall = add_cost(key)
            print("  TS.ADD with %-32s %6.0f ns/call server side (XADD %6.0f, ratio %.2f); through the pipe %6.0f ns/add"
                  " (XADD %6.0f, ratio %.2f)" % (label + ":", ts_ns, x_ns, ts_ns / x_ns, ts_wall, x_wall, ts_wall / x_wall))
    finally:
        for c in socks:
            c.close()
        srv.close()


# ---- memory per series (issue 12) ----

SERIES_COUNTS = (0, 1, 10, 100, 1000)


def series_memory(module, series=20000, counts=SERIES_COUNTS, label=""):
    """used_memory growth per series from an empty server: `series` series with 3 labels,
    then filled up to each sample count in turn with a 2-decimal random walk, 1 s apart."""
    rnd = random.Random(5)
    srv = Server(module)
    try:
        base = srv.used_memory()
        base_rss = int(srv.info("memory")["used_memory_rss"])
        srv.pipe(b"".join(resp("TS.CREATE", "s:%d" % s, "LABELS", "host", "h%d" % (s % 5000), "dc", "dc%d" % (s % 7),
                               "metric", "cpu") for s in range(series)))
        walk = [100.0] * series
        have = 0
        row, rss_row = [], []
        for n in counts:
            cmds = []
            for i in range(have, n):
                for b in range(0, series, 100):
                    args = ["TS.MADD"]
                    for s in range(b, min(b + 100, series)):
                        walk[s] += rnd.uniform(-1, 1)
                        args += ["s:%d" % s, T0 + i * 1000, "%.2f" % walk[s]]
                    cmds.append(resp(*args))
                if len(cmds) > 20000:
                    srv.pipe(b"".join(cmds))
                    cmds = []
            if cmds:
                srv.pipe(b"".join(cmds))
            have = n
            row.append((srv.used_memory() - base) / series)
            rss_row.append((int(srv.info("memory")["used_memory_rss"]) - base_rss) / series)
        rss = int(srv.info("memory")["used_memory_rss"])
        print("series-memory%s: %d series, 3 labels; used_memory growth per series at %s samples: %s B"
              % (label, series, "/".join(map(str, counts)), " / ".join("%.0f" % r for r in row)))
        print("  RSS growth per series (the JVM's heap and the allocator's slack included): %s B; server RSS %.0f MB"
              % (" / ".join("%.0f" % r for r in rss_row), rss / 1e6))
        if counts[-1] > 0:
            print("  at %d samples: %.2f B/sample beyond the 0-sample cost" % (counts[-1], (row[-1] - row[0]) / counts[-1]))
        return row
    finally:
        srv.close()


def memory_shapes(module, series=1000, samples=1000, label="", quiet=False):
    """Bytes per sample of the four value shapes at series x samples (used_memory growth
    over the empty series / samples)."""
    out = {}
    for name, values in shapes(samples).items():
        srv = Server(module)
        try:
            srv.pipe(b"".join(resp("TS.CREATE", "m:%d" % s) for s in range(series)))
            before = srv.used_memory()
            cmds = []
            for i in range(0, samples, 100):
                for s in range(series):
                    args = ["TS.MADD"]
                    for j in range(i, min(i + 100, samples)):
                        args += ["m:%d" % s, T0 + j * 1000, values[j]]
                    cmds.append(resp(*args))
            srv.pipe(b"".join(cmds))
            out[name] = (srv.used_memory() - before) / (series * samples)
            if not quiet:  # the series' own count (TS.INFO memoryUsage), free of the server's other allocations
                own = sum(int(srv.cli("TS.INFO", "m:%d" % s).split("\n")[3]) for s in range(0, series, max(1, series // 100)))
                out[name + " (memoryUsage)"] = own / (min(series, 100) * samples)
        finally:
            srv.close()
    if not quiet:
        print("memory-shapes%s: %d series x %d samples: %s" % (label, series, samples, "; ".join(
            "%s %.2f B/sample" % kv for kv in out.items())))
    return out


def jvm_args(opts):
    return ["JVM_OPTIONS", opts] if opts else []


def ab_ingest(old, new, rounds=7, series=1000, samples=200, extra=((), ())):
    """TS.ADD and TS.MADD of the old and new build head to head: both servers up at once,
    the same pipe of commands to each in alternating rounds (so both see the same spells of
    a noisy machine), XADD of the same samples on each as the yardstick; medians of the
    server-side ns per sample, and of the per-round ratios."""
    rnd = random.Random(6)
    servers = []
    try:
        servers += [Server(old, extra[0])]
        servers += [Server(new, extra[1])]
        stats = [{"add": [], "madd": [], "xadd": []} for _ in servers]
        t = 0
        for r in range(rounds + 1):  # round 0 warms up (JIT, allocator)
            add, madd, xadd = [], [], []
            for i in range(samples):
                t += 1000
                args = ["TS.MADD"]
                for s in range(series):
                    v = "%.2f" % (rnd.random() * 100)
                    add.append(resp("TS.ADD", "a:%d" % s, T0 + t, v))
                    xadd.append(resp("XADD", "x:%d" % s, "%d-0" % (T0 + t), "v", v))
                    args += ["m:%d" % s, T0 + t, v]
                    if len(args) == 301:
                        madd.append(resp(*args))
                        args = ["TS.MADD"]
            for k, srv in enumerate(servers):
                if r == 0:
                    srv.pipe(b"".join(resp("TS.CREATE", "m:%d" % s) for s in range(series)))
                srv.cli("CONFIG", "RESETSTAT")
                srv.pipe(b"".join(add))
                srv.pipe(b"".join(madd))
                srv.pipe(b"".join(xadd))
                if r == 0:
                    continue
                n = series * samples
                stats[k]["add"].append(srv.usec_per_call("ts.add")[0] * 1000)
                stats[k]["madd"].append(srv.usec_per_call("ts.madd")[0] * 1000 / 100)
                stats[k]["xadd"].append(srv.usec_per_call("xadd")[0] * 1000)

        def med(xs):
            return sorted(xs)[len(xs) // 2]
        for k, tag in enumerate(("old", "new")):
            st = stats[k]
            print("ab-ingest [%s]: ns per sample server side, median (min-max) of %d rounds: TS.ADD %.0f (%.0f-%.0f), "
                  "TS.MADD %.0f (%.0f-%.0f), XADD %.0f (%.0f-%.0f); XADD/TS.ADD %.2f, XADD/TS.MADD %.2f"
                  % (tag, rounds, med(st["add"]), min(st["add"]), max(st["add"]), med(st["madd"]), min(st["madd"]),
                     max(st["madd"]), med(st["xadd"]), min(st["xadd"]), max(st["xadd"]),
                     med([x / a for x, a in zip(st["xadd"], st["add"])]),
                     med([x / m for x, m in zip(st["xadd"], st["madd"])])))
        print("ab-ingest: new/old cost per round, median: TS.ADD %.2f, TS.MADD %.2f"
              % (med([b / a for a, b in zip(stats[0]["add"], stats[1]["add"])]),
                 med([b / a for a, b in zip(stats[0]["madd"], stats[1]["madd"])])))
    finally:
        for srv in servers:
            srv.close()


def ab_fresh(old, new, rounds=9, series=1000, samples=1000, batch=100):
    """TS.MADD into fresh series, old and new build head to head: every round starts from
    FLUSHALL and empty series, so that every chunk grows from nothing (the shape where chunk
    growth costs most); alternating rounds, XADD of the same samples as the yardstick; medians
    of the server-side ns per sample and of the per-round new/old ratios."""
    create = b"".join(resp("TS.CREATE", "ts:%d" % s) for s in range(series))
    m_cmds, x_cmds = madd_commands(series, samples, batch)
    madd_payload, xadd_payload = b"".join(m_cmds), b"".join(x_cmds)
    servers = []
    try:
        servers += [Server(old)]  # one by one: a second that fails to start closes the first
        servers += [Server(new)]
        st = [{"madd": [], "xadd": []} for _ in servers]
        for r in range(rounds + 1):  # round 0 warms up
            for k, srv in enumerate(servers):
                srv.cli("FLUSHALL")
                srv.pipe(create)
                srv.cli("CONFIG", "RESETSTAT")
                srv.pipe(madd_payload)
                srv.pipe(xadd_payload)
                if r:
                    st[k]["madd"].append(srv.usec_per_call("ts.madd")[0] * 1000 / batch)
                    st[k]["xadd"].append(srv.usec_per_call("xadd")[0] * 1000)

        def med(xs):
            return sorted(xs)[len(xs) // 2]
        for k, tag in enumerate(("old", "new")):
            m, x = st[k]["madd"], st[k]["xadd"]
            print("ab-fresh [%s]: TS.MADD %.0f ns/sample (%.0f-%.0f), XADD %.0f (%.0f-%.0f); XADD/TS.MADD %.2f, "
                  "medians of %d rounds" % (tag, med(m), min(m), max(m), med(x), min(x), max(x),
                                            med([b / a for a, b in zip(m, x)]), rounds))
        print("ab-fresh: new/old TS.MADD cost per round, median %.2f (%.2f-%.2f)"
              % (med([b / a for a, b in zip(st[0]["madd"], st[1]["madd"])]),
                 min(b / a for a, b in zip(st[0]["madd"], st[1]["madd"])),
                 max(b / a for a, b in zip(st[0]["madd"], st[1]["madd"]))))
    finally:
        for srv in servers:
            srv.close()


def ab_range(old, new, total=5_000_000, rounds=9, extra=((), ())):
    """Scans of the old and new build head to head: the same 5,000,000-sample series in
    both servers, alternating rounds of 10 calls per query; median ms per call."""
    queries = [("avg 60000", resp("TS.RANGE", "big", "-", "+", "AGGREGATION", "avg", 60000)),
               ("max 3600000", resp("TS.RANGE", "big", "-", "+", "AGGREGATION", "max", 3600000)),
               ("COUNT 1000 x 100", resp("TS.RANGE", "big", "-", "+", "COUNT", 1000) * 10)]
    servers = []
    try:
        servers += [Server(old, extra[0])]
        servers += [Server(new, extra[1])]
        for srv in servers:
            load_big(srv, total)
            for _, q in queries:
                srv.pipe(q * 10)
        ms = {(k, name): [] for k in range(2) for name, _ in queries}
        for _ in range(rounds):
            for name, q in queries:
                for k, srv in enumerate(servers):
                    srv.cli("CONFIG", "RESETSTAT")
                    srv.pipe(q * 10)
                    ms[(k, name)].append(srv.usec_per_call("ts.range")[0] / 1000)
        for name, _ in queries:
            o, n = sorted(ms[(0, name)]), sorted(ms[(1, name)])
            print("ab-range: %s: old %.2f ms (%.2f-%.2f), new %.2f ms (%.2f-%.2f) per call, medians of %d rounds; "
                  "new/old per round median %.2f" % (name, o[rounds // 2], o[0], o[-1], n[rounds // 2], n[0], n[-1], rounds,
                                                     sorted(b / a for a, b in zip(ms[(0, name)], ms[(1, name)]))[rounds // 2]))
    finally:
        for srv in servers:
            srv.close()


def ab(old, new, rounds=3):
    """The old build (--old) and this one side by side in one run: the series-memory table,
    B/sample shapes, and the TS.ADD/XADD and TS.MADD/XADD ratios, alternating rounds."""
    for m, tag in ((old, " [old]"), (new, " [new]")):
        series_memory(m, label=tag)
    for series, samples in ((1000, 1000), (100, 10000)):
        for m, tag in ((old, " [old]"), (new, " [new]")):
            memory_shapes(m, series, samples, label=tag)
    for _ in range(rounds):
        for m, tag in ((old, "[old]"), (new, "[new]")):
            print(tag, end=" ")
            ingest(m)
            print(tag, end=" ")
            madd(m)
            sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", default="all", choices=["ingest", "madd", "memory", "range", "range-alone", "range-helper", "rules", "series-memory",
                                                         "memory-shapes", "ops", "madd-floor", "ab", "ab-ingest", "ab-fresh", "ab-range", "all"])
    ap.add_argument("--module", default=os.path.join(ROOT, "target", "libvalkeyts.so"))
    ap.add_argument("--old", help="ab: the old build's libvalkeyts.so (its valkeyts.jar next to it)")
    ap.add_argument("--jvm-options", default="", help="ab-ingest, ab-range: JVM_OPTIONS for --module")
    ap.add_argument("--module-args", default="", help="ab-ingest, ab-range: extra module arguments for --module, "
                    "e.g. \"jit-warmup 0\"")
    ap.add_argument("--old-module-args", default="", help="ab-ingest, ab-range: extra module arguments for --old")
    ap.add_argument("--old-jvm-options", default="", help="ab-ingest, ab-range: JVM_OPTIONS for --old")
    ap.add_argument("--series", type=int, default=20000, help="series-memory: how many series")
    ap.add_argument("--rounds", type=int, default=7, help="ab-ingest: alternating rounds (more on a noisy machine); madd-floor: rounds")
    ap.add_argument("--counts", default="0,1,10,100,1000", help="series-memory: sample counts, comma separated")
    a = ap.parse_args()
    if a.what == "series-memory":
        series_memory(a.module, a.series, tuple(int(c) for c in a.counts.split(",")))
        return
    if a.what == "madd-floor":
        madd_floor(a.module, rounds=a.rounds)
        return
    if a.what == "ab":
        ab(a.old, a.module)
        return
    if a.what == "ab-ingest":
        ab_ingest(a.old, a.module, rounds=a.rounds, extra=(jvm_args(a.old_jvm_options) + a.old_module_args.split(),
                                                           jvm_args(a.jvm_options) + a.module_args.split()))
        return
    if a.what == "ab-range":
        ab_range(a.old, a.module, extra=(jvm_args(a.old_jvm_options) + a.old_module_args.split(),
                                         jvm_args(a.jvm_options) + a.module_args.split()))
        return
    if a.what == "ab-fresh":  # TS.MADD into fresh series: every chunk grows from empty
        ab_fresh(a.old, a.module, rounds=a.rounds)
        return
    todo = ["ingest", "madd", "memory", "range", "range-alone", "range-helper", "rules"] if a.what == "all" else [a.what]
    for w in todo:
        {"ingest": ingest, "madd": madd, "memory": memory, "series-memory": series_memory, "memory-shapes": memory_shapes, "range": range_scan, "range-alone": range_alone, "range-helper": range_helper,
         "rules": rules, "ops": ops}[w](a.module)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
