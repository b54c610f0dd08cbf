package vts.command;

/** TS.ALTER key [options]: only the options present change (ENCODING is parsed and has no effect). */
public record AlterRequest(byte[] key, SeriesOptions options) {}
