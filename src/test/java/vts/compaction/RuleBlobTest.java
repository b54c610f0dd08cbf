package vts.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import vts.mem.Mem;
import vts.query.Agg;
import vts.query.Aggregator;
import vts.series.Layout;
import vts.series.Series;

class RuleBlobTest {
    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static final List<Rule> RULES = List.of(
            new Rule(b("dest:avg"), Agg.of(Aggregator.AVG), 60_000, 0, RuleBlob.NO_BUCKET),
            new Rule(b("d\u00e9st:p99"), Agg.parse("p99.9"), 1000, 250, 123_000),
            new Rule(new byte[0], Agg.of(Aggregator.STD_S), Long.MAX_VALUE, Long.MAX_VALUE - 1, -5));

    @Test
    void roundTrip() {
        assertEquals(RULES, RuleBlob.decode(RuleBlob.encode(RULES)));
        assertEquals(List.of(), RuleBlob.decode(RuleBlob.encode(List.of())));
        assertEquals(List.of(), RuleBlob.decode(null));
    }

    /** The on-disk bytes of version 1 stay what the class javadoc says. */
    @Test
    void layoutIsStable() {
        byte[] blob = RuleBlob.encode(List.of(new Rule(b("k"), Agg.of(Aggregator.MAX), 10, 3, 20)));
        byte[] expected = {
            1, 0, 0, 0, 1, 0, 0, 0,                 // version, reserved, count
            20, 0, 0, 0, 0, 0, 0, 0,                // openBucket
            10, 0, 0, 0, 0, 0, 0, 0,                // bucketDuration
            3, 0, 0, 0, 0, 0, 0, 0,                 // alignTimestamp
            1, 0, 0, 0, 3, 0, 0, 0,                 // destLen, aggLen, flags (no running state)
            -1, -1, -1, -1, -1, -1, -1, 127,        // openFirstValue: none known
            -1, -1, -1, -1, -1, -1, -1, 127,        // sourceLast: unknown
            0, 0, 0, 0, 0, 0, 0, 0,                 // count
            0, 0, 0, 0, 0, 0, 0, 0,                 // nanCount
            0, 0, 0, 0, 0, 0, 0, 0,                 // firstTs
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // slots 0-1
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // slots 2-3
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // slots 4-5
            'k', 'm', 'a', 'x'};
        assertArrayEquals(expected, blob);
    }

    @Test
    void rejectsMalformed() {
        byte[] good = RuleBlob.encode(RULES);
        byte[] badVersion = good.clone();
        badVersion[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> RuleBlob.decode(badVersion));
        for (int n = 1; n < good.length; n += 7) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThrows(IllegalArgumentException.class, () -> RuleBlob.decode(cut), "cut at " + n);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(IllegalArgumentException.class, () -> RuleBlob.decode(longer));
    }

    @Test
    void inPlaceAccessOnASeries() {
        long s = Series.create(Layout.ENC_COMPRESSED, 0, 4096, Layout.DUP_UNSET, false, 0, 0);
        try {
            RuleBlob.write(s, RULES);
            assertEquals(3, Series.ruleCount(s));
            assertEquals(RULES, RuleBlob.read(s));
            long rec = RuleBlob.record(s, 1);
            assertEquals(1000, RuleBlob.duration(rec));
            assertEquals(250, RuleBlob.align(rec));
            assertEquals(123_000, RuleBlob.openBucket(rec));
            assertArrayEquals(b("d\u00e9st:p99"), RuleBlob.dest(rec));
            assertEquals(Agg.parse("p99.9"), RuleBlob.agg(rec));
            RuleBlob.setOpenBucket(rec, 124_000);
            assertEquals(RULES.get(1).withOpenBucket(124_000), RuleBlob.read(s).get(1));
            long rec2 = RuleBlob.record(s, 2);
            assertEquals(Long.MAX_VALUE, RuleBlob.duration(rec2));
            byte[] name = b("d\u00e9st:p99");
            long p = Mem.alloc(name.length);
            try {
                Mem.copyFromArray(name, 0, p, name.length);
                assertEquals(true, RuleBlob.nativeEquals(RuleBlob.destPtr(rec), RuleBlob.destLen(rec), p, name.length));
                assertEquals(false, RuleBlob.nativeEquals(RuleBlob.destPtr(rec), RuleBlob.destLen(rec), p, name.length - 1));
            } finally {
                Mem.free(p);
            }
            RuleBlob.write(s, List.of());
            assertEquals(0, Series.ruleCount(s));
            assertEquals(null, Series.rules(s));
        } finally {
            Series.free(s);
        }
    }
}
