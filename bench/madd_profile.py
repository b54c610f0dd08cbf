#!/usr/bin/env python3
"""What TS.MADD's server-side time (commandstats) is made of, against XADD's.

commandstats counts only the command's own procedure inside the server's call(): the request
reading and splitting, the argv objects and their freeing, and the socket writes happen
outside it. This program samples the server's main thread with DWARF call graphs (perf
--call-graph dwarf; the JVM's perf map names the JIT-compiled code), keeps the samples that
are inside a command's procedure, and splits them by who does the work:

  inside: the stack holds call()'s call of the command procedure (its return address, found
  from the module dispatcher's frame), or a frame of the module (libvalkeyts.so), of the JVM
  (libjvm.so), or of JIT-compiled code (DWARF unwinding stops at JIT frames, so a stack that
  reaches one of ours is inside the module command by construction).

Inside TS.MADD the samples go to: Java (JIT methods, by name), the FFM transitions (stubs and
libjvm's upcall entry), our C (libvalkeyts.so, by function), and the server's own work that
our module API calls make it do, by the API function (VM_OpenKey, VM_CloseKey, the replies,
...) or, where the unwinder skipped it, by our C function that called it. FLOOR.MADD
(bench/reply_floor.c: the same module API calls per triple, nothing stored) is recorded the
same way over the same keys, and the two are printed side by side: what TS.MADD spends beyond
the floor is ours. Inside XADD the samples are split by their leaf function. The workloads:
`vts_bench.py madd`'s (1,000 series, TS.MADD batches of 100, one sample per series per
command) and the XADDs of the same samples, each into fresh keys per round (created before perf
starts, so no TS.CREATE or FLUSHALL is recorded). The figures in ns are the commandstats cost
while recording times the share of the samples; the "check" line compares the inside samples'
count with commandstats' own total (they differ when the thread waited for a CPU: commandstats
counts wall time).

    python3 bench/madd_profile.py --module target/libvalkeyts.so [--rounds 5] [--freq 1000] [--top 25] [--keep DIR]

Needs perf and jcmd (JAVA_HOME or PATH).
"""
import argparse
import collections
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jit_profile as jp  # noqa: E402
import vts_bench as vb  # noqa: E402

OURS = ("libvalkeyts.so", "reply_floor.so")
FRAME = re.compile(r"^\s*([0-9a-f]+)\s+(.*?)\s+\(([^()]*)\)\s*$")


def payloads(prefix, series=1000, samples=1000, batch=100):
    """(TS.CREATE commands, TS.MADD commands, XADD commands) of vts_bench.py madd's samples, keys under prefix."""
    rnd = random.Random(2)
    creates = b"".join(vb.resp("TS.CREATE", "%sts:%d" % (prefix, s)) for s in range(series))
    m, x = [], []
    for i in range(samples):
        t = vb.T0 + i * 1000
        for b in range(0, series, batch):
            args = ["TS.MADD"]
            for s in range(b, b + batch):
                v = "%.2f" % (rnd.random() * 100)
                args += ["%sts:%d" % (prefix, s), t, v]
                x.append(vb.resp("XADD", "%sxs:%d" % (prefix, s), "%d-0" % t, "v", v))
            m.append(vb.resp(*args))
    return creates, b"".join(m), b"".join(x)


