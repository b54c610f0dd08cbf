package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Random argv against every TS.* command (the foundation's, the rule commands and the
 * multi-series commands, aggregation options included): keywords, numbers
 * (negative, huge, fractional, NaN), empty strings, binary junk, wrong arity; pipelined. Every reply
 * must be well-formed RESP (a value or an error) and the server must answer PING at the end.
 * If the server dies, the batch is replayed one command at a time on a fresh server to name the
 * command that killed it. {@code -Dvts.fuzzSeed=N} reproduces a run, {@code -Dvts.fuzzCount=N}
 * changes its length.
 */
class FuzzIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension();

    static final String[] COMMANDS = {"TS.CREATE", "TS.ALTER", "TS.ADD", "TS.MADD", "TS.INCRBY", "TS.DECRBY",
        "TS.DEL", "TS.GET", "TS.INFO", "TS.RANGE", "TS.REVRANGE", "TS.CREATERULE", "TS.DELETERULE", "TS.MRANGE",
        "TS.MREVRANGE", "TS.MGET", "TS.QUERYINDEX", "TS.QUERYLABELS", "TS.CARD", "TS.MDEL", "TS._DEBUG", "TS.NRANGE",
        "TS.NREVRANGE"};
    static final String[] KEYWORDS = {"RETENTION", "ENCODING", "COMPRESSED", "UNCOMPRESSED", "CHUNK_SIZE",
        "DUPLICATE_POLICY", "ON_DUPLICATE", "IGNORE", "LABELS", "TIMESTAMP", "FILTER_BY_TS", "FILTER_BY_VALUE",
        "COUNT", "LATEST", "AGGREGATION", "ALIGN", "BUCKETTIMESTAMP", "EMPTY", "DEBUG", "BLOCK", "FIRST", "LAST",
        "MIN", "MAX", "SUM", "avg", "twa", "std.p", "-", "+", "*", "start", "end", "retention", "labels", "Labels",
        "uncompressed", "compressed", "block", "WITHLABELS", "FILTER", "a=b", "GROUPBY", "REDUCE",
        "SELECTED_LABELS", "VALUES", "l0=v0", "l1!=v1", "l2=", "l3!=", "l0=(v0,v1)", "l1!=(v2", "l0=~v.*",
        "l1!~(a+)+$", "l2=~[", "m{l0=\"v0\"}", "m{l0=~\"v.*\",l1!=\"x\"}", "{", "m{l0=\"", "p50", "p99.9", "p101",
        "range", "count", "first", "var.s", "countnan", "countall", "~", "mid", "NULLCHECK", "FAILREPLY", "avg,max,min"};
    static final String[] NUMBERS = {"0", "1", "-1", "2", "7", "8", "47", "48", "49", "64", "4096", "1048576",
        "1048577", "1048584", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "18446744073709551616", "99999999999999999999999", "1.5", "-0.5", "0.0", "-0", "1e308", "1e309", "-1e309",
        "5e-324", "1e-400", "nan", "NaN", "-nan", "inf", "-inf", "+inf", "Infinity", "0x10", "1e", "1.", ".5", "+1",
        "1_000", " 1", "1 ", "00001", "1600000000000", "1700000000000", "4294967296", "2147483648", "-2147483649"};

    static final int KEYS = 10;

    static byte[] token(Random rnd) {
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2 -> KEYWORDS[rnd.nextInt(KEYWORDS.length)].getBytes(StandardCharsets.UTF_8);
            case 3, 4, 5 -> NUMBERS[rnd.nextInt(NUMBERS.length)].getBytes(StandardCharsets.UTF_8);
            case 6 -> Long.toString(rnd.nextLong() >> rnd.nextInt(64)).getBytes(StandardCharsets.UTF_8);
            case 7 -> Double.toString(rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20)).getBytes(StandardCharsets.UTF_8);
            case 8 -> rnd.nextInt(4) == 0 ? new byte[0] : key(rnd);
            default -> {
                byte[] junk = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(5000) : rnd.nextInt(12)];
                rnd.nextBytes(junk);
                yield junk;
            }
        };
    }

    static byte[] key(Random rnd) {
        int k = rnd.nextInt(KEYS + 2);
        String name = k < KEYS ? "fz:" + k : k == KEYS ? "fz:str" : "fz:missing";
        return name.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] b(Object o) {
        return String.valueOf(o).getBytes(StandardCharsets.UTF_8);
    }

    /** One random argv: usually a plausible prefix for the command, then random tokens. */
    static byte[][] argv(Random rnd) {
        String cmd = COMMANDS[rnd.nextInt(COMMANDS.length)];
        List<byte[]> a = new ArrayList<>();
        a.add(rnd.nextInt(50) == 0 ? cmd.toLowerCase().getBytes(StandardCharsets.UTF_8) : b(cmd));
        int shape = rnd.nextInt(10);
        if (shape < 7) { // plausible fixed arguments
            switch (cmd) {
                case "TS.ADD" -> { a.add(key(rnd)); a.add(rnd.nextBoolean() ? b(rnd.nextInt(100_000)) : token(rnd)); a.add(rnd.nextBoolean() ? b(rnd.nextInt(100)) : token(rnd)); }
                case "TS.MADD" -> {
                    int n = 1 + rnd.nextInt(5);
                    for (int i = 0; i < n; i++) { a.add(key(rnd)); a.add(rnd.nextBoolean() ? b(rnd.nextInt(100_000)) : token(rnd)); a.add(rnd.nextBoolean() ? b(rnd.nextDouble()) : token(rnd)); }
                }
                case "TS.INCRBY", "TS.DECRBY" -> { a.add(key(rnd)); a.add(rnd.nextBoolean() ? b(rnd.nextInt(10)) : token(rnd)); }
                case "TS.DEL", "TS.RANGE", "TS.REVRANGE" -> { a.add(key(rnd)); a.add(rnd.nextBoolean() ? b("-") : token(rnd)); a.add(rnd.nextBoolean() ? b("+") : token(rnd)); }
                case "TS.CREATERULE" -> { a.add(key(rnd)); a.add(key(rnd)); a.add(b("AGGREGATION")); a.add(b(AGGS[rnd.nextInt(AGGS.length)])); a.add(rnd.nextBoolean() ? b(1 + rnd.nextInt(1000)) : token(rnd)); }
                case "TS.DELETERULE" -> { a.add(key(rnd)); a.add(key(rnd)); }
                case "TS.MRANGE", "TS.MREVRANGE" -> { a.add(rnd.nextBoolean() ? b("-") : token(rnd)); a.add(rnd.nextBoolean() ? b("+") : token(rnd)); }
                case "TS.MGET", "TS.CARD" -> { }
                case "TS.QUERYINDEX" -> a.add(matcher(rnd));
                case "TS.QUERYLABELS" -> { a.add(b(rnd.nextBoolean() ? "LABELS" : "VALUES")); if (rnd.nextBoolean()) a.add(b("l" + rnd.nextInt(4))); }
                case "TS.MDEL" -> { if (rnd.nextBoolean()) { a.add(b(rnd.nextInt(100_000))); a.add(b(rnd.nextInt(100_000))); } }
                default -> a.add(key(rnd));
            }
        }
        if (shape < 5) { // well-formed options, in random order
            int n = rnd.nextInt(4);
            for (int i = 0; i < n; i++) option(rnd, a);
        }
        int extra = shape == 9 || rnd.nextBoolean() ? 0 : rnd.nextInt(rnd.nextInt(4) == 0 ? 40 : 8);
        for (int i = 0; i < extra; i++) {
            if (rnd.nextInt(3) == 0) option(rnd, a);
            else a.add(token(rnd));
        }
        return a.toArray(new byte[0][]);
    }

    static final String[] POLICIES = {"BLOCK", "FIRST", "LAST", "MIN", "MAX", "SUM"};
    static final String[] AGGS = {"avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s",
        "var.p", "var.s", "twa", "countnan", "countall", "p0", "p50", "p99.9", "p100", "avg,max", "bogus"};

    /** A filter matcher, sometimes broken. */
    static byte[] matcher(Random rnd) {
        String l = "l" + rnd.nextInt(4);
        return b(switch (rnd.nextInt(10)) {
            case 0 -> l + "=v" + rnd.nextInt(4);
            case 1 -> l + "!=v" + rnd.nextInt(4);
            case 2 -> l + "=";
            case 3 -> l + "!=";
            case 4 -> l + "=(v0,v" + rnd.nextInt(4) + ")";
            case 5 -> l + "=~v[0-" + rnd.nextInt(4) + "]";
            case 6 -> l + "!~(v|w)+";
            case 7 -> "m{" + l + "=\"v" + rnd.nextInt(4) + "\"}";
            case 8 -> l + "=~(a*)*b";
            default -> new String(token(rnd), StandardCharsets.UTF_8);
        });
    }

    /** A keyword with a plausible value. */
    static void option(Random rnd, List<byte[]> a) {
        switch (rnd.nextInt(20)) {
            case 0 -> { a.add(b("RETENTION")); a.add(b(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(100_000))); }
            case 1 -> { a.add(b("CHUNK_SIZE")); a.add(b(8 * (6 + rnd.nextInt(rnd.nextBoolean() ? 20 : 131_067)))); }
            case 2 -> { a.add(b("DUPLICATE_POLICY")); a.add(b(POLICIES[rnd.nextInt(POLICIES.length)])); }
            case 3 -> { a.add(b("ON_DUPLICATE")); a.add(b(POLICIES[rnd.nextInt(POLICIES.length)])); }
            case 4 -> { a.add(b("ENCODING")); a.add(b(rnd.nextBoolean() ? "COMPRESSED" : "UNCOMPRESSED")); }
            case 5 -> { a.add(b("IGNORE")); a.add(b(rnd.nextInt(100))); a.add(b(rnd.nextDouble() * 10)); }
            case 6 -> { a.add(b("TIMESTAMP")); a.add(rnd.nextInt(5) == 0 ? b("*") : b(rnd.nextInt(100_000))); }
            case 7 -> { a.add(b("COUNT")); a.add(b(rnd.nextInt(20))); }
            case 8 -> {
                a.add(b("FILTER_BY_TS"));
                int n = 1 + rnd.nextInt(5);
                for (int i = 0; i < n; i++) a.add(b(rnd.nextInt(100_000)));
            }
            case 9 -> { a.add(b("FILTER_BY_VALUE")); a.add(b(rnd.nextInt(50))); a.add(b(rnd.nextInt(100))); }
            case 10 -> a.add(b("LATEST"));
            case 11 -> a.add(b("DEBUG"));
            case 12 -> { a.add(b("AGGREGATION")); a.add(b(AGGS[rnd.nextInt(AGGS.length)])); a.add(b(1 + rnd.nextInt(10_000))); }
            case 14 -> {
                a.add(b("FILTER"));
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) a.add(matcher(rnd));
            }
            case 15 -> { a.add(b("GROUPBY")); a.add(b("l" + rnd.nextInt(4))); a.add(b("REDUCE")); a.add(b(AGGS[rnd.nextInt(AGGS.length)])); }
            case 16 -> a.add(b(rnd.nextBoolean() ? "WITHLABELS" : "EMPTY"));
            case 17 -> { a.add(b("SELECTED_LABELS")); a.add(b("l" + rnd.nextInt(4))); }
            case 18 -> { a.add(b("ALIGN")); a.add(b(rnd.nextBoolean() ? (rnd.nextBoolean() ? "-" : "+") : String.valueOf(rnd.nextInt(1000)))); }
            case 19 -> { a.add(b("BUCKETTIMESTAMP")); a.add(b(new String[] {"-", "+", "~", "start", "end", "mid", "x"}[rnd.nextInt(7)])); }
            default -> {
                a.add(b("LABELS"));
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) { a.add(b("l" + rnd.nextInt(5))); a.add(b("v" + rnd.nextInt(5))); }
            }
        }
    }

    static String show(byte[][] argv) {
        StringBuilder s = new StringBuilder();
        for (byte[] x : argv) {
            String t = new String(x, StandardCharsets.UTF_8);
            boolean printable = x.length <= 80 && t.chars().allMatch(c -> c >= 32 && c < 127);
            s.append(printable ? "\"" + t + "\"" : "hex:" + HexFormat.of().formatHex(x, 0, Math.min(x.length, 64))
                    + (x.length > 64 ? "…(" + x.length + " bytes)" : "")).append(' ');
        }
        return s.toString().trim();
    }

    @Test
    void randomArgvNeverBreaksTheServer() {
        long seed = Long.getLong("vts.fuzzSeed", System.nanoTime());
        int count = Integer.getInteger("vts.fuzzCount", 200_000);
        System.out.println("FuzzIT seed " + seed + " (-Dvts.fuzzSeed=" + seed + " to repeat), " + count + " commands");
        Random rnd = new Random(seed);
        ValkeyServer s = valkey.server();
        s.call("SET", "fz:str", "a string");
        long deadline = System.nanoTime() + 100_000_000_000L;
        int batch = 1000;
        int sent = 0;
        int errors = 0;
        try (Resp r = s.resp()) {
            while (sent < count && System.nanoTime() < deadline) {
                List<byte[][]> cmds = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) cmds.add(argv(rnd));
                // keep series small so range replies stay cheap
                cmds.add(new byte[][] {b("DEL"), b("fz:" + rnd.nextInt(KEYS)), b("fz:" + rnd.nextInt(KEYS))});
                try {
                    for (byte[][] c : cmds) r.sendRaw(c);
                    for (int i = 0; i < cmds.size(); i++) {
                        Resp.Reply reply;
                        try {
                            reply = r.read();
                        } catch (Resp.ProtocolError e) {
                            fail("malformed reply to " + show(cmds.get(i)) + ": " + e.getMessage());
                            return;
                        }
                        if (reply instanceof Resp.Err) errors++;
                    }
                } catch (java.io.UncheckedIOException e) {
                    fail("the server stopped answering (" + e.getMessage() + "); "
                            + findKiller(cmds) + "\n" + s.logTail(40));
                }
                sent += batch;
            }
        }
        System.out.println("FuzzIT: " + sent + " commands, " + errors + " error replies");
        assertTrue(sent >= Math.min(count, 100_000), "at least 100,000 commands within the time budget, sent " + sent);
        assertTrue(s.ping(), "the server answers PING after the fuzz run\n" + s.logTail(40));
        assertEquals(new Resp.Int(5), s.call("TS.ADD", "after-fuzz", "5", "1"));
        assertEquals(new Resp.Simple("OK"), s.call("FLUSHALL"));
    }

    /** Replays a batch one command at a time on a fresh server to find the one that kills it. */
    static String findKiller(List<byte[][]> cmds) {
        try (ValkeyServer fresh = ValkeyServer.builder().start()) {
            fresh.call("SET", "fz:str", "a string");
            try (Resp r = fresh.resp()) {
                for (byte[][] c : cmds) {
                    try {
                        r.sendRaw(c);
                        r.read();
                    } catch (RuntimeException e) {
                        return "replayed alone, this command killed a fresh server: " + show(c);
                    }
                }
            }
            return "replaying the batch one by one did not kill a fresh server (state-dependent)";
        } catch (RuntimeException e) {
            return "could not replay: " + e;
        }
    }
}
