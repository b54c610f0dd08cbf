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
}
