#!/usr/bin/env python3
"""Multi-series queries through a 3-primary Valkey Cluster against one node holding the same data.

Starts four valkey-server processes with the module on 127.0.0.1 (free ports, temp dirs, no
persistence): three cluster-enabled primaries (slots split evenly) and one plain node. Both get
the same 10,000 series (label grp=g0..g9, 1,000 series each; the 1,000 series of grp=g1 hold
1,000 samples one second apart, the others 10). Then, in alternating rounds, each query runs
on the single node and on one cluster primary (the coordinator, which fans out over the
cluster bus):

  TS.MRANGE - + AGGREGATION avg 60000 FILTER grp=g1   (~1,000 series, 17 buckets each)
  TS.MGET FILTER grp=g1                                (~1,000 series)

and reports, per query: the client-observed latency (valkey-benchmark, one connection,
median of the rounds' p50s), the server-side time per call (INFO commandstats of the node that
got the command; for the cluster that is the coordinator's parse, local shard work and merge),
the CPU time of all server processes per call (utime+stime from /proc, so the shards' work,
the bus handling and the merge all count, waiting does not), and what crossed the bus: module
messages per query (CLUSTER INFO cluster_stats_messages_module_sent) and payload bytes per
query (the module's counter, TS._DEBUG CLUSTERSTATS cluster_bytes_sent summed over the nodes;
cross-checked with the bytes the cluster nodes wrote, /proc/<pid>/io wchar, minus the reply
bytes the single node wrote for the same query).

All servers share this machine's cores, so the ratios measure the fan-out's overhead, not a
cluster's speed-up.

With --profile SECONDS it runs no comparison: it starts only the cluster (JVM with a perf map
and frame pointers), loops each query on the coordinator for SECONDS while `perf record -g`
samples every cluster node, and prints per node the CPU ms per call (all threads, and the main thread that serves
commands and the bus) and the main thread's functions with the most inclusive time (needs perf and jcmd; run as a user allowed to perf other processes).

usage: bench/cluster_bench.py [--module target/libvalkeyts.so] [--old OLD/libvalkeyts.so] [--rounds 5] [--series 10000]
       [--warmup SECONDS]
       bench/cluster_bench.py --profile 10 [--module ...] [--only mget|mrange]
"""
import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from vts_bench import Server, free_port, resp  # noqa: E402

SLOTS = 16384
T0 = 1_700_000_000_000
HZ = os.sysconf("SC_CLK_TCK")


def crc16(data):
    """CRC16-CCITT (XMODEM), the cluster's key hash."""
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key):
    k = key.encode()
    s = k.find(b"{")
    if s >= 0:
        e = k.find(b"}", s + 1)
        if e > s + 1:
            k = k[s + 1:e]
    return crc16(k) % SLOTS


