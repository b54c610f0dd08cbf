package vts.command;

/** Reply texts of the reference (RedisTimeSeries) and helpers to build them. */
final class Err {
    private Err() {}

    static final String INVALID_TIMESTAMP = "invalid timestamp";
    static final String NEGATIVE_TIMESTAMP = "invalid timestamp, must be a nonnegative integer";
    static final String INVALID_VALUE = "invalid value";
    static final String INVALID_DELTA = "invalid increase/decrease value";
    static final String RETENTION = "Couldn't parse RETENTION";
    static final String CHUNK_SIZE = "Couldn't parse CHUNK_SIZE";
    static final String CHUNK_RANGE = "CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]";
    static final String ENCODING = "unknown ENCODING parameter";
    static final String POLICY_MISSING = "Couldn't parse DUPLICATE_POLICY";
    static final String POLICY_UNKNOWN = "Unknown DUPLICATE_POLICY";
    static final String IGNORE = "Couldn't parse IGNORE";
    static final String IGNORE_NEGATIVE = "IGNORE arguments cannot be negative";
    static final String LABELS = "Couldn't parse LABELS";
    static final String FROM = "wrong fromTimestamp";
    static final String TO = "wrong toTimestamp";
    static final String COUNT_MISSING = "COUNT argument is missing";
    static final String COUNT = "Couldn't parse COUNT";
    static final String COUNT_RANGE = "Invalid COUNT value";
    static final String AGGREGATION = "Couldn't parse AGGREGATION";
    static final String AGG_UNKNOWN = "Unknown aggregation type";
    static final String AGG_EMPTY = "Empty aggregation type in list";
    static final String AGG_TOO_MANY = "Too many aggregation types";
    static final String BUCKET = "bucketDuration must be greater than zero";
    static final String EMPTY_PLACE = "EMPTY flag should be the 3rd or 5th flag after AGGREGATION flag";
    static final String BUCKET_TS_PLACE = "BUCKETTIMESTAMP flag should be the 3rd or 4th flag after AGGREGATION flag";
    static final String BUCKET_TS = "unknown BUCKETTIMESTAMP parameter";
    static final String ALIGN = "unknown ALIGN parameter";
    static final String ALIGN_NO_AGG = "ALIGN parameter can only be used with AGGREGATION";
    static final String ALIGN_START = "start alignment can only be used with explicit start timestamp";
    static final String ALIGN_END = "end alignment can only be used with explicit end timestamp";
    static final String BY_VALUE_MISSING = "FILTER_BY_VALUE one or more arguments are missing";
    static final String MIN = "Couldn't parse MIN";
    static final String MAX = "Couldn't parse MAX";
    static final String BY_TS_MISSING = "FILTER_BY_TS one or more arguments are missing";
    static final String FILTER_MISSING = "missing FILTER argument";
    static final String FILTER_EMPTY = "missing labels for filter argument";
    static final String FILTER_PARSE = "failed parsing labels";
    static final String NO_MATCHER = "please provide at least one matcher";
    static final String LABELS_BOTH = "cannot accept WITHLABELS and SELECT_LABELS together";
    static final String SELECTED_EMPTY = "SELECT_LABELS should have at least 1 parameter";
    static final String GROUPBY_ORDER = "GROUPBY should always come after filter";
    static final String REDUCER = "Invalid reducer type";
    static final String GROUPBY_MULTI = "GROUPBY cannot be used with more than one aggregation type";
    static final String GET_3RD = "wrong 3rd argument";
    static final String RULE_ONE_AGG = "CREATERULE requires exactly one aggregation type";
    static final String RULE_SAME_KEY = "the source key and destination key should be different";
    static final String ALIGN_TS = "Couldn't parse alignTimestamp";

    static TsException tsdb(String msg) {
        return TsException.tsdb(msg);
    }

    /** The server's own arity error, e.g. "ERR wrong number of arguments for 'ts.add' command". */
    static TsException arity(Args a) {
        String name = a.count() > 0 ? a.string(0).toLowerCase(java.util.Locale.ROOT) : "";
        return new TsException("ERR wrong number of arguments for '" + oneLine(name) + "' command");
    }

    /** An argument this command does not take (the reference silently ignores them; we refuse). */
    static TsException unknownArgument(Args a, int i) {
        return tsdb("unknown argument '" + oneLine(a.string(i)) + "'");
    }

    /** A reply text may not hold CR or LF; user input quoted in a message is flattened. */
    static String oneLine(String s) {
        if (s.length() > 200) s = s.substring(0, 200) + "...";
        return s.replace('\r', ' ').replace('\n', ' ');
    }
}
