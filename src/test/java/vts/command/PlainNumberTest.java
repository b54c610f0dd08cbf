package vts.command;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import vts.mem.Mem;

/**
 * TS.ADD and TS.MADD read the common shapes of timestamps and values straight from the
 * argument bytes (Num.plainTimestamp, Num.plainValue); whatever they accept must read as
 * the full readers read it, to the bit, and what they leave must go to the full readers.
 */
class PlainNumberTest {

    /** Runs reader over the text's bytes in native memory, as the server hands them over. */
    private static long inPlace(String s, java.util.function.LongBinaryOperator reader) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        long p = Mem.alloc(Math.max(1, b.length));
        try {
            Mem.copyFromArray(b, 0, p, b.length);
            return reader.applyAsLong(p, b.length);
        } finally {
            Mem.free(p);
        }
    }

    private static long plainValue(String s) { return inPlace(s, (p, n) -> Num.plainValue(p, (int) n)); }

    private static long plainTimestamp(String s) { return inPlace(s, (p, n) -> Num.plainTimestamp(p, (int) n)); }

    /** The full reader's bits, or null where it refuses the text. */
    private static Long full(String s) {
        try {
            return Double.doubleToRawLongBits(Num.sampleValue(Args.of("TS.ADD", "k", "1", s), 3, Err.INVALID_VALUE));
        } catch (TsException e) {
            return null;
        }
    }

    private static void same(String s) {
        long fast = plainValue(s);
        if (fast == Num.NOT_PLAIN) return; // left to the full reader
        Long f = full(s);
        assertNotNull(f, "the fast path accepted what the full reader refuses: " + s);
        assertEquals(f.longValue(), fast, s);
    }

    @Test
    void valuesReadAsTheFullReaderReadsThem() {
        for (String s : new String[] {"0", "-0", "0.0", "-0.00", "1", "12.5", "-23.625", "99.99", "100", "0.1",
                "0.30000000000001", "123456789012345", "-12345678901234.5", "1.000", "9007199254740993"}) {
            same(s);
        }
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            int intDigits = 1 + r.nextInt(15);
            int frac = r.nextInt(16 - intDigits);
            StringBuilder sb = new StringBuilder();
            if (r.nextBoolean()) sb.append('-');
            sb.append(intDigits == 1 ? (char) ('0' + r.nextInt(10)) : (char) ('1' + r.nextInt(9)));
            for (int k = 1; k < intDigits; k++) sb.append((char) ('0' + r.nextInt(10)));
            if (frac > 0) {
                sb.append('.');
                for (int k = 0; k < frac; k++) sb.append((char) ('0' + r.nextInt(10)));
            }
            String s = sb.toString();
            assertNotEquals(Num.NOT_PLAIN, plainValue(s), s);
            same(s);
        }
        // random bytes of the value alphabet: accepted or not, never read differently
        String alphabet = "0123456789.-+eE naN";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 1 + r.nextInt(8); k > 0; k--) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            same(sb.toString());
        }
    }

    @Test
    void shapesLeftToTheFullReader() {
        for (String s : new String[] {"", "-", ".5", "1.", "01", "-01.5", "+1", "1e3", "nan", "inf", "1.2.3", "1 ",
                "1234567890123456", "0.1234567890123456", "--1", "1-"}) {
            assertEquals(Num.NOT_PLAIN, plainValue(s), s);
        }
    }

    /** Every length from 1 to 19 digits, and one byte off the digits at each place (the 8-at-a-time path included). */
    @Test
    void timestampsOfEveryLength() {
        SplittableRandom r = new SplittableRandom(13);
        String odd = "/:0.-+ aA\u0000\u00ff";
        for (int n = 1; n <= 19; n++) {
            for (int i = 0; i < 2000; i++) {
                StringBuilder sb = new StringBuilder();
                sb.append((char) ('1' + r.nextInt(9)));
                for (int k = 1; k < n; k++) sb.append((char) ('0' + r.nextInt(10)));
                String s = sb.toString();
                if (n <= 18) assertEquals(Long.parseLong(s), plainTimestamp(s), s);
                else assertEquals(Num.NOT_PLAIN, plainTimestamp(s), s);
                int at = r.nextInt(n);
                char c = odd.charAt(r.nextInt(odd.length()));
                String bad = s.substring(0, at) + c + s.substring(at + 1);
                long got = plainTimestamp(bad);
                if (c == '0' && (at > 0 || n == 1) && n <= 18) assertEquals(Long.parseLong(bad), got, bad);
                else assertEquals(Num.NOT_PLAIN, got, bad);
            }
        }
    }

    @Test
    void timestamps() {
        assertEquals(0, plainTimestamp("0"));
        assertEquals(1700000000123L, plainTimestamp("1700000000123"));
        assertEquals(999999999999999999L, plainTimestamp("999999999999999999"));
        for (String s : new String[] {"", "00", "01", "-1", "+1", "*", "1.5", "1e3", "1000000000000000000", " 1"}) {
            assertEquals(Num.NOT_PLAIN, plainTimestamp(s), s);
        }
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < 100_000; i++) {
            long t = r.nextLong(1_000_000_000_000_000_000L);
            String s = Long.toString(t);
            assertEquals(Num.parseLong(Args.of("TS.ADD", "k", s, "1"), 2), plainTimestamp(s), s);
        }
    }
}
