package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Multi-series replies stay in key order while the index ranks its keys on a background
 * thread: 120,000 series created in random order (enough for the rank rebuild to leave the
 * command thread), queried again and again while more series are created and some deleted.
 */
class KeyOrderIT extends ServerTests {
    @Test
    void queryIndexStaysSortedWhileTheKeyRankIsBuiltInTheBackground() throws Exception {
        Random rnd = new Random(5);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 120_000; i++) order.add(i);
        Collections.shuffle(order, rnd);
        TreeSet<String> all = new TreeSet<>(), g7 = new TreeSet<>();
        try (Resp r = server.resp()) {
            for (int i : order) {
                String k = "s:" + i;
                r.send("TS.CREATE", k, "LABELS", "all", "1", "g", "g" + (i % 100));
                all.add(k);
                if (i % 100 == 7) g7.add(k);
            }
            for (int i = 0; i < order.size(); i++) assertEquals(new Resp.Simple("OK"), r.read());
        }
        for (int q = 0; q < 40; q++) {
            // the first queries start the rebuild; later ones run while it sorts, then install it
            assertEquals(new ArrayList<>(all), call("TS.QUERYINDEX", "all=1").plain(), "query " + q);
            assertEquals(new ArrayList<>(g7), call("TS.QUERYINDEX", "g=g7").plain(), "g7, query " + q);
            if (q % 4 == 3) {
                for (int j = 0; j < 50; j++) { // new keys, and ids freed and reused
                    String k = "n:" + rnd.nextInt(1_000_000);
                    if (all.add(k)) {
                        assertInstanceOf(Resp.Simple.class, call("TS.CREATE", k, "LABELS", "all", "1", "g", "g7"));
                        g7.add(k);
                    }
                    String gone = "s:" + order.get(rnd.nextInt(order.size()));
                    g7.remove(gone);
                    if (all.remove(gone)) assertEquals(new Resp.Int(1), call("DEL", gone));
                }
            }
            if (q % 10 == 9) Thread.sleep(300);
        }
    }
}
