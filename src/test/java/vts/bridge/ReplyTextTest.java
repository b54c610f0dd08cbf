package vts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import vts.mem.Mem;

class ReplyTextTest {
    private static final long BUF = java.lang.foreign.Arena.global().allocate(256).address();

    private static String text(long end) {
        byte[] b = new byte[(int) (end - BUF)];
        Mem.copyToArray(BUF, b, 0, b.length);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void longsAsLongToString() {
        Random r = new Random(3);
        long[] edges = {0, 9, 10, 99, 100, 99_999_999, 100_000_000, 1_700_000_000_000L, -1, -100_000_000,
                Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
        for (long v : edges) assertEquals(Long.toString(v), text(ReplyText.putLong(BUF, v)));
        for (int i = 0; i < 500_000; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            assertEquals(Long.toString(v), text(ReplyText.putLong(BUF, v)));
        }
        // timestamps in a row: the cached high digits, across their changes
        for (long ts = 1_699_999_000_000L; ts < 1_700_001_000_000L; ts += 997) {
            assertEquals(Long.toString(ts), text(ReplyText.putLong(BUF, ts)));
        }
        // from another thread (no cache)
        long[] end = new long[1];
        Thread t = new Thread(() -> end[0] = ReplyText.putLong(BUF, 1_700_000_000_123L));
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals("1700000000123", text(end[0]));
    }

    @Test
    void rowIsTheProtocolOfArrayIntegerSimpleString() {
        Random r = new Random(4);
        for (int i = 0; i < 100_000; i++) {
            long ts = r.nextLong() >>> r.nextInt(64);
            double v = i % 2 == 0 ? Math.round(r.nextGaussian() * 1e4) / 100.0 : Double.longBitsToDouble(r.nextLong());
            String want = "*2\r\n:" + ts + "\r\n+" + DoubleFormat.toString(v) + "\r\n";
            assertEquals(want, text(ReplyText.row(BUF, ts, v, 0, -1)));
        }
        assertEquals("*2\r\n:5\r\n+1.5\r\n", text(ReplyText.row(BUF, 5, 1.5, 150, 2)));
        assertEquals("+-0.07\r\n", text(ReplyText.value(BUF, -0.07, -7, 2)));
    }
}
