package vts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import vts.command.AddRequest;
import vts.command.Args;
import vts.command.Parsers;

/**
 * The JIT warm-up's data ({@link Warmup}): every value it sends through TS.ADD's parser is
 * accepted as a client's would be (a refused argument would warm the error path, which costs
 * steady-state TS.ADD), with the value its text means, and its shapes are varied.
 */
class WarmupTest {
    @Test
    void everyValueTheWarmUpSendsIsAValidSampleOfVariedShape() {
        SplittableRandom rnd = new SplittableRandom(7);
        Set<String> kinds = new HashSet<>();
        for (int shape = 0; shape < Warmup.SHAPES; shape++) {
            for (int k = 0; k < 3000; k++) {
                String v = Warmup.value(rnd, shape, k);
                AddRequest r = Parsers.add(Args.of("TS.ADD", "k", "1000", v));
                double expected = v.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(v);
                assertEquals(expected, r.value(), 0.0, v);
                kinds.add(v.equals("nan") ? "nan" : v.contains("E") ? "exp" : v.contains(".") ? "dec" : "int");
            }
        }
        assertEquals(Set.of("nan", "exp", "dec", "int"), kinds, "integers, decimals, floats with exponents, NaN");
    }

    @Test
    void everyAggregatorItUsesParses() {
        for (String agg : Warmup.AGGS) {
            assertTrue(Parsers.range(Args.of("TS.RANGE", "k", "-", "+", "AGGREGATION", agg, "60000")).query()
                    .aggregation() != null, agg);
        }
    }
}
