#!/usr/bin/env python3
"""Tail latency under mixed load, next to built-in commands of the same run.

mixed:    100,000 labelled series (host h0..h9999, region r0..r9, metric m0..m9); the
          1,000 series of region=r1 metric=m1 hold 1,000 samples each (one a second), the
          others one. For --seconds: 8 clients pipeline TS.ADD
          (batches of 100, the next timestamp of random series), 2 clients run
          TS.MRANGE - + FILTER region=r1 metric=m1 AGGREGATION avg 60000 one at a time, one
          client probes TS.GET of random series, one probes GET and HMGET of random keys
          (built-ins, the reference). Client-side latency of every call (a TS.ADD batch
          counts as one call): p50 / p99 / p99.9 / max in ms, plus the server's own
          percentiles from INFO latencystats.
creating: the same data; TS.MRANGE (as above) alone for --seconds, then while another
          client creates new labelled series as fast as it can (pipelined TS.CREATE, 1,000
          a batch; labels the MRANGE does not select, so it stays the same query); server-side
          usec per MRANGE (INFO commandstats) quiet and during creation, and their ratio. The
          new series are deleted after each round.

create:   the cost of creating labelled series: pipelined `TS.CREATE key LABELS host hN region
          rN metric mN` of --series keys (default 1,000,000) against `HSET key host hN region
          rN metric mN` of the same keys and labels in the same run (HSET first, FLUSHALL, then
          TS.CREATE); host h(i mod 50,000), region r(i mod 10), metric m(i mod 100), so
          host=h1 region=r1 matches 20 series of the million; server-side usec per call (INFO commandstats) and wall time of the pipe,
          and their ratios.

keyorder: --series (use 300000) TS.CREATE s:N LABELS g g(N mod 100) in random order, then 300
          pipelined TS.QUERYINDEX g=g7: server-side usec per call and p50/p99/max (latencystats);
          the max is the query that (re)builds the index's key ranks, or starts that build.

cold:     the first --seconds (use 15) of the mixed load (--driver loop) on a FRESH server,
          --rounds times per configuration: each --module with each --jvm-options (give several;
          "" = the defaults); the configurations alternate and swap order every round. Per
          client max/p99 per round, then median (min-max). --trap-log FILE adds
          -XX:+LogCompilation (to FILE, deleted after each server) and lists the uncommon
          traps compiled code hit: reason, action, method@bci, and phase (load = before the
          measured load, from the stamp; approximate to ~0.1 s).

With several --module builds, each gets its own server and the runs alternate.
mixed drivers: --driver procs (default, the first version) runs each of the 12 connections in
          its own Python process; on a 2-core machine those processes take 6-11 s of CPU per
          10 s and the server's main thread waits for a CPU for much of the run. --driver loop
          runs the same 12 connections (same commands, keys, timestamps and values) from one
          process with one selector loop (~1-2 s of CPU per 10 s). Each mixed round also
          prints the clients' CPU time and the server main thread's time on a CPU and waiting
          for one (/proc/PID/task/PID/schedstat). --warmup S runs the mixed load unmeasured for
          S seconds first (the JIT compiles and recompiles the hot paths in the first ~10 s).

usage: bench/latency_bench.py mixed|creating|create|keyorder|cold [--module A.so ...] [--seconds 20] [--rounds 1]
       [--series 1000000] [--jvm-options OPTS ...] [--keep-log DIR] [--driver procs|loop ...] [--warmup S]
       [--trap-log FILE]
"""
import argparse
import html
import multiprocessing as mp
import os
import random
import re
import resource
import selectors
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vts_bench as vb  # noqa: E402
from vts_bench import resp, T0  # noqa: E402

SERIES = 100_000
HOT_SAMPLES = 1_000
STEP = 1_000  # ms between samples


