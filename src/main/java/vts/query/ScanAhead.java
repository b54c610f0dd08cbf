package vts.query;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import vts.codec.Chunks;
import vts.codec.DecimalScan;
import vts.series.Series;

/**
 * A helper thread that decodes the decimal chunks of one long aggregation ahead of the
 * main thread ({@link DecimalScan#decodeAll}) and reduces each to per-bucket runs
 * ({@link DecimalRuns}), so that decoding overlaps the bucket work, the formatting and the
 * reply; while it waits for the main thread it formats values
 * ({@link DecimalRuns#formatNext}). The main thread stays in charge: it takes each chunk's
 * runs in order when they are ready and decodes the chunk itself whenever the helper has
 * not published it, or has not finished it within a short wait, so a helper that is slow,
 * descheduled or failing costs at most that wait.
 *
 * <p>The helper only reads chunk memory, and only between {@link #start} and the return
 * of {@link #stop}: the main thread is inside the command then, so no chunk can change or
 * be freed under it, and it is parked (holding nothing) whenever the server forks.
 *
 * <p>Slots form a ring: the helper fills them in chunk order (state EMPTY → DECODING →
 * READY), the main thread empties them in the same order. A slot the main thread gave up
 * on is marked ABANDONED and emptied by the helper when its decode ends.
 */
final class ScanAhead {
    private static final int EMPTY = 0, DECODING = 1, READY = 2, ABANDONED = 3;
    private static final int RING = 32;
    /**
     * Runs per chunk a slot holds at most: a run takes 52 bytes and 41 per formatted value,
     * so the ring stays within ~3 MB of heap with one aggregator and ~12 MB with eight.
     */
    private static final int MAX_RUNS = 1024;
    /** How long the main thread waits for a chunk being decoded before decoding it itself. */
    private static final long WAIT_NANOS = 200_000;

    private static ScanAhead instance;
    private static boolean unavailable;

    /** The helper, started on first use; null when there is no core to spare or the thread cannot start. */
    static ScanAhead get(int threads) {
        if (instance != null) return instance;
        if (unavailable || threads < 2 || Runtime.getRuntime().availableProcessors() < 2) return null;
        try {
            ScanAhead a = new ScanAhead();
            Thread t = Thread.ofPlatform().daemon().name("vts-scan-ahead").unstarted(a::loop);
            a.thread = t;
            t.start();
            instance = a;
        } catch (Throwable e) {
            unavailable = true;
        }
        return instance;
    }

    private Thread thread;
    /** One decoder for every chunk, so its buffers stay in the helper's cache; only the small runs are per slot. */
    private final DecimalScan scan = new DecimalScan();
    private final DecimalRuns[] runs = new DecimalRuns[RING];
    private final int[] chunkIndex = new int[RING];
    private final int[] decoded = new int[RING];
    private final AtomicIntegerArray state = new AtomicIntegerArray(RING);

    // the job (written by the main thread before it posts the job)
    private long series, from, to, dur, align;
    private int firstChunk;
    private boolean countsNaN, needSum, needMinMax, needFirstLast;
    private Agg[] text;
    private final Accumulator acc = new Accumulator();
    private final StringBuilder sb = new StringBuilder(32);
    private final byte[] tmp = new byte[32];

    /** IDLE, PENDING (a job the helper has not picked up), RUNNING, or CANCELLED (before it ran). */
    private final AtomicInteger job = new AtomicInteger();
    private static final int IDLE = 0, PENDING = 1, RUNNING = 2, CANCELLED = 3;
    private volatile boolean active;
    /** The chunk the main thread is at: the helper skips chunks before it. */
    private volatile int mainAt;
    private int readSeq;
    private boolean busy;

    private ScanAhead() {
        for (int i = 0; i < RING; i++) runs[i] = new DecimalRuns();
    }

    /**
     * Starts decoding the chunks from firstChunk on of series s that a query over
     * [from, to] in buckets of dur aligned to align will decode: those inside [from, to]
     * that do not lie inside one bucket with a summary the query can use, each reduced to
     * {@link DecimalRuns}; with text (the query's aggregators, when its values are written as
     * text) the helper also formats the runs' values while it waits for the main thread. False if the helper is busy with another query (then nothing was started).
     */
    boolean start(long s, int first, long from, long to, long dur, long align, boolean countsNaN, Agg[] aggs,
                  Agg[] text) {
        if (busy) return false;
        int o = job.get();
        if (o == PENDING || o == RUNNING) return false;
        busy = true;
        series = s;
        firstChunk = first;
        this.from = from;
        this.to = to;
        this.dur = dur;
        this.align = align;
        this.countsNaN = countsNaN;
        acc.configure(aggs);
        needSum = acc.needSum;
        needMinMax = acc.needMinMax;
        needFirstLast = acc.needFirstLast;
        this.text = text;
        readSeq = 0;
        mainAt = first;
        for (int i = 0; i < RING; i++) state.set(i, EMPTY);
        active = true;
        if (!job.compareAndSet(o, PENDING)) {
            // the helper just acknowledged a cancelled job (CANCELLED → IDLE)
            job.set(PENDING);
        }
        LockSupport.unpark(thread);
        return true;
    }

