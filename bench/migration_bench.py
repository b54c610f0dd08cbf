#!/usr/bin/env python3
"""RESTORE of RedisTimeSeries DUMP payloads (converted, native/rts_load.c) against RESTORE of
our own DUMP payloads of the same series, in the same run on the same server.

    python3 bench/migration_bench.py [rounds] [copies]

Data: the 237 series of tests/resources/rts-migration/rts-8.10-encver9 (payloads.json.gz),
`copies` times under distinct names per pass. Each round: RESTORE every foreign payload
(timed through valkey-cli --pipe, server side from INFO commandstats), DUMP them all (our
encoding 10), FLUSHALL, RESTORE our payloads (timed), FLUSHALL. A warm-up round first.
"""
import gzip
import json
import os
import socket
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vts_bench import ROOT, Server, resp  # noqa: E402

RES = os.path.join(ROOT, "tests", "resources", "rts-migration", "rts-8.10-encver9")


def dump_all(port, keys):
    """DUMP payloads of keys over one connection (pipelined)."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"".join(resp("DUMP", k) for k in keys))
        f = s.makefile("rb")
        out = []
        for _ in keys:
            line = f.readline()
            n = int(line[1:-2])
            out.append(f.read(n + 2)[:-2])
        return out


def restore_cmds(keys, payloads):
    return b"".join(resp("RESTORE", k, 0, p) for k, p in zip(keys, payloads))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    copies = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with gzip.open(os.path.join(RES, "payloads.json.gz"), "rt") as f:
        foreign = {k: bytes.fromhex(v) for k, v in json.load(f).items()}
    with gzip.open(os.path.join(RES, "expected.json.gz"), "rt") as f:
        samples = sum(len(v["samples"]) for v in json.load(f)["0"].values())
    keys = [f"c{j}:{k}" for j in range(copies) for k in foreign]
    theirs = [foreign[k] for j in range(copies) for k in foreign]
    srv = Server(os.path.join(ROOT, "target", "libvalkeyts.so"))
    try:
        a, b, wa, wb = [], [], [], []
        for r in range(rounds + 1):
            srv.cli("CONFIG", "RESETSTAT")
            ta = srv.pipe(restore_cmds(keys, theirs))
            ua = srv.usec_per_call("restore")[0]
            ours = dump_all(srv.port, keys)
            srv.cli("FLUSHALL")
            srv.cli("CONFIG", "RESETSTAT")
            tb = srv.pipe(restore_cmds(keys, ours))
            ub = srv.usec_per_call("restore")[0]
            srv.cli("FLUSHALL")
            if r == 0:
                continue  # warm-up
            a.append(ua)
            b.append(ub)
            wa.append(ta)
            wb.append(tb)
            print(f"round {r}: foreign {ua:.1f} us/RESTORE, ours {ub:.1f} us/RESTORE, ratio {ua / ub:.2f}")
        n = len(keys)
        total = samples * copies
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{n} RESTOREs per pass, {total} samples")
        print(f"foreign: median {ma:.1f} us/RESTORE (spread {min(a):.1f}-{max(a):.1f}), "
              f"{total / statistics.median(wa) / 1e6:.2f} M samples/s through the pipe")
        print(f"ours:    median {mb:.1f} us/RESTORE (spread {min(b):.1f}-{max(b):.1f}), "
              f"{total / statistics.median(wb) / 1e6:.2f} M samples/s through the pipe")
        print(f"ratio foreign/ours (server side): median {statistics.median([x / y for x, y in zip(a, b)]):.2f}")
    finally:
        srv.close()


if __name__ == "__main__":
    main()
