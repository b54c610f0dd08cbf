package vts.command;

/** TS.GET key [LATEST]. */
public record GetRequest(byte[] key, boolean latest) {}