    /**
     * The runs of chunk ci, or null if the main thread has to decode it (the helper has not
     * published it, gave up on it, or it needs the general decoder). A non-null result is
     * given back by {@link #done} once read.
     */
    DecimalRuns take(int ci, Waiter waiter) {
        if (ci > mainAt) mainAt = ci;
        long deadline = 0;
        int spins = 0;
        while (true) {
            int slot = readSeq % RING;
            int st = state.get(slot);
            if (st == EMPTY) return null;
            if (st == ABANDONED) return null; // not expected: the main thread moves past what it abandons
            int at = chunkIndex[slot];
            if (at > ci) return null;
            if (at < ci) {
                // a chunk the main thread did not need (or decoded itself)
                if (st == READY) {
                    state.set(slot, EMPTY);
                    readSeq++;
                } else if (st == DECODING && state.compareAndSet(slot, DECODING, ABANDONED)) {
                    readSeq++;
                }
                continue;
            }
            if (st == READY) {
                if (decoded[slot] >= 0) return runs[slot];
                done();
                return null;
            }
            if (deadline == 0) {
                // the helper is on this very chunk: give the main thread something to do first
                waiter.whileWaiting(ci);
                deadline = System.nanoTime() + WAIT_NANOS;
            } else if ((++spins & 63) == 0 && System.nanoTime() > deadline
                    && state.compareAndSet(slot, DECODING, ABANDONED)) {
                readSeq++;
                return null;
            }
            Thread.onSpinWait();
        }
    }

    /** What the main thread does once while the helper finishes the chunk it needs. */
    interface Waiter {
        void whileWaiting(int ci);
    }

    /** Makes the helper leave the chunks before ci to the main thread (those it has not started). */
    void leaveBefore(int ci) {
        if (ci > mainAt) mainAt = ci;
    }

    /**
     * Whether a query over [from, to] in buckets of dur aligned to align decodes chunk c
     * (not empty, inside the query, and not inside one bucket with a summary it can use):
     * the chunks the helper decodes.
     */
    static boolean decodes(long c, long from, long to, long dur, long align, boolean countsNaN,
                           boolean needFirstLast, boolean needSum) {
        if (Chunks.count(c) == 0) return false;
        long cf = Chunks.firstTs(c), cl = Chunks.lastTs(c);
        if (cf < from || cl > to) return false;
        return Buckets.start(cf, dur, align) != Buckets.start(cl, dur, align)
                || !AggregationEngine.summaryUsable(c, countsNaN, needFirstLast, needSum);
    }

    /** Gives back the slot {@link #take} returned. */
    void done() {
        state.set(readSeq % RING, EMPTY);
        readSeq++;
    }

    /** Ends the query's decoding; when it returns the helper reads no chunk memory any more. */
    void stop() {
        if (!busy) return;
        active = false;
        if (!job.compareAndSet(PENDING, CANCELLED)) {
            while (job.get() == RUNNING) Thread.onSpinWait();
        }
        busy = false;
    }

    // ------------------------------------------------------------------ the helper thread

    private void loop() {
        while (true) {
            int o = job.get();
            if (o == PENDING && job.compareAndSet(PENDING, RUNNING)) {
                try {
                    decodeAhead();
                } catch (Throwable e) {
                    // the main thread decodes whatever was not published
                } finally {
                    job.set(IDLE);
                }
            } else if (o == CANCELLED) {
                job.compareAndSet(CANCELLED, IDLE);
            } else if (o == IDLE) {
                LockSupport.park(this);
            }
        }
    }

    private void decodeAhead() {
        long s = series;
        int nch = Series.nchunks(s);
        int writeSeq = 0;
        for (int ci = firstChunk; ci < nch && active; ci++) {
            long c = Series.chunk(s, ci);
            int cnt = Chunks.count(c);
            if (cnt == 0) continue;
            if (Chunks.firstTs(c) > to) return;
            if (!decodes(c, from, to, dur, align, countsNaN, needFirstLast, needSum)) continue;
            if (ci < mainAt) continue;
            int slot = writeSeq % RING;
            // the ring is full while the main thread is slower: format values for it meanwhile,
            // or spin (a yield would give the core away for a whole time slice)
            while (state.get(slot) != EMPTY) {
                if (!active) return;
                if (text == null || !formatOne(writeSeq)) Thread.onSpinWait();
            }
            DecimalScan sc = scan;
            chunkIndex[slot] = ci;
            state.set(slot, DECODING);
            writeSeq++;
            int all = -1;
            try {
                if (sc.open(c)) all = sc.decodeAll();
                DecimalRuns r = runs[slot];
                if (all >= 0 && !r.reduce(sc.regular ? null : sc.outTs, sc.firstTs, sc.step, sc.outM, all,
                        sc.divisor(), dur, align, needSum, needMinMax, MAX_RUNS)) {
                    all = -1; // buckets this small: the main thread's per-bucket work dominates anyway
                }
                if (all >= 0 && text != null) r.prepareText(text.length);
            } finally {
                decoded[slot] = all;
                if (!state.compareAndSet(slot, DECODING, READY)) state.set(slot, EMPTY);
            }
        }
    }

    /**
     * Formats one value of the published chunks, oldest first (the main thread may be
     * reading the oldest: it uses only what is published); false if there is none left.
     * Formatting is the helper's spare-time work: decoding the next chunk always comes first.
     */
    private boolean formatOne(int writeSeq) {
        for (int j = 0; j < RING; j++) {
            int s = (writeSeq + j) % RING;
            if (state.get(s) == READY && decoded[s] >= 0 && runs[s].formatNext(text, acc, sb, tmp)) return true;
        }
        return false;
    }
}
