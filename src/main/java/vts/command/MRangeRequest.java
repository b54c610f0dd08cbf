package vts.command;

import java.util.List;

import vts.query.RangeQuery;

/**
 * TS.MRANGE / TS.MREVRANGE from to [options] [WITHLABELS | SELECTED_LABELS l...]
 * FILTER matcher... [GROUPBY label REDUCE reducer].
 *
 * @param groupBy null when absent
 */
public record MRangeRequest(boolean reverse, RangeQuery query, LabelSelection labels, List<Matcher> filter,
                            GroupBy groupBy) {}
