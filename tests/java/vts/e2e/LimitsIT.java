package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Queries whose answer would be unbounded by the data are refused up front, never half-replied. */
class LimitsIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    static final String TOO_MANY = "ERR TSDB: EMPTY would report more than 10000000 buckets; use a larger "
            + "bucketDuration, a shorter range or COUNT";

    private static Resp.Reply call(Object... args) {
        return valkey.server().call(args);
    }

    @Test
    void emptyOverAHugeGapIsRefused() {
        assertEquals(0, integer(call("TS.ADD", "k", "0", "1", "LABELS", "a", "b")));
        assertEquals(9_000_000_000_000_000_000L, integer(call("TS.ADD", "k", "9000000000000000000", "2")));
        for (String cmd : new String[] {"TS.RANGE", "TS.REVRANGE"}) {
            assertError(TOO_MANY, call(cmd, "k", "-", "+", "AGGREGATION", "count", "1", "EMPTY"));
            assertError(TOO_MANY, call(cmd, "k", "-", "+", "AGGREGATION", "twa", "1000", "EMPTY"));
        }
        assertError(TOO_MANY, call("TS.MRANGE", "-", "+", "AGGREGATION", "count", "1", "EMPTY", "FILTER", "a=b"));
        // COUNT bounds a forward query, so it is answered
        assertEquals(5, array(call("TS.RANGE", "k", "-", "+", "COUNT", "5", "AGGREGATION", "count", "1", "EMPTY")).size());
        // without EMPTY the buckets never outnumber the samples
        assertEquals(2, array(call("TS.RANGE", "k", "-", "+", "AGGREGATION", "count", "1")).size());
        // a large but bounded EMPTY query still works
        assertEquals(0, integer(call("TS.ADD", "m", "0", "1")));
        assertEquals(9_999_000, integer(call("TS.ADD", "m", "9999000", "1")));
        assertEquals(10_000, array(call("TS.RANGE", "m", "-", "+", "AGGREGATION", "count", "1000", "EMPTY")).size());
        assertTrue(valkey.server().ping());
    }
}
