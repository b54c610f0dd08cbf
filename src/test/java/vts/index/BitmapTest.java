package vts.index;

import java.util.BitSet;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bitmap against java.util.BitSet: random adds/removes and set algebra across every block form. */
class BitmapTest {

    private static int[] ids(BitSet b) { return b.stream().toArray(); }

    private static void fill(Random rnd, Bitmap m, BitSet ref, int n, int space) {
        for (int i = 0; i < n; i++) {
            int x = rnd.nextInt(space);
            assertEquals(!ref.get(x), m.add(x));
            ref.set(x);
        }
    }

    @Test
    void randomOperationsMatchBitSet() {
        Random rnd = new Random(42);
        int[] spaces = {10, 40, 5_000, 70_000, 300_000};
        int[] sizes = {0, 3, 12, 20, 100, 3_000, 5_000, 40_000};
        for (int round = 0; round < 400; round++) {
            int space = spaces[rnd.nextInt(spaces.length)];
            Bitmap a = new Bitmap(), b = new Bitmap();
            BitSet ra = new BitSet(), rb = new BitSet();
            fill(rnd, a, ra, sizes[rnd.nextInt(sizes.length)], space);
            fill(rnd, b, rb, sizes[rnd.nextInt(sizes.length)], space);
            // removals (also shrinking bitsets back to arrays and to the small form)
            int removals = rnd.nextInt(Math.max(1, ra.cardinality() + 1));
            for (int i = 0; i < removals; i++) {
                int x = rnd.nextBoolean() && ra.cardinality() > 0 ? ra.nextSetBit(rnd.nextInt(space)) : rnd.nextInt(space);
                if (x < 0) x = 0;
                assertEquals(ra.get(x), a.remove(x));
                ra.clear(x);
            }
            assertArrayEquals(ids(ra), a.toArray());
            assertEquals(ra.cardinality(), a.cardinality());
            for (int i = 0; i < 50; i++) {
                int x = rnd.nextInt(space);
                assertEquals(ra.get(x), a.contains(x));
            }
            BitSet and = (BitSet) ra.clone();
            and.and(rb);
            assertArrayEquals(ids(and), a.and(b).toArray(), "and");
            assertEquals(and.cardinality(), a.and(b).cardinality());
            BitSet or = (BitSet) ra.clone();
            or.or(rb);
            Bitmap o = a.copy();
            o.orInPlace(b);
            assertArrayEquals(ids(or), o.toArray(), "or");
            assertEquals(or.cardinality(), o.cardinality());
            BitSet andNot = (BitSet) ra.clone();
            andNot.andNot(rb);
            Bitmap d = a.copy();
            d.andNotInPlace(b);
            assertArrayEquals(ids(andNot), d.toArray(), "andNot");
            assertEquals(andNot.cardinality(), d.cardinality());
            // the results stay usable for further changes
            fill(rnd, d, andNot, 50, space);
            assertArrayEquals(ids(andNot), d.toArray());
            Bitmap i2 = a.copy();
            i2.andInPlace(b);
            assertArrayEquals(ids(and), i2.toArray());
        }
    }

    @Test
    void lopsidedIntersectionsMatchBitSet() {
        // a rare label value (a few ids per block) against a common one (thousands per block),
        // in both orders: the few are searched in the many
        Random rnd = new Random(7);
        for (int round = 0; round < 50; round++) {
            Bitmap rare = new Bitmap(), common = new Bitmap();
            BitSet rr = new BitSet(), rc = new BitSet();
            fill(rnd, rare, rr, 17 + rnd.nextInt(40), 1_000_000);
            int step = 2 + rnd.nextInt(30);
            for (int x = rnd.nextInt(step); x < 1_000_000; x += step) {
                common.add(x);
                rc.set(x);
            }
            for (int x : rare.toArray()) { // some of the rare ids are common ones too
                if (rnd.nextBoolean()) {
                    common.add(x);
                    rc.set(x);
                }
            }
            BitSet and = (BitSet) rr.clone();
            and.and(rc);
            assertArrayEquals(ids(and), rare.and(common).toArray());
            assertArrayEquals(ids(and), common.and(rare).toArray());
        }
    }

    @Test
    void denseBlocksBecomeBitsetsAndBack() {
        Bitmap m = new Bitmap();
        for (int i = 0; i < 65_536; i++) m.add(i);
        assertEquals(65_536, m.cardinality());
        for (int i = 0; i < 65_536; i += 2) m.remove(i);
        assertEquals(32_768, m.cardinality());
        for (int i = 1; i < 65_536 - 10; i += 2) m.remove(i);
        assertEquals(5, m.cardinality());
        assertArrayEquals(new int[] {65_527, 65_529, 65_531, 65_533, 65_535}, m.toArray());
    }
}
