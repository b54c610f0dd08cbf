package vts.command;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** TS.ADD is the hot path: its parse builds the request and the key copy, and nothing else. */
class AddAllocationTest {

    @Test
    void addParsesWithoutStringsOrBoxes() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported());
        Args a = Args.of("TS.ADD", "sensor:1", "1700000000123", "-23.625");
        long sink = 0;
        for (int i = 0; i < 300_000; i++) sink += Parsers.add(a).timestamp();
        long tid = Thread.currentThread().threadId();
        int calls = 100_000;
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < calls; i++) sink += Parsers.add(a).timestamp();
        long perCall = (mx.getThreadAllocatedBytes(tid) - before) / calls;
        assertTrue(sink != 0);
        // AddRequest (~48 bytes) + the key copy (~24 bytes); a String or a boxed number would show.
        assertTrue(perCall <= 96, "bytes per TS.ADD parse: " + perCall);
    }
}
