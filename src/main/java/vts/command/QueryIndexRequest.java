package vts.command;

import java.util.List;

/** TS.QUERYINDEX matcher.... */
public record QueryIndexRequest(List<Matcher> filter) {}
