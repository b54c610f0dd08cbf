package vts.command;

import java.util.List;

/**
 * The series options of TS.CREATE, TS.ALTER, TS.ADD, TS.INCRBY and TS.DECRBY.
 * A field that was not given holds its "absent" value, so TS.ALTER changes only
 * what is present:
 *
 * @param retention       RETENTION in ms, or -1 when absent
 * @param encoding        ENCODING (or the legacy bare UNCOMPRESSED/COMPRESSED), or null
 * @param chunkSize       CHUNK_SIZE in bytes, or 0 when absent
 * @param duplicatePolicy DUPLICATE_POLICY, NONE when absent
 * @param ignore          IGNORE limits, or null
 * @param labels          LABELS pairs in order (possibly empty: "LABELS" alone clears), or null
 */
public record SeriesOptions(long retention, Encoding encoding, int chunkSize,
                            DuplicatePolicy duplicatePolicy, Ignore ignore, List<Label> labels) {

    /** Nothing given. */
    public static final SeriesOptions NONE = new SeriesOptions(-1, null, 0, DuplicatePolicy.NONE, null, null);

    public boolean hasRetention() {
        return retention >= 0;
    }

    public boolean hasChunkSize() {
        return chunkSize > 0;
    }
}