class Node(Server):
    """A server of vts_bench with cluster mode and JVM options, and the counters this bench reads."""

    def __init__(self, module, cluster, jvm_options=None):
        extra = ["JVM_OPTIONS", jvm_options] if jvm_options else []
        if cluster:
            self.bus = free_port()
            extra += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                      "--cluster-port", str(self.bus), "--cluster-node-timeout", "15000"]
        super().__init__(module, extra)

    def pipe(self, payload):
        done = subprocess.run(["valkey-cli", "-p", str(self.port), "--pipe"], input=payload, capture_output=True)
        out = done.stdout.decode() + done.stderr.decode()
        if done.returncode != 0 or "errors: 0" not in out:
            raise RuntimeError("pipe reported errors: " + out)

    def cluster_info(self):
        return dict(l.split(":", 1) for l in self.cli("CLUSTER", "INFO").split() if ":" in l)

    def usec_per_call(self, command):
        stats = {k.lower(): v for k, v in self.info("commandstats").items()}.get("cmdstat_" + command.lower())
        if not stats:
            return None
        fields = dict(kv.split("=") for kv in stats.split(","))
        return float(fields["usec_per_call"])

    def compilations(self):
        """Lines in the JIT's compilation log (profile runs only)."""
        try:
            with open(os.path.join(self.dir, "jit.log"), "rb") as f:
                return sum(1 for _ in f)
        except OSError:
            return 0

    def cpu_seconds(self, main_thread=False):
        path = "/proc/%d/task/%d/stat" % (self.proc.pid, self.proc.pid) if main_thread else "/proc/%d/stat" % self.proc.pid
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ  # utime, stime

    def written_bytes(self):
        with open("/proc/%d/io" % self.proc.pid) as f:
            return int(dict(l.split(": ") for l in f.read().splitlines())["wchar"])

    def module_bus_bytes(self):
        """The module's own count of payload bytes this node sent over the bus (TS._DEBUG CLUSTERSTATS), or None."""
        out = subprocess.run(["valkey-cli", "-p", str(self.port), "TS._DEBUG", "CLUSTERSTATS"],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("cluster_bytes_sent:"):
                return int(line.split(":", 1)[1])
        return None



def start_cluster(module, n=3, jvm_options=None):
    nodes = [Node(module, True, jvm_options) for _ in range(n)]
    for i, s in enumerate(nodes):
        s.cli("CLUSTER", "SET-CONFIG-EPOCH", i + 1)
        s.cli("CLUSTER", "ADDSLOTSRANGE", i * SLOTS // n, (i + 1) * SLOTS // n - 1)
    for s in nodes[1:]:
        nodes[0].cli("CLUSTER", "MEET", "127.0.0.1", s.port, s.bus)
    for _ in range(1200):
        if all(s.cluster_info().get("cluster_state") == "ok" and s.cluster_info().get("cluster_known_nodes") == str(n)
               for s in nodes):
            return nodes
        time.sleep(0.1)
    raise RuntimeError("cluster did not reach cluster_state:ok")


def dataset(series, match_samples=1000, other_samples=10):
    """{key: [TS.CREATE + TS.MADD commands]}; deterministic."""
    rnd = random.Random(7)
    out = {}
    for i in range(series):
        key = "s:%d" % i
        grp = "g%d" % (i % 10)
        cmds = [resp("TS.CREATE", key, "LABELS", "grp", grp, "host", "h%d" % (i % 1000))]
        n = match_samples if grp == "g1" else other_samples
        walk = 100.0
        for b in range(0, n, 200):
            args = ["TS.MADD"]
            for j in range(b, min(b + 200, n)):
                walk += rnd.uniform(-1, 1)
                args += [key, T0 + j * 1000, "%.2f" % walk]
            cmds.append(resp(*args))
        out[key] = cmds
    return out


def load(single, cluster, data):
    if single:
        single.pipe(b"".join(c for cmds in data.values() for c in cmds))
    per = {}
    n = len(cluster)
    for key, cmds in data.items():
        slot = key_slot(key)
        owner = next(c for i, c in enumerate(cluster) if i * SLOTS // n <= slot < (i + 1) * SLOTS // n)
        per.setdefault(owner, []).extend(cmds)
    for node, cmds in per.items():
        node.pipe(b"".join(cmds))
    total = sum(int(s.cli("DBSIZE")) for s in cluster)
    if total != len(data) or (single and int(single.cli("DBSIZE")) != len(data)):
        raise RuntimeError("loaded %d keys in the cluster, %s on the single node" % (total, single and single.cli("DBSIZE")))


def bench_latency(node, calls, query):
    out = subprocess.run(["valkey-benchmark", "-p", str(node.port), "-c", "1", "-n", str(calls), "--csv", *query],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()
    head = [h.strip('"') for h in out[0].split(",")]
    row = [v.strip('"') for v in out[-1].split(",")]
    return dict(zip(head, row))


def round_(target, everyone, calls, query, command):
    """One round on target: returns client p50 ms, server usec/call, CPU ms/call, module messages/call, bytes written/call."""
    for s in everyone:
        s.cli("CONFIG", "RESETSTAT")
    cpu0 = [s.cpu_seconds() for s in everyone]
    wb0 = [s.written_bytes() for s in everyone]
    msg0 = [int(s.cluster_info().get("cluster_stats_messages_module_sent", 0)) for s in everyone] if len(everyone) > 1 else [0]
    bus0 = [s.module_bus_bytes() for s in everyone]
    lat = bench_latency(target, calls, query)
    cpu1 = [s.cpu_seconds() for s in everyone]
    wb1 = [s.written_bytes() for s in everyone]
    msg1 = [int(s.cluster_info().get("cluster_stats_messages_module_sent", 0)) for s in everyone] if len(everyone) > 1 else [0]
    bus1 = [s.module_bus_bytes() for s in everyone]
    usec = target.usec_per_call(command)
    bus = None if None in bus0 + bus1 else (sum(bus1) - sum(bus0)) / calls
    return {
        "p50": float(lat["p50_latency_ms"]),
        "avg": float(lat["avg_latency_ms"]),
        "usec": usec,
        "cpu": (sum(cpu1) - sum(cpu0)) * 1000 / calls,
        "cpu_target": (cpu1[everyone.index(target)] - cpu0[everyone.index(target)]) * 1000 / calls,
        "msgs": (sum(msg1) - sum(msg0)) / calls,
        "written": (sum(wb1) - sum(wb0)) / calls,
        "bus": bus,
    }


PROFILE_JVM = "-XX:+StartAttachListener -XX:+PreserveFramePointer -Xlog:jit+compilation=debug:file=jit.log"


def profile(cluster, queries, seconds, outdir):
    """Loops each query on cluster[0] while perf samples every node; prints CPU per call and the top functions."""
    coordinator = cluster[0]
    for name, command, calls, query in queries:
        until = time.time() + 5
        while time.time() < until:
            bench_latency(coordinator, calls * 2, query)  # warm-up: JIT
        for s in cluster:
            s.cli("CONFIG", "RESETSTAT")
        load = subprocess.Popen(["valkey-benchmark", "-p", str(coordinator.port), "-c", "1", "-n", "100000000", "-q", *query],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        cpu0 = [s.cpu_seconds() for s in cluster]
        main0 = [s.cpu_seconds(main_thread=True) for s in cluster]
        jit0 = [s.compilations() for s in cluster]
        n0 = int(dict(kv.split("=") for kv in coordinator.info("commandstats")["cmdstat_" + command].split(","))["calls"])
        data = [os.path.join(outdir, "%s-%d.data" % (command, i)) for i in range(len(cluster))]
        perfs = [subprocess.Popen(["perf", "record", "-F", "999", "-g", "-o", d, "-t", str(s.proc.pid), "--", "sleep", str(seconds)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for s, d in zip(cluster, data)]
        for p in perfs:
            p.wait()
        n1 = int(dict(kv.split("=") for kv in coordinator.info("commandstats")["cmdstat_" + command].split(","))["calls"])
        cpu1 = [s.cpu_seconds() for s in cluster]
        main1 = [s.cpu_seconds(main_thread=True) for s in cluster]
        jit1 = [s.compilations() for s in cluster]
        load.terminate()
        load.wait()
        calls_done = max(1, n1 - n0)
        for s in cluster:
            subprocess.run(["jcmd", str(s.proc.pid), "Compiler.perfmap"], capture_output=True)
        print("\n%s: %d calls in %.0f s (%.2f ms per call wall)" % (name, calls_done, seconds, seconds * 1000 / calls_done))
        for i, (s, d) in enumerate(zip(cluster, data)):
            role = "coordinator" if i == 0 else "shard %d" % i
            print("  %s (pid %d): CPU per call %.3f ms, of it the main thread %.3f ms (sampled below); %d JIT compilations meanwhile"
                  % (role, s.proc.pid, (cpu1[i] - cpu0[i]) * 1000 / calls_done, (main1[i] - main0[i]) * 1000 / calls_done,
                     jit1[i] - jit0[i]))
            rep = subprocess.run(["perf", "report", "-i", d, "--children", "--stdio", "-g", "none", "--percent-limit", "3",
                                  "--sort", "sym"], capture_output=True, text=True).stdout
            lines = [l for l in rep.splitlines() if l.strip() and not l.startswith("#")]
            for l in lines[:40]:
                print("    " + l.rstrip()[:160])


def med(rows, k):
    vals = [r[k] for r in rows if r[k] is not None]
    if not vals:
        return None, None, None
    return statistics.median(vals), min(vals), max(vals)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", default=os.path.join(ROOT, "target", "libvalkeyts.so"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--series", type=int, default=10000)
    ap.add_argument("--profile", type=float, default=0, help="perf-sample every cluster node for this many seconds per query")
    ap.add_argument("--only", choices=["mrange", "mget"])
    ap.add_argument("--old", help="also a 3-primary cluster with this (older) module build, measured in the same rounds")
    ap.add_argument("--warmup", type=float, default=0,
                    help="seconds of calls per query and server before the rounds (0: one pass of 2x a round's calls)")
    args = ap.parse_args()
    module = os.path.abspath(args.module)
    queries = [
        ("TS.MRANGE avg 60000", "ts.mrange", 20, ["TS.MRANGE", "-", "+", "AGGREGATION", "avg", "60000", "FILTER", "grp=g1"]),
        ("TS.MGET", "ts.mget", 100, ["TS.MGET", "FILTER", "grp=g1"]),
    ]
    if args.only:
        queries = [q for q in queries if q[1] == "ts." + args.only]
    single = None if args.profile else Node(module, False)
    cluster, old = [], []
    try:
        cluster = start_cluster(module, jvm_options=PROFILE_JVM if args.profile else None)
        if args.old and not args.profile:
            old = start_cluster(os.path.abspath(args.old))
        t = time.time()
        data = dataset(args.series)
        load(single, cluster, data)
        if old:
            load(None, old, data)
        print("loaded %d series into %sa 3-primary cluster%s in %.0f s"
              % (args.series, "" if args.profile else "the single node and ", " (and one with the old build)" if old else "",
                 time.time() - t))
        if args.profile:
            outdir = tempfile.mkdtemp(prefix="vts-cprof-")
            profile(cluster, queries, args.profile, outdir)
            print("perf data: " + outdir)
            return
        setups = [("single", single, [single]), ("cluster", cluster[0], cluster)]
        if old:
            setups.insert(1, ("old cluster", old[0], old))
        for name, command, calls, query in queries:
            for _, node, _ in setups:  # warm-up: JIT (C2 needs ~10,000 calls of a method), allocator
                until = time.time() + args.warmup
                bench_latency(node, calls * 2, query)
                while time.time() < until:
                    bench_latency(node, calls * 2, query)
            rows = {label: [] for label, _, _ in setups}
            for _ in range(args.rounds):
                for label, node, everyone in setups:
                    rows[label].append(round_(node, everyone, calls, query, command))
            print("\n%s over ~%d series (%d rounds of %d calls; median [min-max] of the rounds)"
                  % (name, args.series // 10, args.rounds, calls))
            fmt = lambda m: "%.3f [%.3f-%.3f]" % m if m[0] is not None else "n/a"
            for what, key, unit in (("client-observed p50", "p50", "ms"), ("server side, node that got it", "usec", "us"),
                                    ("CPU of all servers per call", "cpu", "ms"),
                                    ("CPU of the node that got it", "cpu_target", "ms")):
                s = med(rows["single"], key)
                line = "  %-36s single %-24s" % (what + " (" + unit + ")", fmt(s))
                for label, _, _ in setups[1:]:
                    c = med(rows[label], key)
                    ratio = c[0] / s[0] if s[0] and c[0] is not None else float("nan")
                    line += " %s %-24s (%.2fx)" % (label, fmt(c), ratio)
                print(line)
            reply = med(rows["single"], "written")[0]
            for label, _, _ in setups[1:]:
                written = med(rows[label], "written")[0]
                msgs = med(rows[label], "msgs")[0]
                bus = med(rows[label], "bus")[0]
                print("  bus per query, %s: %.1f module messages; %s bytes by the module's count; %.0f bytes written by all"
                      " cluster nodes minus the %.0f-byte reply = %.0f" % (
                          label, msgs, "%.0f" % bus if bus is not None else "n/a", written, reply, written - reply))
    finally:
        for s in cluster + old + ([single] if single else []):
            try:
                s.close()
            except Exception as e:  # keep stopping the others
                print("stopping %d: %s" % (s.port, e), file=sys.stderr)


if __name__ == "__main__":
    main()
