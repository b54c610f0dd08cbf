"""Drives the timeseries module through redis-py's typed time-series API (``r.ts()``).

    /usr/bin/python3 test_ts_redis_py.py PORT

Written for Debian bookworm's python3-redis (redis-py 4.3.4: RESP2 only, no IGNORE, LATEST,
EMPTY, BUCKETTIMESTAMP or 8.10 commands in its API). Results are checked against values
computed here from the samples the test wrote. Prints one line per case and a closing
"N passed, N failed" line; exits 1 if a case failed or none ran. Run by
tests/java/vts/e2e/RedisPyIT.java against its own server.

The RedisTimeSeries 8.10 cases are at the end; redis-py 4.3.4 has no methods for them, so they
go through execute_command and redis-py's own reply parsers (the TS.RANGE/MRANGE callbacks
r.ts() registers, parse_range for TS.READ).
"""

import math
import os
import sys
import threading
import time
import traceback

import redis
from redis.commands.timeseries.utils import parse_range

CASES = []  # (name, feature, fn)


def case(feature=None):
    def register(fn):
        CASES.append((fn.__doc__ or fn.__name__, feature, fn))
        return fn
    return register


# ---------------------------------------------------------------------------------------------
# Assertions and the reference computations


class Failure(AssertionError):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def approx(actual, expected, what):
    if isinstance(expected, float) and math.isnan(expected):
        check(isinstance(actual, float) and math.isnan(actual), f"{what}: expected NaN, got {actual!r}")
        return
    check(isinstance(actual, (int, float)) and abs(actual - expected) <= 1e-9 * max(1.0, abs(expected)),
          f"{what}: expected {expected!r}, got {actual!r}")


def samples_eq(actual, expected, what):
    """Samples as redis-py returns them: [(int ts, float value)]."""
    eq(len(actual), len(expected), f"{what}: sample count ({actual!r} vs {expected!r})")
    for i, ((ts, v), (ets, ev)) in enumerate(zip(actual, expected)):
        check(isinstance(ts, int), f"{what}[{i}] timestamp is an int: {ts!r}")
        check(isinstance(v, float), f"{what}[{i}] value is a float: {v!r}")
        eq(ts, ets, f"{what}[{i}] timestamp")
        approx(v, ev, f"{what}[{i}] value @{ets}")


def raises(fn, fragment, what):
    try:
        reply = fn()
    except redis.ResponseError as e:
        check(fragment in str(e), f"{what}: error {str(e)!r} lacks {fragment!r}")
        return
    raise Failure(f"{what}: expected an error with {fragment!r}, got {reply!r}")


def reduce_values(kind, values):
    n = len(values)
    total = math.fsum(values)
    mean = total / n
    sq = math.fsum((v - mean) ** 2 for v in values)
    return {
        "avg": mean, "sum": total, "min": min(values), "max": max(values),
        "range": max(values) - min(values), "count": float(n), "first": values[0], "last": values[-1],
        "var.p": sq / n, "var.s": sq / (n - 1) if n > 1 else 0.0,
        "std.p": math.sqrt(sq / n), "std.s": math.sqrt(sq / (n - 1)) if n > 1 else 0.0,
    }[kind]


