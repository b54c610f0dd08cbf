package vts.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static vts.e2e.Ts.*;

import org.junit.jupiter.api.Test;

/**
 * New series are refused with an error naming the setting to raise before the Java heap
 * (the label index) runs out, and the server goes on serving the series it has.
 */
class HeapGuardIT {
    @Test
    void aNearlyFullHeapRefusesNewSeriesWithAClearError() {
        try (ValkeyServer s = ValkeyServer.builder().moduleArgs("JVM_OPTIONS", "-Xmx32m").start()) {
            String big = "v".repeat(4000); // each series' unique label value is held on the heap by the index
            Resp.Reply refused = null;
            int made = 0;
            for (int i = 0; i < 200_000 && refused == null; i++) {
                Resp.Reply r = s.call("TS.CREATE", "k" + i, "LABELS", "big", big + i);
                if (r instanceof Resp.Err) refused = r;
                else made++;
            }
            assertNotNull(refused, "never refused");
            assertTrue(made > 1000, "refused early, after " + made);
            String msg = ((Resp.Err) refused).message();
            assertTrue(msg.startsWith("ERR TSDB: the Java heap is nearly full") && msg.contains("-Xmx")
                    && msg.contains("JVM_OPTIONS"), msg);
            assertEquals(0, integer(s.call("EXISTS", "k" + made)), "the refused series was not made");
            // TS.ADD's implicit create is refused the same way; existing series still take samples and answer
            assertEquals(msg, ((Resp.Err) s.call("TS.ADD", "new", "1", "1")).message());
            assertEquals(5, integer(s.call("TS.ADD", "k0", "5", "1.5")));
            assertEquals(1, array(s.call("TS.QUERYINDEX", "big=" + big + "0")).size());
            // freeing series frees heap: creating works again
            for (int i = 0; i < made / 2; i++) s.call("DEL", "k" + i);
            Resp.Reply again = null;
            for (int i = 0; i < 80 && !(again instanceof Resp.Simple); i++) { // the guard collects at most every 5 s
                if (i > 0) sleep(200);
                again = s.call("TS.CREATE", "again" + i, "LABELS", "big", big);
            }
            assertTrue(again instanceof Resp.Simple, String.valueOf(again));
            assertTrue(s.ping());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
