package vts.command;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

import vts.query.Agg;
import vts.query.Aggregation;
import vts.query.Aggregator;
import vts.query.Align;
import vts.query.BucketTimestamp;
import vts.query.RangeQuery;
import vts.query.ValueFilter;

class ParserTest {

    /** Routes argv to its parser by command name, as the bridge does. */
    static Object parse(Args a) {
        return switch (a.string(0).toUpperCase(Locale.ROOT)) {
            case "TS.CREATE" -> Parsers.create(a);
            case "TS.ALTER" -> Parsers.alter(a);
            case "TS.ADD" -> Parsers.add(a);
            case "TS.MADD" -> Parsers.madd(a);
            case "TS.INCRBY", "TS.DECRBY" -> Parsers.incrBy(a);
            case "TS.DEL" -> Parsers.del(a);
            case "TS.GET" -> Parsers.get(a);
            case "TS.INFO" -> Parsers.info(a);
            case "TS.RANGE", "TS.REVRANGE" -> Parsers.range(a);
            case "TS.MRANGE", "TS.MREVRANGE" -> Parsers.mrange(a);
            case "TS.NRANGE", "TS.NREVRANGE" -> Parsers.nrange(a);
            case "TS.MGET" -> Parsers.mget(a);
            case "TS.QUERYINDEX" -> Parsers.queryIndex(a);
            case "TS.CREATERULE" -> Parsers.createRule(a);
            case "TS.DELETERULE" -> Parsers.deleteRule(a);
            default -> throw new IllegalArgumentException(a.string(0));
        };
    }

    static void fails(String reply, String... argv) {
        TsException e = assertThrows(TsException.class, () -> parse(Args.of(argv)), String.join(" ", argv));
        assertEquals(reply, e.getMessage(), String.join(" ", argv));
    }

    static void tsdb(String msg, String... argv) {
        fails("ERR TSDB: " + msg, argv);
    }