def record(srv, data, freq, run):
    perf = subprocess.Popen(["perf", "record", "-q", "--call-graph", "dwarf,8192", "-F", str(freq), "-t",
                             str(srv.proc.pid), "-o", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    run()
    time.sleep(0.1)
    perf.send_signal(2)
    perf.wait()


def stacks(data):
    """Each sample's frames, leaf first, as (symbol, dso) pairs."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,symoff,dso"], capture_output=True, text=True).stdout
    for block in out.split("\n\n"):
        frames = []
        for line in block.splitlines():
            m = FRAME.match(line)
            if m:
                sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(2)) if "call+" not in m.group(2) else m.group(2)
                frames.append((sym, m.group(3)))
        # an inlined frame is printed before the function that holds it, with "(inlined)" for its object
        for i in range(len(frames) - 2, -1, -1):
            if frames[i][1] == "inlined":
                frames[i] = (frames[i][0], frames[i + 1][1])
        if frames:
            yield frames


def is_jit(dso):
    return dso.startswith("/tmp/perf-")


def is_module(dso):
    return dso.endswith(OURS)


def ours(frame):
    sym, dso = frame
    return is_module(dso) or is_jit(dso) or "libjvm.so" in dso


def proc_site(all_stacks):
    """call()'s return address after calling a command's procedure: the frame above the module dispatcher."""
    sites = collections.Counter()
    for frames in all_stacks:
        for i, (sym, _) in enumerate(frames[:-1]):
            if sym == "ValkeyModuleCommandDispatcher" and frames[i + 1][0].startswith("call+"):
                sites[frames[i + 1][0]] += 1
    return sites.most_common(1)[0][0] if sites else None


def inside(frames, site):
    return any(ours(f) for f in frames) or any(sym == site for sym, _ in frames)


def madd_category(frames):
    sym, dso = frames[0]
    if is_jit(dso):
        if re.match(r"(nep_invoker_blob|upcall_stub|StubRoutines|Stub<|I2C|C2I|Interpreter)", sym) or " " not in sym:
            return "transitions: " + sym.split("(")[0] if not sym.startswith("Interpreter") else "Java: interpreter"
        name = re.sub(r"^\S+\s+", "", sym).split("(")[0]
        return "Java: " + name
    if "libjvm.so" in dso:
        return "transitions: libjvm " + sym.split("(")[0]
    if is_module(dso):
        return "our C: " + sym
    for s, d in frames:
        if is_module(d) or is_jit(d) or "libjvm.so" in d:
            break
        if s.startswith("VM_") or s == "ValkeyModuleCommandDispatcher":
            return "server via " + s
    for s, d in frames[1:]:
        if is_module(d):
            return "server via our C " + s + " (API frame skipped): " + leaf_name(frames)
        if is_jit(d):
            return "server called from Java: " + leaf_name(frames)
    return "server, unattributed: " + sym


def leaf_name(frames):
    sym, dso = frames[0]
    if sym == "[unknown]":
        # name the first named caller
        for s, d in frames[1:]:
            if s != "[unknown]":
                return "? under " + s
    return sym + ("" if "valkey" in dso else " (" + os.path.basename(dso) + ")")


OPENING = ("VM_OpenKey", "VM_KeyType", "VM_ModuleTypeGetType", "VM_ModuleTypeGetValue", "lookupKey", "dictFind",
           "siphash", "dictSdsHash", "dictSdsKeyCompare", "memcmp", "zmalloc", "malloc", "getExpire", "vts_write_open")
CLOSING = ("VM_CloseKey", "VM_NotifyKeyspaceEvent", "VM_SignalKeyAsReady", "sdallocx", "free", "trackingInvalidateKey",
           "touchWatchedKey", "decrRefCount", "notifyKeyspaceEvent", "vts_write_close")
REPLIES = ("VM_Reply", "ull2string", "_addReply", "addReply", "digits10", "prepareClientToWrite", "vts_reply_batch")
GROUPS = ("Java (JIT code)", "FFM transitions (stubs, libjvm)", "module's own C", "server: opening keys, type checks",
          "server: closing keys, keyspace events", "server: replies", "server: argument strings (StringPtrLen)",
          "server: command context, replication", "server: called from Java (chunk growth, interrupts)", "server: other")


def group(cat):
    """The share a category belongs to (GROUPS)."""
    if cat.startswith("Java"):
        return GROUPS[0]
    if cat.startswith("transitions"):
        return GROUPS[1]
    if cat.startswith("our C"):
        return GROUPS[2]
    if cat.startswith("server called from Java"):
        return GROUPS[8]
    m = re.match(r"server via (?:our C )?(\S+)(?: \(API frame skipped\): (\S+))?", cat)
    if not m:
        return GROUPS[9]
    if m.group(1) == "forward":
        return GROUPS[6]
    # the leaf first (vts_write_open also closes keys), unless it is ambiguous (both malloc and free ask for sizes)
    leaf = m.group(2) if m.group(2) and not m.group(2).startswith(("malloc_usable_size", "?", "[unknown]")) else None
    names = ([leaf] if leaf else []) + ([m.group(1)] if m.group(1) not in ("floor_madd", "floor_madd_batch") else [])
    for n in names:
        if n.startswith(OPENING):
            return GROUPS[3]
        if n.startswith(CLOSING):
            return GROUPS[4]
        if n.startswith(REPLIES):
            return GROUPS[5]
        if n.startswith("VM_StringPtrLen"):
            return GROUPS[6]
        if n.startswith(("VM_Replicate", "ValkeyModuleCommandDispatcher", "moduleCreateContext", "alsoPropagate")):
            return GROUPS[7]
    return GROUPS[9]


def report(title, per_call_ns, per, total, ins, cats, top):
    n = len(ins)
    print("\n%s: %.0f ns per %s server side (commandstats, while recording); main-thread samples %d, inside the "
          "command's procedure %d (%.1f%%)" % (title, per_call_ns, per, total, n, 100.0 * n / max(total, 1)))
    groups = collections.Counter()
    for c, k in cats.items():
        groups[group(c)] += k
    print("  by group (share of inside samples, ns per %s):" % per)
    for g, k in sorted(groups.items(), key=lambda gk: GROUPS.index(gk[0])):
        print("    %5.1f%%  %6.1f ns  %s" % (100.0 * k / n, per_call_ns * k / n, g))
    print("  top entries:")
    for c, k in cats.most_common(top):
        print("    %5.1f%%  %6.1f ns  %s" % (100.0 * k / n, per_call_ns * k / n, c))
    return {g: per_call_ns * k / n for g, k in groups.items()}


def check(all_stacks, ins, usec, freq):
    """Stacks that stop short of main() without a frame of ours may be inside uncounted; and the
    inside samples' time against commandstats' total (perf's own stack copies inflate both)."""
    short = sum(1 for f in all_stacks if not any(ours(x) for x in f) and not any(s in ("main", "_start", "aeMain")
                                                                                  or s.startswith("__libc_start")
                                                                                  for s, _ in f))
    print("  check: stacks cut short (neither main() nor a frame of ours): %d (%.1f%%); inside samples / frequency "
          "%.0f ms against commandstats' %.0f ms" % (short, 100.0 * short / max(len(all_stacks), 1),
                                                      1000.0 * len(ins) / freq, usec / 1000))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", default=os.path.join(vb.ROOT, "target", "libvalkeyts.so"))
    ap.add_argument("--rounds", type=int, default=5, help="workload runs (fresh keys each) while perf records")
    ap.add_argument("--freq", type=int, default=1000)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--keep", help="keep the perf data files (and the JVM's perf map) in this folder")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="vts-maddprof-")
    os.makedirs(work, exist_ok=True)
    srv = vb.Server(os.path.abspath(args.module), ["JVM_OPTIONS", jp.JVM, "--loadmodule", vb.build_madd_floor()])
    pid = srv.proc.pid
    data = {w: os.path.join(work, w + ".data") for w in ("madd", "floor", "xadd")}
    head = b"*301\r\n$7\r\nTS.MADD\r\n"
    us = {}
    try:
        warm = payloads("w:")
        for _ in range(3):  # warm up: the methods compiled by C2
            srv.pipe(warm[0] + warm[1])
            srv.pipe(warm[1].replace(head, b"*301\r\n$10\r\nFLOOR.MADD\r\n"))
            srv.pipe(warm[2])
            srv.cli("FLUSHALL")
        rounds = [payloads("r%d:" % k) for k in range(args.rounds)]
        for r in rounds:
            srv.pipe(r[0])
        floors = [r[1].replace(head, b"*301\r\n$10\r\nFLOOR.MADD\r\n") for r in rounds]
        for w, cmd, pays in (("madd", "ts.madd", [r[1] for r in rounds]), ("floor", "floor.madd", floors),
                             ("xadd", "xadd", [r[2] for r in rounds])):
            srv.cli("CONFIG", "RESETSTAT")
            record(srv, data[w], args.freq, lambda: [srv.pipe(p) for p in pays])
            us[w] = srv.usec_per_call(cmd)
        subprocess.run([jp.jcmd(), str(pid), "Compiler.perfmap"], capture_output=True, check=True)
    finally:
        srv.close()
    mst = list(stacks(data["madd"]))
    site = proc_site(mst)
    print("call()'s call of the command procedure: %s" % site)
    shares = {}
    for w, title in (("madd", "TS.MADD"), ("floor", "FLOOR.MADD")):
        st = mst if w == "madd" else list(stacks(data[w]))
        ins = [f for f in st if inside(f, site)]
        cats = collections.Counter(madd_category(f) for f in ins)
        shares[w] = report(title, us[w][0] * 10, "sample", len(st), ins, cats, args.top)
        check(st, ins, us[w][0] * us[w][1], args.freq)
    xst = list(stacks(data["xadd"]))
    xins = [f for f in xst if any(sym == site for sym, _ in f)]
    xcats = collections.Counter(leaf_name(f) for f in xins)
    x_us, x_calls = us["xadd"]
    print("\nXADD: %.0f ns per call server side; main-thread samples %d, inside the command's procedure %d (%.1f%%)"
          % (x_us * 1000, len(xst), len(xins), 100.0 * len(xins) / max(len(xst), 1)))
    for c, k in xcats.most_common(args.top):
        print("    %5.1f%%  %6.1f ns  %s" % (100.0 * k / len(xins), x_us * 1000 * k / len(xins), c))
    check(xst, xins, x_us * x_calls, args.freq)
    print("\nns per sample, TS.MADD against FLOOR.MADD (the same module API calls, nothing stored):")
    for g in GROUPS:
        a, b = shares["madd"].get(g, 0), shares["floor"].get(g, 0)
        if a or b:
            print("  %6.1f  %6.1f  %s" % (a, b, g))
    print("  %6.1f  %6.1f  total" % (us["madd"][0] * 10, us["floor"][0] * 10))
    print("\nXADD ns per call / ns per sample: TS.MADD %.2f, FLOOR.MADD %.2f"
          % (x_us * 100 / us["madd"][0], x_us * 100 / us["floor"][0]))
    if args.keep:
        shutil.copy("/tmp/perf-%d.map" % pid, work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    try:
        os.remove("/tmp/perf-%d.map" % pid)
    except OSError:
        pass


if __name__ == "__main__":
    main()
