#!/usr/bin/env python3
"""How much of the server's main thread goes to growing chunks: perf (call graphs, the JVM's
perf map) on the main thread while 1,000 fresh series get 1,000 samples each, by TS.MADD in
batches of 100 (default) or by TS.ADD, FLUSHALL between rounds; then the share of samples whose
stack holds a growth frame (Chunks.grow/newChunk, Mem.realloc/calloc/usableSize, zrealloc,
VM_Realloc, VM_MallocUsableSize), the share in page faults, and the share per DSO.

    python3 bench/growth_profile.py --module target/libvalkeyts.so [--workload add] [--rounds 4]

Needs perf and jcmd (JAVA_HOME or PATH).
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jit_profile as jp  # noqa: E402
import vts_bench as vb  # noqa: E402

GROWTH = re.compile(r"Chunks\.grow|Chunks\.newChunk|Mem\.realloc|Mem\.calloc|Mem\.usableSize|zrealloc|VM_Realloc|"
                    r"VM_MallocUsableSize")


def add_payload(series=1000, samples=1000):
    rnd = vb.random.Random(2)
    return b"".join(vb.resp("TS.ADD", "ts:%d" % s, vb.T0 + i * 1000, "%.2f" % (rnd.random() * 100))
                    for i in range(samples) for s in range(series))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", default=os.path.join(vb.ROOT, "target", "libvalkeyts.so"))
    ap.add_argument("--workload", choices=["madd", "add"], default="madd")
    ap.add_argument("--rounds", type=int, default=4, help="workload runs while perf records")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vts-growprof-")
    payload = jp.madd_payload() if args.workload == "madd" else add_payload()
    srv = vb.Server(os.path.abspath(args.module), ["JVM_OPTIONS", jp.JVM])
    pid = srv.proc.pid
    data = os.path.join(work, "perf.data")
    try:
        for _ in range(3):  # warm up: the methods compiled by C2
            srv.pipe(payload)
            srv.cli("FLUSHALL")
        srv.cli("CONFIG", "RESETSTAT")
        perf = subprocess.Popen(["perf", "record", "-q", "-g", "-F", "4000", "-t", str(pid), "-o", data],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        for _ in range(args.rounds):
            srv.pipe(payload)
            srv.cli("FLUSHALL")
        perf.send_signal(2)
        perf.wait()
        cmd = "ts.madd" if args.workload == "madd" else "ts.add"
        us, _ = srv.usec_per_call(cmd)
        subprocess.run([jp.jcmd(), str(pid), "Compiler.perfmap"], capture_output=True, check=True)
        out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso"], capture_output=True,
                             text=True).stdout
    finally:
        srv.close()
    total = growth = faults = 0
    dsos = collections.Counter()
    for block in out.split("\n\n"):
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        total += 1
        growth += any(GROWTH.search(ln) for ln in lines)
        faults += any("exc_page_fault" in ln for ln in lines)
        m = re.search(r"\(([^()]*)\)\s*$", lines[0])
        dso = m.group(1) if m else "?"
        dsos["JIT code" if dso.startswith("/tmp/perf-") else os.path.basename(dso)] += 1
    per = us * 1000 / (100 if args.workload == "madd" else 1)
    print("%s: %.0f ns per sample server side; %d samples of the main thread; growth frames in %d (%.2f%%), "
          "page faults in %d (%.2f%%)" % (cmd.upper(), per, total, growth, 100.0 * growth / max(total, 1), faults,
                                          100.0 * faults / max(total, 1)))
    for d, n in dsos.most_common(8):
        print("  %5.1f%%  %s" % (100.0 * n / max(total, 1), d))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
