package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The JIT warm-up at load (README "JIT warm-up"): with the default settings the module runs its
 * commands' code on private series before the server serves, and leaves no trace a client could
 * see: no keys, no index entries, no command or error statistics, the server's memory as without
 * it, and data commands answer as usual right afterwards. {@code jit-warmup 0} turns it off, and a
 * bad value stops the start like any bad module argument.
 */
class JitWarmupIT {
    private static final Pattern DONE = Pattern.compile("JIT warm-up: (\\d+) rounds in (\\d+) ms");

    private static long infoField(ValkeyServer s, String section, String field) {
        for (String line : text(s.call("INFO", section)).split("\r\n")) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.substring(field.length() + 1).trim());
        }
        throw new AssertionError(field + " not in INFO " + section);
    }

    @Test
    void theDefaultWarmUpLeavesNoTrace() {
        long usedWithout;
        try (ValkeyServer off = ValkeyServer.builder().start()) { // the tests' default: jit-warmup 0
            assertFalse(off.log().contains("JIT warm-up"), "no warm-up with jit-warmup 0");
            usedWithout = infoField(off, "memory", "used_memory");
        }
        try (ValkeyServer s = ValkeyServer.builder().defaultJitWarmup().start()) {
            Matcher m = DONE.matcher(s.log());
            assertTrue(m.find(), "the log reports the warm-up: " + s.logTail(20));
            assertTrue(Long.parseLong(m.group(1)) >= 1, "at least one round ran");
            assertFalse(s.log().contains("warm-up failed"), s.logTail(20));

            // first (our own queries below count): its commands never went through the server's command table, its error replies to no client
            String stats = text(s.call("INFO", "commandstats"));
            assertFalse(stats.contains("cmdstat_ts."), stats);
            String errors = text(s.call("INFO", "errorstats"));
            assertFalse(errors.contains("errorstat_"), errors);
            // no keys, nothing in the index (the warm-up's series had labels region, metric, grp, host)
            assertEquals(0, integer(s.call("DBSIZE")));
            assertEquals(List.of(), array(s.call("TS.QUERYINDEX", "region=r0")).plain());
            assertEquals(List.of(), array(s.call("TS.QUERYINDEX", "grp=g1")).plain());
            assertEquals(List.of(), array(s.call("TS.MRANGE", "-", "+", "FILTER", "metric=m0")).plain());
            String info = text(s.call("INFO", "timeseries"));
            assertTrue(info.contains("timeseries_series:0"), info);
            assertTrue(info.contains("timeseries_chunk_bytes:0"), info);
            // native memory: everything it allocated with the module allocator was freed
            long used = infoField(s, "memory", "used_memory");
            assertTrue(Math.abs(used - usedWithout) < 256 * 1024,
                    "used_memory " + used + " with the warm-up, " + usedWithout + " without");

            // data commands right afterwards
            assertEquals(1000, integer(s.call("TS.ADD", "a", "1000", "1.5", "LABELS", "region", "r0")));
            assertEquals(2000, integer(s.call("TS.ADD", "a", "2000", "2.25")));
            assertEquals(List.of("1000:1.5", "2000:2.25"), samples2(s.call("TS.RANGE", "a", "-", "+")));
            assertEquals(List.of("0:1.875"), samples2(s.call("TS.RANGE", "a", "-", "+", "AGGREGATION", "avg", "60000")));
            assertEquals("2000:2.25", sample2(s.call("TS.GET", "a")));
            assertEquals(List.of("a"), array(s.call("TS.QUERYINDEX", "region=r0")).plain());
            assertEquals(1, array(s.call("TS.MRANGE", "-", "+", "FILTER", "region=r0")).items().size());
            assertErrorStartsWith("ERR", s.call("TS.ADD", "a", "1000", "9"));
            assertTrue(text(s.call("INFO", "errorstats")).contains("errorstat_ERR"), "a client's error is counted");
        }
    }

    @Test
    void aShortBudgetStillRunsAndABadValueStopsTheStart() {
        try (ValkeyServer s = ValkeyServer.builder().moduleArgs("jit-warmup", "50").start()) {
            assertTrue(DONE.matcher(s.log()).find(), s.logTail(20));
            assertEquals(1, integer(s.call("TS.ADD", "k", "1", "1")));
        }
        for (String bad : new String[] {"-1", "abc", "60001"}) {
            assertThrows(IllegalStateException.class,
                    () -> ValkeyServer.builder().moduleArgs("JIT_WARMUP", bad).start().close(), bad);
        }
    }
}