def labels(i):
    return ("host", "h%d" % (i % 10000), "region", "r%d" % (i % 10), "metric", "m%d" % ((i // 10) % 10))


def hot(i):
    return i % 100 == 11  # region=r1 metric=m1


def load(srv):
    cmds = []
    for i in range(SERIES):
        cmds.append(resp("TS.CREATE", "s:%06d" % i, "LABELS", *labels(i)))
        cmds.append(resp("SET", "k:%06d" % i, i))
        cmds.append(resp("HSET", "h:%06d" % i, "a", i, "b", i))
        if hot(i):
            args = ["TS.MADD"]
            for k in range(HOT_SAMPLES):
                args += ["s:%06d" % i, T0 + k * STEP, (i + k) % 97]
            cmds.append(resp(*args))
        else:
            cmds.append(resp("TS.ADD", "s:%06d" % i, T0, i % 97))
        if len(cmds) >= 50000:
            srv.pipe(b"".join(cmds))
            cmds = []
    srv.pipe(b"".join(cmds))


MRANGE = resp("TS.MRANGE", "-", "+", "AGGREGATION", "avg", 60000, "FILTER", "region=r1", "metric=m1")


def read_reply(f):
    """Reads one RESP reply from the buffered socket file; returns nothing (we only time it)."""
    line = f.readline()
    t = line[:1]
    if t in (b"+", b"-", b":", b",", b"_", b"#"):
        return
    if t == b"$":
        n = int(line[1:])
        if n >= 0:
            f.read(n + 2)
        return
    if t in (b"*", b"%", b"~"):
        n = int(line[1:])
        if t == b"%":
            n *= 2
        for _ in range(max(n, 0)):
            read_reply(f)
        return
    raise RuntimeError("bad reply: %r" % line)


def client(kind, port, seconds, seed, out):
    rnd = random.Random(seed)
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    lat = {}
    end = time.perf_counter() + seconds
    next_ts = T0 + HOT_SAMPLES * STEP + seed * 7
    while time.perf_counter() < end:
        if kind == "add":
            next_ts += 1
            payload = b"".join(resp("TS.ADD", "s:%06d" % rnd.randrange(SERIES), next_ts, rnd.randrange(1000))
                               for _ in range(100))
            names, n = ["TS.ADD x100"], 100
        elif kind == "mrange":
            payload, names, n = MRANGE, ["TS.MRANGE"], 1
        elif kind == "get":
            payload, names, n = resp("TS.GET", "s:%06d" % rnd.randrange(SERIES)), ["TS.GET"], 1
        elif kind == "builtin":
            i = rnd.randrange(SERIES)
            for name, payload in (("GET", resp("GET", "k:%06d" % i)), ("HMGET", resp("HMGET", "h:%06d" % i, "a", "b"))):
                t = time.perf_counter()
                s.sendall(payload)
                read_reply(f)
                lat.setdefault(name, []).append(time.perf_counter() - t)
            continue
        t = time.perf_counter()
        s.sendall(payload)
        for _ in range(n):
            read_reply(f)
        lat.setdefault(names[0], []).append(time.perf_counter() - t)
    s.close()
    out.put((lat, cpu_seconds()))


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# --driver loop: the same 12 connections from ONE process (one selector loop), so that the
# load generator takes little CPU from the server on a small machine. The TS.ADD batches
# are built from pre-encoded pieces and their replies (one line each) counted, not parsed;
# each TS.MRANGE is followed in the same write by ECHO of a token, so its reply is complete
# when the buffer ends with the token's reply (no parsing of ~50,000 elements in Python).
ECHO_TOKEN = b"mrange-done-7f3a"
ECHO = resp("ECHO", ECHO_TOKEN)
ECHO_REPLY = b"$%d\r\n%s\r\n" % (len(ECHO_TOKEN), ECHO_TOKEN)


def small_reply_end(buf, i=0):
    """End offset of the RESP2 reply starting at buf[i], or -1 while incomplete (small replies only)."""
    j = buf.find(b"\r\n", i)
    if j < 0:
        return -1
    t = buf[i:i + 1]
    if t == b"$":
        n = int(buf[i + 1:j])
        if n < 0:
            return j + 2
        return j + 2 + n + 2 if len(buf) >= j + 2 + n + 2 else -1
    if t == b"*":
        k = j + 2
        for _ in range(max(int(buf[i + 1:j]), 0)):
            k = small_reply_end(buf, k)
            if k < 0:
                return -1
        return k
    return j + 2  # + - :


class LoopConn:
    def __init__(self, kind, port, seed):
        self.kind, self.seed = kind, seed
        self.rnd = random.Random(seed)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.next_ts = T0 + HOT_SAMPLES * STEP + seed * 7
        self.buf = bytearray()
        self.step = 0  # builtin: 0 = GET, 1 = HMGET (of the same random key)

    def send(self, keys, vals):
        rnd = self.rnd
        if self.kind == "add":
            self.next_ts += 1
            ts = b"$%d\r\n%d\r\n" % (len(str(self.next_ts)), self.next_ts)
            parts = []
            for k, v in zip(rnd.choices(keys, k=100), rnd.choices(vals, k=100)):
                parts += (k, ts, v)
            payload, self.name = b"".join(parts), "TS.ADD x100"
        elif self.kind == "mrange":
            payload, self.name = MRANGE + ECHO, "TS.MRANGE"
        elif self.kind == "get":
            payload, self.name = resp("TS.GET", "s:%06d" % rnd.randrange(SERIES)), "TS.GET"
        elif self.step == 0:
            self.key = rnd.randrange(SERIES)
            payload, self.name = resp("GET", "k:%06d" % self.key), "GET"
        else:
            payload, self.name = resp("HMGET", "h:%06d" % self.key, "a", "b"), "HMGET"
        del self.buf[:]
        self.t = time.perf_counter()
        self.sock.sendall(payload)

    def complete(self):
        if self.kind == "add":
            return self.buf.count(b"\r\n") >= 100
        if self.kind == "mrange":
            return self.buf.endswith(ECHO_REPLY)
        return small_reply_end(self.buf) >= 0


def loop_driver(kinds, port, seconds, out):
    # "*4 TS.ADD key" pre-encoded per series; values 0..999 pre-encoded
    keys = [b"*4" + resp("TS.ADD", "s:%06d" % i)[2:] for i in range(SERIES)]
    vals = [b"$%d\r\n%d\r\n" % (len(str(v)), v) for v in range(1000)]
    sel = selectors.DefaultSelector()
    conns = [LoopConn(k, port, i) for i, k in enumerate(kinds)]
    cpu0 = cpu_seconds()
    end = time.perf_counter() + seconds
    for c in conns:
        c.send(keys, vals)
        sel.register(c.sock, selectors.EVENT_READ, c)
    lat, live = {}, len(conns)
    while live:
        for key, _ in sel.select():
            c = key.data
            data = c.sock.recv(1 << 20)
            if not data:
                raise RuntimeError("server closed the connection")
            c.buf += data
            if not c.complete():
                continue
            now = time.perf_counter()
            lat.setdefault(c.name, []).append(now - c.t)
            if c.kind == "builtin":
                c.step ^= 1
            if now < end or (c.kind == "builtin" and c.step == 1):
                c.send(keys, vals)
            else:
                sel.unregister(c.sock)
                c.sock.close()
                live -= 1
    out.put((lat, cpu_seconds() - cpu0))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def latencystats(srv):
    out = {}
    for k, v in srv.info("latencystats").items():
        if k.startswith("latency_percentiles_usec_"):
            out[k[len("latency_percentiles_usec_"):]] = v
    return out


def sched(pid):
    """The server: main thread's (ns on a CPU, ns waiting for one, involuntary switches), all threads' CPU ns."""
    with open("/proc/%d/task/%d/schedstat" % (pid, pid)) as f:
        run, wait, _ = (int(x) for x in f.read().split())
    with open("/proc/%d/task/%d/status" % (pid, pid)) as f:
        invol = int([ln for ln in f if ln.startswith("nonvoluntary_ctxt_switches")][0].split()[1])
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) * 1e9 / os.sysconf("SC_CLK_TCK")  # utime + stime
    return run, wait, invol, cpu


def mixed(srv, seconds, driver, ratios=None):
    # p100 is the server's own max per command (excludes time waiting in sockets)
    srv.cli("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9 100")
    srv.cli("CONFIG", "SET", "latency-monitor-threshold", "5")
    srv.cli("LATENCY", "RESET")
    srv.cli("CONFIG", "RESETSTAT")
    q = mp.Queue()
    kinds = ["add"] * 8 + ["mrange"] * 2 + ["get", "builtin"]
    if driver == "procs":  # one process per connection (the first version of this bench)
        procs = [mp.Process(target=client, args=(k, srv.port, seconds, i, q)) for i, k in enumerate(kinds)]
    else:
        procs = [mp.Process(target=loop_driver, args=(kinds, srv.port, seconds, q))]
    s0, w0 = sched(srv.proc.pid), time.perf_counter()
    for p in procs:
        p.start()
    lat, client_cpu = {}, 0.0
    for _ in procs:
        got, cpu = q.get()
        client_cpu += cpu
        for k, v in got.items():
            lat.setdefault(k, []).extend(v)
    for p in procs:
        p.join()
    s1, wall = sched(srv.proc.pid), time.perf_counter() - w0
    lines = ["  %d client process(es) used %.1f s CPU in %.1f s; server main thread %.1f s on a CPU, %.1f s "
             "waiting for one, %d involuntary switches; server process (all threads) %.1f s CPU"
             % (len(procs), client_cpu, wall, (s1[0] - s0[0]) / 1e9, (s1[1] - s0[1]) / 1e9, s1[2] - s0[2],
                (s1[3] - s0[3]) / 1e9)]
    for name in ("TS.ADD x100", "TS.MRANGE", "TS.GET", "GET", "HMGET"):
        xs = lat.get(name, [])
        if not xs:
            continue
        p99 = pct(xs, 0.99)
        if ratios is not None:
            ratios[name] = (max(xs) / p99, p99 * 1e3, max(xs) * 1e3)
        lines.append("  %-12s calls %7d  p50 %7.3f  p99 %7.3f  p99.9 %7.3f  max %7.3f ms  max/p99 %5.1f"
                     % (name, len(xs), pct(xs, 0.5) * 1e3, p99 * 1e3, pct(xs, 0.999) * 1e3, max(xs) * 1e3,
                        max(xs) / p99))
    ls = latencystats(srv)
    for name in ("ts.add", "ts.mrange", "ts.get", "get", "hmget"):
        if name in ls:
            lines.append("  server %-10s %s" % (name, ls[name]))
    latest = srv.cli("LATENCY", "LATEST").split()
    for i in range(0, len(latest) - 3, 4):  # event, time, latest ms, max ms
        lines.append("  latency monitor %-14s max %s ms" % (latest[i], latest[i + 3]))
    return "\n".join(lines)


# cold: the first seconds of the mixed load on a fresh server, per JVM option set.
# With -XX:+LogCompilation the JVM writes one XML line per uncommon trap that compiled code
# hits at run time (reason, action, stamp = seconds since JVM start, then the method).
TRAP = re.compile(r"<uncommon_trap thread='\d+' reason='([^']+)' action='([^']+)'[^>]*stamp='([\d.]+)'>\s*"
                  r"<jvms bci='(\d+)' method='([^']+)'")
CLIENTS = ("TS.ADD x100", "TS.MRANGE", "TS.GET", "GET", "HMGET")


def traps(path, mixed_from):
    """(phase, reason, action, method:bci) -> count, phase = load (before the measured load) or mixed."""
    counts = {}
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return counts
    for reason, action, stamp, bci, method in TRAP.findall(text):
        method = html.unescape(method)
        if not method.startswith("vts") and method.count(" ") >= 2:
            method = method.rsplit(" ", 1)[0]  # JDK methods without their signature
        key = ("mixed" if float(stamp) >= mixed_from else "load", reason, action, "%s@%s" % (method, bci))
        counts[key] = counts.get(key, 0) + 1
    return counts


def cold(modules, variants, seconds, rounds, trap_log, keep_log, module_args=("",)):
    # a configuration: (module, JVM_OPTIONS, extra module arguments such as "jit-warmup 0")
    configs = [(m, v, x) for m in modules for v in variants for x in module_args]
    results = {c: [] for c in range(len(configs))}
    for r in range(rounds):
        order = list(range(len(configs)))
        if r % 2:
            order.reverse()  # alternate who goes first
        for c in order:
            module, opts, margs = configs[c]
            if trap_log:
                opts = (opts + " -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=%s" % trap_log).strip()
            t0 = time.time()
            srv = vb.Server(module, (["JVM_OPTIONS", opts] if opts else []) + margs.split())
            try:
                load(srv)
                srv.pipe(MRANGE * 30)
                mixed_from = time.time() - t0
                with open(os.path.join(srv.dir, "server.log"), errors="replace") as f:
                    warm = [ln.strip() for ln in f if "JIT warm-up" in ln]
                ratios = {}
                text = mixed(srv, seconds, "loop", ratios)
                results[c].append(ratios)
                print("round %d config %s (%s, JVM_OPTIONS %r, args %r), first %.0f s of mixed load, %.1f s after start:\n%s"
                      % (r, "ABCDEFGH"[c], module, opts, margs, seconds, mixed_from, text))
                for ln in warm:
                    print("  server log: " + ln)
                srv.proc.terminate()
                srv.proc.wait(timeout=60)
                if trap_log:
                    found = traps(trap_log, mixed_from)
                    for (phase, reason, action, where), n in sorted(found.items(), key=lambda kv: -kv[1]):
                        print("  trap %-5s %-22s %-14s %3d  %s" % (phase, reason, action, n, where))
                    os.unlink(trap_log)
                if keep_log:
                    os.makedirs(keep_log, exist_ok=True)
                    shutil.copy(os.path.join(srv.dir, "server.log"),
                                os.path.join(keep_log, "server-%d-%s.log" % (r, "ABCDEFGH"[c])))
            finally:
                srv.close()
            sys.stdout.flush()
    print("max/p99 per client over %d fresh servers each: median (min-max) [per round]" % rounds)
    for c, (module, opts, margs) in enumerate(configs):
        print("config %s: %s, JVM_OPTIONS %r, args %r" % ("ABCDEFGH"[c], module, opts, margs))
        for name in CLIENTS:
            xs = [res[name][0] for res in results[c] if name in res]
            p99 = [res[name][1] for res in results[c] if name in res]
            if xs:
                print("  %-12s max/p99 %5.1f (%.1f-%.1f) [%s]  p99 ms median %.1f"
                      % (name, sorted(xs)[len(xs) // 2], min(xs), max(xs), " ".join("%.1f" % x for x in xs),
                         sorted(p99)[len(p99) // 2]))


def creator(port, seconds, out):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    n, i = 0, 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        # region r0..r9 as the loaded series, but a metric the MRANGE does not select: the
        # query stays the same while the index it reads changes under it
        payload = b"".join(resp("TS.CREATE", "new:%d:%d" % (port, i + j), "LABELS", "host", "n%d" % (i + j),
                                "region", "r%d" % ((i + j) % 10), "metric", "n%d" % ((i + j) % 7))
                           for j in range(1000))
        s.sendall(payload)
        for _ in range(1000):
            read_reply(f)
        i += 1000
        n += 1000
    s.close()
    out.put(n)


def mrange_for(srv, seconds):
    t = time.perf_counter()
    while time.perf_counter() - t < seconds:
        srv.pipe(MRANGE * 10)


def creating(srv, seconds):
    srv.cli("CONFIG", "RESETSTAT")
    mrange_for(srv, seconds)
    quiet = srv.usec_per_call("ts.mrange")
    srv.cli("CONFIG", "RESETSTAT")
    q = mp.Queue()
    p = mp.Process(target=creator, args=(srv.port, seconds, q))
    p.start()
    mrange_for(srv, seconds)
    created = q.get()
    p.join()
    busy = srv.usec_per_call("ts.mrange")
    create = srv.usec_per_call("ts.create")
    # drop what was created, so that every round starts from the same 100,000 series
    for lo in range(0, created, 10000):
        srv.pipe(resp("DEL", *["new:%d:%d" % (srv.port, k) for k in range(lo, min(created, lo + 10000))]))
    return ("  TS.MRANGE quiet %.0f us/call (%d calls), while creating %.0f us/call (%d calls): %.2fx; "
            "%d series created, TS.CREATE %.1f us/call"
            % (quiet[0], quiet[1], busy[0], busy[1], busy[0] / quiet[0], created, create[0] if create else 0))


def create_payloads(n):
    def lab(i):
        return ("host", "h%d" % (i % 50000), "region", "r%d" % (i % 10), "metric", "m%d" % (i % 100))
    hset = [b"".join(resp("HSET", "c:%07d" % i, *lab(i)) for i in range(lo, min(n, lo + 100_000)))
            for lo in range(0, n, 100_000)]
    create = [b"".join(resp("TS.CREATE", "c:%07d" % i, "LABELS", *lab(i)) for i in range(lo, min(n, lo + 100_000)))
              for lo in range(0, n, 100_000)]
    return hset, create


def timed_pipes(srv, command, payloads):
    srv.cli("CONFIG", "RESETSTAT")
    wall = sum(srv.pipe(p) for p in payloads)
    return wall, srv.usec_per_call(command)[0]


def create(srv, payloads):
    hset, tscreate = payloads
    srv.cli("FLUSHALL")
    hw, hu = timed_pipes(srv, "hset", hset)
    srv.cli("FLUSHALL")
    cw, cu = timed_pipes(srv, "ts.create", tscreate)
    srv.cli("FLUSHALL")
    return ("  HSET %.2f us/call (%.1f s wall), TS.CREATE %.2f us/call (%.1f s wall): %.2fx server side, %.2fx wall"
            % (hu, hw, cu, cw, cu / hu, cw / hw))


def keyorder(srv, n):
    """The label index's key-rank build: n series created in random order, then queries."""
    ids = list(range(n))
    random.Random(3).shuffle(ids)
    srv.cli("FLUSHALL")
    for lo in range(0, n, 50_000):
        srv.pipe(b"".join(resp("TS.CREATE", "s:%d" % i, "LABELS", "g", "g%d" % (i % 100)) for i in ids[lo:lo + 50_000]))
    srv.cli("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 100")
    srv.cli("CONFIG", "RESETSTAT")
    srv.pipe(resp("TS.QUERYINDEX", "g=g7") * 300)
    stats = latencystats(srv).get("ts.queryindex")
    usec = srv.usec_per_call("ts.queryindex")
    srv.cli("FLUSHALL")
    return "  %d series in random order, 300 x TS.QUERYINDEX g=g7 (%d matches): %.0f us/call, %s" % (
        n, n // 100, usec[0], stats)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["mixed", "creating", "create", "keyorder", "cold"])
    ap.add_argument("--series", type=int, default=1_000_000, help="series to create (create)")
    ap.add_argument("--module", action="append")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--warmup", type=float, default=0,
                    help="mixed: seconds of the same mixed load, not measured, before the first round")
    ap.add_argument("--jvm-options", action="append",
                    help="JVM_OPTIONS for the module; cold: give several (\"\" = the defaults) to compare")
    ap.add_argument("--trap-log", metavar="FILE",
                    help="cold: add -XX:+LogCompilation to FILE and count the uncommon traps hit, by phase")
    ap.add_argument("--driver", choices=["procs", "loop"], action="append",
                    help="mixed: one client process per connection (procs, the default), or all connections "
                         "from one loop; give both to run each in every round")
    ap.add_argument("--module-args", action="append",
                    help="cold: extra module arguments, e.g. \"jit-warmup 0\"; give several (\"\" = none) to compare")
    ap.add_argument("--keep-log", metavar="DIR", help="copy each server's log (JVM -Xlog output lands there) into DIR")
    a = ap.parse_args()
    modules = a.module or [os.path.join(vb.ROOT, "target", "libvalkeyts.so")]
    if a.workload == "cold":
        return cold(modules, a.jvm_options or [""], a.seconds, a.rounds, a.trap_log, a.keep_log, a.module_args or [""])
    extra = ["JVM_OPTIONS", a.jvm_options[0]] if a.jvm_options and a.jvm_options[0] else []
    servers = []
    try:
        for m in modules:
            srv = vb.Server(m, extra)
            servers.append(srv)
            if a.workload not in ("create", "keyorder"):
                load(srv)
                srv.pipe(MRANGE * 30)  # warm-up
            if a.workload == "mixed" and a.warmup > 0:
                mixed(srv, a.warmup, (a.driver or ["procs"])[0])  # unmeasured: the JIT settles
        payloads = create_payloads(a.series) if a.workload == "create" else None
        for r in range(a.rounds):
            for i, srv in enumerate(servers):
                if a.workload == "create":
                    text = create(srv, payloads)
                    print("round %d %s (%s):\n%s" % (r, "ABCDEFGH"[i], modules[i], text))
                elif a.workload == "keyorder":
                    print("round %d %s (%s):\n%s" % (r, "ABCDEFGH"[i], modules[i], keyorder(srv, a.series)))
                elif a.workload == "creating":
                    print("round %d %s (%s):\n%s" % (r, "ABCDEFGH"[i], modules[i], creating(srv, a.seconds)))
                else:
                    for d in a.driver or ["procs"]:
                        print("round %d %s, driver %s (%s):\n%s" % (r, "ABCDEFGH"[i], d, modules[i],
                                                                   mixed(srv, a.seconds, d)))
                        sys.stdout.flush()
                sys.stdout.flush()
    finally:
        for i, srv in enumerate(servers):
            if a.keep_log:
                os.makedirs(a.keep_log, exist_ok=True)
                shutil.copy(os.path.join(srv.dir, "server.log"), os.path.join(a.keep_log, "server-%s.log" % "ABCDEFGH"[i]))
            srv.close()


if __name__ == "__main__":
    main()
