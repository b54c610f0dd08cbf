// Drives the timeseries module through node-redis' typed time-series API (@redis/time-series),
// over RESP2 and RESP3, and checks the parsed results against values computed here from the
// samples the test wrote.
//
//   node ts_node_redis_test.mjs PORT [2|3 ...]
//
// Prints one line per case and a closing "N passed, N failed" line; exits 1 if any
// case failed (or none ran). Run by tests/java/vts/e2e/NodeRedisIT.java against its own server.
//
// The RedisTimeSeries 8.10 additions (TS.NRANGE/NREVRANGE, TS.READ, EXCLUDEEMPTY, and the
// behaviour fixes that come with them) are in the sections at the end.

import assert from 'node:assert/strict';
import { createClient, RESP_TYPES } from '@redis/client';
import tsPackage from '@redis/time-series';

const TimeSeries = tsPackage.default;
const { TIME_SERIES_DUPLICATE_POLICIES: DP, TIME_SERIES_ENCODING: ENC,
    TIME_SERIES_AGGREGATION_TYPE: AGG, TIME_SERIES_BUCKET_TIMESTAMP: BT,
    TIME_SERIES_REDUCERS: REDUCE, TS_READ_TIMESTAMP } = tsPackage;

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
    console.error('usage: node ts_node_redis_test.mjs PORT [2|3 ...]');
    process.exit(2);
}
const protocols = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [2, 3];

// ---------------------------------------------------------------------------------------------
// Harness

const cases = [];       // { name, feature, fn }
function test(name, fn) { cases.push({ name, feature: null, fn }); }
function test810(feature, name, fn) { cases.push({ name, feature, fn }); }

function approx(actual, expected, what) {
    if (Number.isNaN(expected)) {
        assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
        return;
    }
    const tol = 1e-9 * Math.max(1, Math.abs(expected));
    assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tol,
        `${what}: expected ${expected}, got ${actual}`);
}

