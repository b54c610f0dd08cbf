package vts.command;

/** One series label. */
public record Label(String name, String value) {}
