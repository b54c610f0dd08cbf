package vts.query;

/** BUCKETTIMESTAMP: which timestamp reports a bucket (start is the default). */
public enum BucketTimestamp {
    START, END, MID
}
