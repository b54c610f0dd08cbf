package vts.series;

/** Java mirror of native/tsdb_layout.h. Keep both in step; LayoutTest checks them. */
public final class Layout {
    private Layout() {}

    public static final int VERSION = 4;
    public static final int MAGIC = 0x31565354;

    public static final int ENC_COMPRESSED = 0;
    public static final int ENC_UNCOMPRESSED = 1;

    public static final int DUP_UNSET = 0, DUP_BLOCK = 1, DUP_FIRST = 2, DUP_LAST = 3,
            DUP_MIN = 4, DUP_MAX = 5, DUP_SUM = 6;

    public static final int FLAG_IGNORE_SET = 1;
    /** Chunks converted from a RedisTimeSeries RDB still wait to be re-encoded ({@link Foreign}). */
    public static final int FLAG_FOREIGN_CHUNKS = 2;

    // ts_chunk (layout 3: in memory; the persisted chunk blob keeps layout 2's header, see native/series.c)
    public static final int C_FIRST_TS = 0;
    public static final int C_LAST_TS = 8;
    public static final int C_COUNT = 16;
    public static final int C_CAPACITY = 20;
    /** uint32; data bytes used = (bit_pos + 7) / 8, in an UNCOMPRESSED chunk too (128 bits a sample) */
    public static final int C_BIT_POS = 24;
    public static final int C_ENCODING = 28;
    public static final int C_PREV_LEADING = 29;
    public static final int C_PREV_TRAILING = 30;
    public static final int C_FLAGS = 31;
    public static final int C_PREV_DELTA = 32;
    public static final int C_LAST_VALUE = 40;
    public static final int C_FIRST_VALUE = 48;
    public static final int C_SUM = 56;
    public static final int C_SUM_COMP = 64;
    public static final int C_MIN = 72;
    public static final int C_MAX = 80;
    public static final int C_NAN_COUNT = 88;
    public static final int C_CKPT_INDEX = 92;
    public static final int C_CKPT_BIT = 96;
    /** uint8 */
    public static final int C_CKPT_SCALE = 100;
    public static final int C_CKPT_TS = 104;
    public static final int C_CKPT_DELTA = 112;
    public static final int C_CKPT_M = 120;
    public static final int C_DATA = 128;
    public static final int CHUNK_HEADER = 128;

    // ts_series
    public static final int S_MAGIC = 0;
    public static final int S_LAYOUT_VERSION = 4;
    public static final int S_ENCODING = 6;
    public static final int S_DUP_POLICY = 7;
    public static final int S_RETENTION = 8;
    public static final int S_CHUNK_SIZE = 16;
    public static final int S_FLAGS = 20;
    /** runtime only: the last sample (0 and 0 when empty), kept equal to the last chunk's by Series */
    public static final int S_LAST_TS = 24;
    public static final int S_LAST_VALUE = 32;
    public static final int S_TOTAL_SAMPLES = 40;
    /** the only chunk itself while S_CHUNKS_CAP is 0, else an array of chunk pointers */
    public static final int S_CHUNKS = 48;
    public static final int S_NCHUNKS = 56;
    public static final int S_CHUNKS_CAP = 60;
    public static final int S_LABELS = 64;
    public static final int S_LABELS_LEN = 72;
    public static final int S_NLABELS = 76;
    public static final int S_RULES = 80;
    public static final int S_RULES_LEN = 88;
    public static final int S_NRULES = 92;
    public static final int S_SRC_KEY = 96;
    public static final int S_SRC_KEY_LEN = 104;
    /** int32, runtime only */
    public static final int S_INDEX_ID = 108;
    public static final int S_IGNORE_MAX_TIME_DIFF = 112;
    public static final int S_IGNORE_MAX_VAL_DIFF = 120;
    public static final int SERIES_SIZE = 128;
}
