package vts.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static vts.e2e.Ts.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An RDB written by the build before chunks grew with their data (main at 142c68d: RDB
 * encver 10, chunk blobs with the 136-byte layout-2 header, each open chunk a whole
 * chunk_size block) loads into this build, and the loaded series take new samples.
 *
 * <p>tests/resources/vts/e2e/encver10.rdb.gz (gzipped) was written by that build (valkey-server 8.0.1,
 * SAVE) from exactly the commands of {@link #commands(String)} with prefix "old:". Here the
 * same commands build "new:" series on this build, and both must read the same.
 */
class EncVer10IT {
    static final Path RDB = Path.of("tests", "resources", "vts", "e2e", "encver10.rdb.gz");
    static final long T0 = 1_700_000_000_000L;

    /** A 2-decimal value (the same double in Python and Java: an exact integer / 100). */
    static double dec(long i) {
        return (i * 7919 % 10007) / 100.0;
    }

    /** A full-precision double in [0, 1000) (exact: an integer / 2^32, times 1000). */
    static double dbl(long i) {
        return (i * 2654435761L % 4294967296L) / 4294967296.0 * 1000;
    }

    static List<Object[]> commands(String p) {
        List<Object[]> c = new ArrayList<>();
        c.add(new Object[] {"TS.CREATE", p + "dec", "LABELS", "host", "h1", "dc", "eu", "metric", "cpu"});
        c.add(new Object[] {"TS.CREATE", p + "one", "LABELS", "host", "h2"});
        c.add(new Object[] {"TS.CREATE", p + "raw", "ENCODING", "UNCOMPRESSED", "CHUNK_SIZE", "1024"});
        c.add(new Object[] {"TS.CREATE", p + "xor", "CHUNK_SIZE", "512", "DUPLICATE_POLICY", "LAST"});
        c.add(new Object[] {"TS.CREATE", p + "avg"});
        c.add(new Object[] {"TS.CREATERULE", p + "dec", p + "avg", "AGGREGATION", "avg", "60000"});
        for (int i = 0; i < 3000; i++) c.add(new Object[] {"TS.ADD", p + "dec", T0 + i * 1000L, Double.toString(dec(i))});
        c.add(new Object[] {"TS.ADD", p + "one", T0, "42.5"});
        for (int i = 0; i < 500; i++) c.add(new Object[] {"TS.ADD", p + "raw", T0 + i * 1000L, Double.toString(dec(i))});
        for (int i = 0; i < 1500; i++) c.add(new Object[] {"TS.ADD", p + "xor", T0 + i * 1000L, Double.toString(dbl(i))});
        return c;
    }

    static final String[] KEYS = {"dec", "one", "raw", "xor", "avg"};

    @Test
    void anRdbOfTheBuildBeforeGrowingChunksLoadsAndTakesNewSamples() throws Exception {
        try (ValkeyServer s = ValkeyServer.builder().start()) {
            s.stopNoSave();
            MigrationIT.gunzip(RDB, s.dir().resolve("dump.rdb"));
            s.startAgain();
            assertEquals(5, integer(s.call("DBSIZE")), "the old RDB's five series loaded");
            for (Object[] cmd : commands("new:")) {
                Resp.Reply r = s.call(cmd);
                assertFalse(r instanceof Resp.Err, r.toString());
            }
            sameSeries(s, "loaded");
            // the loaded open chunks (a whole chunk_size block each in the old build) were cut
            // to their data: a one-sample series is a few hundred bytes, not 4 KB
            assertTrue(infoLong(s, "old:one", "memoryUsage") < 1024, "old:one " + infoLong(s, "old:one", "memoryUsage"));
            assertEquals(infoLong(s, "new:one", "memoryUsage"), infoLong(s, "old:one", "memoryUsage"));
            // new samples on both: the loaded chunks grow, close and compact as the new ones do
            for (int i = 3000; i < 6000; i++) {
                for (String p : new String[] {"old:", "new:"}) {
                    s.call("TS.ADD", p + "dec", T0 + i * 1000L, Double.toString(dec(i)));
                    if (i < 3500) s.call("TS.ADD", p + "one", T0 + i * 1000L, Double.toString(dec(i)));
                    if (i < 4000) s.call("TS.ADD", p + "raw", T0 + i * 1000L, Double.toString(dec(i)));
                    if (i < 4500) s.call("TS.ADD", p + "xor", T0 + i * 1000L, Double.toString(dbl(i)));
                }
            }
            // an out-of-order write into a loaded closed chunk
            for (String p : new String[] {"old:", "new:"}) s.call("TS.ADD", p + "xor", T0 + 500, "7.25");
            sameSeries(s, "after new samples");
            s.call("DEBUG", "RELOAD");
            sameSeries(s, "after DEBUG RELOAD");
            assertEquals(List.of("old:dec", "new:dec"), sortedDesc(s.call("TS.QUERYINDEX", "host=h1")));
        }
    }

    private static List<String> sortedDesc(Resp.Reply r) {
        List<String> out = new ArrayList<>();
        for (Resp.Reply k : array(r).items()) out.add(text(k));
        out.sort(java.util.Comparator.reverseOrder());
        return out;
    }

    private static void sameSeries(ValkeyServer s, String when) {
        for (String k : KEYS) {
            List<String> old = samples2(s.call("TS.RANGE", "old:" + k, "-", "+"));
            List<String> fresh = samples2(s.call("TS.RANGE", "new:" + k, "-", "+"));
            assertFalse(fresh.isEmpty(), k);
            assertEquals(fresh, old, when + ": " + k);
            assertEquals(samples2(s.call("TS.RANGE", "new:" + k, "-", "+", "AGGREGATION", "sum", "3600000")),
                    samples2(s.call("TS.RANGE", "old:" + k, "-", "+", "AGGREGATION", "sum", "3600000")), when + ": " + k);
            for (String f : new String[] {"totalSamples", "firstTimestamp", "lastTimestamp", "chunkSize", "chunkType"}) {
                assertEquals(info(s, "new:" + k).get(f), info(s, "old:" + k).get(f), when + ": " + k + " " + f);
            }
        }
        assertEquals(labels(info(s, "new:dec").get("labels")), labels(info(s, "old:dec").get("labels")));
    }
}
