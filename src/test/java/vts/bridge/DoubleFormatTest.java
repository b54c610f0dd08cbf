package vts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

class DoubleFormatTest {
    @Test
    void referenceForms() {
        assertEquals("100", DoubleFormat.toString(100.0));
        assertEquals("-3", DoubleFormat.toString(-3.0));
        assertEquals("10000000", DoubleFormat.toString(1e7));
        assertEquals("999999999999999", DoubleFormat.toString(999999999999999.0));
        assertEquals("-999999999999999", DoubleFormat.toString(-999999999999999.0));
        assertEquals("1e+15", DoubleFormat.toString(1e15));
        assertEquals("1.5", DoubleFormat.toString(1.5));
        assertEquals("0.5", DoubleFormat.toString(0.5));
        assertEquals("-0.05", DoubleFormat.toString(-0.05));
        assertEquals("123.45", DoubleFormat.toString(123.45));
        assertEquals("0.30000000000000004", DoubleFormat.toString(0.1 + 0.2));
        assertEquals("1e+20", DoubleFormat.toString(1e20));
        assertEquals("1.5e-07", DoubleFormat.toString(1.5e-7));
        assertEquals("nan", DoubleFormat.toString(Double.NaN));
        assertEquals("inf", DoubleFormat.toString(Double.POSITIVE_INFINITY));
        assertEquals("-inf", DoubleFormat.toString(Double.NEGATIVE_INFINITY));
        assertEquals("0", DoubleFormat.toString(0.0));
        assertEquals("-0", DoubleFormat.toString(-0.0));
    }

    @Test
    void everyFormRoundTrips() {
        Random r = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            double v = switch (i % 5) {
                case 0 -> Math.round(r.nextGaussian() * 1e6) / 100.0;
                case 4 -> (double) (r.nextLong() >> r.nextInt(64)); // whole numbers of every size
                case 1 -> r.nextDouble();
                case 2 -> Double.longBitsToDouble(r.nextLong());
                default -> r.nextInt(1000) / 1000.0 * Math.pow(10, r.nextInt(30) - 15);
            };
            if (Double.isNaN(v)) continue;
            String s = DoubleFormat.toString(v);
            double back = Double.parseDouble(s.replace("inf", "Infinity"));
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(back), s);
            String shortest = DoubleFormat.cStyle(Double.toString(v));
            double viaJava = Double.parseDouble(shortest.replace("inf", "Infinity"));
            assertEquals(v, viaJava);
            // never longer than Java's shortest representation, apart from the exponent style
            if (!shortest.contains("e")) assertEquals(true, s.length() <= shortest.length(), s + " vs " + shortest);
        }
    }

    /** The scaled form for values with up to 6 decimals, as DoubleFormat printed every value before. */
    static String scaledModel(double v) {
        double a = Math.abs(v);
        if (a < 1e15 && a >= 1e-4) {
            for (int k = 0; k <= 6; k++) {
                double p = Math.pow(10, k);
                double r = Math.rint(v * p);
                if (Math.abs(r) < 1e15 && r / p == v) {
                    return new java.math.BigDecimal((long) r).movePointLeft(k).toPlainString();
                }
            }
        }
        return DoubleFormat.cStyle(Double.toString(v));
    }

    @Test
    void plainRangeMatchesTheScaledForm() {
        Random r = new Random(11);
        for (int i = 0; i < 1_000_000; i++) {
            int k = r.nextInt(8);
            double v = switch (i % 5) {
                case 0 -> Math.round(r.nextGaussian() * Math.pow(10, r.nextInt(12))) / Math.pow(10, k);
                case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(11) - 3);
                case 2 -> (r.nextInt(2_000_000) - 1_000_000) / Math.pow(10, k);
                case 3 -> Math.nextUp(r.nextInt(10_000_000) / Math.pow(10, k));
                default -> r.nextLong(10_000_000_000_000L) / Math.pow(10, r.nextInt(16));
            };
            if (v == 0) continue;
            assertEquals(scaledModel(v), DoubleFormat.toString(v), "value bits " + Double.doubleToRawLongBits(v));
        }
    }

    /** Text written from a decimal chunk's mantissa equals the text of the double itself. */
    @Test
    void decimalTextEqualsDoubleText() {
        double[] pow10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
        Random r = new Random(11);
        long a = java.lang.foreign.Arena.global().allocate(64).address();
        long b = java.lang.foreign.Arena.global().allocate(64).address();
        for (int i = 0; i < 2_000_000; i++) {
            int scale = r.nextInt(16);
            long m = switch (i % 4) {
                case 0 -> r.nextLong() >> r.nextInt(64); // every size, up to 2^63
                case 1 -> (r.nextInt(2_000_001) - 1_000_000) * (long) Math.pow(10, r.nextInt(4)); // trailing zeros
                case 2 -> r.nextLong() >> (13 + r.nextInt(51)); // |m| <= 2^50, as chunks keep it
                default -> r.nextInt(100) - 50;
            };
            double v = m / pow10[scale];
            int n = DoubleFormat.write(v, a);
            int k = DoubleFormat.writeDecimal(v, m, scale, b);
            String want = str(a, n), got = str(b, k);
            assertEquals(want, got, "m=" + m + " scale=" + scale);
        }
        // decimals -1: the plain path
        assertEquals(str(a, DoubleFormat.write(-9.223372036854776e11, a)), str(b, DoubleFormat.writeDecimal(-9.223372036854776e11, Long.MIN_VALUE, 7, b)));
        int n = DoubleFormat.writeDecimal(0.1 + 0.2, 0, -1, b);
        assertEquals("0.30000000000000004", str(b, n));
    }

    /** write (straight into native memory where it can) gives format's text, NUL-terminated. */
    @Test
    void writeEqualsFormat() {
        Random r = new Random(13);
        long a = java.lang.foreign.Arena.global().allocate(64).address();
        double[] edges = {0.001, -0.001, 0.0009999999999999998, 9999999.999, -9999999.999, 1e7, 1e7 + 0.5, 1e15 - 1,
                1e15, -1e15, 0.5, -0.5, 1, -1, 0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE,
                Double.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 99999999.5, 100000000.25, 0.1 + 0.2};
        for (int i = 0; i < 1_000_000 + edges.length; i++) {
            double v = i < edges.length ? edges[i] : switch (i % 6) {
                case 0 -> Math.round(r.nextGaussian() * Math.pow(10, r.nextInt(16))) / Math.pow(10, r.nextInt(5));
                case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(20) - 5);
                case 2 -> (r.nextInt(2_000_000) - 1_000_000) / Math.pow(10, r.nextInt(4));
                case 3 -> Math.nextUp(r.nextInt(10_000_000) / Math.pow(10, r.nextInt(4)));
                case 4 -> (double) (r.nextLong() >> r.nextInt(64));
                default -> Double.longBitsToDouble(r.nextLong());
            };
            for (int j = 0; j < 64; j += 8) vts.mem.Mem.putLong(a + j, -1L); // the NUL must be written, not left over
            int n = DoubleFormat.write(v, a);
            assertEquals(DoubleFormat.toString(v), str(a, n), "value bits " + Double.doubleToRawLongBits(v));
            assertEquals(0, vts.mem.Mem.getByte(a + n));
        }
    }

    private static String str(long addr, int n) {
        byte[] x = new byte[n];
        vts.mem.Mem.copyToArray(addr, x, 0, n);
        return new String(x, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
