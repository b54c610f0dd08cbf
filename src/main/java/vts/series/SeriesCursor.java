package vts.series;

import vts.codec.ChunkReader;
import vts.codec.Chunks;

/**
 * Reusable range iterator over a series, forward or reverse. After
 * {@link #reset(long, long, long, boolean)}, each {@link #next()} that returns true
 * leaves a sample in {@link #ts}/{@link #value}. The start is clamped to
 * {@link Series#minVisibleTs}; chunks are located by binary search and skipped by their
 * first/last timestamps. Allocates nothing per sample (reverse iteration decodes one
 * chunk at a time into arrays that grow only when a bigger chunk comes along). The
 * series must not change while a cursor walks it.
 */
public final class SeriesCursor {
    public long ts;
    public double value;
    /** The value as mantissa / 10^decimals when decoded so (ChunkReader#decimals), else decimals = -1. */
    public int decimals = -1;
    public long mantissa;

    private final ChunkReader reader = new ChunkReader();
    private long series;
    private long from, to;
    private boolean reverse;
    private int chunk;
    private boolean inChunk;
    private boolean done;
    private long[] bufTs = new long[256];
    private double[] bufVals = new double[256];
    private int bufPos;

    public SeriesCursor reset(long s, long from, long to, boolean reverse) {
        this.series = s;
        this.from = Math.max(from, Series.minVisibleTs(s));
        this.to = to;
        this.reverse = reverse;
        this.inChunk = false;
        this.done = this.from > to || Series.totalSamples(s) == 0;
        if (!done) {
            chunk = reverse ? Series.lastChunkStartingAtOrBefore(s, to) : Series.firstChunkEndingAtOrAfter(s, this.from);
        }
        return this;
    }

    public boolean next() {
        if (done) return false;
        return reverse ? prevSample() : nextSample();
    }

    private boolean nextSample() {
        while (true) {
            if (!inChunk) {
                if (chunk >= Series.nchunks(series)) return finish();
                long c = Series.chunk(series, chunk);
                if (Chunks.firstTs(c) > to) return finish();
                reader.reset(c);
                inChunk = true;
            }
            while (reader.next()) {
                long t = reader.ts;
                if (t < from) continue;
                if (t > to) return finish();
                ts = t;
                value = reader.value;
                decimals = reader.decimals;
                mantissa = reader.mantissa;
                return true;
            }
            inChunk = false;
            chunk++;
        }
    }

    private boolean prevSample() {
        while (true) {
            if (!inChunk) {
                if (chunk < 0) return finish();
                long c = Series.chunk(series, chunk);
                if (Chunks.lastTs(c) < from) return finish();
                int n = Chunks.count(c);
                if (bufTs.length < n) {
                    bufTs = new long[n];
                    bufVals = new double[n];
                }
                Chunks.decode(c, bufTs, bufVals, 0);
                bufPos = n;
                inChunk = true;
            }
            while (bufPos > 0) {
                long t = bufTs[--bufPos];
                if (t > to) continue;
                if (t < from) return finish();
                ts = t;
                value = bufVals[bufPos];
                decimals = -1;
                return true;
            }
            inChunk = false;
            chunk--;
        }
    }

    private boolean finish() {
        done = true;
        return false;
    }
}
