package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Assertions and conversions on {@link Resp} replies for the time-series commands. */
final class Ts {
    private Ts() {}

    static final String NO_KEY = "ERR TSDB: the key does not exist";
    static final String KEY_EXISTS = "ERR TSDB: key already exists";
    static final String NOT_TSDB = "ERR TSDB: the key is not a TSDB key";
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String INVALID_TS = "ERR TSDB: invalid timestamp";
    static final String INVALID_VALUE = "ERR TSDB: invalid value";
    static final String TOO_OLD = "ERR TSDB: Timestamp is older than retention";
    static final String UPSERT_BLOCKED = "ERR TSDB: Error at upsert, update is not supported when "
            + "DUPLICATE_POLICY is set to BLOCK mode, or either current or new value is NaN and "
            + "DUPLICATE_POLICY is MAX/MIN/SUM";
    static final String BAD_CHUNK_SIZE =
            "ERR TSDB: CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]";
    static final String BAD_POLICY = "ERR TSDB: Unknown DUPLICATE_POLICY";
    static final String BAD_ENCODING = "ERR TSDB: unknown ENCODING parameter";
    static final String BAD_INCR = "ERR TSDB: invalid increase/decrease value";
    static final String INCR_TOO_OLD =
            "TSDB: timestamp must be equal to or higher than the maximum existing timestamp";

    /** The TS.INFO field names in the order node-redis reads them. */
    static final List<String> INFO_FIELDS = List.of("totalSamples", "memoryUsage", "firstTimestamp",
            "lastTimestamp", "retentionTime", "chunkCount", "chunkSize", "chunkType", "duplicatePolicy",
            "labels", "sourceKey", "rules", "ignoreMaxTimeDiff", "ignoreMaxValDiff");

    static void assertError(String expected, Resp.Reply r) {
        if (!(r instanceof Resp.Err e)) {
            fail("expected error <" + expected + "> but got " + r);
            return;
        }
        assertEquals(expected, e.message());
    }

    static void assertErrorStartsWith(String prefix, Resp.Reply r) {
        if (!(r instanceof Resp.Err e)) {
            fail("expected an error starting with <" + prefix + "> but got " + r);
            return;
        }
        assertTrue(e.message().startsWith(prefix), "error <" + e.message() + "> should start with <" + prefix + ">");
    }

    static void assertWrongArity(String command, Resp.Reply r) {
        assertError("ERR wrong number of arguments for '" + command.toLowerCase() + "' command", r);
    }

    static void assertOk(Resp.Reply r) {
        assertEquals(new Resp.Simple("OK"), r);
    }

    static long integer(Resp.Reply r) {
        if (r instanceof Resp.Int i) return i.value();
        fail("expected an integer reply but got " + r);
        return 0;
    }

    /** Text of a simple or bulk string reply. */
    static String text(Resp.Reply r) {
        if (r instanceof Resp.Simple s) return s.text();
        if (r instanceof Resp.Bulk b) return b.text();
        fail("expected a string reply but got " + r);
        return null;
    }

    static Resp.Arr array(Resp.Reply r) {
        if (r instanceof Resp.Arr a) return a;
        fail("expected an array reply but got " + r);
        return null;
    }

    /**
     * A RESP2 sample list as "ts:value" strings, after checking each sample is
     * [integer, simple string].
     */
    static List<String> samples2(Resp.Reply r) {
        List<String> out = new ArrayList<>();
        for (Resp.Reply s : array(r).items()) out.add(sample2(s));
        return out;
    }

    /** One RESP2 sample [integer, simple string] as "ts:value". */
    static String sample2(Resp.Reply r) {
        Resp.Arr a = array(r);
        assertEquals(2, a.size(), "a sample has two elements: " + r);
        assertInstanceOf(Resp.Int.class, a.get(0), "timestamp is an integer: " + r);
        assertInstanceOf(Resp.Simple.class, a.get(1), "RESP2 value is a simple string: " + r);
        return integer(a.get(0)) + ":" + text(a.get(1));
    }

    /** A RESP3 sample list as "ts:double" strings, after checking each is [integer, double]. */
    static List<String> samples3(Resp.Reply r) {
        List<String> out = new ArrayList<>();
        for (Resp.Reply s : array(r).items()) out.add(sample3(s));
        return out;
    }

    static String sample3(Resp.Reply r) {
        Resp.Arr a = array(r);
        assertEquals(2, a.size(), "a sample has two elements: " + r);
        assertInstanceOf(Resp.Int.class, a.get(0), "timestamp is an integer: " + r);
        assertInstanceOf(Resp.Dbl.class, a.get(1), "RESP3 value is a double: " + r);
        return integer(a.get(0)) + ":" + ((Resp.Dbl) a.get(1)).value();
    }

    /** TS.INFO (RESP2, flat name/value array) as an ordered map; checks the names are strings. */
    static Map<String, Resp.Reply> info(ValkeyServer s, String key, String... extra) {
        Object[] args = new Object[2 + extra.length];
        args[0] = "TS.INFO";
        args[1] = key;
        System.arraycopy(extra, 0, args, 2, extra.length);
        Resp.Reply r = s.call(args);
        Resp.Arr a = array(r);
        assertEquals(0, a.size() % 2, "TS.INFO is name/value pairs: " + r);
        Map<String, Resp.Reply> m = new LinkedHashMap<>();
        for (int i = 0; i < a.size(); i += 2) m.put(text(a.get(i)), a.get(i + 1));
        return m;
    }

    static long infoLong(ValkeyServer s, String key, String field) {
        return integer(info(s, key).get(field));
    }

    /** Labels of a RESP2 TS.INFO: [[name, value]...] as an ordered map. */
    static Map<String, String> labels(Resp.Reply r) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Resp.Reply p : array(r).items()) {
            Resp.Arr pair = array(p);
            assertEquals(2, pair.size(), "label pair: " + p);
            m.put(text(pair.get(0)), text(pair.get(1)));
        }
        return m;
    }

    /** Parses a number in any reply form (integer, string, double). */
    static double number(Resp.Reply r) {
        return switch (r) {
            case Resp.Int i -> i.value();
            case Resp.Dbl d -> d.value();
            case Resp.Simple s -> Double.parseDouble(s.text());
            case Resp.Bulk b -> Double.parseDouble(b.text());
            default -> {
                fail("expected a number but got " + r);
                yield 0;
            }
        };
    }
}