    static void arity(String... argv) {
        fails("ERR wrong number of arguments for '" + argv[0].toLowerCase(Locale.ROOT) + "' command", argv);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static AddRequest add(String... rest) {
        String[] argv = new String[rest.length + 1];
        argv[0] = "TS.ADD";
        System.arraycopy(rest, 0, argv, 1, rest.length);
        return Parsers.add(Args.of(argv));
    }

    static RangeQuery range(String... opts) {
        String[] argv = new String[opts.length + 2];
        argv[0] = "TS.RANGE";
        argv[1] = "k";
        System.arraycopy(opts, 0, argv, 2, opts.length);
        return Parsers.range(Args.of(argv)).query();
    }

    // ------------------------------------------------------------ TS.CREATE / ALTER

    @Test
    void createAllOptionsAnyOrder() {
        CreateRequest r = Parsers.create(Args.of("TS.CREATE", "k", "chunk_size", "128", "IGNORE", "10", "0.5",
                "ENCODING", "uncompressed", "DUPLICATE_POLICY", "max", "RETENTION", "60000", "LABELS", "a", "1", "b", "x y"));
        assertEquals("k", str(r.key()));
        SeriesOptions o = r.options();
        assertEquals(60000, o.retention());
        assertEquals(128, o.chunkSize());
        assertEquals(Encoding.UNCOMPRESSED, o.encoding());
        assertEquals(DuplicatePolicy.MAX, o.duplicatePolicy());
        assertEquals(5, o.duplicatePolicy().code());
        assertEquals(new Ignore(10, 0.5), o.ignore());
        assertEquals(List.of(new Label("a", "1"), new Label("b", "x y")), o.labels());
    }

    @Test
    void ignoreAfterLabelsIsTheOption() {
        // node-redis: ... LABELS l v ... IGNORE t v
        SeriesOptions o = Parsers.create(Args.of("TS.CREATE", "k", "LABELS", "a", "1", "b", "2", "IGNORE", "10", "0.5")).options();
        assertEquals(new Ignore(10, 0.5), o.ignore());
        assertEquals(List.of(new Label("a", "1"), new Label("b", "2")), o.labels());
        o = add("k", "1", "2", "LABELS", "a", "1", "ignore", "3", "4").create();
        assertEquals(new Ignore(3, 4), o.ignore());
        assertEquals(List.of(new Label("a", "1")), o.labels());
        o = Parsers.alter(Args.of("TS.ALTER", "k", "LABELS", "IGNORE", "1", "2", "a", "b")).options();
        assertEquals(new Ignore(1, 2), o.ignore(), "at any label-name position");
        assertEquals(List.of(new Label("a", "b")), o.labels());
        // an even list is labels only: a label named IGNORE stays a label
        o = Parsers.create(Args.of("TS.CREATE", "k", "LABELS", "IGNORE", "5", "a", "1")).options();
        assertNull(o.ignore());
        assertEquals(List.of(new Label("IGNORE", "5"), new Label("a", "1")), o.labels());
        // a value position is no option; a bad IGNORE there is IGNORE's error
        tsdb("Couldn't parse LABELS", "TS.CREATE", "k", "LABELS", "a", "IGNORE", "1", "2", "3");
        tsdb("Couldn't parse IGNORE", "TS.CREATE", "k", "LABELS", "a", "1", "IGNORE", "x", "1");
        tsdb("IGNORE arguments cannot be negative", "TS.CREATE", "k", "LABELS", "a", "1", "IGNORE", "-1", "1");
    }

    @Test
    void createDefaultsAndLegacyFlags() {
        SeriesOptions o = Parsers.create(Args.of("TS.CREATE", "k")).options();
        assertEquals(SeriesOptions.NONE, o);
        assertFalse(o.hasRetention());
        assertFalse(o.hasChunkSize());
        assertEquals(Encoding.UNCOMPRESSED, Parsers.create(Args.of("TS.CREATE", "k", "UNCOMPRESSED")).options().encoding());
        assertEquals(Encoding.COMPRESSED, Parsers.create(Args.of("TS.CREATE", "k", "compressed")).options().encoding());
        assertEquals(List.of(), Parsers.alter(Args.of("TS.ALTER", "k", "LABELS")).options().labels());
        assertEquals(0, Parsers.create(Args.of("TS.CREATE", "k", "RETENTION", "0")).options().retention());
    }

    @Test
    void duplicatePolicyCodes() {
        String[] names = {"block", "FIRST", "Last", "min", "MAX", "sum"};
        for (int k = 0; k < names.length; k++) {
            assertEquals(k + 1, Parsers.create(Args.of("TS.CREATE", "k", "DUPLICATE_POLICY", names[k]))
                    .options().duplicatePolicy().code());
        }
        assertEquals(0, DuplicatePolicy.NONE.code());
    }

    @Test
    void createErrors() {
        arity("TS.CREATE");
        arity("ts.alter");
        tsdb("Couldn't parse RETENTION", "TS.CREATE", "k", "RETENTION");
        tsdb("Couldn't parse RETENTION", "TS.CREATE", "k", "RETENTION", "-1");
        tsdb("Couldn't parse RETENTION", "TS.CREATE", "k", "RETENTION", "1.5");
        tsdb("Couldn't parse RETENTION", "TS.CREATE", "k", "RETENTION", "99999999999999999999");
        tsdb("Couldn't parse CHUNK_SIZE", "TS.CREATE", "k", "CHUNK_SIZE");
        tsdb("Couldn't parse CHUNK_SIZE", "TS.CREATE", "k", "CHUNK_SIZE", "x");
        String range = "CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]";
        for (String bad : new String[] {"0", "-8", "40", "47", "49", "1048584", "9999999999"}) {
            tsdb(range, "TS.CREATE", "k", "CHUNK_SIZE", bad);
        }
        assertEquals(48, Parsers.create(Args.of("TS.CREATE", "k", "CHUNK_SIZE", "48")).options().chunkSize());
        assertEquals(1048576, Parsers.create(Args.of("TS.CREATE", "k", "CHUNK_SIZE", "1048576")).options().chunkSize());
        arity("TS.CREATE", "k", "ENCODING");
        tsdb("unknown ENCODING parameter", "TS.CREATE", "k", "ENCODING", "gorilla");
        tsdb("Couldn't parse DUPLICATE_POLICY", "TS.CREATE", "k", "DUPLICATE_POLICY");
        tsdb("Unknown DUPLICATE_POLICY", "TS.CREATE", "k", "DUPLICATE_POLICY", "newest");
        tsdb("Couldn't parse IGNORE", "TS.CREATE", "k", "IGNORE", "1");
        tsdb("Couldn't parse IGNORE", "TS.CREATE", "k", "IGNORE", "x", "1");
        tsdb("Couldn't parse IGNORE", "TS.CREATE", "k", "IGNORE", "1", "x");
        tsdb("IGNORE arguments cannot be negative", "TS.CREATE", "k", "IGNORE", "-1", "1");
        tsdb("IGNORE arguments cannot be negative", "TS.CREATE", "k", "IGNORE", "1", "-0.5");
        tsdb("Couldn't parse LABELS", "TS.CREATE", "k", "LABELS", "a");
        tsdb("Couldn't parse LABELS", "TS.CREATE", "k", "LABELS", "a", "");
        tsdb("Couldn't parse LABELS", "TS.CREATE", "k", "LABELS", "", "v");
        tsdb("Couldn't parse LABELS", "TS.CREATE", "k", "LABELS", "a", "(x)");
        tsdb("Couldn't parse LABELS", "TS.CREATE", "k", "LABELS", "a", "x,y");
        tsdb("unknown argument 'RETENTON'", "TS.CREATE", "k", "RETENTON", "5");
        tsdb("unknown argument 'ON_DUPLICATE'", "TS.CREATE", "k", "ON_DUPLICATE", "last");
        tsdb("unknown argument 'TIMESTAMP'", "TS.ALTER", "k", "TIMESTAMP", "5");
        tsdb("unknown argument 'a  b'", "TS.CREATE", "k", "a\r\nb");
    }

    @Test
    void labelsTakeTheRest() {
        SeriesOptions o = Parsers.create(Args.of("TS.CREATE", "k", "LABELS", "RETENTION", "5")).options();
        assertEquals(List.of(new Label("RETENTION", "5")), o.labels());
        assertEquals(-1, o.retention());
    }

    // ---------------------------------------------------------------------- TS.ADD

    @Test
    void addPlainAndStar() {
        AddRequest r = add("k", "1000", "23.5");
        assertEquals("k", str(r.key()));
        assertEquals(1000, r.timestamp());
        assertFalse(r.serverTime());
        assertEquals(23.5, r.value());
        assertSame(SeriesOptions.NONE, r.create());
        assertEquals(DuplicatePolicy.NONE, r.onDuplicate());
        AddRequest now = add("k", "*", "-1e3");
        assertTrue(now.serverTime());
        assertEquals(77, now.timestampOr(77));
        assertEquals(-1000, now.value());
        assertEquals(Long.MAX_VALUE, add("k", "9223372036854775807", "0").timestamp());
        assertEquals(0, add("k", "0", "0").timestamp());
    }

    @Test
    void addOptions() {
        AddRequest r = add("k", "1", "2", "ON_DUPLICATE", "sum", "RETENTION", "5", "LABELS", "a", "b");
        assertEquals(DuplicatePolicy.SUM, r.onDuplicate());
        assertEquals(5, r.create().retention());
        assertEquals(List.of(new Label("a", "b")), r.create().labels());
        assertEquals(DuplicatePolicy.FIRST, add("k", "1", "2", "DUPLICATE_POLICY", "first").create().duplicatePolicy());
        tsdb("Couldn't parse DUPLICATE_POLICY", "TS.ADD", "k", "1", "2", "ON_DUPLICATE");
        tsdb("Unknown DUPLICATE_POLICY", "TS.ADD", "k", "1", "2", "ON_DUPLICATE", "x");
    }

    @Test
    void addValues() {
        String[][] good = {{"0", "0"}, {"-0", "-0.0"}, {"1.5", "1.5"}, {"-12.25e2", "-1225"}, {"1E+2", "100"},
            {"1e-2", "0.01"}, {"0.1", "0.1"}, {"123456789012345678901234567890", "1.2345678901234568E29"},
            {"0.30000000000000004", "0.30000000000000004"}, {"1.7976931348623157e308", "1.7976931348623157E308"},
            {"4.9e-324", "4.9E-324"}, {"2.2250738585072014e-308", "2.2250738585072014E-308"},
            {"9007199254740993", "9.007199254740992E15"}, {"1e22", "1e22"}, {"1e23", "1e23"}, {"5e-400", "0"}};
        for (String[] g : good) {
            assertEquals(Double.parseDouble(g[1]), add("k", "1", g[0]).value(), g[0]);
        }
        for (String nan : new String[] {"nan", "NaN", "-nan", "+NAN"}) {
            assertTrue(Double.isNaN(add("k", "1", nan).value()), nan);
        }
        for (String bad : new String[] {"", " 1", "1 ", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "inf", "-inf",
            "infinity", "1e400", "-1e309", "abc", "1,5", "1.5.5", "--1", "nan1", "nana", "1d", "1f", "١"}) {
            tsdb("invalid value", "TS.ADD", "k", "1", bad);
        }
    }

    @Test
    void addTimestamps() {
        for (String bad : new String[] {"", "x", "1.5", "+1", "01", " 1", "1e3", "9223372036854775808",
            "-9223372036854775809", "**", "-"}) {
            tsdb("invalid timestamp", "TS.ADD", "k", bad, "1");
        }
        tsdb("invalid timestamp, must be a nonnegative integer", "TS.ADD", "k", "-1", "1");
        tsdb("invalid value", "TS.ADD", "k", "x", "y"); // the value is read first, as by the reference
        arity("TS.ADD", "k", "1");
        arity("ts.add");
    }

    // --------------------------------------------------------------------- TS.MADD

    @Test
    void madd() {
        MAddRequest r = Parsers.madd(Args.of("TS.MADD", "a", "1", "1.5", "b", "*", "2", "c", "-1", "3", "d", "5", "x"));
        List<MAddRequest.Entry> e = r.entries();
        assertEquals(4, e.size());
        assertEquals("a", str(e.get(0).key()));
        assertEquals(1, e.get(0).timestamp());
        assertEquals(1.5, e.get(0).value());
        assertNull(e.get(0).error());
        assertTrue(e.get(1).serverTime());
        assertEquals(9, e.get(1).timestampOr(9));
        assertEquals("ERR TSDB: invalid timestamp, must be a nonnegative integer", e.get(2).error());
        assertEquals("ERR TSDB: invalid value", e.get(3).error());
        arity("TS.MADD", "a", "1");
        arity("TS.MADD", "a", "1", "2", "b");
        arity("TS.MADD");
    }

    // ------------------------------------------------------------ TS.INCRBY / DECRBY

    @Test
    void incrBy() {
        IncrByRequest r = Parsers.incrBy(Args.of("TS.INCRBY", "k", "2.5", "TIMESTAMP", "100", "RETENTION", "7",
                "UNCOMPRESSED", "CHUNK_SIZE", "64", "DUPLICATE_POLICY", "last", "IGNORE", "1", "2", "LABELS", "a", "b"));
        assertFalse(r.decrement());
        assertEquals(2.5, r.delta());
        assertEquals(100, r.timestamp());
        assertFalse(r.serverTime());
        assertEquals(7, r.create().retention());
        assertEquals(Encoding.UNCOMPRESSED, r.create().encoding());
        assertEquals(64, r.create().chunkSize());
        assertEquals(new Ignore(1, 2), r.create().ignore());
        IncrByRequest d = Parsers.incrBy(Args.of("ts.decrby", "k", "+.5"));
        assertTrue(d.decrement());
        assertTrue(d.serverTime());
        assertEquals(-0.5, d.signedDelta());
        assertTrue(Parsers.incrBy(Args.of("TS.INCRBY", "k", "1", "TIMESTAMP", "*")).serverTime());
        assertEquals(Double.POSITIVE_INFINITY, Parsers.incrBy(Args.of("TS.INCRBY", "k", "inf")).delta());
        assertEquals(5.0, Parsers.incrBy(Args.of("TS.INCRBY", "k", "5.")).delta());
        arity("TS.INCRBY", "k");
        for (String bad : new String[] {"nan", "", "x", "1x", " 1", "1e999", "1e-400", "0x1p3"}) {
            tsdb("invalid increase/decrease value", "TS.DECRBY", "k", bad);
        }
        tsdb("invalid timestamp", "TS.INCRBY", "k", "1", "TIMESTAMP");
        tsdb("invalid timestamp", "TS.INCRBY", "k", "1", "TIMESTAMP", "x");
        tsdb("invalid timestamp, must be a nonnegative integer", "TS.INCRBY", "k", "3", "TIMESTAMP", "-1");
        tsdb("unknown argument 'ON_DUPLICATE'", "TS.INCRBY", "k", "3", "ON_DUPLICATE", "sum");
    }

    // ------------------------------------------------------- TS.DEL / GET / INFO / rules

    @Test
    void delGetInfo() {
        DelRequest d = Parsers.del(Args.of("TS.DEL", "k", "-", "+"));
        assertEquals(0, d.from());
        assertEquals(Long.MAX_VALUE, d.to());
        DelRequest e = Parsers.del(Args.of("TS.DEL", "k", "5", "10"));
        assertEquals(5, e.from());
        assertEquals(10, e.to());
        tsdb("wrong fromTimestamp", "TS.DEL", "k", "x", "10");
        tsdb("wrong fromTimestamp", "TS.DEL", "k", "-5", "10");
        tsdb("wrong toTimestamp", "TS.DEL", "k", "5", "-");
        arity("TS.DEL", "k", "1");
        arity("TS.DEL", "k", "1", "2", "3");

        assertFalse(Parsers.get(Args.of("TS.GET", "k")).latest());
        assertTrue(Parsers.get(Args.of("TS.GET", "k", "latest")).latest());
        tsdb("wrong 3rd argument", "TS.GET", "k", "x");
        arity("TS.GET");
        arity("TS.GET", "k", "LATEST", "x");

        assertFalse(Parsers.info(Args.of("TS.INFO", "k")).debug());
        assertTrue(Parsers.info(Args.of("TS.INFO", "k", "debug")).debug());
        tsdb("unknown argument 'x'", "TS.INFO", "k", "x");
        arity("TS.INFO");
        arity("TS.INFO", "k", "DEBUG", "x");
    }

    @Test
    void rules() {
        CreateRuleRequest r = Parsers.createRule(Args.of("TS.CREATERULE", "s", "d", "aggregation", "AVG", "60000"));
        assertEquals("s", str(r.source()));
        assertEquals("d", str(r.dest()));
        assertEquals(Agg.of(Aggregator.AVG), r.aggregator());
        assertEquals(60000, r.bucketDuration());
        assertEquals(0, r.alignTimestamp());
        CreateRuleRequest q = Parsers.createRule(Args.of("TS.CREATERULE", "s", "d", "AGGREGATION", "p99", "10", "5"));
        assertEquals(Aggregator.QUANTILE, q.aggregator().kind());
        assertEquals(0.99, q.aggregator().fraction());
        assertEquals(5, q.alignTimestamp());
        arity("TS.CREATERULE", "s", "d", "AGGREGATION", "avg");
        arity("TS.CREATERULE", "s", "d", "AGGREGATION", "avg", "1", "2", "3");
        arity("TS.CREATERULE", "s", "d", "x", "avg", "1");
        tsdb("Couldn't parse AGGREGATION", "TS.CREATERULE", "s", "d", "AGGREGATION", "avg", "x");
        tsdb("Unknown aggregation type", "TS.CREATERULE", "s", "d", "AGGREGATION", "median", "10");
        tsdb("Empty aggregation type in list", "TS.CREATERULE", "s", "d", "AGGREGATION", "", "10");
        tsdb("bucketDuration must be greater than zero", "TS.CREATERULE", "s", "d", "AGGREGATION", "avg", "0");
        tsdb("CREATERULE requires exactly one aggregation type", "TS.CREATERULE", "s", "d", "AGGREGATION", "avg,max", "10");
        tsdb("Couldn't parse alignTimestamp", "TS.CREATERULE", "s", "d", "AGGREGATION", "avg", "10", "-1");
        tsdb("Couldn't parse alignTimestamp", "TS.CREATERULE", "s", "d", "AGGREGATION", "avg", "10", "x");
        tsdb("the source key and destination key should be different", "TS.CREATERULE", "s", "s", "AGGREGATION", "avg", "10");

        DeleteRuleRequest del = Parsers.deleteRule(Args.of("TS.DELETERULE", "s", "d"));
        assertEquals("d", str(del.dest()));
        arity("TS.DELETERULE", "s");
        arity("TS.DELETERULE", "s", "d", "e");
    }

    // ----------------------------------------------------------------- aggregators

    @Test
    void aggregatorNames() {
        String[] wire = {"avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s", "var.p",
            "var.s", "twa", "countnan", "countall"};
        Aggregator[] kinds = Aggregator.values();
        for (int k = 0; k < wire.length; k++) {
            assertEquals(kinds[k], Agg.parse(wire[k]).kind());
            assertEquals(kinds[k], Agg.parse(wire[k].toUpperCase(Locale.ROOT)).kind());
            assertEquals(wire[k], Agg.parse(wire[k].toUpperCase(Locale.ROOT)).name());
            assertTrue(Double.isNaN(Agg.parse(wire[k]).fraction()));
        }
        assertEquals(0.5, Agg.parse("p50").fraction());
        assertEquals(0.999, Agg.parse("P99.9").fraction(), 1e-15);
        assertEquals("p99.9", Agg.parse("P99.9").name());
        assertEquals(0.0, Agg.parse("p0").fraction());
        assertEquals(1.0, Agg.parse("p100").fraction());
        assertEquals(1.0, Agg.parse("p100.0").fraction());
        for (String bad : new String[] {"p", "p101", "p100.01", "p-1", "p05", "p5.", "p.5", "p5x", "q50", "std", "avg "}) {
            assertNull(Agg.parse(bad), bad);
        }
        assertFalse(Aggregator.FIRST.isReducer());
        assertFalse(Aggregator.LAST.isReducer());
        assertFalse(Aggregator.TWA.isReducer());
        assertTrue(Aggregator.COUNTALL.isReducer());
        assertThrows(IllegalArgumentException.class, () -> Agg.of(Aggregator.QUANTILE));
    }

    // -------------------------------------------------------------------- TS.RANGE

    @Test
    void rangeBasics() {
        RangeRequest r = Parsers.range(Args.of("TS.REVRANGE", "k", "-", "+"));
        assertTrue(r.reverse());
        RangeQuery q = r.query();
        assertEquals(0, q.from());
        assertEquals(Long.MAX_VALUE, q.to());
        assertFalse(q.latest());
        assertNull(q.filterByTs());
        assertNull(q.filterByValue());
        assertEquals(-1, q.count());
        assertNull(q.aggregation());
        assertNull(q.align());
        assertFalse(Parsers.range(Args.of("TS.RANGE", "k", "1", "2")).reverse());
        arity("TS.RANGE", "k", "1");
        tsdb("wrong fromTimestamp", "TS.RANGE", "k", "x", "+");
        tsdb("wrong fromTimestamp", "TS.RANGE", "k", "-1", "+");
        tsdb("wrong toTimestamp", "TS.RANGE", "k", "-", "1.5");
        tsdb("wrong toTimestamp", "TS.RANGE", "k", "-", "-");
    }

    @Test
    void rangeAllOptionsAnyOrder() {
        RangeQuery q = range("10", "100", "AGGREGATION", "avg,MAX,p90", "5", "EMPTY", "BUCKETTIMESTAMP", "mid",
                "COUNT", "3", "FILTER_BY_TS", "50", "20", "50", "FILTER_BY_VALUE", "-1.5", "inf", "ALIGN", "start", "LATEST");
        assertEquals(10, q.from());
        assertEquals(100, q.to());
        assertTrue(q.latest());
        assertArrayEquals(new long[] {20, 50}, q.filterByTs());
        assertEquals(new ValueFilter(-1.5, Double.POSITIVE_INFINITY), q.filterByValue());
        assertEquals(3, q.count());
        Aggregation a = q.aggregation();
        assertEquals(List.of("avg", "max", "p90"), a.aggregators().stream().map(Agg::name).toList());
        assertEquals(5, a.bucketDuration());
        assertEquals(BucketTimestamp.MID, a.bucketTimestamp());
        assertTrue(a.empty());
        assertEquals(Align.START, q.align());
        assertEquals(10, q.align().resolve(q.from(), q.to()));

        RangeQuery p = range("-", "+", "LATEST", "ALIGN", "1234", "AGGREGATION", "count", "10", "BUCKETTIMESTAMP", "+", "EMPTY");
        assertEquals(new Align(Align.Kind.TIMESTAMP, 1234), p.align());
        assertEquals(BucketTimestamp.END, p.aggregation().bucketTimestamp());
        assertTrue(p.aggregation().empty());
        assertEquals(Aggregator.COUNT, p.aggregation().aggregators().get(0).kind());
        assertEquals(-1, p.count()); // "count" named an aggregator, not COUNT

        assertEquals(BucketTimestamp.START, range("-", "+", "AGGREGATION", "sum", "1", "BUCKETTIMESTAMP", "-").aggregation().bucketTimestamp());
        assertEquals(BucketTimestamp.MID, range("-", "+", "AGGREGATION", "sum", "1", "BUCKETTIMESTAMP", "~").aggregation().bucketTimestamp());
        assertEquals(BucketTimestamp.END, range("-", "+", "AGGREGATION", "sum", "1", "BUCKETTIMESTAMP", "END").aggregation().bucketTimestamp());
        assertEquals(Align.END, range("0", "5", "ALIGN", "+", "AGGREGATION", "sum", "1").align());
        assertEquals(Align.END, range("0", "5", "ALIGN", "end", "AGGREGATION", "sum", "1").align());
        assertEquals(Align.START, range("0", "5", "ALIGN", "-", "AGGREGATION", "sum", "1").align());
        assertEquals(7, range("-", "+", "COUNT", "5", "COUNT", "7").count()); // the later one wins
        assertNull(range("-", "+", "EMPTY").aggregation()); // EMPTY without AGGREGATION is ignored, as the reference does
        assertEquals(3, range("-", "+", "EMPTY", "COUNT", "3").count());
        String sixteen = String.join(",", java.util.Collections.nCopies(16, "sum"));
        assertEquals(16, range("-", "+", "AGGREGATION", sixteen, "1").aggregation().aggregators().size());
    }

    @Test
    void nrange() {
        NRangeRequest r = Parsers.nrange(Args.of("TS.NRANGE", "2", "a", "b", "-", "+", "AGGREGATION", "avg,max", "sum", "10",
                "EMPTY"));
        assertEquals(2, r.numKeys());
        assertFalse(r.reverse());
        assertEquals(List.of("avg", "max"), r.queryOf(0).aggregation().aggregators().stream().map(Agg::name).toList());
        assertEquals(List.of("sum"), r.queryOf(1).aggregation().aggregators().stream().map(Agg::name).toList());
        assertTrue(r.queryOf(1).aggregation().empty());
        assertEquals(10, r.queryOf(1).aggregation().bucketDuration());
        r = Parsers.nrange(Args.of("TS.NREVRANGE", "1", "AGGREGATION", "5", "9", "COUNT", "3"));
        assertTrue(r.reverse());
        assertNull(r.perKey(), "a key named AGGREGATION is a key");
        assertEquals(3, r.queryOf(0).count());
        assertEquals(5, r.query().from());
        String[] three = {"TS.NRANGE", "3", "a", "b", "c", "-", "+", "AGGREGATION"};
        tsdb(Parsers.NRANGE_AGGS, cat(three, "avg", "10"));
        tsdb(Parsers.NRANGE_AGGS, cat(three, "avg,min,max", "10"));
        tsdb(Parsers.NRANGE_AGGS, cat(three, "avg", "min", "max", "sum", "10"));
        tsdb("Unknown aggregation type", cat(three, "avg", "nope", "max", "10"));
        tsdb("Empty aggregation type in list", cat(three, "avg", "min,", "max", "10"));
        tsdb(Parsers.NUMKEYS, "TS.NRANGE", "0", "a", "b", "-", "+");
        tsdb(Parsers.NUMKEYS, "TS.NRANGE", "1.5", "a", "b", "-", "+");
        fails("ERR wrong number of arguments for 'ts.nrange' command", "TS.NRANGE", "2", "a", "-", "+");
        fails("ERR wrong number of arguments for 'ts.nrange' command", "TS.NRANGE", "1", "a", "-");
    }

    @Test
    void mrangeExcludeEmpty() {
        assertFalse(MultiParsers.mrange(Args.of("TS.MRANGE", "-", "+", "FILTER", "a=b")).excludeEmpty());
        MultiParsers.MRange m = MultiParsers.mrange(Args.of("TS.MRANGE", "-", "+", "EXCLUDEEMPTY", "COUNT", "2", "FILTER", "a=b"));
        assertTrue(m.excludeEmpty());
        assertEquals(2, m.request().query().count());
        m = MultiParsers.mrange(Args.of("TS.MREVRANGE", "-", "+", "FILTER", "a=b", "c!=", "ExcludeEmpty"));
        assertTrue(m.excludeEmpty());
        assertEquals(2, m.request().filter().size());
        for (Args bad : new Args[] {
                Args.of("TS.MRANGE", "-", "+", "FILTER", "a=b", "GROUPBY", "a", "REDUCE", "max", "EXCLUDEEMPTY"),
                Args.of("TS.MRANGE", "-", "+", "EXCLUDEEMPTY", "FILTER", "a=b", "GROUPBY", "a", "REDUCE", "max")}) {
            TsException e = assertThrows(TsException.class, () -> MultiParsers.mrange(bad));
            assertEquals("ERR TSDB: " + MultiParsers.EXCLUDE_GROUPBY, e.getMessage());
        }
        assertEquals("EXCLUDEEMPTY", MultiParsers.mrange(Args.of("TS.MRANGE", "-", "+", "FILTER", "a=b", "GROUPBY", "EXCLUDEEMPTY",
                "REDUCE", "max")).request().groupBy().label());
    }

    @Test
    void rangeErrors() {
        String[] k = {"TS.RANGE", "k", "-", "+"};
        tsdb("COUNT argument is missing", cat(k, "COUNT"));
        tsdb("Couldn't parse COUNT", cat(k, "COUNT", "x"));
        tsdb("Invalid COUNT value", cat(k, "COUNT", "0"));
        tsdb("Invalid COUNT value", cat(k, "COUNT", "-3"));
        tsdb("Couldn't parse AGGREGATION", cat(k, "AGGREGATION"));
        tsdb("Couldn't parse AGGREGATION", cat(k, "AGGREGATION", "avg"));
        tsdb("Couldn't parse AGGREGATION", cat(k, "AGGREGATION", "avg", "1.5"));
        tsdb("Couldn't parse AGGREGATION", cat(k, "AGGREGATION", "bogus", "x"));
        tsdb("Unknown aggregation type", cat(k, "AGGREGATION", "bogus", "10"));
        tsdb("Unknown aggregation type", cat(k, "AGGREGATION", "avg,bogus", "10"));
        tsdb("Empty aggregation type in list", cat(k, "AGGREGATION", "avg,", "10"));
        tsdb("Empty aggregation type in list", cat(k, "AGGREGATION", ",avg", "10"));
        tsdb("Empty aggregation type in list", cat(k, "AGGREGATION", "avg,,max", "10"));
        tsdb("Too many aggregation types", cat(k, "AGGREGATION", String.join(",", java.util.Collections.nCopies(17, "avg")), "10"));
        tsdb("bucketDuration must be greater than zero", cat(k, "AGGREGATION", "avg", "0"));
        tsdb("bucketDuration must be greater than zero", cat(k, "AGGREGATION", "avg", "-5"));
        tsdb("EMPTY flag should be the 3rd or 5th flag after AGGREGATION flag", cat(k, "EMPTY", "AGGREGATION", "avg", "5"));
        tsdb("EMPTY flag should be the 3rd or 5th flag after AGGREGATION flag", cat(k, "AGGREGATION", "avg", "5", "COUNT", "3", "EMPTY"));
        tsdb("BUCKETTIMESTAMP flag should be the 3rd or 4th flag after AGGREGATION flag", cat(k, "BUCKETTIMESTAMP", "end"));
        tsdb("unknown BUCKETTIMESTAMP parameter", cat(k, "AGGREGATION", "avg", "5", "BUCKETTIMESTAMP", "x"));
        arity(cat(k, "AGGREGATION", "avg", "5", "BUCKETTIMESTAMP"));
        arity(cat(k, "AGGREGATION", "avg", "5", "ALIGN"));
        tsdb("unknown ALIGN parameter", cat(k, "AGGREGATION", "avg", "5", "ALIGN", "x"));
        tsdb("unknown ALIGN parameter", cat(k, "AGGREGATION", "avg", "5", "ALIGN", "-5"));
        tsdb("ALIGN parameter can only be used with AGGREGATION", cat(k, "ALIGN", "5"));
        tsdb("start alignment can only be used with explicit start timestamp", cat(k, "ALIGN", "start", "AGGREGATION", "avg", "5"));
        tsdb("end alignment can only be used with explicit end timestamp", cat(k, "ALIGN", "end", "AGGREGATION", "avg", "5"));
        tsdb("FILTER_BY_VALUE one or more arguments are missing", cat(k, "FILTER_BY_VALUE", "1"));
        tsdb("Couldn't parse MIN", cat(k, "FILTER_BY_VALUE", "x", "1"));
        tsdb("Couldn't parse MIN", cat(k, "FILTER_BY_VALUE", "nan", "1"));
        tsdb("Couldn't parse MAX", cat(k, "FILTER_BY_VALUE", "1", "1x"));
        tsdb("FILTER_BY_TS one or more arguments are missing", cat(k, "FILTER_BY_TS"));
        tsdb("FILTER_BY_TS one or more arguments are missing", cat(k, "FILTER_BY_TS", "COUNT", "5"));
        tsdb("unknown argument 'x'", cat(k, "FILTER_BY_TS", "5", "x"));
        tsdb("unknown argument 'WITHLABELS'", cat(k, "WITHLABELS"));
    }

    static String[] cat(String[] head, String... tail) {
        String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    @Test
    void strtodForms() {
        String[][] good = {{"1.", "1"}, {".5", "0.5"}, {"+.5e1", "5"}, {"-INF", "-Infinity"}, {"Infinity", "Infinity"},
            {"1e-310", "1e-310"}, {"007", "7"}, {"-0.0", "-0.0"}, {"1E5", "1e5"}};
        for (String[] g : good) {
            assertEquals(Double.parseDouble(g[1]), range("-", "+", "FILTER_BY_VALUE", g[0], "0").filterByValue().min(), g[0]);
        }
        for (String bad : new String[] {".", "-", "+", "e5", "1e", "1e+", " 1", "1 ", "nan", "-nan", "infx", "1..2", "0x1p3", ""}) {
            tsdb("Couldn't parse MIN", "TS.RANGE", "k", "-", "+", "FILTER_BY_VALUE", bad, "0");
        }
    }

    // ------------------------------------------------------------------- TS.MRANGE

    @Test
    void mrange() {
        MRangeRequest r = Parsers.mrange(Args.of("TS.MREVRANGE", "-", "+", "COUNT", "2", "WITHLABELS",
                "AGGREGATION", "sum", "10", "FILTER", "a=1", "b!=", "GROUPBY", "region", "REDUCE", "max"));
        assertTrue(r.reverse());
        assertEquals(2, r.query().count());
        assertEquals(new LabelSelection(true, null), r.labels());
        assertEquals(List.of(new Matcher.Equal("a", "1"), new Matcher.Present("b")), r.filter());
        assertEquals(new GroupBy("region", Agg.of(Aggregator.MAX)), r.groupBy());

        MRangeRequest s = Parsers.mrange(Args.of("TS.MRANGE", "1", "2", "SELECTED_LABELS", "x", "y", "LATEST", "FILTER", "a=(1,2)"));
        assertFalse(s.reverse());
        assertTrue(s.query().latest());
        assertEquals(new LabelSelection(false, List.of("x", "y")), s.labels());
        assertNull(s.groupBy());
        assertSame(LabelSelection.NONE, Parsers.mrange(Args.of("TS.MRANGE", "1", "2", "FILTER", "a=1")).labels());
        assertEquals(0.5, Parsers.mrange(Args.of("TS.MRANGE", "-", "+", "FILTER", "a=1", "GROUPBY", "g", "REDUCE", "p50"))
                .groupBy().reducer().fraction());

        arity("TS.MRANGE", "-", "+");
        tsdb("missing FILTER argument", "TS.MRANGE", "-", "+", "COUNT", "5");
        tsdb("missing labels for filter argument", "TS.MRANGE", "-", "+", "FILTER");
        tsdb("missing labels for filter argument", "TS.MRANGE", "-", "+", "FILTER", "GROUPBY", "a", "REDUCE", "sum");
        tsdb("cannot accept WITHLABELS and SELECT_LABELS together", "TS.MRANGE", "-", "+", "WITHLABELS", "SELECTED_LABELS", "a", "FILTER", "a=1");
        tsdb("SELECT_LABELS should have at least 1 parameter", "TS.MRANGE", "-", "+", "SELECTED_LABELS", "FILTER", "a=1");
        tsdb("GROUPBY should always come after filter", "TS.MRANGE", "-", "+", "GROUPBY", "a", "REDUCE", "sum", "FILTER", "a=1");
        arity("TS.MRANGE", "-", "+", "FILTER", "a=1", "GROUPBY");
        arity("TS.MRANGE", "-", "+", "FILTER", "a=1", "GROUPBY", "g");
        arity("TS.MRANGE", "-", "+", "FILTER", "a=1", "GROUPBY", "g", "REDUCE");
        arity("TS.MRANGE", "-", "+", "FILTER", "a=1", "GROUPBY", "g", "X", "sum");
        arity("TS.MRANGE", "-", "+", "FILTER", "a=1", "GROUPBY", "g", "REDUCE", "sum", "x");
        for (String bad : new String[] {"first", "last", "twa", "bogus"}) {
            tsdb("Invalid reducer type", "TS.MRANGE", "-", "+", "FILTER", "a=1", "GROUPBY", "g", "REDUCE", bad);
        }
        tsdb("GROUPBY cannot be used with more than one aggregation type", "TS.MRANGE", "-", "+",
                "AGGREGATION", "avg,max", "10", "FILTER", "a=1", "GROUPBY", "g", "REDUCE", "sum");
        tsdb("failed parsing labels", "TS.MRANGE", "-", "+", "FILTER", "a=1", "COUNT", "5");
        tsdb("please provide at least one matcher", "TS.MRANGE", "-", "+", "FILTER", "a!=1");
        tsdb("wrong fromTimestamp", "TS.MRANGE", "x", "+", "FILTER", "a=1");
        tsdb("unknown argument 'x'", "TS.MRANGE", "-", "+", "x", "FILTER", "a=1");
    }

    // ---------------------------------------------------------- TS.MGET / QUERYINDEX

    @Test
    void mgetAndQueryIndex() {
        MGetRequest g = Parsers.mget(Args.of("TS.MGET", "LATEST", "SELECTED_LABELS", "a", "FILTER", "a=1", "b=", "c!=(x,y)"));
        assertTrue(g.latest());
        assertEquals(List.of("a"), g.labels().selected());
        assertEquals(List.of(new Matcher.Equal("a", "1"), new Matcher.Absent("b"), new Matcher.NotIn("c", List.of("x", "y"))), g.filter());
        assertTrue(Parsers.mget(Args.of("TS.MGET", "WITHLABELS", "FILTER", "a=1")).labels().withLabels());
        assertFalse(Parsers.mget(Args.of("TS.MGET", "FILTER", "a=1")).latest());
        arity("TS.MGET", "FILTER");
        arity("TS.MGET", "a=1", "b=2");
        tsdb("please provide at least one matcher", "TS.MGET", "LATEST", "FILTER");
        tsdb("please provide at least one matcher", "TS.MGET", "FILTER", "a=", "b!=");
        tsdb("cannot accept WITHLABELS and SELECT_LABELS together", "TS.MGET", "SELECTED_LABELS", "a", "WITHLABELS", "FILTER", "a=1");
        tsdb("unknown argument 'COUNT'", "TS.MGET", "COUNT", "1", "FILTER", "a=1");

        assertEquals(List.of(new Matcher.In("a", List.of())), Parsers.queryIndex(Args.of("TS.QUERYINDEX", "a=()")).filter());
        arity("TS.QUERYINDEX");
        tsdb("failed parsing labels", "TS.QUERYINDEX", "a");
        tsdb("please provide at least one matcher", "TS.QUERYINDEX", "a!=1", "b!=(1,2)");
    }

    // ---------------------------------------------------------------------- filters

    static Matcher one(String filter) {
        return Parsers.queryIndex(Args.of("TS.QUERYINDEX", "z=1", filter)).filter().get(1);
    }

    @Test
    void referenceMatchers() {
        assertEquals(new Matcher.Equal("a", "b"), one("a=b"));
        assertEquals(new Matcher.NotEqual("a", "b"), one("a!=b"));
        assertEquals(new Matcher.Absent("a"), one("a="));
        assertEquals(new Matcher.Present("a"), one("a!="));
        assertEquals(new Matcher.In("a", List.of("x", "y z")), one("a=(x,y z)"));
        assertEquals(new Matcher.NotIn("a", List.of("x")), one("a!=(x)"));
        assertEquals(new Matcher.Equal("a", "b=c"), one("a=b=c"));
        assertEquals(new Matcher.Equal("a", ")"), one("a=)"));
        for (String bad : new String[] {"a", "=b", "!=b", "a=(x", "a=(x,,y)", "a=(,x)", "a!=(x,", "", "a=("}) {
            tsdb("failed parsing labels", "TS.QUERYINDEX", "z=1", bad);
        }
        Matcher ne = one("a!=b");
        assertTrue(ne.matches(null));
        assertTrue(ne.matches("c"));
        assertFalse(ne.matches("b"));
        assertFalse(one("a=").matches("x"));
        assertTrue(one("a=").matches(null));
        assertTrue(one("a!=(x)").matches(null));
        assertFalse(one("a=(x)").matches(null));
        assertTrue(one("a=(x,y)").matches("y"));
        assertTrue(one("a=(x,y)").positive());
        assertFalse(one("a!=(x,y)").positive());
    }

    @Test
    void regexMatchers() {
        Matcher m = one("host=~web-[0-9]+");
        assertTrue(m instanceof Matcher.Regex r && !r.negated() && r.label().equals("host"));
        assertTrue(m.matches("web-12"));
        assertFalse(m.matches("xweb-12"), "anchored at the start");
        assertFalse(m.matches("web-12x"), "anchored at the end");
        assertTrue(m.positive());
        Matcher n = one("host!~web.*");
        assertTrue(n.matches("db"));
        assertFalse(n.matches("web1"));
        assertTrue(n.matches(null));
        assertFalse(n.positive());
        assertFalse(one("a=~.*").positive(), "matches the empty string");
        assertFalse(one("a=~x|").positive());
        assertEquals(List.of(new Matcher.Equal("a", "1")).size(),
                Parsers.queryIndex(Args.of("TS.QUERYINDEX", "a=~x+")).filter().size());
        tsdb("please provide at least one matcher", "TS.QUERYINDEX", "a=~.*");
        TsException e = assertThrows(TsException.class, () -> one("a=~web("));
        assertTrue(e.getMessage().startsWith("ERR TSDB: invalid regex 'web(': "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(TsException.class, () -> one("a!~[z-a]"));
    }

    @Test
    void prometheusSelectors() {
        List<Matcher> f = Parsers.queryIndex(Args.of("TS.QUERYINDEX",
                "cpu_usage{host=\"web-1\", dc=~\"eu.*\",env!=\"dev\",x!~'a\\'b',q=\"say \\\"hi\\\"\",}")).filter();
        assertEquals(new Matcher.Equal("__name__", "cpu_usage"), f.get(0));
        assertEquals(new Matcher.Equal("host", "web-1"), f.get(1));
        assertTrue(f.get(2) instanceof Matcher.Regex r && r.pattern().pattern().equals("eu.*") && !r.negated());
        assertEquals(new Matcher.NotEqual("env", "dev"), f.get(3));
        assertTrue(f.get(4) instanceof Matcher.Regex r && r.pattern().pattern().equals("a'b") && r.negated());
        assertEquals(new Matcher.Equal("q", "say \"hi\""), f.get(5));
        assertEquals(6, f.size());

        assertEquals(List.of(new Matcher.Equal("__name__", "up")), Parsers.queryIndex(Args.of("TS.QUERYINDEX", "up{}")).filter());
        assertEquals(List.of(new Matcher.Equal("a", "1"), new Matcher.Absent("b"), new Matcher.Present("c")),
                Parsers.queryIndex(Args.of("TS.QUERYINDEX", " { a = \"1\" , b=\"\", c!=\"\" } ")).filter());
        assertEquals(new Matcher.Equal("a", "{x}"), one("a={x}"), "a brace after the operator is a plain value");
        tsdb("please provide at least one matcher", "TS.QUERYINDEX", "{a!=\"1\"}");
        for (String bad : new String[] {"up{", "up{a=\"1\"", "up{a=\"1}", "up{a=1}", "up{a}", "up{a=\"1\"}}", "up}{",
            "up{a==\"1\"}", "up{a=\"1\" b=\"2\"}", "up{=\"1\"}", "up{a=\"\\q\"}", "up{a=\"1\"} x", "{", "up{,}"}) {
            TsException e = assertThrows(TsException.class, () -> Parsers.queryIndex(Args.of("TS.QUERYINDEX", bad)), bad);
            assertTrue(e.getMessage().startsWith("ERR TSDB: failed parsing labels: "), bad + " -> " + e.getMessage());
        }
        TsException e = assertThrows(TsException.class, () -> Parsers.queryIndex(Args.of("TS.QUERYINDEX", "up{a=~\"(\"}")));
        assertTrue(e.getMessage().startsWith("ERR TSDB: invalid regex '(': "));
    }
}
