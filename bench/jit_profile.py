#!/usr/bin/env python3
"""Where the server's main thread spends its time under the TS.MADD workload of
`vts_bench.py madd`, down to the instruction inside the JIT-compiled Java methods.

perf samples the main thread; the JVM's perf map (jcmd Compiler.perfmap; the module's JVM
gets -XX:+StartAttachListener, since -Xrs keeps jcmd's usual signal away) names the compiled
methods; their machine code is read from /proc/PID/mem while the server still runs and
disassembled with objdump, each instruction with the samples that landed on it. With timer
sampling a stalled instruction's samples land on the one after it: a hot instruction right
after a load is that load's cache miss.

    python3 bench/jit_profile.py --module target/libvalkeyts.so \
        [--methods 'Gorilla\\.append|advanceCheckpoint|SeriesCommands\\.madd|Series\\.add'] [--top 12]

Needs perf, jcmd (JAVA_HOME or PATH) and objdump.
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
import vts_bench as vb  # noqa: E402

JVM = "-XX:+UnlockDiagnosticVMOptions -XX:+PreserveFramePointer -XX:+StartAttachListener"


def madd_payload(series=1000, samples=1000, batch=100):
    rnd = vb.random.Random(2)
    cmds = [vb.resp("TS.CREATE", "ts:%d" % s) for s in range(series)]
    for i in range(samples):
        t = vb.T0 + i * 1000
        for b in range(0, series, batch):
            args = ["TS.MADD"]
            for s in range(b, b + batch):
                args += ["ts:%d" % s, t, "%.2f" % (rnd.random() * 100)]
            cmds.append(vb.resp(*args))
    return b"".join(cmds)


def jcmd():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "jcmd")):
        return os.path.join(home, "bin", "jcmd")
    return shutil.which("jcmd") or "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", default=os.path.join(vb.ROOT, "target", "libvalkeyts.so"))
    ap.add_argument("--methods", default=r"Gorilla\.append|Gorilla\.advanceCheckpoint|SeriesCommands\.madd\(long, vts|Series\.add\(")
    ap.add_argument("--top", type=int, default=12, help="hottest instructions shown per method")
    ap.add_argument("--rounds", type=int, default=4, help="workload runs while perf records")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vts-jitprof-")
    payload = madd_payload()
    srv = vb.Server(os.path.abspath(args.module), ["JVM_OPTIONS", JVM])
    pid = srv.proc.pid
    try:
        for _ in range(3):  # warm up: the methods compiled by C2
            srv.pipe(payload)
            srv.cli("FLUSHALL")
        srv.cli("CONFIG", "RESETSTAT")
        data = os.path.join(work, "perf.data")
        perf = subprocess.Popen(["perf", "record", "-q", "-F", "5000", "-t", str(pid), "-o", data],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        for k in range(args.rounds):
            srv.pipe(payload)
            if k < args.rounds - 1:
                srv.cli("FLUSHALL")
        perf.send_signal(2)
        perf.wait()
        us, calls = srv.usec_per_call("ts.madd")
        subprocess.run([jcmd(), str(pid), "Compiler.perfmap"], capture_output=True, check=True)
        methods = []
        with open("/proc/%d/mem" % pid, "rb") as mem:
            for line in open("/tmp/perf-%d.map" % pid):
                addr, size, name = line.rstrip("\n").split(" ", 2)
                if re.search(args.methods, name):
                    addr, size = int(addr, 16), int(size, 16)
                    mem.seek(addr)
                    methods.append((addr, size, name, mem.read(size)))
    finally:
        srv.close()
    ips = collections.Counter()
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip"], capture_output=True, text=True).stdout
    for line in out.split():
        ips[int(line, 16)] += 1
    total = sum(ips.values())
    print("TS.MADD %.0f ns/sample server side while perf recorded; %d samples of the main thread" % (us * 10, total))
    for addr, size, name, code in methods:
        n = sum(c for ip, c in ips.items() if addr <= ip < addr + size)
        if n * 200 < total:  # under 0.5%: an older compilation, or cold
            continue
        print("\n%5.2f%% %s (%d samples)" % (100.0 * n / total, name, n))
        binf = os.path.join(work, "code.bin")
        open(binf, "wb").write(code)
        dis = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "--adjust-vma=0x%x" % addr, binf],
                             capture_output=True, text=True).stdout
        rows = []
        prev = ""
        for line in dis.splitlines():
            m = re.match(r"\s*([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t?(.*)", line)
            if not m:
                continue
            ip = int(m.group(1), 16)
            if not m.group(2).strip():  # the rest of a long instruction's bytes
                continue
            rows.append((ips.get(ip, 0), ip - addr, m.group(2).strip(), prev))
            prev = m.group(2).strip()
        for c, off, ins, before in sorted(rows, reverse=True)[:args.top]:
            if c:
                print("  %5d  +0x%04x  %-40s (after: %s)" % (c, off, ins[:40], before[:50]))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
