package vts.command;

/** ENCODING of a series' chunks. */
public enum Encoding {
    COMPRESSED, UNCOMPRESSED
}