/** Samples [{timestamp, value}] equal, values within 1e-9 relative. */
function samplesEqual(actual, expected, what) {
    assert.equal(actual.length, expected.length,
        `${what}: ${actual.length} samples, expected ${expected.length}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
    for (let i = 0; i < expected.length; i++) {
        assert.equal(actual[i].timestamp, expected[i].timestamp, `${what}[${i}].timestamp`);
        assert.equal(typeof actual[i].timestamp, 'number', `${what}[${i}].timestamp is a number`);
        approx(actual[i].value, expected[i].value, `${what}[${i}].value @${expected[i].timestamp}`);
    }
}

async function rejects(promise, pattern, what) {
    let reply;
    try {
        reply = await promise;
    } catch (e) {
        assert.match(e.message, pattern, `${what}: wrong error`);
        return e;
    }
    assert.fail(`${what}: expected an error matching ${pattern}, got ${JSON.stringify(reply)}`);
}

function plain(object) { // RESP3 maps may come as Map or null-prototype objects
    if (object instanceof Map) return Object.fromEntries(object);
    return { ...object };
}

// ---------------------------------------------------------------------------------------------
// Reference computations (what the server must return, computed from the written samples)

function bucketStart(ts, duration, align) {
    const offset = ((align % duration) + duration) % duration;
    return Math.floor((ts - offset) / duration) * duration + offset;
}

function reduce(type, values, timestamps) {
    const n = values.length;
    const sum = values.reduce((a, b) => a + b, 0);
    const mean = sum / n;
    const sq = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
    switch (type.toUpperCase()) {
        case 'AVG': return mean;
        case 'SUM': return sum;
        case 'MIN': return Math.min(...values);
        case 'MAX': return Math.max(...values);
        case 'RANGE': return Math.max(...values) - Math.min(...values);
        case 'COUNT': return n;
        case 'FIRST': return values[0];
        case 'LAST': return values[n - 1];
        case 'VAR.P': return sq / n;
        case 'VAR.S': return n > 1 ? sq / (n - 1) : 0;
        case 'STD.P': return Math.sqrt(sq / n);
        case 'STD.S': return n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
        default: throw new Error(`no reference for ${type} (${timestamps.length})`);
    }
}

/** TS.RANGE from..to AGGREGATION type duration [ALIGN align] [BUCKETTIMESTAMP bt], no EMPTY. */
function aggregate(samples, from, to, type, duration, { align = 0, bt = '-' } = {}) {
    const buckets = new Map();
    for (const s of samples) {
        if (s.timestamp < from || s.timestamp > to) continue;
        const start = bucketStart(s.timestamp, duration, align);
        if (!buckets.has(start)) buckets.set(start, { values: [], timestamps: [] });
        buckets.get(start).values.push(s.value);
        buckets.get(start).timestamps.push(s.timestamp);
    }
    const shift = bt === '+' ? duration : bt === '~' ? duration / 2 : 0;
    return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([start, b]) => ({
        timestamp: Math.max(0, start) + shift,
        value: reduce(type, b.values, b.timestamps)
    }));
}

function within(samples, from, to) {
    return samples.filter(s => s.timestamp >= from && s.timestamp <= to);
}

// A series with uneven values: 100 samples at 1000, 1010, ..., 1990.
const SERIES = Array.from({ length: 100 }, (_, i) => ({ timestamp: 1000 + 10 * i, value: ((i * 7) % 13) + 0.25 * (i % 3) }));

async function load(client, key, samples = SERIES, options = {}) {
    await client.ts.create(key, options);
    const replies = await client.ts.mAdd(samples.map(s => ({ key, timestamp: s.timestamp, value: s.value })));
    assert.deepEqual(replies, samples.map(s => s.timestamp), `TS.MADD ${key} replies`);
}

// ---------------------------------------------------------------------------------------------
// Commands that exist today

test('create with every option, info parses them', async (c) => {
    assert.equal(await c.ts.create('k', {
        RETENTION: 60000, ENCODING: ENC.UNCOMPRESSED, CHUNK_SIZE: 128,
        DUPLICATE_POLICY: DP.LAST, LABELS: { room: 'kitchen', unit: 'C' }
    }), 'OK');
    const info = await c.ts.info('k');
    assert.equal(info.totalSamples, 0);
    assert.equal(info.retentionTime, 60000);
    assert.equal(info.chunkSize, 128);
    assert.equal(info.chunkType, 'uncompressed');
    assert.equal(String(info.duplicatePolicy).toUpperCase(), DP.LAST);
    assert.deepEqual(info.labels, [{ name: 'room', value: 'kitchen' }, { name: 'unit', value: 'C' }]);
    assert.equal(info.sourceKey, null);
    assert.deepEqual(info.rules, []);
    assert.ok(info.memoryUsage > 0, 'memoryUsage > 0');
    assert.equal(info.ignoreMaxTimeDiff, 0);
    assert.equal(info.ignoreMaxValDiff, 0);
    await rejects(c.ts.create('k'), /TSDB: key already exists/, 'create twice');
});

test('create with IGNORE, compressed encoding, each duplicate policy', async (c) => {
    await c.ts.create('ig', { ENCODING: ENC.COMPRESSED, DUPLICATE_POLICY: DP.LAST, IGNORE: { maxTimeDiff: 10, maxValDiff: 0.5 } });
    const info = await c.ts.info('ig');
    assert.equal(info.chunkType, 'compressed');
    assert.equal(info.ignoreMaxTimeDiff, 10);
    assert.equal(info.ignoreMaxValDiff, 0.5);
    for (const policy of Object.values(DP)) {
        await c.ts.create(`dp:${policy}`, { DUPLICATE_POLICY: policy });
        assert.equal(String((await c.ts.info(`dp:${policy}`)).duplicatePolicy).toUpperCase(), policy);
    }
});

test('create rejects bad options', async (c) => {
    await rejects(c.ts.create('bad', { CHUNK_SIZE: 100 }), /CHUNK_SIZE value must be a multiple of 8/, 'chunk size 100');
    await rejects(c.ts.create('bad', { DUPLICATE_POLICY: 'NEWEST' }), /Unknown DUPLICATE_POLICY/, 'policy');
    await rejects(c.ts.create('bad', { ENCODING: 'ZIP' }), /unknown ENCODING parameter/i, 'encoding');
    await rejects(c.ts.create('bad', { RETENTION: -1 }), /TSDB: Couldn't parse RETENTION/, 'retention');
    assert.equal(await c.exists('bad'), 0, 'nothing created');
});

test('alter retention, chunk size, policy, labels; then IGNORE alone', async (c) => {
    await c.ts.create('a', { LABELS: { old: '1' } });
    assert.equal(await c.ts.alter('a', { RETENTION: 5000, CHUNK_SIZE: 256, DUPLICATE_POLICY: DP.MAX, LABELS: { city: 'Oslo', kind: 'temp' } }), 'OK');
    let info = await c.ts.info('a');
    assert.equal(info.retentionTime, 5000);
    assert.equal(info.chunkSize, 256);
    assert.equal(String(info.duplicatePolicy).toUpperCase(), DP.MAX);
    assert.deepEqual(info.labels, [{ name: 'city', value: 'Oslo' }, { name: 'kind', value: 'temp' }]);
    assert.deepEqual(await c.ts.queryIndex('old=1'), []);
    assert.deepEqual(await c.ts.queryIndex('city=Oslo'), ['a']);
    assert.equal(await c.ts.alter('a', { DUPLICATE_POLICY: DP.LAST, IGNORE: { maxTimeDiff: 3, maxValDiff: 1.5 } }), 'OK');
    info = await c.ts.info('a');
    assert.equal(info.ignoreMaxTimeDiff, 3);
    assert.equal(info.ignoreMaxValDiff, 1.5);
    await rejects(c.ts.alter('missing', { RETENTION: 1 }), /TSDB: the key does not exist/, 'alter missing');
    await rejects(c.ts.alter('a', { CHUNK_SIZE: 7 }), /CHUNK_SIZE value must be a multiple of 8/, 'alter chunk size');
    assert.equal((await c.ts.info('a')).chunkSize, 256, 'failed alter changed nothing');
});

test('add: explicit, * and Date timestamps, auto-create with options', async (c) => {
    assert.equal(await c.ts.add('s', 100, 1.5, {
        RETENTION: 0, ENCODING: ENC.UNCOMPRESSED, CHUNK_SIZE: 64, LABELS: { src: 'add' }
    }), 100);
    const info = await c.ts.info('s');
    assert.equal(info.chunkType, 'uncompressed');
    assert.equal(info.chunkSize, 64);
    assert.deepEqual(info.labels, [{ name: 'src', value: 'add' }]);
    const before = Date.now();
    const now = await c.ts.add('s', '*', 2);
    assert.ok(now >= before - 1000 && now <= Date.now() + 1000, `* gave ${now}`);
    const date = new Date(now + 5000);
    assert.equal(await c.ts.add('s', date, 3), date.getTime());
    samplesEqual(await c.ts.range('s', '-', '+'), [
        { timestamp: 100, value: 1.5 }, { timestamp: now, value: 2 }, { timestamp: date.getTime(), value: 3 }], 'range');
});

test('add: duplicate policies, ON_DUPLICATE, BLOCK and retention errors', async (c) => {
    await c.ts.create('d');
    await c.ts.add('d', 10, 5);
    await rejects(c.ts.add('d', 10, 6), /DUPLICATE_POLICY is set to BLOCK/, 'duplicate under BLOCK');
    for (const [policy, value, expected] of [[DP.MIN, 3, 3], [DP.MAX, 9, 9], [DP.SUM, 1, 10], [DP.FIRST, 100, 10], [DP.LAST, 7, 7]]) {
        assert.equal(await c.ts.add('d', 10, value, { ON_DUPLICATE: policy }), 10);
        assert.deepEqual(await c.ts.get('d'), { timestamp: 10, value: expected }, `ON_DUPLICATE ${policy}`);
    }
    await c.ts.create('r', { RETENTION: 100 });
    await c.ts.add('r', 1000, 1);
    await rejects(c.ts.add('r', 800, 1), /TSDB: Timestamp is older than retention/, 'older than retention');
    await c.set('str', 'x');
    await rejects(c.ts.add('str', 1, 1), /WRONGTYPE/, 'add to a string');
});

test('add with IGNORE on a LAST series drops near duplicates', async (c) => {
    await c.ts.create('ig', { DUPLICATE_POLICY: DP.LAST, IGNORE: { maxTimeDiff: 10, maxValDiff: 1 } });
    assert.equal(await c.ts.add('ig', 100, 5), 100);
    assert.equal(await c.ts.add('ig', 105, 5.5), 100, 'ignored add replies the latest timestamp');
    assert.equal(await c.ts.add('ig', 111, 5.5), 111, 'time difference above the limit');
    assert.equal(await c.ts.add('ig', 112, 7), 112, 'value difference above the limit');
    samplesEqual(await c.ts.range('ig', 0, 1000), [
        { timestamp: 100, value: 5 }, { timestamp: 111, value: 5.5 }, { timestamp: 112, value: 7 }], 'range');
});

test('mAdd: replies per sample, an error element for a missing key', async (c) => {
    await c.ts.create('m1');
    await c.ts.create('m2');
    const replies = await c.ts.mAdd([
        { key: 'm1', timestamp: 1, value: 10 }, { key: 'nokey', timestamp: 1, value: 1 },
        { key: 'm2', timestamp: 2, value: 20 }, { key: 'm1', timestamp: 3, value: 30 }]);
    assert.equal(replies.length, 4);
    assert.equal(replies[0], 1);
    assert.ok(replies[1] instanceof Error, `element 2 is an error: ${replies[1]}`);
    assert.match(replies[1].message, /TSDB: the key is not a TSDB key/);
    assert.equal(replies[2], 2);
    assert.equal(replies[3], 3);
    assert.equal(await c.exists('nokey'), 0);
    samplesEqual(await c.ts.range('m1', '-', '+'), [{ timestamp: 1, value: 10 }, { timestamp: 3, value: 30 }], 'm1');
});

test('incrBy / decrBy with TIMESTAMP, auto-create options, errors', async (c) => {
    assert.equal(await c.ts.incrBy('ctr', 5, { TIMESTAMP: 1000, RETENTION: 0, UNCOMPRESSED: true, CHUNK_SIZE: 512, LABELS: { type: 'counter' } }), 1000);
    const info = await c.ts.info('ctr');
    assert.equal(info.chunkType, 'uncompressed');
    assert.equal(info.chunkSize, 512);
    assert.deepEqual(info.labels, [{ name: 'type', value: 'counter' }]);
    assert.equal(await c.ts.incrBy('ctr', 2.5, { TIMESTAMP: 1000 }), 1000);
    assert.deepEqual(await c.ts.get('ctr'), { timestamp: 1000, value: 7.5 });
    assert.equal(await c.ts.decrBy('ctr', 10, { TIMESTAMP: 2000 }), 2000);
    assert.deepEqual(await c.ts.get('ctr'), { timestamp: 2000, value: -2.5 });
    assert.equal(await c.ts.decrBy('ctr2', 4, { TIMESTAMP: new Date(50) }), 50);
    assert.deepEqual(await c.ts.get('ctr2'), { timestamp: 50, value: -4 });
    await rejects(c.ts.incrBy('ctr', 1, { TIMESTAMP: 1500 }), /TSDB: timestamp must be equal to or higher than the maximum existing timestamp/, 'older timestamp');
    assert.deepEqual(await c.ts.get('ctr'), { timestamp: 2000, value: -2.5 }, 'unchanged');
});

test('del removes a range and reports the count', async (c) => {
    await load(c, 'del');
    const from = 1200, to = 1495;
    assert.equal(await c.ts.del('del', from, to), within(SERIES, from, to).length);
    samplesEqual(await c.ts.range('del', '-', '+'), SERIES.filter(s => s.timestamp < from || s.timestamp > to), 'after del');
    assert.equal(await c.ts.del('del', 0, 10), 0);
    await rejects(c.ts.del('nokey', 0, 10), /TSDB: the key does not exist/, 'del missing');
});

test('get and mGet variants, empty series, selected labels', async (c) => {
    await c.ts.create('e', { LABELS: { grp: 'g', name: 'e' } });
    assert.equal(await c.ts.get('e'), null);
    await load(c, 'f', SERIES.slice(0, 10), { LABELS: { grp: 'g', name: 'f', extra: 'x' } });
    const last = SERIES[9];
    assert.deepEqual(await c.ts.get('f'), { timestamp: last.timestamp, value: last.value });
    await rejects(c.ts.get('nokey'), /TSDB: the key does not exist/, 'get missing');

    const mget = plain(await c.ts.mGet('grp=g'));
    assert.deepEqual(Object.keys(mget), ['e', 'f']);
    assert.equal(mget.e.sample, null);
    assert.deepEqual(mget.f.sample, { timestamp: last.timestamp, value: last.value });

    const withLabels = plain(await c.ts.mGetWithLabels(['grp=g', 'name=f']));
    assert.deepEqual(Object.keys(withLabels), ['f']);
    assert.deepEqual(plain(withLabels.f.labels), { grp: 'g', name: 'f', extra: 'x' });

    const selected = plain(await c.ts.mGetSelectedLabels('grp=g', ['name', 'missing']));
    assert.deepEqual(plain(selected.e.labels), { name: 'e', missing: null });
    assert.deepEqual(plain(selected.f.labels), { name: 'f', missing: null });
    assert.deepEqual(selected.f.sample, { timestamp: last.timestamp, value: last.value });

    await rejects(c.ts.mGet('grp!=g'), /please provide at least one matcher/, 'no positive matcher');
});

test('range / revRange: plain, COUNT, FILTER_BY_TS, FILTER_BY_VALUE', async (c) => {
    await load(c, 'r');
    samplesEqual(await c.ts.range('r', '-', '+'), SERIES, 'whole range');
    samplesEqual(await c.ts.revRange('r', '-', '+'), [...SERIES].reverse(), 'whole revrange');
    samplesEqual(await c.ts.range('r', 1100, 1300, { COUNT: 5 }), within(SERIES, 1100, 1300).slice(0, 5), 'COUNT');
    samplesEqual(await c.ts.revRange('r', 1100, 1300, { COUNT: 5 }), within(SERIES, 1100, 1300).reverse().slice(0, 5), 'rev COUNT');
    const tss = [1000, 1010, 1555, 1990, 5000];
    samplesEqual(await c.ts.range('r', '-', '+', { FILTER_BY_TS: tss }), SERIES.filter(s => tss.includes(s.timestamp)), 'FILTER_BY_TS');
    samplesEqual(await c.ts.range('r', '-', '+', { FILTER_BY_VALUE: { min: 3, max: 6.25 } }),
        SERIES.filter(s => s.value >= 3 && s.value <= 6.25), 'FILTER_BY_VALUE');
    samplesEqual(await c.ts.range('r', 1000, 1500, { FILTER_BY_TS: [1020, 1030, 1040, 1050], FILTER_BY_VALUE: { min: 0, max: 8 }, COUNT: 2 }),
        SERIES.filter(s => [1020, 1030, 1040, 1050].includes(s.timestamp) && s.value <= 8).slice(0, 2), 'both filters + COUNT');
    samplesEqual(await c.ts.range('r', 3000, 4000), [], 'empty range');
    await rejects(c.ts.range('nokey', '-', '+'), /TSDB: the key does not exist/, 'missing key');
    await c.set('str', 'x');
    await rejects(c.ts.range('str', '-', '+'), /WRONGTYPE/, 'wrong type');
});

test('range / revRange AGGREGATION: every aggregator matches the reference computation', async (c) => {
    await load(c, 'agg');
    for (const type of [AGG.AVG, AGG.SUM, AGG.MIN, AGG.MAX, AGG.RANGE, AGG.COUNT, AGG.FIRST, AGG.LAST,
        AGG.STD_P, AGG.STD_S, AGG.VAR_P, AGG.VAR_S]) {
        const expected = aggregate(SERIES, 1005, 1777, type, 70);
        samplesEqual(await c.ts.range('agg', 1005, 1777, { AGGREGATION: { type, timeBucket: 70 } }), expected, `range ${type}`);
        samplesEqual(await c.ts.revRange('agg', 1005, 1777, { AGGREGATION: { type, timeBucket: 70 } }), [...expected].reverse(), `revrange ${type}`);
    }
    // twa of a bucket with evenly spaced samples of one run equals their trapezoid average
    const twa = await c.ts.range('agg', 1000, 1990, { AGGREGATION: { type: AGG.TWA, timeBucket: 1000 } });
    assert.equal(twa.length, 1);
    assert.equal(twa[0].timestamp, 1000);
    let area = 0;
    for (let i = 1; i < SERIES.length; i++) area += (SERIES[i].value + SERIES[i - 1].value) / 2 * 10;
    approx(twa[0].value, area / (1990 - 1000), 'twa');
});

test('range AGGREGATION with ALIGN, BUCKETTIMESTAMP, COUNT and filters', async (c) => {
    await load(c, 'al');
    for (const align of [0, 7, 1005, '-', '+']) {
        const alignTs = align === '-' ? 1005 : align === '+' ? 1777 : align;
        for (const bt of [BT.LOW, BT.MIDDLE, BT.END]) {
            const expected = aggregate(SERIES, 1005, 1777, AGG.MAX, 40, { align: alignTs, bt });
            samplesEqual(await c.ts.range('al', 1005, 1777, { ALIGN: align, AGGREGATION: { type: AGG.MAX, timeBucket: 40, BUCKETTIMESTAMP: bt } }),
                expected, `ALIGN ${align} BUCKETTIMESTAMP ${bt}`);
        }
    }
    samplesEqual(await c.ts.range('al', '-', '+', { COUNT: 3, AGGREGATION: { type: AGG.SUM, timeBucket: 100 } }),
        aggregate(SERIES, 0, 1e15, AGG.SUM, 100).slice(0, 3), 'COUNT buckets');
    const filtered = SERIES.filter(s => s.value >= 5);
    samplesEqual(await c.ts.range('al', '-', '+', { FILTER_BY_VALUE: { min: 5, max: 100 }, AGGREGATION: { type: AGG.COUNT, timeBucket: 100 } }),
        aggregate(filtered, 0, 1e15, AGG.COUNT, 100), 'FILTER_BY_VALUE then aggregate');
    await rejects(c.ts.range('al', '-', '+', { AGGREGATION: { type: 'median', timeBucket: 10 } }), /TSDB: Unknown aggregation type/, 'bad aggregator');
    await rejects(c.ts.range('al', '-', '+', { AGGREGATION: { type: AGG.AVG, timeBucket: 0 } }), /bucketDuration must be greater than zero/, 'bucket 0');
});

test('range AGGREGATION EMPTY fills the gaps with each aggregator\'s empty value', async (c) => {
    const gappy = [{ timestamp: 10, value: 1 }, { timestamp: 15, value: 3 }, { timestamp: 45, value: 5 }];
    await load(c, 'gap', gappy);
    const opts = type => ({ AGGREGATION: { type, timeBucket: 10, EMPTY: true } });
    samplesEqual(await c.ts.range('gap', 0, 45, opts(AGG.SUM)),
        [10, 20, 30, 40].map(t => ({ timestamp: t, value: t === 10 ? 4 : t === 40 ? 5 : 0 })), 'sum EMPTY');
    samplesEqual(await c.ts.range('gap', 0, 45, opts(AGG.LAST)),
        [10, 20, 30, 40].map(t => ({ timestamp: t, value: t === 40 ? 5 : 3 })), 'last EMPTY');
    samplesEqual(await c.ts.range('gap', 0, 45, opts(AGG.MAX)),
        [10, 20, 30, 40].map(t => ({ timestamp: t, value: t === 10 ? 3 : t === 40 ? 5 : NaN })), 'max EMPTY');
    samplesEqual(await c.ts.range('gap', 0, 45, { AGGREGATION: { type: AGG.MAX, timeBucket: 10 } }),
        [{ timestamp: 10, value: 3 }, { timestamp: 40, value: 5 }], 'max without EMPTY');
});

test('NaN samples: stored and returned as NaN, counted by countNaN / countAll only', async (c) => {
    await c.ts.create('nan', { DUPLICATE_POLICY: DP.LAST });
    assert.deepEqual(await c.ts.mAdd([{ key: 'nan', timestamp: 1, value: NaN }, { key: 'nan', timestamp: 2, value: 5 },
        { key: 'nan', timestamp: 3, value: NaN }]), [1, 2, 3]);
    samplesEqual(await c.ts.range('nan', '-', '+'), [{ timestamp: 1, value: NaN }, { timestamp: 2, value: 5 }, { timestamp: 3, value: NaN }], 'raw');
    const rows = await c.ts.rangeMultiAggr('nan', '-', '+', { AGGREGATION: { types: [AGG.AVG, AGG.COUNT, AGG.COUNT_NAN, AGG.COUNT_ALL], timeBucket: 10 } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].timestamp, 0);
    assert.deepEqual(rows[0].values, [5, 1, 2, 3]);
    const last = await c.ts.get('nan');
    assert.equal(last.timestamp, 3);
    assert.ok(Number.isNaN(last.value), `get NaN: ${last.value}`);
});

test('rangeMultiAggr / revRangeMultiAggr: one column per aggregator', async (c) => {
    await load(c, 'multi');
    const types = [AGG.AVG, AGG.MAX, AGG.COUNT, AGG.MIN];
    const expected = types.map(t => aggregate(SERIES, 0, 1e15, t, 150, { align: 25 }));
    const check = (rows, order) => {
        assert.equal(rows.length, expected[0].length);
        rows.forEach((row, i) => {
            const k = order === 'rev' ? expected[0].length - 1 - i : i;
            assert.equal(row.timestamp, expected[0][k].timestamp, `row ${i} timestamp`);
            assert.equal(row.values.length, types.length);
            types.forEach((t, j) => approx(row.values[j], expected[j][k].value, `row ${i} ${t}`));
        });
    };
    check(await c.ts.rangeMultiAggr('multi', '-', '+', { ALIGN: 25, AGGREGATION: { types, timeBucket: 150 } }), 'fwd');
    check(await c.ts.revRangeMultiAggr('multi', '-', '+', { ALIGN: 25, AGGREGATION: { types, timeBucket: 150 } }), 'rev');
});

/** Three series in two groups for the multi-series queries. */
async function loadFleet(c) {
    const fleet = {
        'fleet:a': { labels: { fleet: 'f', region: 'eu', host: 'a' }, samples: SERIES.slice(0, 30) },
        'fleet:b': { labels: { fleet: 'f', region: 'eu', host: 'b' }, samples: SERIES.slice(10, 40).map(s => ({ timestamp: s.timestamp, value: s.value * 2 })) },
        'fleet:c': { labels: { fleet: 'f', region: 'us', host: 'c' }, samples: SERIES.slice(20, 50).map(s => ({ timestamp: s.timestamp, value: -s.value })) },
        'fleet:empty': { labels: { fleet: 'f', region: 'us', host: 'none' }, samples: [] }
    };
    for (const [key, { labels, samples }] of Object.entries(fleet)) {
        await c.ts.create(key, { LABELS: labels });
        if (samples.length) await c.ts.mAdd(samples.map(s => ({ key, ...s })));
    }
    return fleet;
}

test('mRange / mRevRange with options, keys in order', async (c) => {
    const fleet = await loadFleet(c);
    const r = plain(await c.ts.mRange(1050, 1300, 'fleet=f', { FILTER_BY_VALUE: { min: 0, max: 100 }, COUNT: 7 }));
    assert.deepEqual(Object.keys(r), ['fleet:a', 'fleet:b', 'fleet:c', 'fleet:empty']);
    for (const key of Object.keys(fleet)) {
        samplesEqual(r[key], within(fleet[key].samples, 1050, 1300).filter(s => s.value >= 0 && s.value <= 100).slice(0, 7), `mRange ${key}`);
    }
    const rev = plain(await c.ts.mRevRange('-', '+', ['fleet=f', 'region=eu'], { AGGREGATION: { type: AGG.AVG, timeBucket: 50 } }));
    assert.deepEqual(Object.keys(rev), ['fleet:a', 'fleet:b']);
    for (const key of ['fleet:a', 'fleet:b']) {
        samplesEqual(rev[key], aggregate(fleet[key].samples, 0, 1e15, AGG.AVG, 50).reverse(), `mRevRange ${key}`);
    }
    await rejects(c.ts.mRange('-', '+', 'region!=eu'), /please provide at least one matcher/, 'no positive matcher');
});

test('mRangeWithLabels / mRangeSelectedLabels / mRevRange variants', async (c) => {
    const fleet = await loadFleet(c);
    for (const method of ['mRangeWithLabels', 'mRevRangeWithLabels']) {
        const r = plain(await c.ts[method]('-', '+', 'region=us'));
        assert.deepEqual(Object.keys(r), ['fleet:c', 'fleet:empty']);
        assert.deepEqual(plain(r['fleet:c'].labels), fleet['fleet:c'].labels);
        const expected = method.startsWith('mRev') ? [...fleet['fleet:c'].samples].reverse() : fleet['fleet:c'].samples;
        samplesEqual(r['fleet:c'].samples, expected, method);
        samplesEqual(r['fleet:empty'].samples, [], `${method} empty series`);
    }
    for (const method of ['mRangeSelectedLabels', 'mRevRangeSelectedLabels']) {
        const r = plain(await c.ts[method]('-', '+', ['host', 'nope'], 'region=eu', { AGGREGATION: { type: AGG.COUNT, timeBucket: 1000 } }));
        assert.deepEqual(Object.keys(r), ['fleet:a', 'fleet:b']);
        assert.deepEqual(plain(r['fleet:a'].labels), { host: 'a', nope: null });
        samplesEqual(r['fleet:b'].samples, [{ timestamp: 1000, value: 30 }], `${method} count`);
    }
});

test('mRangeMultiAggr and WithLabels/SelectedLabels MultiAggr', async (c) => {
    const fleet = await loadFleet(c);
    const types = [AGG.MIN, AGG.MAX];
    const r = plain(await c.ts.mRangeMultiAggr('-', '+', 'region=eu', { AGGREGATION: { types, timeBucket: 100 } }));
    for (const key of ['fleet:a', 'fleet:b']) {
        const mins = aggregate(fleet[key].samples, 0, 1e15, AGG.MIN, 100);
        const maxs = aggregate(fleet[key].samples, 0, 1e15, AGG.MAX, 100);
        assert.deepEqual(r[key].map(row => row.timestamp), mins.map(s => s.timestamp), `${key} timestamps`);
        r[key].forEach((row, i) => {
            approx(row.values[0], mins[i].value, `${key} min`);
            approx(row.values[1], maxs[i].value, `${key} max`);
        });
    }
    const wl = plain(await c.ts.mRevRangeWithLabelsMultiAggr('-', '+', 'host=c', { AGGREGATION: { types, timeBucket: 100 } }));
    assert.deepEqual(plain(wl['fleet:c'].labels), fleet['fleet:c'].labels);
    assert.deepEqual(wl['fleet:c'].samples.map(row => row.timestamp),
        aggregate(fleet['fleet:c'].samples, 0, 1e15, AGG.MIN, 100).map(s => s.timestamp).reverse());
    const sl = plain(await c.ts.mRangeSelectedLabelsMultiAggr('-', '+', ['region'], 'host=c', { AGGREGATION: { types, timeBucket: 100 } }));
    assert.deepEqual(plain(sl['fleet:c'].labels), { region: 'us' });
});

test('mRangeGroupBy / WithLabels / SelectedLabels: reducers over groups, sources', async (c) => {
    const fleet = await loadFleet(c);
    // the reducer's reference: per timestamp, over the group's series
    const reduceGroup = (keys, reducer) => {
        const byTs = new Map();
        for (const key of keys) for (const s of fleet[key].samples) {
            if (!byTs.has(s.timestamp)) byTs.set(s.timestamp, []);
            byTs.get(s.timestamp).push(s.value);
        }
        return [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([timestamp, values]) => ({ timestamp, value: reduce(reducer, values, []) }));
    };
    const groups = { 'region=eu': ['fleet:a', 'fleet:b'], 'region=us': ['fleet:c', 'fleet:empty'] };
    for (const reducer of [REDUCE.SUM, REDUCE.MAX, REDUCE.MIN, REDUCE.AVG, REDUCE.COUNT]) {
        const r = plain(await c.ts.mRangeGroupBy('-', '+', 'fleet=f', { label: 'region', REDUCE: reducer }));
        assert.deepEqual(Object.keys(r), Object.keys(groups));
        for (const [group, keys] of Object.entries(groups)) {
            samplesEqual(r[group].samples, reduceGroup(keys, reducer), `${reducer} ${group}`);
        }
    }
    const wl = plain(await c.ts.mRevRangeWithLabelsGroupBy('-', '+', 'fleet=f', { label: 'region', REDUCE: REDUCE.SUM }));
    assert.deepEqual(plain(wl['region=eu'].labels), { region: 'eu' });
    assert.deepEqual([...wl['region=eu'].sources].map(String), groups['region=eu']);
    assert.deepEqual([...wl['region=us'].sources].map(String), groups['region=us']);
    samplesEqual(wl['region=us'].samples, reduceGroup(groups['region=us'], REDUCE.SUM).reverse(), 'rev groupby');
    const sl = plain(await c.ts.mRangeSelectedLabelsGroupBy('-', '+', ['region', 'host'], 'fleet=f', { label: 'region', REDUCE: REDUCE.MAX },
        { AGGREGATION: { type: AGG.MAX, timeBucket: 1000 } }));
    assert.deepEqual(plain(sl['region=eu'].labels).region, 'eu');
    samplesEqual(sl['region=eu'].samples, [{ timestamp: 1000, value: Math.max(...fleet['fleet:b'].samples.map(s => s.value), ...fleet['fleet:a'].samples.map(s => s.value)) }], 'selected groupby');
});

test('type mapping: maps as Map, blob strings as Buffer', async (c, RESP) => {
    const fleet = await loadFleet(c);
    const m = c.withTypeMapping({ [RESP_TYPES.MAP]: Map, [RESP_TYPES.BLOB_STRING]: Buffer });
    const mget = await m.ts.mGetWithLabels('region=eu');
    assert.ok(mget instanceof Map, `mGetWithLabels gives a Map: ${mget?.constructor?.name}`);
    assert.deepEqual([...mget.keys()].map(String), ['fleet:a', 'fleet:b']);
    const labels = mget.get([...mget.keys()][0]).labels;
    assert.ok(labels instanceof Map, 'labels are a Map');
    assert.deepEqual([...labels].map(([k, v]) => [String(k), String(v)]), Object.entries(fleet['fleet:a'].labels));
    const mrange = await m.ts.mRangeWithLabels('-', '+', 'host=c');
    assert.ok(mrange instanceof Map, 'mRangeWithLabels gives a Map');
    samplesEqual([...mrange.values()][0].samples, fleet['fleet:c'].samples, 'samples under the type mapping');
    const keys = await m.ts.queryIndex('host=c');
    assert.ok(Buffer.isBuffer([...keys][0]), `queryIndex keys are Buffers (RESP${RESP})`);
    assert.equal(String([...keys][0]), 'fleet:c');
});

test('replies larger than one 256 KB reply batch parse whole', async (c) => {
    const n = 25000; // about 700 KB in RESP2: three reply batches
    const big = Array.from({ length: n }, (_, i) => ({ timestamp: 1 + i, value: (i % 1000) / 8 + 0.001 * (i % 7) }));
    await c.ts.create('big', { LABELS: { size: 'big' } });
    for (let i = 0; i < n; i += 10000) {
        await c.ts.mAdd(big.slice(i, i + 10000).map(s => ({ key: 'big', ...s })));
    }
    samplesEqual(await c.ts.range('big', '-', '+'), big, 'range');
    samplesEqual(await c.ts.revRange('big', '-', '+'), [...big].reverse(), 'revRange');
    const m = plain(await c.ts.mRangeWithLabels('-', '+', 'size=big'));
    samplesEqual(m.big.samples, big, 'mRange');
});

test('UTF-8 keys, label names and values round-trip', async (c) => {
    const key = 'temp:Zürich 🌡';
    const labels = { 'städt': 'Zürich', 'emoji': '🌡️', 'space key': 'a value with spaces' };
    await c.ts.create(key, { LABELS: labels });
    await c.ts.add(key, 1, 21.5);
    assert.deepEqual((await c.ts.info(key)).labels, Object.entries(labels).map(([name, value]) => ({ name, value })));
    const m = plain(await c.ts.mGetWithLabels('städt=Zürich'));
    assert.deepEqual(Object.keys(m), [key]);
    assert.deepEqual(plain(m[key].labels), labels);
    assert.deepEqual([...await c.ts.queryIndex('emoji=🌡️')], [key]);
    assert.deepEqual([...await c.ts.queryLabels()].sort(), Object.keys(labels).sort());
    assert.deepEqual([...await c.ts.queryLabelValues('space key')], ['a value with spaces']);
});

test('createRule / deleteRule: compaction, info rules and sourceKey, LATEST', async (c) => {
    await c.ts.create('src');
    await c.ts.create('dst');
    await c.ts.create('dst2');
    assert.equal(await c.ts.createRule('src', 'dst', AGG.AVG, 100), 'OK');
    assert.equal(await c.ts.createRule('src', 'dst2', AGG.MAX, 100, 50), 'OK');
    const written = SERIES.slice(0, 26); // 1000 .. 1250
    await c.ts.mAdd(written.map(s => ({ key: 'src', ...s })));
    const info = await c.ts.info('src');
    assert.deepEqual(info.rules.map(r => [String(r.key), Number(r.timeBucket), String(r.aggregationType).toUpperCase()]),
        [['dst', 100, 'AVG'], ['dst2', 100, 'MAX']]);
    assert.equal(String((await c.ts.info('dst')).sourceKey), 'src');
    const avg = aggregate(written, 0, 1e15, AGG.AVG, 100);
    samplesEqual(await c.ts.range('dst', '-', '+'), avg.slice(0, -1), 'closed buckets');
    samplesEqual(await c.ts.range('dst', '-', '+', { LATEST: true }), avg, 'LATEST adds the open bucket');
    const open = avg[avg.length - 1];
    assert.deepEqual(await c.ts.get('dst', { LATEST: true }), { timestamp: open.timestamp, value: open.value });
    assert.deepEqual(await c.ts.get('dst'), { timestamp: avg[avg.length - 2].timestamp, value: avg[avg.length - 2].value });
    samplesEqual(await c.ts.range('dst2', '-', '+', { LATEST: true }), aggregate(written, 0, 1e15, AGG.MAX, 100, { align: 50 }), 'aligned rule');
    await rejects(c.ts.createRule('src', 'src', AGG.AVG, 100), /the source key and destination key should be different/, 'same key');
    await rejects(c.ts.createRule('src', 'dst', AGG.AVG, 100), /the destination key already has a src rule/, 'twice');
    await rejects(c.ts.createRule('src', 'nokey', AGG.AVG, 100), /TSDB: the key does not exist/, 'missing destination');
    assert.equal(await c.ts.deleteRule('src', 'dst'), 'OK');
    assert.deepEqual((await c.ts.info('src')).rules.map(r => String(r.key)), ['dst2']);
    assert.equal((await c.ts.info('dst')).sourceKey, null);
    await rejects(c.ts.deleteRule('src', 'dst'), /compaction rule does not exist/, 'delete twice');
});

test('mGet / mRange LATEST on a compaction destination', async (c) => {
    await c.ts.create('s', { LABELS: { role: 'src' } });
    await c.ts.create('d', { LABELS: { role: 'dst' } });
    await c.ts.createRule('s', 'd', AGG.SUM, 100);
    const written = SERIES.slice(0, 15);
    await c.ts.mAdd(written.map(s => ({ key: 's', ...s })));
    const sums = aggregate(written, 0, 1e15, AGG.SUM, 100);
    const latest = plain(await c.ts.mGet('role=dst', { LATEST: true }));
    assert.deepEqual(latest.d.sample, { timestamp: sums[1].timestamp, value: sums[1].value });
    const plainGet = plain(await c.ts.mGet('role=dst'));
    assert.deepEqual(plainGet.d.sample, { timestamp: sums[0].timestamp, value: sums[0].value });
    samplesEqual(plain(await c.ts.mRange('-', '+', 'role=dst', { LATEST: true })).d, sums, 'mRange LATEST');
});

test('info and infoDebug: counts, chunks, keySelfName', async (c) => {
    await load(c, 'dbg', SERIES, { CHUNK_SIZE: 48 });
    const info = await c.ts.info('dbg');
    assert.equal(info.totalSamples, SERIES.length);
    assert.equal(info.firstTimestamp, SERIES[0].timestamp);
    assert.equal(info.lastTimestamp, SERIES[SERIES.length - 1].timestamp);
    assert.ok(info.chunkCount > 1, `several chunks of 48 bytes: ${info.chunkCount}`);
    const dbg = await c.ts.infoDebug('dbg');
    assert.equal(String(dbg.keySelfName), 'dbg');
    assert.equal(dbg.chunks.length, info.chunkCount);
    assert.equal(dbg.chunks.reduce((n, ch) => n + ch.samples, 0), SERIES.length, 'chunk samples add up');
    assert.equal(dbg.chunks[0].startTimestamp, SERIES[0].timestamp);
    assert.equal(dbg.chunks[dbg.chunks.length - 1].endTimestamp, SERIES[SERIES.length - 1].timestamp);
    for (let i = 1; i < dbg.chunks.length; i++) {
        assert.ok(dbg.chunks[i].startTimestamp > dbg.chunks[i - 1].endTimestamp, 'chunks in order');
    }
    for (const ch of dbg.chunks) {
        assert.ok(ch.size > 0, 'chunk size');
        assert.ok(Number(ch.bytesPerSample) > 0, `bytesPerSample ${ch.bytesPerSample}`);
    }
    await rejects(c.ts.info('nokey'), /TSDB: the key does not exist/, 'info missing');
});

test('queryIndex and queryLabels / queryLabelValues', async (c) => {
    await loadFleet(c);
    assert.deepEqual([...await c.ts.queryIndex('region=eu')].sort(), ['fleet:a', 'fleet:b']);
    assert.deepEqual([...await c.ts.queryIndex(['fleet=f', 'host!=a', 'region=(eu,us)'])].sort(), ['fleet:b', 'fleet:c', 'fleet:empty']);
    assert.deepEqual([...await c.ts.queryIndex('region=asia')], []);
    await rejects(c.ts.queryIndex('region!=eu'), /please provide at least one matcher/, 'no positive matcher');
    assert.deepEqual([...await c.ts.queryLabels()].sort(), ['fleet', 'host', 'region']);
    assert.deepEqual([...await c.ts.queryLabelValues('host', 'region=eu')].sort(), ['a', 'b']);
    assert.deepEqual([...await c.ts.queryLabelValues('region')].sort(), ['eu', 'us']);
});

// ---------------------------------------------------------------------------------------------
// RedisTimeSeries 8.10 additions. Each case names the feature it covers.

const NRANGE = 'TS.NRANGE (parity branch)';
const EXCLUDEEMPTY = 'EXCLUDEEMPTY (parity branch)';
const PARITY = 'the 8.10 behaviour fixes (parity branch, probed as TS.NRANGE)';
const READ = 'TS.READ (ops branch)';
const ACL_CATEGORY = 'the timeseries ACL category (ops branch)';


/** TS.NRANGE reference: outer join of the keys' TS.RANGE replies by timestamp, NaN where absent. */
function outerJoin(columns) {
    const timestamps = [...new Set(columns.flatMap(col => col.map(s => s.timestamp)))].sort((a, b) => a - b);
    return timestamps.map(timestamp => ({
        timestamp,
        values: columns.map(col => { const s = col.find(x => x.timestamp === timestamp); return s ? s.value : NaN; })
    }));
}

function rowsEqual(actual, expected, what) {
    assert.equal(actual.length, expected.length, `${what}: ${actual.length} rows, expected ${expected.length}`);
    actual.forEach((row, i) => {
        assert.equal(row.timestamp, expected[i].timestamp, `${what} row ${i} timestamp`);
        assert.equal(row.values.length, expected[i].values.length, `${what} row ${i} columns`);
        row.values.forEach((v, j) => approx(v, expected[i].values[j], `${what} row ${i} column ${j}`));
    });
}

test810(NRANGE, 'nRange / nRevRange equal the outer join of the keys\' ranges', async (c) => {
    const a = SERIES.slice(0, 40);
    const b = SERIES.filter((_, i) => i % 3 === 0).map(s => ({ timestamp: s.timestamp + 5 * (s.timestamp % 20 === 0 ? 1 : 0), value: s.value * 10 }));
    await load(c, '{n}a', a);
    await load(c, '{n}b', b);
    const joined = outerJoin([within(a, 1100, 1600), within(b, 1100, 1600)]);
    rowsEqual(await c.ts.nRange(['{n}a', '{n}b'], 1100, 1600), joined, 'nRange');
    rowsEqual(await c.ts.nRevRange(['{n}a', '{n}b'], 1100, 1600), [...joined].reverse(), 'nRevRange');
    rowsEqual(await c.ts.nRange(['{n}a', '{n}b'], '-', '+', { COUNT: 4 }), outerJoin([a, b]).slice(0, 4), 'COUNT');
    const fv = s => s.value >= 2 && s.value <= 40;
    rowsEqual(await c.ts.nRange(['{n}a', '{n}b'], '-', '+', { FILTER_BY_VALUE: { min: 2, max: 40 } }),
        outerJoin([a.filter(fv), b.filter(fv)]), 'FILTER_BY_VALUE');
});

test810(NRANGE, 'nRange AGGREGATION: one aggregator list per key, ALIGN, BUCKETTIMESTAMP', async (c) => {
    const a = SERIES.slice(0, 60);
    const b = SERIES.slice(30).map(s => ({ timestamp: s.timestamp, value: s.value + 1 }));
    await load(c, '{n}a', a);
    await load(c, '{n}b', b);
    const rows = await c.ts.nRange(['{n}a', '{n}b'], '-', '+', {
        ALIGN: 30, AGGREGATION: { types: [[AGG.AVG], [AGG.MIN, AGG.MAX]], timeBucket: 100, BUCKETTIMESTAMP: BT.END }
    });
    const cols = [aggregate(a, 0, 1e15, AGG.AVG, 100, { align: 30, bt: '+' }),
        aggregate(b, 0, 1e15, AGG.MIN, 100, { align: 30, bt: '+' }), aggregate(b, 0, 1e15, AGG.MAX, 100, { align: 30, bt: '+' })];
    rowsEqual(rows, outerJoin(cols), 'aggregated nRange');
    await rejects(c.ts.nRange(['{n}a', '{n}b'], '-', '+', { AGGREGATION: { types: [[AGG.AVG]], timeBucket: 100 } }), /ERR/, 'one aggregator for two keys');
    await rejects(c.ts.nRange(['{n}a', '{n}missing'], '-', '+'), /ERR/, 'missing key');
});

test810(EXCLUDEEMPTY, 'EXCLUDEEMPTY leaves out series without samples in the reply', async (c) => {
    const fleet = await loadFleet(c);
    const inRange = key => within(fleet[key].samples, 1000, 1150);
    const expectedKeys = Object.keys(fleet).filter(k => inRange(k).length > 0);
    assert.deepEqual(expectedKeys, ['fleet:a', 'fleet:b'], 'the data leaves c and empty out');
    const r = plain(await c.ts.mRange(1000, 1150, 'fleet=f', { EXCLUDEEMPTY: true }));
    assert.deepEqual(Object.keys(r), expectedKeys);
    samplesEqual(r['fleet:b'], inRange('fleet:b'), 'mRange EXCLUDEEMPTY');
    const rev = plain(await c.ts.mRevRangeWithLabels(1000, 1150, 'fleet=f', { EXCLUDEEMPTY: true }));
    assert.deepEqual(Object.keys(rev), expectedKeys);
    assert.deepEqual(plain(rev['fleet:a'].labels), fleet['fleet:a'].labels);
    const sl = plain(await c.ts.mRangeSelectedLabels(1000, 1150, ['host'], 'fleet=f', { EXCLUDEEMPTY: true }));
    assert.deepEqual(Object.keys(sl), expectedKeys);
    const ma = plain(await c.ts.mRangeMultiAggr(1000, 1150, 'fleet=f', { EXCLUDEEMPTY: true, AGGREGATION: { types: [AGG.MIN, AGG.MAX], timeBucket: 50 } }));
    assert.deepEqual(Object.keys(ma), expectedKeys);
    const all = plain(await c.ts.mRange(1000, 1150, 'fleet=f'));
    assert.deepEqual(Object.keys(all), Object.keys(fleet), 'without EXCLUDEEMPTY every series is listed');
});

test810(PARITY, 'create / add / alter with LABELS and IGNORE (node-redis sends IGNORE after LABELS)', async (c) => {
    assert.equal(await c.ts.create('li', { DUPLICATE_POLICY: DP.LAST, LABELS: { a: '1' }, IGNORE: { maxTimeDiff: 10, maxValDiff: 1 } }), 'OK');
    let info = await c.ts.info('li');
    assert.deepEqual(info.labels, [{ name: 'a', value: '1' }], 'IGNORE is not a label');
    assert.equal(info.ignoreMaxTimeDiff, 10);
    assert.equal(info.ignoreMaxValDiff, 1);
    assert.equal(await c.ts.add('la', 100, 5, { ON_DUPLICATE: DP.LAST, LABELS: { b: '2' }, IGNORE: { maxTimeDiff: 5, maxValDiff: 2 } }), 100);
    info = await c.ts.info('la');
    assert.deepEqual(info.labels, [{ name: 'b', value: '2' }]);
    assert.equal(info.ignoreMaxTimeDiff, 5);
    assert.equal(await c.ts.alter('li', { LABELS: { a: '3' }, IGNORE: { maxTimeDiff: 20, maxValDiff: 4 } }), 'OK');
    info = await c.ts.info('li');
    assert.deepEqual(info.labels, [{ name: 'a', value: '3' }]);
    assert.equal(info.ignoreMaxTimeDiff, 20);
    assert.equal(info.ignoreMaxValDiff, 4);
    assert.equal(await c.ts.incrBy('lc', 1, { TIMESTAMP: 10, LABELS: { c: '1' }, IGNORE: { maxTimeDiff: 5, maxValDiff: 1 } }), 10);
    assert.deepEqual((await c.ts.info('lc')).labels, [{ name: 'c', value: '1' }]);
});

test810(PARITY, 'info reports the effective duplicate policy', async (c) => {
    await c.ts.create('nopolicy');
    assert.equal(String((await c.ts.info('nopolicy')).duplicatePolicy).toUpperCase(), DP.BLOCK);
});

test810(PARITY, 'incrBy IGNORE on a series without a policy applies IGNORE', async (c) => {
    await c.ts.create('inc', { IGNORE: { maxTimeDiff: 10, maxValDiff: 5 } });
    assert.equal(await c.ts.incrBy('inc', 1, { TIMESTAMP: 100 }), 100);
    assert.equal(await c.ts.incrBy('inc', 1, { TIMESTAMP: 105 }), 100, 'ignored: replies the latest timestamp');
    samplesEqual(await c.ts.range('inc', '-', '+'), [{ timestamp: 100, value: 1 }], 'one sample');
});

test810(READ, 'read: from a cursor, + and -, MAX_COUNT, missing key', async (c) => {
    await load(c, 'rd');
    samplesEqual(await c.ts.read('rd', 1500), within(SERIES, 1500, 1e15), 'from 1500');
    samplesEqual(await c.ts.read('rd', TS_READ_TIMESTAMP.EARLIEST, { MAX_COUNT: 5 }), SERIES.slice(0, 5), 'MAX_COUNT');
    samplesEqual(await c.ts.read('rd', TS_READ_TIMESTAMP.LATEST), SERIES.slice(-1), '+ is the latest sample');
    samplesEqual(await c.ts.read('nokey', 0), [], 'missing key');
});

/** Waits (at most 5 s) until the server has n blocked clients, so that a write surely comes after the read. */
async function untilBlocked(c, n) {
    for (let i = 0; i < 500; i++) {
        const m = /blocked_clients:(\d+)/.exec(await c.info('clients'));
        if (m && Number(m[1]) >= n) return;
        await new Promise(r => setTimeout(r, 10));
    }
    assert.fail(`no ${n} blocked client(s) after 5 s`);
}

test810(READ, 'read BLOCK: released by a write from another client, or by the timeout', async (c) => {
    await load(c, 'rb', SERIES.slice(0, 3));
    const reader = c.duplicate();
    await reader.connect();
    try {
        const pending = reader.ts.read('rb', TS_READ_TIMESTAMP.NEW, { BLOCK: { milliseconds: 5000, minCount: 2 } });
        pending.catch(() => {}); // an early error is reported by the await below, not as an unhandled rejection
        await untilBlocked(c, 1);
        await c.ts.add('rb', 5000, 1);
        await new Promise(r => setTimeout(r, 50));
        await c.ts.add('rb', 5001, 2);
        samplesEqual(await pending, [{ timestamp: 5000, value: 1 }, { timestamp: 5001, value: 2 }], 'released by the second write');
        const started = Date.now();
        samplesEqual(await reader.ts.read('rb', TS_READ_TIMESTAMP.NEW, { BLOCK: { milliseconds: 200 } }), [], 'timeout');
        assert.ok(Date.now() - started >= 150, 'waited for the timeout');
    } finally {
        await reader.close();
    }
});

test810(ACL_CATEGORY, 'a user with +@timeseries only runs the TS commands through the typed API', async (c, RESP) => {
    await c.ts.create('acl', { LABELS: { t: 'acl' } });
    await c.sendCommand(['ACL', 'SETUSER', 'tsonly', 'on', '>tspw', '~*', '+@timeseries']);
    const user = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP,
        username: 'tsonly', password: 'tspw', modules: { ts: TimeSeries } });
    await user.connect();
    try {
        assert.equal(await user.ts.add('acl', 1, 2), 1);
        samplesEqual(await user.ts.range('acl', '-', '+'), [{ timestamp: 1, value: 2 }], 'range as tsonly');
        assert.deepEqual(Object.keys(plain(await user.ts.mGet('t=acl'))), ['acl']);
        await rejects(user.set('plain', 'x'), /NOPERM/, 'SET is not in @timeseries');
    } finally {
        await user.close();
        await c.sendCommand(['ACL', 'DELUSER', 'tsonly']);
    }
});

// ---------------------------------------------------------------------------------------------
// Runner

let passed = 0, failed = 0;
process.on('unhandledRejection', e => { // a stray promise of a case: a failure, not a crash
    failed++;
    console.log(`FAIL unhandled rejection: ${e?.message ?? e}`);
});
for (const RESP of protocols) {
    const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP, modules: { ts: TimeSeries } });
    client.on('error', e => console.error(`RESP${RESP} client error: ${e.message}`));
    await client.connect();
    const clientInfo = String(await client.sendCommand(['CLIENT', 'INFO']));
    if (!clientInfo.includes(` resp=${RESP} `)) {
        failed++;
        console.log(`FAIL RESP${RESP}: the connection does not speak RESP${RESP}: ${clientInfo}`);
    }
    for (const { name, feature, fn } of cases) {
        const label = feature ? `RESP${RESP} ${name} [${feature}]` : `RESP${RESP} ${name}`;
        await client.flushAll();
        try {
            await fn(client, RESP);
            passed++;
            console.log(`ok   ${label}`);
        } catch (e) {
            failed++;
            console.log(`FAIL ${label}\n     ${String(e.stack || e).split('\n').filter(l => !l.includes('node_modules')).slice(0, 6).join('\n     ')}`);
        }
    }
    await client.close();
}
console.log(`node-redis (@redis/time-series, RESP ${protocols.join('+')}): ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
