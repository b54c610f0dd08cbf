package vts.series;

/** Java mirror of native/tsdb_layout.h. Keep both in step; LayoutTest checks them. */
public final class Layout {
    private Layout() {}

    public static final int VERSION = 2;
    public static final int MAGIC = 0x31565354;

    public static final int ENC_COMPRESSED = 0;
    public static final int ENC_UNCOMPRESSED = 1;

    public static final int DUP_UNSET = 0, DUP_BLOCK = 1, DUP_FIRST = 2, DUP_LAST = 3,
            DUP_MIN = 4, DUP_MAX = 5, DUP_SUM = 6;

    public static final int FLAG_IGNORE_SET = 1;
    /** Chunks converted from a RedisTimeSeries RDB still wait to be re-encoded ({@link Foreign}). */
    public static final int FLAG_FOREIGN_CHUNKS = 2;

    // ts_chunk
    public static final int C_FIRST_TS = 0;
    public static final int C_LAST_TS = 8;
    public static final int C_COUNT = 16;
    public static final int C_CAPACITY = 20;
    public static final int C_USED = 24;
    public static final int C_ENCODING = 28;
    public static final int C_PREV_LEADING = 29;
    public static final int C_PREV_TRAILING = 30;
    public static final int C_FLAGS = 31;
    public static final int C_BIT_POS = 32;
    public static final int C_PREV_DELTA = 40;
    public static final int C_LAST_VALUE = 48;
    public static final int C_FIRST_VALUE = 56;
    public static final int C_SUM = 64;
    public static final int C_SUM_COMP = 72;
    public static final int C_MIN = 80;
    public static final int C_MAX = 88;
    public static final int C_NAN_COUNT = 96;
    public static final int C_CKPT_INDEX = 100;
    public static final int C_CKPT_BIT = 104;
    public static final int C_CKPT_SCALE = 108;
    public static final int C_CKPT_TS = 112;
    public static final int C_CKPT_DELTA = 120;
    public static final int C_CKPT_M = 128;
    public static final int C_DATA = 136;
    public static final int CHUNK_HEADER = 136;

    // ts_series
    public static final int S_MAGIC = 0;
    public static final int S_LAYOUT_VERSION = 4;
    public static final int S_ENCODING = 6;
    public static final int S_DUP_POLICY = 7;
    public static final int S_RETENTION = 8;
    public static final int S_CHUNK_SIZE = 16;
    public static final int S_FLAGS = 20;
    public static final int S_IGNORE_MAX_TIME_DIFF = 24;
    public static final int S_IGNORE_MAX_VAL_DIFF = 32;
    public static final int S_TOTAL_SAMPLES = 40;
    public static final int S_FIRST_TS = 48;
    public static final int S_LAST_TS = 56;
    public static final int S_LAST_VALUE = 64;
    public static final int S_CHUNKS = 72;
    public static final int S_NCHUNKS = 80;
    public static final int S_CHUNKS_CAP = 84;
    public static final int S_LABELS = 88;
    public static final int S_LABELS_LEN = 96;
    public static final int S_NLABELS = 100;
    public static final int S_RULES = 104;
    public static final int S_RULES_LEN = 112;
    public static final int S_NRULES = 116;
    public static final int S_SRC_KEY = 120;
    public static final int S_SRC_KEY_LEN = 128;
    public static final int S_INDEX_ID = 136;
    public static final int SERIES_SIZE = 152;
}
