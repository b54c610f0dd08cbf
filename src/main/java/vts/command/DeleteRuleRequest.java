package vts.command;

/** TS.DELETERULE source dest. */
public record DeleteRuleRequest(byte[] source, byte[] dest) {}