def aggregate(samples, frm, to, kind, duration, align=0):
    """TS.RANGE frm to [ALIGN align] AGGREGATION kind duration, without EMPTY."""
    offset = align % duration
    buckets = {}
    for ts, v in samples:
        if frm <= ts <= to:
            buckets.setdefault((ts - offset) // duration * duration + offset, []).append(v)
    return [(max(0, start), reduce_values(kind, values)) for start, values in sorted(buckets.items())]


def within(samples, frm, to):
    return [s for s in samples if frm <= s[0] <= to]


# 100 samples at 1000, 1010, ..., 1990 with uneven values
SERIES = [(1000 + 10 * i, float((i * 7) % 13) + 0.25 * (i % 3)) for i in range(100)]


def load(ts, key, samples=SERIES, **create):
    ts.create(key, **create)
    eq(ts.madd([(key, t, v) for t, v in samples]), [t for t, _ in samples], f"TS.MADD {key}")


FLEET = {
    "fleet:a": ({"fleet": "f", "region": "eu", "host": "a"}, SERIES[0:30]),
    "fleet:b": ({"fleet": "f", "region": "eu", "host": "b"}, [(t, v * 2) for t, v in SERIES[10:40]]),
    "fleet:c": ({"fleet": "f", "region": "us", "host": "c"}, [(t, -v) for t, v in SERIES[20:50]]),
    "fleet:empty": ({"fleet": "f", "region": "us", "host": "none"}, []),
}


def load_fleet(ts):
    for key, (labels, samples) in FLEET.items():
        ts.create(key, labels=labels)
        if samples:
            ts.madd([(key, t, v) for t, v in samples])


def entries(reply):
    """mrange/mget replies are lists of one-entry dicts sorted by key: as one ordered list of pairs."""
    return [next(iter(d.items())) for d in reply]


# ---------------------------------------------------------------------------------------------
# Commands that exist today


@case()
def create_and_info(r, ts):
    """create with every option, info parses them"""
    eq(ts.create("k", retention_msecs=60000, uncompressed=True, chunk_size=128, duplicate_policy="last",
                 labels={"room": "kitchen", "unit": "C"}), True, "create")
    info = ts.info("k")
    eq(info.total_samples, 0, "totalSamples")
    eq(info.retention_msecs, 60000, "retentionTime")
    eq(info.chunk_size, 128, "chunkSize")
    eq(str(info.duplicate_policy).lower(), "last", "duplicatePolicy")
    eq(info.labels, {"room": "kitchen", "unit": "C"}, "labels")
    eq(info.rules, [], "rules")
    eq(info.source_key, None, "sourceKey")
    check(info.memory_usage > 0, "memoryUsage > 0")
    raises(lambda: ts.create("k"), "TSDB: key already exists", "create twice")
    for policy in ("block", "first", "last", "min", "max", "sum"):
        ts.create(f"dp:{policy}", duplicate_policy=policy)
        eq(str(ts.info(f"dp:{policy}").duplicate_policy).lower(), policy, f"policy {policy}")


@case()
def create_errors(r, ts):
    """create rejects bad options and creates nothing"""
    raises(lambda: ts.create("bad", chunk_size=100), "CHUNK_SIZE value must be a multiple of 8", "chunk size")
    raises(lambda: ts.create("bad", duplicate_policy="newest"), "Unknown DUPLICATE_POLICY", "policy")
    raises(lambda: ts.create("bad", retention_msecs=-1), "Couldn't parse RETENTION", "retention")
    eq(r.exists("bad"), 0, "nothing created")


@case()
def alter(r, ts):
    """alter retention, policy and labels; the index follows"""
    ts.create("a", labels={"old": "1"})
    eq(ts.alter("a", retention_msecs=5000, duplicate_policy="max", labels={"city": "Oslo", "kind": "temp"}), True, "alter")
    info = ts.info("a")
    eq(info.retention_msecs, 5000, "retention")
    eq(str(info.duplicate_policy).lower(), "max", "policy")
    eq(info.labels, {"city": "Oslo", "kind": "temp"}, "labels")
    eq(ts.queryindex(["old=1"]), [], "old label gone")
    eq(ts.queryindex(["city=Oslo"]), ["a"], "new label")
    raises(lambda: ts.alter("missing", retention_msecs=1), "TSDB: the key does not exist", "alter missing")


@case()
def add(r, ts):
    """add: explicit and * timestamps, auto-create options, ON_DUPLICATE, errors"""
    eq(ts.add("s", 100, 1.5, retention_msecs=0, uncompressed=True, chunk_size=64, labels={"src": "add"}), 100, "add")
    info = ts.info("s")
    eq(info.chunk_size, 64, "chunk size")
    eq(info.labels, {"src": "add"}, "labels")
    before = int(time.time() * 1000)
    now = ts.add("s", "*", 2)
    check(before - 1000 <= now <= time.time() * 1000 + 1000, f"* gave {now}")
    samples_eq(ts.range("s", "-", "+"), [(100, 1.5), (now, 2.0)], "range")
    raises(lambda: ts.add("s", 100, 9), "DUPLICATE_POLICY is set to BLOCK", "duplicate under BLOCK")
    for policy, value, expected in (("min", 1, 1.0), ("max", 9, 9.0), ("sum", 1, 10.0), ("first", 50, 10.0), ("last", 7, 7.0)):
        eq(ts.add("s", 100, value, duplicate_policy=policy), 100, f"ON_DUPLICATE {policy}")
        samples_eq(ts.range("s", 100, 100), [(100, expected)], f"ON_DUPLICATE {policy}")
    ts.create("ret", retention_msecs=100)
    ts.add("ret", 1000, 1)
    raises(lambda: ts.add("ret", 800, 1), "Timestamp is older than retention", "older than retention")
    r.set("str", "x")
    try:
        ts.add("str", 1, 1)
        raise Failure("add to a string key did not fail")
    except redis.ResponseError as e:
        check(str(e).startswith("WRONGTYPE"), f"wrong type: {e}")


@case()
def madd(r, ts):
    """madd: one reply per sample, an error element for a missing key"""
    ts.create("m1")
    ts.create("m2")
    replies = ts.madd([("m1", 1, 10), ("nokey", 1, 1), ("m2", 2, 20), ("m1", 3, 30)])
    eq(len(replies), 4, "replies")
    eq([replies[0], replies[2], replies[3]], [1, 2, 3], "timestamps")
    check(isinstance(replies[1], redis.ResponseError) and "TSDB: the key is not a TSDB key" in str(replies[1]),
          f"error element: {replies[1]!r}")
    eq(r.exists("nokey"), 0, "missing key not created")
    samples_eq(ts.range("m1", "-", "+"), [(1, 10.0), (3, 30.0)], "m1")


@case()
def incrby_decrby(r, ts):
    """incrby / decrby with timestamp and auto-create options, error below the last timestamp"""
    eq(ts.incrby("ctr", 5, timestamp=1000, retention_msecs=0, uncompressed=True, chunk_size=512, labels={"type": "counter"}), 1000, "incrby")
    eq(ts.info("ctr").chunk_size, 512, "chunk size")
    eq(ts.info("ctr").labels, {"type": "counter"}, "labels")
    ts.incrby("ctr", 2.5, timestamp=1000)
    eq(ts.get("ctr"), (1000, 7.5), "after incrby")
    eq(ts.decrby("ctr", 10, timestamp=2000), 2000, "decrby")
    eq(ts.get("ctr"), (2000, -2.5), "after decrby")
    raises(lambda: ts.incrby("ctr", 1, timestamp=1500), "timestamp must be equal to or higher than the maximum existing timestamp", "older")
    eq(ts.get("ctr"), (2000, -2.5), "unchanged")


@case()
def delete(r, ts):
    """delete a range: the count and what is left"""
    load(ts, "del")
    eq(ts.delete("del", 1200, 1495), len(within(SERIES, 1200, 1495)), "deleted count")
    samples_eq(ts.range("del", "-", "+"), [s for s in SERIES if not 1200 <= s[0] <= 1495], "after delete")
    raises(lambda: ts.delete("nokey", 0, 1), "TSDB: the key does not exist", "missing key")


@case()
def get_mget(r, ts):
    """get and mget with and without labels"""
    ts.create("e", labels={"grp": "g", "name": "e"})
    eq(ts.get("e"), None, "empty series")
    load(ts, "f", SERIES[:10], labels={"grp": "g", "name": "f"})
    eq(ts.get("f"), SERIES[9], "get")
    raises(lambda: ts.get("nokey"), "TSDB: the key does not exist", "get missing")
    eq(entries(ts.mget(["grp=g"])), [("e", [{}, None, None]), ("f", [{}, SERIES[9][0], SERIES[9][1]])], "mget")
    eq(entries(ts.mget(["grp=g", "name=f"], with_labels=True)), [("f", [{"grp": "g", "name": "f"}, SERIES[9][0], SERIES[9][1]])], "mget labels")
    raises(lambda: ts.mget(["grp!=g"]), "please provide at least one matcher", "no positive matcher")


@case()
def ranges(r, ts):
    """range / revrange: count, filter_by_ts, filter_by_value, errors"""
    load(ts, "r")
    samples_eq(ts.range("r", "-", "+"), SERIES, "range")
    samples_eq(ts.revrange("r", "-", "+"), SERIES[::-1], "revrange")
    samples_eq(ts.range("r", 1100, 1300, count=5), within(SERIES, 1100, 1300)[:5], "count")
    samples_eq(ts.revrange("r", 1100, 1300, count=5), within(SERIES, 1100, 1300)[::-1][:5], "rev count")
    wanted = [1000, 1010, 1555, 1990, 5000]
    samples_eq(ts.range("r", "-", "+", filter_by_ts=wanted), [s for s in SERIES if s[0] in wanted], "filter_by_ts")
    samples_eq(ts.range("r", "-", "+", filter_by_min_value=3, filter_by_max_value=6.25),
               [s for s in SERIES if 3 <= s[1] <= 6.25], "filter_by_value")
    samples_eq(ts.range("r", 3000, 4000), [], "empty")
    raises(lambda: ts.range("nokey", "-", "+"), "TSDB: the key does not exist", "missing")
    raises(lambda: ts.range("r", "-", "+", aggregation_type="median", bucket_size_msec=10), "Unknown aggregation type", "bad aggregator")
    raises(lambda: ts.range("r", "-", "+", aggregation_type="avg", bucket_size_msec=0), "bucketDuration must be greater than zero", "bucket 0")


@case()
def aggregations(r, ts):
    """range / revrange aggregation: every aggregator, align, count"""
    load(ts, "agg")
    for kind in ("avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s", "var.p", "var.s"):
        expected = aggregate(SERIES, 1005, 1777, kind, 70)
        samples_eq(ts.range("agg", 1005, 1777, aggregation_type=kind, bucket_size_msec=70), expected, f"range {kind}")
        samples_eq(ts.revrange("agg", 1005, 1777, aggregation_type=kind, bucket_size_msec=70), expected[::-1], f"revrange {kind}")
    for align, align_ts in ((7, 7), (1005, 1005), ("-", 1005), ("+", 1777)):
        samples_eq(ts.range("agg", 1005, 1777, aggregation_type="max", bucket_size_msec=40, align=align),
                   aggregate(SERIES, 1005, 1777, "max", 40, align_ts), f"align {align}")
    samples_eq(ts.range("agg", "-", "+", count=3, aggregation_type="sum", bucket_size_msec=100),
               aggregate(SERIES, 0, 10 ** 15, "sum", 100)[:3], "count buckets")
    twa = ts.range("agg", 1000, 1990, aggregation_type="twa", bucket_size_msec=1000)
    area = math.fsum((SERIES[i][1] + SERIES[i - 1][1]) / 2 * 10 for i in range(1, len(SERIES)))
    samples_eq(twa, [(1000, area / 990)], "twa")


@case()
def nan_samples(r, ts):
    """NaN samples come back as float NaN; countnan / countall count them"""
    ts.create("nan")
    eq(ts.madd([("nan", 1, float("nan")), ("nan", 2, 5), ("nan", 3, float("nan"))]), [1, 2, 3], "madd")
    samples_eq(ts.range("nan", "-", "+"), [(1, math.nan), (2, 5.0), (3, math.nan)], "raw")
    t, v = ts.get("nan")
    check(t == 3 and math.isnan(v), f"get: {(t, v)!r}")
    for kind, expected in (("avg", 5.0), ("count", 1.0), ("countnan", 2.0), ("countall", 3.0)):
        samples_eq(ts.range("nan", "-", "+", aggregation_type=kind, bucket_size_msec=10), [(0, expected)], kind)


@case()
def mrange(r, ts):
    """mrange / mrevrange: options, with_labels, select_labels, keys sorted"""
    load_fleet(ts)
    got = entries(ts.mrange(1050, 1300, ["fleet=f"], count=7, filter_by_min_value=0, filter_by_max_value=100))
    eq([k for k, _ in got], sorted(FLEET), "keys")
    for key, (labels, samples) in got:
        eq(labels, {}, f"{key} no labels without WITHLABELS")
        samples_eq(samples, [s for s in within(FLEET[key][1], 1050, 1300) if 0 <= s[1] <= 100][:7], f"mrange {key}")
    got = entries(ts.mrevrange("-", "+", ["fleet=f", "region=eu"], aggregation_type="avg", bucket_size_msec=50, with_labels=True))
    eq([k for k, _ in got], ["fleet:a", "fleet:b"], "eu keys")
    for key, (labels, samples) in got:
        eq(labels, FLEET[key][0], f"{key} labels")
        samples_eq(samples, aggregate(FLEET[key][1], 0, 10 ** 15, "avg", 50)[::-1], f"mrevrange {key}")
    got = entries(ts.mrange("-", "+", ["region=us"], select_labels=["host", "nope"]))
    eq(got[0][1][0], {"host": "c", "nope": None}, "selected labels")
    samples_eq(got[1][1][1], [], "empty series listed")
    got = entries(ts.mrange(1000, "+", ["fleet=f"], filter_by_ts=[1200, 1210, 1400], align="-", aggregation_type="count", bucket_size_msec=1000))
    samples_eq(dict(got)["fleet:b"][1], [(1000, 2.0)], "filter_by_ts then count")
    raises(lambda: ts.mrange("-", "+", ["region!=eu"]), "please provide at least one matcher", "no positive matcher")


@case()
def mrange_groupby(r, ts):
    """mrange / mrevrange groupby + reduce over groups"""
    load_fleet(ts)
    groups = {"region=eu": ["fleet:a", "fleet:b"], "region=us": ["fleet:c", "fleet:empty"]}
    for reducer in ("sum", "max", "min", "avg", "count"):
        for method, order in ((ts.mrange, 1), (ts.mrevrange, -1)):
            got = entries(method("-", "+", ["fleet=f"], groupby="region", reduce=reducer, with_labels=True))
            eq([k for k, _ in got], list(groups), "groups")
            for group, (labels, samples) in got:
                eq(labels.get("region"), group.split("=")[1], f"{group} label")
                by_ts = {}
                for key in groups[group]:
                    for t, v in FLEET[key][1]:
                        by_ts.setdefault(t, []).append(v)
                expected = [(t, reduce_values(reducer, vs)) for t, vs in sorted(by_ts.items())][::order]
                samples_eq(samples, expected, f"{reducer} {group}")


@case()
def rules(r, ts):
    """createrule / deleterule: compaction, info rules and source key"""
    ts.create("src")
    ts.create("dst")
    eq(ts.createrule("src", "dst", "avg", 100), True, "createrule")
    ts.madd([("src", t, v) for t, v in SERIES[:26]])
    info = ts.info("src")
    eq([(rule[0], rule[1], str(rule[2]).lower()) for rule in info.rules], [("dst", 100, "avg")], "rules")
    eq(ts.info("dst").source_key, "src", "sourceKey")
    samples_eq(ts.range("dst", "-", "+"), aggregate(SERIES[:26], 0, 10 ** 15, "avg", 100)[:-1], "closed buckets")
    raises(lambda: ts.createrule("src", "src", "avg", 100), "the source key and destination key should be different", "same key")
    raises(lambda: ts.createrule("src", "dst", "avg", 100), "the destination key already has a src rule", "twice")
    eq(ts.deleterule("src", "dst"), True, "deleterule")
    eq(ts.info("src").rules, [], "no rules")
    raises(lambda: ts.deleterule("src", "dst"), "compaction rule does not exist", "delete twice")


@case()
def info_fields(r, ts):
    """info: counts and timestamps; queryindex"""
    load(ts, "i", SERIES, chunk_size=48, labels={"l": "1"})
    info = ts.info("i")
    eq(info.total_samples, len(SERIES), "totalSamples")
    eq(info.first_time_stamp, SERIES[0][0], "firstTimestamp")
    eq(info.lastTimeStamp, SERIES[-1][0], "lastTimestamp")
    check(info.chunk_count > 1, f"chunkCount {info.chunk_count}")
    raises(lambda: ts.info("nokey"), "TSDB: the key does not exist", "info missing")
    load_fleet(ts)
    eq(sorted(ts.queryindex(["fleet=f", "host!=a", "region=(eu,us)"])), ["fleet:b", "fleet:c", "fleet:empty"], "queryindex")
    eq(ts.queryindex(["region=asia"]), [], "no match")


@case()
def big_reply(r, ts):
    """replies larger than one 256 KB reply batch parse whole"""
    big = [(1 + i, (i % 1000) / 8 + 0.001 * (i % 7)) for i in range(25000)]  # about 700 KB: three reply batches
    ts.create("big", labels={"size": "big"})
    for i in range(0, len(big), 10000):
        ts.madd([("big", t, v) for t, v in big[i:i + 10000]])
    samples_eq(ts.range("big", "-", "+"), big, "range")
    samples_eq(ts.revrange("big", "-", "+"), big[::-1], "revrange")
    samples_eq(entries(ts.mrange("-", "+", ["size=big"]))[0][1][1], big, "mrange")


@case()
def utf8(r, ts):
    """UTF-8 keys, label names and values round-trip"""
    key = "temp:Zürich 🌡"
    labels = {"städt": "Zürich", "emoji": "🌡️", "space key": "a value with spaces"}
    ts.create(key, labels=labels)
    ts.add(key, 1, 21.5)
    eq(ts.info(key).labels, labels, "info labels")
    eq(entries(ts.mget(["städt=Zürich"], with_labels=True)), [(key, [labels, 1, 21.5])], "mget")
    eq(ts.queryindex(["emoji=🌡️"]), [key], "queryindex")


@case()
def pipeline(r, ts):
    """the module's pipeline applies the typed parsers"""
    pipe = ts.pipeline()
    pipe.create("p", labels={"x": "1"})
    for t, v in SERIES[:5]:
        pipe.add("p", t, v)
    pipe.range("p", "-", "+")
    pipe.get("p")
    replies = pipe.execute()
    eq(replies[0], True, "create in pipeline")
    eq(replies[1:6], [t for t, _ in SERIES[:5]], "adds")
    samples_eq(replies[6], SERIES[:5], "range in pipeline")
    eq(replies[7], SERIES[4], "get in pipeline")


# ---------------------------------------------------------------------------------------------
# RedisTimeSeries 8.10 additions (redis-py 4.3.4 has no methods for them)

NRANGE = "TS.NRANGE (parity branch)"
EXCLUDEEMPTY = "EXCLUDEEMPTY (parity branch)"
PARITY = "the 8.10 behaviour fixes (parity branch, probed as TS.NRANGE)"
READ = "TS.READ (ops branch)"


@case(PARITY)
def effective_policy(r, ts):
    """info reports the effective duplicate policy"""
    ts.create("nopolicy")
    eq(str(ts.info("nopolicy").duplicate_policy).lower(), "block", "duplicatePolicy")


@case(PARITY)
def empty_without_aggregation(r, ts):
    """EMPTY without AGGREGATION is ignored"""
    load(ts, "e", SERIES[:5])
    samples_eq(r.execute_command("TS.RANGE", "e", "-", "+", "EMPTY"), SERIES[:5], "EMPTY alone")  # parsed by redis-py's TS.RANGE callback


@case(NRANGE)
def nrange(r, ts):
    """TS.NRANGE / TS.NREVRANGE equal the outer join of the keys' ranges"""
    load(ts, "{n}a", SERIES[:40])
    load(ts, "{n}b", [(t + 5, v * 10) for t, v in SERIES[::3]])
    a, b = dict(SERIES[:40]), {t + 5: v * 10 for t, v in SERIES[::3]}
    stamps = sorted(t for t in set(a) | set(b) if 1100 <= t <= 1600)
    expected = [(t, [a.get(t, math.nan), b.get(t, math.nan)]) for t in stamps]
    for command, order in (("TS.NRANGE", 1), ("TS.NREVRANGE", -1)):
        rows = r.execute_command(command, 2, "{n}a", "{n}b", 1100, 1600)
        eq(len(rows), len(expected), f"{command} rows")
        for (ts_, values), (ets, evalues) in zip(rows, expected[::order]):
            eq(ts_, ets, f"{command} timestamp")
            for v, ev in zip(values, evalues):
                approx(float(v), ev, f"{command} @{ets}")
    raises(lambda: r.execute_command("TS.NRANGE", 2, "{n}a", "{n}missing", "-", "+"), "", "missing key")


@case(EXCLUDEEMPTY)
def exclude_empty(r, ts):
    """EXCLUDEEMPTY on TS.MRANGE / TS.MREVRANGE, parsed by redis-py's TS.MRANGE callback"""
    load_fleet(ts)
    for command in ("TS.MRANGE", "TS.MREVRANGE"):
        # r.ts() registered redis-py's TS.MRANGE/MREVRANGE reply parser on the client: the reply comes parsed
        got = entries(r.execute_command(command, 1000, 1150, "EXCLUDEEMPTY", "WITHLABELS", "FILTER", "fleet=f"))
        eq([k for k, _ in got], ["fleet:a", "fleet:b"], f"{command} keys")
        eq(got[0][1][0], FLEET["fleet:a"][0], f"{command} labels")
    raises(lambda: r.execute_command("TS.MRANGE", "-", "+", "EXCLUDEEMPTY", "FILTER", "fleet=f", "GROUPBY", "region", "REDUCE", "max"),
           "", "EXCLUDEEMPTY with GROUPBY")


@case(READ)
def read(r, ts):
    """TS.READ from a cursor and blocking, parsed by redis-py's range parser"""
    load(ts, "rd", SERIES[:10])
    samples_eq(parse_range(r.execute_command("TS.READ", "rd", 1050)), within(SERIES[:10], 1050, 10 ** 15), "from 1050")
    samples_eq(parse_range(r.execute_command("TS.READ", "rd", "-", "MAX_COUNT", 3)), SERIES[:3], "MAX_COUNT")
    samples_eq(parse_range(r.execute_command("TS.READ", "nokey", 0)), [], "missing key")
    result = {}
    reader = redis.Redis(connection_pool=redis.ConnectionPool(**r.connection_pool.connection_kwargs))
    thread = threading.Thread(target=lambda: result.setdefault("reply", reader.execute_command("TS.READ", "rd", "$", "BLOCK", 5000, 1)))
    thread.start()
    for _ in range(500):  # the write must come after the read has blocked
        if r.info("clients")["blocked_clients"] >= 1:
            break
        time.sleep(0.01)
    ts.add("rd", 9000, 4.5)
    thread.join(6)
    reader.close()
    samples_eq(parse_range(result.get("reply", [])), [(9000, 4.5)], "released by TS.ADD")


# ---------------------------------------------------------------------------------------------


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print("usage: test_ts_redis_py.py PORT", file=sys.stderr)
        return 2
    r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True, socket_timeout=30)
    ts = r.ts()
    passed = failed = 0
    for name, feature, fn in CASES:
        r.flushall()
        try:
            fn(r, ts)
            passed += 1
            print(f"ok   {name}")
        except Exception as e:  # an assertion or anything the client raised: report and go on
            failed += 1
            where = traceback.format_exc(limit=-2).strip().replace("\n", "\n     ")
            print(f"FAIL {name}\n     {type(e).__name__}: {e}\n     {where}")
    print(f"redis-py {redis.__version__} (RESP2): {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
