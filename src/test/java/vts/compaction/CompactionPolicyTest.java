package vts.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import vts.query.Agg;
import vts.query.Aggregator;

class CompactionPolicyTest {
    @Test
    void parsesUnitsAndAlignment() {
        List<CompactionPolicy.Entry> p = CompactionPolicy.parse("max:1M:1h;min:10s:5d:10m;last:5M:0;avg:2h:10d;std.p:3d:100d;p99:10m:0:1s");
        assertEquals(List.of(
                new CompactionPolicy.Entry(Agg.of(Aggregator.MAX), 60_000, 3_600_000, 0),
                new CompactionPolicy.Entry(Agg.of(Aggregator.MIN), 10_000, 5 * 86_400_000L, 10),
                new CompactionPolicy.Entry(Agg.of(Aggregator.LAST), 300_000, 0, 0),
                new CompactionPolicy.Entry(Agg.of(Aggregator.AVG), 7_200_000, 10 * 86_400_000L, 0),
                new CompactionPolicy.Entry(Agg.of(Aggregator.STD_P), 3 * 86_400_000L, 100 * 86_400_000L, 0),
                new CompactionPolicy.Entry(Agg.parse("p99"), 10, 0, 1000)), p);
        assertEquals(List.of(), CompactionPolicy.parse(""));
        assertEquals(1, CompactionPolicy.parse("AVG:1s:0;").size());
    }

    @Test
    void destinationNames() {
        byte[] src = "temp:1".getBytes(StandardCharsets.UTF_8);
        assertEquals("temp:1_AVG_60000", name(new CompactionPolicy.Entry(Agg.of(Aggregator.AVG), 60_000, 0, 0), src));
        assertEquals("temp:1_STD.P_1000_500", name(new CompactionPolicy.Entry(Agg.of(Aggregator.STD_P), 1000, 0, 500), src));
    }

    private static String name(CompactionPolicy.Entry e, byte[] src) {
        return new String(e.destKey(src), StandardCharsets.UTF_8);
    }

    @Test
    void rejectsBadText() {
        for (String bad : new String[] {"avg", "avg:1m", "avg:1m:1m:1m:1m", "foo:1m:1h", "avg:0m:1h", "avg:0:1h",
                "avg:1x:1h", "avg:m:1h", "avg:1:1h", "avg:1m:-1h", "avg:1mm:1h", "avg:1m:1h;;max:1m:1h", ";",
                "avg:99999999999999999d:0", "avg: 1m:1h"}) {
            assertNotNull(CompactionPolicy.validate(bad), bad);
        }
        assertNull(CompactionPolicy.validate("avg:1m:1h"));
        assertNull(CompactionPolicy.validate(""));
    }
}
