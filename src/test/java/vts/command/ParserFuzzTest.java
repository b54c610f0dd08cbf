package vts.command;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Random argv into every parser: the only failure allowed is a well-formed TsException. */
class ParserFuzzTest {

    static final String[] COMMANDS = {"TS.CREATE", "TS.ALTER", "TS.ADD", "TS.MADD", "TS.INCRBY", "TS.DECRBY",
        "TS.DEL", "TS.GET", "TS.INFO", "TS.RANGE", "TS.REVRANGE", "TS.MRANGE", "TS.MREVRANGE", "TS.MGET",
        "TS.QUERYINDEX", "TS.CREATERULE", "TS.DELETERULE", "TS.NRANGE", "TS.NREVRANGE"};

    static final String[] KEYWORDS = {"RETENTION", "ENCODING", "CHUNK_SIZE", "DUPLICATE_POLICY", "ON_DUPLICATE",
        "IGNORE", "LABELS", "TIMESTAMP", "UNCOMPRESSED", "COMPRESSED", "LATEST", "DEBUG", "FILTER_BY_TS",
        "FILTER_BY_VALUE", "COUNT", "ALIGN", "AGGREGATION", "BUCKETTIMESTAMP", "EMPTY", "WITHLABELS",
        "SELECTED_LABELS", "FILTER", "GROUPBY", "REDUCE", "start", "end", "mid", "block", "last", "sum", "avg",
        "avg,max", "p99.9", "p50", "std.p", "countnan", "first", "twa", "avg,", ",", "compressed", "latest"};

    static final String[] NUMBERS = {"0", "1", "-1", "48", "128", "4096", "1000", "1.5", "-0", "1e3", "1e400",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "nan", "-nan", "inf", "-inf",
        "*", "-", "+", "~", "01", "+1", ".5", "5.", "0x10", "1e-400", "123456789012345678901234567890.5"};

    static final String[] FILTERS = {"a=b", "a!=b", "a=", "a!=", "a=(x,y)", "a!=(x)", "a=(", "a=(,)", "=b", "a",
        "a=~x.*", "a!~(", "a=~[", "up{a=\"1\"}", "up{", "{a=~\"x\"}", "up{a=\"\\\"}", "{}", "}", "up{a='1',}",
        "m{a=\"1\" b}", "a=~((((", "x{y=~\".+\"}"};

    @Test
    void onlyTsExceptionsEver() {
        long seed = 20240607L;
        SplittableRandom rnd = new SplittableRandom(seed);
        int errors = 0;
        for (int run = 0; run < 100_000; run++) {
            byte[][] argv = randomArgv(rnd);
            for (String command : COMMANDS) {
                argv[0] = command.getBytes(StandardCharsets.US_ASCII);
                Args a = Args.ofBytes(argv);
                try {
                    assertNotNull(ParserTest.parse(a));
                } catch (TsException e) {
                    errors++;
                    String m = e.getMessage();
                    assertNotNull(m, () -> describe(argv));
                    assertTrue(m.startsWith("ERR ") || m.startsWith("WRONGTYPE"), () -> m + " <- " + describe(argv));
                    assertTrue(m.length() > 4, () -> describe(argv));
                    assertFalse(m.indexOf('\r') >= 0 || m.indexOf('\n') >= 0, () -> m + " <- " + describe(argv));
                } catch (Throwable t) {
                    fail("seed " + seed + " run " + run + ": " + describe(argv), t);
                }
            }
        }
        assertTrue(errors > 0);
    }

    static byte[][] randomArgv(SplittableRandom rnd) {
        int n = 1 + rnd.nextInt(12);
        byte[][] argv = new byte[n][];
        for (int i = 1; i < n; i++) argv[i] = token(rnd);
        return argv;
    }

    static byte[] token(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> pick(rnd, KEYWORDS);
            case 1 -> pick(rnd, NUMBERS);
            case 2 -> pick(rnd, FILTERS);
            case 3 -> new byte[0];
            case 4 -> Long.toString(rnd.nextLong(-5, 1L << 40)).getBytes(StandardCharsets.US_ASCII);
            default -> {
                byte[] junk = new byte[rnd.nextInt(8)];
                for (int j = 0; j < junk.length; j++) junk[j] = (byte) rnd.nextInt(256);
                yield junk;
            }
        };
    }

    static byte[] pick(SplittableRandom rnd, String[] pool) {
        String s = pool[rnd.nextInt(pool.length)];
        return (rnd.nextInt(4) == 0 ? s.toLowerCase(java.util.Locale.ROOT) : s).getBytes(StandardCharsets.UTF_8);
    }

    static String describe(byte[][] argv) {
        StringBuilder sb = new StringBuilder();
        for (byte[] b : argv) sb.append('[').append(new String(b, StandardCharsets.ISO_8859_1)).append("] ");
        return sb.toString();
    }
}
