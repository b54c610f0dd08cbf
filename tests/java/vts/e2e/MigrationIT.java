package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RedisTimeSeries data loads as it is (native/rts_load.c): the RDB files, DUMP payloads and
 * the rewritten AOF that real reference servers wrote (tests/resources/rts-migration, see its
 * README) come back with every sample, setting, label and rule, and the commands run after
 * loading give the reference's replies.
 *
 * <p>Where our replies differ from the recorded ones by documented, deliberate items, the
 * comparison says so precisely (see {@link #knownInfoDifference}); nothing
 * else may differ. Numbers are compared by value (the fixture's RESP2 texts come from
 * different formatters: "8E-1" is 0.8), exactly, except the values of aggregations where
 * README "Sums and means are compensated" / "Variance" apply (relative 1e-9).
 */
class MigrationIT {
    static final Path RES = Path.of("tests/resources/rts-migration");
    static final String V9 = "rts-8.10-encver9", V8_112 = "rts-v1.12.14-encver8", V8_84 = "rts-v8.4.9-encver8";

    // ------------------------------------------------------------------ RDB

    @ParameterizedTest
    @ValueSource(strings = {V9, V8_112, V8_84})
    void rdbLoadsThenSurvivesOurOwnSaveAndContinuesAsTheReference(String fixture) throws IOException {
        Path data = Files.createTempDirectory("vts-mig-");
        gunzip(RES.resolve(fixture).resolve("dump.rdb.gz"), data.resolve("dump.rdb"));
        JsonObject expected = json(RES.resolve(fixture).resolve("expected.json.gz"));
        int total = 0;
        for (String db : expected.keySet()) total += expected.getAsJsonObject(db).size();
        String loaded = "Done loading RDB, keys loaded: " + total + ",";
        try (ValkeyServer s = ValkeyServer.builder().config("dir", data.toString()).start()) {
            assertTrue(s.log().contains(loaded), s.logTail(20));
            compareAll(s, expected, false);
            summariesAgree(s, expected.getAsJsonObject("0").getAsJsonObject("plain:uncompressed"));
            // our own encoding: a BGSAVE right after the load, then a restart from it
            assertEquals(new Resp.Simple("Background saving started"), s.call("BGSAVE"));
            s.await("BGSAVE done", Duration.ofSeconds(60), () -> "0".equals(s.info("persistence", "rdb_bgsave_in_progress")));
            assertEquals("ok", s.info("persistence", "rdb_last_bgsave_status"));
            s.stopNoSave();
            s.startAgain();
            assertTrue(s.logTail(40).contains(loaded), s.logTail(20));
            compareAll(s, expected, false);
            runContinue(s, fixture);
            if (fixture.equals(V8_112)) {
                // the AOF the reference rewrote holds database 0 after continue.json's writes
                compareDb(s, "0", json(RES.resolve(fixture).resolve("expected-aof.json.gz")).getAsJsonObject("0"), false, true);
            }
        } finally {
            deleteTree(data);
        }
    }

    // ------------------------------------------------------------------ RESTORE

    @ParameterizedTest
    @ValueSource(strings = {V9, V8_112})
    void everyDumpPayloadRestores(String fixture) {
        JsonObject payloads = json(RES.resolve(fixture).resolve("payloads.json.gz"));
        JsonObject expected = json(RES.resolve(fixture).resolve("expected.json.gz"));
        try (ValkeyServer s = ValkeyServer.start()) {
            for (Map.Entry<String, JsonElement> e : payloads.entrySet()) {
                byte[] p = HexFormat.of().parseHex(e.getValue().getAsString());
                assertEquals(new Resp.Simple("OK"), s.call("RESTORE", e.getKey(), "0", p), e.getKey());
            }
            assertEquals(payloads.size(), ((Resp.Int) s.call("DBSIZE")).value());
            // the reference's DUMP leaves out rules and source keys (it keeps no links across
            // RESTORE); and RESTORE with TTL 0 gives no time to live
            compareDb(s, "0", expected.getAsJsonObject("0"), true);
            // the labels of restored series are in the index: the same answer as from the labels
            List<String> want = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : expected.getAsJsonObject("0").entrySet()) {
                String labels = e.getValue().getAsJsonObject().getAsJsonObject("info").get("labels").toString();
                if (labels.contains("[\"host\",\"h7\"]") && labels.contains("[\"region\",\"r3\"]")) want.add(e.getKey());
            }
            assertFalse(want.isEmpty());
            assertEquals(want.stream().sorted().toList(),
                    ((List<?>) s.call("TS.QUERYINDEX", "host=h7", "region=r3").plain()).stream().map(String::valueOf).sorted().toList());
        }
    }

    // ------------------------------------------------------------------ AOF

    @Test
    void aofRewrittenByTheReferenceLoads() throws IOException {
        Path data = Files.createTempDirectory("vts-mig-");
        Path aofDir = Files.createDirectories(data.resolve("appendonlydir"));
        Path src = RES.resolve(V8_112).resolve("appendonlydir");
        Files.copy(src.resolve("appendonly.aof.manifest"), aofDir.resolve("appendonly.aof.manifest"));
        Files.createFile(aofDir.resolve("appendonly.aof.2.incr.aof")); // the reference's was empty
        gunzip(src.resolve("appendonly.aof.2.base.aof.gz"), aofDir.resolve("appendonly.aof.2.base.aof"));
        JsonObject expected = json(RES.resolve(V8_112).resolve("expected-aof.json.gz"));
        try (ValkeyServer s = ValkeyServer.builder().config("dir", data.toString()).config("appendonly", "yes").start()) {
            assertEquals(234L, ((Resp.Int) s.call("DBSIZE")).value(), s.logTail(20));
            compareDb(s, "0", expected.getAsJsonObject("0"), false);
            // then our own AOF: rewritten, restarted, the same again
            assertEquals(new Resp.Simple("Background append only file rewriting started"), s.call("BGREWRITEAOF"));
            s.await("rewrite done", Duration.ofSeconds(60),
                    () -> "0".equals(s.info("persistence", "aof_rewrite_in_progress"))
                            && "0".equals(s.info("persistence", "aof_rewrite_scheduled")));
            assertEquals("ok", s.info("persistence", "aof_last_bgrewrite_status"));
            s.stopNoSave();
            s.startAgain();
            compareDb(s, "0", expected.getAsJsonObject("0"), false);
        } finally {
            deleteTree(data);
        }
    }

    // ------------------------------------------------------------------ bad input

    /**
     * Truncated and bit-flipped payloads (with a valid checksum, so they reach the converter)
     * through RESTORE: every one answers (an error, or OK with a series TS.INFO and TS.RANGE
     * read), and the server stays up.
     */
    @Test
    void fuzzedPayloadsEndInErrorsOrValidSeries() {
        JsonObject payloads = json(RES.resolve(V9).resolve("payloads.json.gz"));
        List<String> keys = List.of("counter", "chunk:small", "doubles", "nan", "plain:uncompressed", "plain:compressed",
                "labels:many", "labels:odd", "empty", "dup:sum", "ign", "ret:short", "fleet:001", "src", "dst:twa");
        Random rnd = new Random(10);
        int errors = 0, ok = 0;
        try (ValkeyServer s = ValkeyServer.start()) {
            for (String k : keys) {
                byte[] p = HexFormat.of().parseHex(payloads.get(k).getAsString());
                int body = p.length - 10; // type .. module data; then RDB version (2) and CRC64 (8)
                for (int i = 0; i < 60; i++) {
                    byte[] f;
                    if (i < 20) {
                        int cut = 2 + rnd.nextInt(body - 2);
                        f = new byte[cut + 10];
                        System.arraycopy(p, 0, f, 0, cut);
                        System.arraycopy(p, body, f, cut, 2);
                    } else {
                        f = p.clone();
                        for (int b = 0, n = 1 + rnd.nextInt(3); b < n; b++) {
                            int at = 1 + rnd.nextInt(body - 1);
                            f[at] ^= (byte) (1 << rnd.nextInt(8));
                        }
                    }
                    withCrc(f);
                    Resp.Reply r = s.call("RESTORE", "fz", "0", f, "REPLACE");
                    if (r instanceof Resp.Err) {
                        errors++;
                        continue;
                    }
                    assertEquals(new Resp.Simple("OK"), r, k + " #" + i);
                    ok++;
                    assertInstanceOf(Resp.Arr.class, s.call("TS.INFO", "fz"), k + " #" + i);
                    assertInstanceOf(Resp.Arr.class, s.call("TS.RANGE", "fz", "-", "+"), k + " #" + i);
                }
            }
            assertTrue(s.ping());
            assertFalse(s.log().contains("crashed by signal"), s.logTail(30));
            assertTrue(errors > 400, "most corrupt payloads are refused: " + errors + " errors, " + ok + " accepted");
        }
    }

    /**
     * Series in the reference's encoding 9, built field by field (module opcodes as the
     * server writes them), after the module type id of a real payload.
     */
    static final class Payload {
        private final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        private final byte[] footer;

        Payload(byte[] real, int encver) {
            long id = 0;
            for (int i = 2; i < 10; i++) id = id << 8 | (real[i] & 0xff); // 0x07, 0x81, 8-byte module id
            id = (id & ~1023L) | encver;
            b.write(7);
            b.write(0x81);
            for (int i = 7; i >= 0; i--) b.write((int) (id >>> (8 * i)));
            footer = java.util.Arrays.copyOfRange(real, real.length - 10, real.length - 8);
        }

        private void len(long n) {
            if (n >= 0 && n < 64) {
                b.write((int) n);
            } else {
                b.write(0x81);
                for (int i = 7; i >= 0; i--) b.write((int) (n >>> (8 * i)));
            }
        }

        Payload u(long v) { b.write(2); len(v); return this; }
        Payload d(double v) {
            b.write(4);
            long x = Double.doubleToRawLongBits(v);
            for (int i = 0; i < 8; i++) b.write((int) (x >>> (8 * i)));
            return this;
        }
        Payload s(byte[] v) { b.write(5); len(v.length); b.writeBytes(v); return this; }
        Payload s(String v) { return s(v.getBytes(StandardCharsets.UTF_8)); }

        /** Settings of an uncompressed series with labels a=b, no IGNORE, policy p, no rules yet. */
        Payload header(int options, int dup) {
            return s("k").u(0).u(4096).u(options).u(0).d(0).u(0).u(dup).u(0).u(0).d(0).u(1).s("a").s("b");
        }

        static byte[] samples(long... tsThenValueBits) {
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(tsThenValueBits.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (long x : tsThenValueBits) bb.putLong(x);
            return bb.array();
        }

        byte[] payload() {
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
            o.writeBytes(b.toByteArray());
            o.write(0); // EOF opcode
            o.writeBytes(footer);
            o.writeBytes(new byte[8]);
            byte[] p = o.toByteArray();
            withCrc(p);
            return p;
        }

        /** The module value part (after the type byte), for an RDB file. */
        byte[] value() {
            byte[] v = b.toByteArray();
            byte[] out = java.util.Arrays.copyOfRange(v, 1, v.length + 1);
            out[out.length - 1] = 0;
            return out;
        }
    }

    static byte[] realPayload() {
        return HexFormat.of().parseHex(json(RES.resolve(V9).resolve("payloads.json.gz")).get("counter").getAsString());
    }

    /** Precise bad input: each is refused, leaves no key, and the log names the key and the reason. */
    @Test
    void malformedSeriesAreRefusedNamingTheKey() {
        byte[] real = realPayload();
        long v = Double.doubleToRawLongBits(1.5);
        byte[] two = Payload.samples(1000, v, 2000, v);
        Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
        bad.put("out of order", new Payload(real, 9).header(1, 1).u(0).u(1).u(2000).u(2).u(32)
                .s(Payload.samples(2000, v, 1000, v)).payload());
        bad.put("claims more samples", new Payload(real, 9).header(1, 1).u(0).u(1).u(1000).u(3).u(32).s(two).payload());
        bad.put("unknown duplicate policy", new Payload(real, 9).header(1, 9).u(0).u(1).u(1000).u(2).u(32).s(two).payload());
        bad.put("unknown aggregation type", new Payload(real, 9).header(1, 1).u(1).s("dst").u(60000).u(0).u(99).u(0).u(1)
                .u(1).u(1000).u(2).u(32).s(two).payload());
        bad.put("compressed chunk", new Payload(real, 9).header(2, 1).u(0).u(1)
                .u(8).u(500).u(64).u(v).u(1000).u(1000).u(0).u(v).u(32).u(32).s(new byte[8]).payload());
        bad.put("timestamp out of range", new Payload(real, 9).header(1, 1).u(0).u(1).u(1000).u(2).u(32)
                .s(Payload.samples(1000, v, -5, v)).payload());
        try (ValkeyServer s = ValkeyServer.start()) {
            byte[] good = new Payload(real, 9).header(1, 1).u(0).u(1).u(1000).u(2).u(32).s(two).payload();
            assertEquals(new Resp.Simple("OK"), s.call("RESTORE", "good", "0", good), "the builder writes valid series");
            assertEquals(List.of(List.of(1000L, "1.5"), List.of(2000L, "1.5")), s.call("TS.RANGE", "good", "-", "+").plain());
            int n = 0;
            for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                String key = "bad:" + n++;
                assertInstanceOf(Resp.Err.class, s.call("RESTORE", key, "0", e.getValue()), e.getKey());
                assertEquals(new Resp.Int(0), s.call("EXISTS", key));
                s.await("log line for " + e.getKey(), Duration.ofSeconds(5),
                        () -> s.log().contains("RedisTimeSeries series '" + key + "' (encoding 9) can't be converted"));
            }
            assertTrue(s.log().contains("out of order") && s.log().contains("claims more samples")
                    && s.log().contains("unknown duplicate policy") && s.log().contains("unknown aggregation type"), s.logTail(20));
        }
    }

    /**
     * Older encodings (built field by field, as the reference's loader reads them): before 2
     * the samples come one by one and the chunk size counts samples; 2..7 have chunks but no
     * IGNORE fields; alignment exists from 6 on.
     */
    @Test
    void olderEncodingsLoad() {
        byte[] real = realPayload();
        long v = Double.doubleToRawLongBits(2.25);
        try (ValkeyServer s = ValkeyServer.start()) {
            // encoding 0: no options (uncompressed), samples one by one
            byte[] e0 = new Payload(real, 0).s("k").u(600000).u(256).u(1).s("a").s("b").u(0)
                    .u(3).u(1000).d(1.5).u(2000).d(2.5).u(3000).d(-0.0).payload();
            // encoding 1: options
            byte[] e1 = new Payload(real, 1).s("k").u(0).u(128).u(1).u(0).u(0).u(2).u(5).d(7).u(6).d(8).payload();
            // encoding 5: chunks, duplicate policy (4 = min), a max rule without alignment
            byte[] e5 = new Payload(real, 5).s("k").u(0).u(4096).u(1).u(2000).d(2.25).u(2).u(4).u(0).u(1).s("x").s("y")
                    .u(1).s("d5").u(60000).u(2).u(0).d(2.25).d(1.0).u(1).u(1000).u(2).u(32)
                    .s(Payload.samples(1000, v, 2000, v)).payload();
            // encoding 7: alignment
            byte[] e7 = new Payload(real, 7).s("k").u(0).u(4096).u(1).u(2000).d(2.25).u(2).u(6).u(0).u(0)
                    .u(1).s("d7").u(60000).u(500).u(6).u(0).d(2.25).u(0).u(1).u(1000).u(2).u(32)
                    .s(Payload.samples(1000, v, 2000, v)).payload();
            assertEquals(new Resp.Simple("OK"), s.call("RESTORE", "e0", "0", e0));
            assertEquals(List.of(List.of(1000L, "1.5"), List.of(2000L, "2.5"), List.of(3000L, "-0")),
                    s.call("TS.RANGE", "e0", "-", "+").plain());
            assertEquals(List.of("e0"), s.call("TS.QUERYINDEX", "a=b").plain());
            assertEquals(new Resp.Simple("OK"), s.call("RESTORE", "e1", "0", e1));
            assertEquals(List.of(List.of(5L, "7"), List.of(6L, "8")), s.call("TS.RANGE", "e1", "-", "+").plain());
            // a RESTOREd rule is kept when its destination exists (vts.compaction.Links)
            s.call("TS.CREATE", "d5");
            s.call("TS.CREATE", "d7");
            assertEquals(new Resp.Simple("OK"), s.call("RESTORE", "e5", "0", e5));
            assertEquals(List.of(List.of(1000L, "2.25"), List.of(2000L, "2.25")), s.call("TS.RANGE", "e5", "-", "+").plain());
            List<?> info = (List<?>) s.call("TS.INFO", "e5").plain();
            assertEquals("min", info.get(info.indexOf("duplicatePolicy") + 1));
            assertEquals(List.of(List.of("d5", 60000L, "MAX", 0L)), info.get(info.indexOf("rules") + 1));
            assertEquals(new Resp.Simple("OK"), s.call("RESTORE", "e7", "0", e7));
            info = (List<?>) s.call("TS.INFO", "e7").plain();
            assertEquals("sum", info.get(info.indexOf("duplicatePolicy") + 1));
            assertEquals(List.of(List.of("d7", 60000L, "FIRST", 500L)), info.get(info.indexOf("rules") + 1));
            info = (List<?>) s.call("TS.INFO", "d7").plain();
            assertEquals("e7", info.get(info.indexOf("sourceKey") + 1));
        }
    }

    /**
     * Each rule's saved open-bucket context carries over: the rules were created while
     * bucket 60000 was open, so the reference's contexts hold only the samples written after
     * that (5, 7), not the source's first sample of the bucket (100). A write into the open
     * bucket and then one that closes it give the destination the value of the context plus
     * the new sample, as the reference writes it, not the value of the source's samples.
     * Encoding 9 with 48-byte chunks (the open bucket's chunk is full, so the next write
     * starts a chunk: the sum bookkeeping across chunks), encoding 8 with one chunk.
     */
    @ParameterizedTest
    @ValueSource(ints = {9, 8})
    void savedOpenBucketContextsCarryOver(int encver) {
        double[] ctx = {5, 7}; // the samples the reference's contexts saw
        double[] src = {100, 5, 7}; // the source's samples of the open bucket (61000..63000)
        contextsCarryOver(encver, encver == 9 ? 48 : 4096, 0, ctx, src);
    }

    /**
     * Retention trimmed the open bucket's first sample (retention 1500 ms after 63000): the
     * reference's contexts still hold it, and so does the value the closing write gives.
     */
    @Test
    void savedContextsOutliveRetention() {
        double[] both = {100, 5, 7};
        contextsCarryOver(9, 4096, 1500, both, new double[] {5, 7});
    }

    static final String[] CTX_AGGS = {"min", "max", "sum", "avg", "count", "first", "last", "range", "std.s", "var.p"};
    static final int[] CTX_AGG_IDS = {1, 2, 3, 4, 5, 6, 7, 8, 10, 11}; // the reference's aggregation enum

    /**
     * A source (uncompressed, samples 100 @61000, 5 @62000, 7 @63000) with a rule per
     * aggregator whose saved contexts saw ctx; visible: the samples TS.RANGE shows after
     * retention. Then 9 @64000 (open bucket) and 1 @120000 (closes it).
     */
    static void contextsCarryOver(int encver, long chunkSize, long retention, double[] ctx, double[] visible) {
        double added = 9;
        byte[] real = realPayload();
        Payload p = new Payload(real, encver).s("k").u(retention).u(chunkSize).u(1).u(63000).d(7).u(3).u(0).u(0)
                .u(0).d(0).u(1).s("a").s("b").u(CTX_AGGS.length);
        double sum = 0, sum2 = 0;
        for (double x : ctx) {
            sum += x;
            sum2 += x * x;
        }
        for (int i = 0; i < CTX_AGGS.length; i++) {
            p.s("d:" + CTX_AGGS[i]).u(60000).u(0).u(CTX_AGG_IDS[i]).u(60000);
            if (encver >= 9) p.u(0);
            switch (CTX_AGGS[i]) {
                // (max, min); a min rule leaves its max at -DBL_MAX and a max rule its min at DBL_MAX
                case "min" -> p.d(-Double.MAX_VALUE).d(Arrays.stream(ctx).min().getAsDouble());
                case "max" -> p.d(Arrays.stream(ctx).max().getAsDouble()).d(Double.MAX_VALUE);
                case "range" -> p.d(Arrays.stream(ctx).max().getAsDouble()).d(Arrays.stream(ctx).min().getAsDouble());
                case "sum" -> p.d(sum);
                case "count" -> p.d(ctx.length);
                case "last" -> p.d(ctx[ctx.length - 1]);
                case "first" -> p.d(ctx[0]).u(0);
                case "avg" -> p.d(sum).d(ctx.length).u(0);
                default -> p.d(sum).d(sum2).u(ctx.length);
            }
        }
        p.u(1).u(61000).u(3).u(48).s(Payload.samples(61000, Double.doubleToRawLongBits(100), 62000,
                Double.doubleToRawLongBits(5), 63000, Double.doubleToRawLongBits(7)));
        byte[] payload = p.payload();
        try (ValkeyServer s = ValkeyServer.start()) {
            for (String a : CTX_AGGS) s.call("TS.CREATE", "d:" + a);
            assertEquals(new Resp.Simple("OK"), s.call("RESTORE", "src", "0", payload));
            assertEquals(visible.length, ((List<?>) s.call("TS.RANGE", "src", "-", "+").plain()).size());
            assertEquals(new Resp.Int(64000), s.call("TS.ADD", "src", "64000", "9"));
            // the carried-over state is ours now: it survives our own save and load
            if (retention == 0) assertEquals(new Resp.Simple("OK"), s.call("DEBUG", "RELOAD"));
            double[] seen = Arrays.copyOf(ctx, ctx.length + 1);
            seen[ctx.length] = added;
            double[] recomputed = Arrays.copyOf(visible, visible.length + 1);
            recomputed[visible.length] = added;
            int differ = 0;
            for (String a : CTX_AGGS) {
                double want = agg(a, seen);
                if (want != agg(a, recomputed)) differ++;
                List<?> latest = (List<?>) s.call("TS.GET", "d:" + a, "LATEST").plain();
                assertEquals(60000L, latest.get(0), a);
                assertEquals(want, num((String) latest.get(1)), 1e-12 * Math.abs(want), a + " LATEST");
            }
            assertTrue(differ >= 7, "the case tells the saved contexts from the source's samples: " + differ);
            assertEquals(new Resp.Int(120000), s.call("TS.ADD", "src", "120000", "1"));
            for (String a : CTX_AGGS) {
                List<?> got = (List<?>) s.call("TS.RANGE", "d:" + a, "-", "+").plain();
                assertEquals(1, got.size(), a);
                List<?> b = (List<?>) got.get(0);
                assertEquals(60000L, b.get(0), a);
                double want = agg(a, seen);
                assertEquals(want, num((String) b.get(1)), 1e-12 * Math.abs(want), a + " closed bucket");
            }
            if (retention != 0) return;
            // the next bucket runs on our own state: its close gives the plain aggregate
            s.call("TS.ADD", "src", "130000", "3");
            s.call("TS.ADD", "src", "180000", "0");
            for (String a : CTX_AGGS) {
                List<?> got = (List<?>) s.call("TS.RANGE", "d:" + a, "120000", "120000").plain();
                double want = agg(a, new double[] {1, 3});
                assertEquals(want, num((String) ((List<?>) got.get(0)).get(1)), 1e-12 * Math.abs(want), a + " next bucket");
            }
        }
    }

    /** The aggregate of xs, as the reference defines each aggregator. */
    static double agg(String a, double[] xs) {
        double sum = 0;
        for (double x : xs) sum += x;
        double mean = sum / xs.length, m2 = 0;
        for (double x : xs) m2 += (x - mean) * (x - mean);
        return switch (a) {
            case "min" -> Arrays.stream(xs).min().getAsDouble();
            case "max" -> Arrays.stream(xs).max().getAsDouble();
            case "range" -> Arrays.stream(xs).max().getAsDouble() - Arrays.stream(xs).min().getAsDouble();
            case "sum" -> sum;
            case "avg" -> mean;
            case "count" -> xs.length;
            case "first" -> xs[0];
            case "last" -> xs[xs.length - 1];
            case "std.s" -> Math.sqrt(m2 / (xs.length - 1));
            case "var.p" -> m2 / xs.length;
            default -> throw new IllegalArgumentException(a);
        };
    }

    /** A corrupt series in an RDB file: the server refuses the file, and its log names the key. */
    @Test
    void corruptSeriesInAnRdbFileStopsTheLoadNamingTheKey() throws Exception {
        byte[] real = realPayload();
        long v = Double.doubleToRawLongBits(1.5);
        byte[] value = new Payload(real, 9).header(1, 1).u(0).u(1).u(2000).u(2).u(32)
                .s(Payload.samples(2000, v, 1000, v)).value();
        java.io.ByteArrayOutputStream rdb = new java.io.ByteArrayOutputStream();
        rdb.writeBytes("REDIS0011".getBytes(StandardCharsets.US_ASCII));
        rdb.write(0xFE); // SELECTDB 0
        rdb.write(0);
        rdb.write(7); // a module value
        rdb.write(11);
        rdb.writeBytes("broken:here".getBytes(StandardCharsets.US_ASCII));
        rdb.writeBytes(value);
        rdb.write(0xFF);
        rdb.writeBytes(new byte[8]); // checksum 0: not checked
        Path data = Files.createTempDirectory("vts-mig-");
        try {
            Files.write(data.resolve("dump.rdb"), rdb.toByteArray());
            int port;
            try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = ss.getLocalPort();
            }
            Process p = new ProcessBuilder("valkey-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", data.toString(), "--save", "",
                    "--logfile", data.resolve("log").toString(), "--loadmodule", ValkeyServer.modulePath().toString())
                    .redirectErrorStream(true).redirectOutput(data.resolve("out").toFile()).start();
            // (its exit code is that of the RDB check it runs after the failure, 0 here)
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the server stops");
            String log = Files.readString(data.resolve("log"));
            assertTrue(log.contains("not able to load"), log);
            assertFalse(log.contains("Ready to accept connections"), log);
            assertTrue(log.contains("RedisTimeSeries series 'broken:here' (encoding 9) can't be converted: timestamps out of order"), log);
        } finally {
            deleteTree(data);
        }
    }

    /**
     * The chunks C wrote for an uncompressed series carry the summaries (min, max, count,
     * compensated sum) the aggregations read for whole chunks: one bucket over all of it
     * must agree with the samples.
     */
    static void summariesAgree(ValkeyServer s, JsonObject exp) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        long n = 0;
        for (JsonElement e : exp.getAsJsonArray("samples")) {
            double v = num(e.getAsJsonArray().get(1).getAsString());
            if (v != v) continue;
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            n++;
        }
        assertTrue(n > 1000);
        String[] aggs = {"min", "max", "count", "sum"};
        double[] want = {min, max, n, sum};
        for (int i = 0; i < aggs.length; i++) {
            List<?> r = (List<?>) s.call("TS.RANGE", "plain:uncompressed", "-", "+", "AGGREGATION", aggs[i], "100000000000000").plain();
            assertEquals(1, r.size(), aggs[i]);
            double got = num((String) ((List<?>) r.get(0)).get(1));
            assertEquals(want[i], got, i < 3 ? 0 : 1e-9 * Math.abs(want[i]), aggs[i]);
        }
    }

    // ------------------------------------------------------------------ comparison

    static void compareAll(ValkeyServer s, JsonObject expected, boolean restored) {
        for (String db : expected.keySet()) compareDb(s, db, expected.getAsJsonObject(db), restored);
        s.call("SELECT", "0");
    }

    /** Every key of one database: TS.INFO (without memoryUsage), every sample, TS.GET, TTL presence. */
    static void compareDb(ValkeyServer s, String db, JsonObject keys, boolean restored) {
        compareDb(s, db, keys, restored, false);
    }

    /** afterWrites: destinations' samples our writes closed agree within the aggregation tolerance. */
    static void compareDb(ValkeyServer s, String db, JsonObject keys, boolean restored, boolean afterWrites) {
        assertEquals(new Resp.Simple("OK"), s.call("SELECT", db));
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : keys.entrySet()) {
            String key = e.getKey();
            JsonObject exp = e.getValue().getAsJsonObject();
            JsonObject info = exp.getAsJsonObject("info");
            List<?> got = (List<?>) s.call("TS.INFO", key).plain();
            boolean samplesMatch = sameSamples(exp.getAsJsonArray("samples").asList(),
                    (List<?>) s.call("TS.RANGE", key, "-", "+").plain(), afterWrites && key.startsWith("dst:"));
            if (!samplesMatch) diffs.add(db + " " + key + " samples");
            // TS.GET answers from the header's copy of the last sample: the last one recorded
            List<JsonElement> rows = exp.getAsJsonArray("samples").asList();
            List<?> get = (List<?>) s.call("TS.GET", key).plain();
            if (!sameSamples(rows.isEmpty() ? rows : rows.subList(rows.size() - 1, rows.size()),
                    get.isEmpty() ? get : List.of(get), afterWrites && key.startsWith("dst:"))) {
                diffs.add(db + " " + key + " TS.GET " + get);
            }
            for (int i = 0; i + 1 < got.size(); i += 2) {
                String field = (String) got.get(i);
                if (field.equals("memoryUsage") || !info.has(field)) continue;
                JsonElement want = info.get(field);
                if (restored && field.equals("rules")) want = new com.google.gson.JsonArray();
                if (restored && field.equals("sourceKey")) want = com.google.gson.JsonNull.INSTANCE;
                String w = text(want), g = text(got.get(i + 1));
                if (!w.equals(g) && !knownInfoDifference(field, info, got.get(i + 1))) {
                    diffs.add(db + " " + key + " " + field + ": want " + w + " got " + g);
                }
            }
            boolean ttl = ((Resp.Int) s.call("PTTL", key)).value() >= 0;
            if (ttl != (exp.get("pttl").getAsBoolean() && !restored)) diffs.add(db + " " + key + " ttl " + ttl);
        }
        assertEquals(List.of(), diffs);
    }

    /**
     * Differences from the recorded TS.INFO that are deliberate: an empty series reports
     * chunkCount 0 (the reference keeps an empty chunk: 1); a series without a duplicate
     * policy of its own reports the effective one (`block`), as the 8.x reference does, where
     * 1.12 answered nil.
     */
    static boolean knownInfoDifference(String field, JsonObject info, Object got) {
        if (field.equals("chunkCount")) return info.get("totalSamples").getAsLong() == 0 && Long.valueOf(0).equals(got);
        if (field.equals("duplicatePolicy")) return info.get(field).isJsonNull() && "block".equals(got);
        return false;
    }

    static boolean sameSamples(List<JsonElement> want, List<?> got, boolean aggregated) {
        if (want.size() != got.size()) return false;
        for (int i = 0; i < want.size(); i++) {
            List<JsonElement> w = want.get(i).getAsJsonArray().asList();
            List<?> g = (List<?>) got.get(i);
            if (w.get(0).getAsLong() != (Long) g.get(0)) return false;
            double a = num(w.get(1).getAsString()), b = num((String) g.get(1));
            if (Double.doubleToLongBits(a) != Double.doubleToLongBits(b) && !near(a, b, aggregated)) return false;
        }
        return true;
    }

    static double num(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "nan", "-nan" -> Double.NaN;
            case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /** A canonical text of a JSON value or a plain reply, numbers by value. */
    static String text(Object o) {
        if (o instanceof JsonElement j) {
            if (j.isJsonNull()) return "null";
            if (j.isJsonArray()) {
                List<String> out = new ArrayList<>();
                for (JsonElement x : j.getAsJsonArray()) out.add(text(x));
                return out.toString();
            }
            return scalar(j.getAsString());
        }
        if (o == null) return "null";
        if (o instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object x : l) out.add(text(x));
            return out.toString();
        }
        return scalar(String.valueOf(o));
    }

    private static String scalar(String s) {
        try {
            double d = num(s);
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        } catch (NumberFormatException e) {
            return s;
        }
    }

    // ------------------------------------------------------------------ continue.json

    static void runContinue(ValkeyServer s, String fixture) {
        List<JsonElement> steps = JsonParser.parseString(read(RES.resolve(fixture).resolve("continue.json"))).getAsJsonArray().asList();
        List<String> diffs = new ArrayList<>();
        for (JsonElement step : steps) {
            List<JsonElement> cmd = step.getAsJsonObject().getAsJsonArray("cmd").asList();
            Object[] args = cmd.stream().map(JsonElement::getAsString).toArray();
            String line = String.join(" ", cmd.stream().map(JsonElement::getAsString).toList());
            boolean aggregated = line.contains("AGGREGATION") || line.contains(" dst:");
            Resp.Reply got = s.call(args);
            if (!sameReply(step.getAsJsonObject().get("reply"), got, aggregated)) {
                diffs.add(line + ": want " + step.getAsJsonObject().get("reply") + " got " + got.plain());
            }
        }
        assertEquals(List.of(), diffs);
    }

    static boolean sameReply(JsonElement want, Resp.Reply got, boolean aggregated) {
        if (want.isJsonNull()) return got instanceof Resp.Null;
        if (want.isJsonObject() && want.getAsJsonObject().has("error")) {
            // the reference's error text without the "ERR " its client stripped; the 1.12 / 8.4
            // text of the BLOCK error is the start of the longer 8.10 text, which we give
            String msg = want.getAsJsonObject().get("error").getAsString();
            return got instanceof Resp.Err e && (e.message().equals(msg) || e.message().startsWith("ERR " + msg)
                    || e.message().startsWith(msg));
        }
        if (want.isJsonArray()) {
            if (!(got instanceof Resp.Arr a) || a.size() != want.getAsJsonArray().size()) return false;
            for (int i = 0; i < a.size(); i++) {
                if (!sameReply(want.getAsJsonArray().get(i), a.get(i), aggregated)) return false;
            }
            return true;
        }
        String w = want.getAsString();
        String g = switch (got) {
            case Resp.Int i -> Long.toString(i.value());
            case Resp.Bulk b -> b.text();
            case Resp.Simple t -> t.text();
            default -> null;
        };
        if (g == null) return false;
        if (w.equals(g)) return true;
        try {
            double a = num(w), b = num(g);
            return Double.doubleToLongBits(a) == Double.doubleToLongBits(b) || near(a, b, aggregated);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The documented summation / variance differences: within 1e-9 relative, aggregations only. */
    static boolean near(double a, double b, boolean aggregated) {
        return aggregated && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    }

    // ------------------------------------------------------------------ helpers

    /** Sets the CRC64 (Jones, reflected, as the server's DUMP/RESTORE use) of a payload's last 8 bytes. */
    static void withCrc(byte[] p) {
        long crc = 0;
        for (int i = 0; i < p.length - 8; i++) {
            crc ^= p[i] & 0xff;
            for (int k = 0; k < 8; k++) crc = (crc >>> 1) ^ ((crc & 1) != 0 ? 0x95AC9329AC4BC9B5L : 0);
        }
        for (int i = 0; i < 8; i++) p[p.length - 8 + i] = (byte) (crc >>> (8 * i));
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return 0;
    }

    static JsonObject json(Path gz) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void gunzip(Path gz, Path to) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var w = Files.walk(p)) {
            for (Path x : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
