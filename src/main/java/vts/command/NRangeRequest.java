package vts.command;

import java.util.List;

import vts.query.Agg;
import vts.query.Aggregation;
import vts.query.RangeQuery;

/**
 * TS.NRANGE / TS.NREVRANGE numkeys key... from to [the options of TS.RANGE], where
 * AGGREGATION takes one aggregator list per key.
 *
 * @param numKeys the keys are arguments 2 .. 1 + numKeys (duplicates allowed)
 * @param query   the shared range; its aggregation (if any) holds the first key's aggregators
 * @param perKey  each key's aggregators in key order, or null without AGGREGATION
 */
public record NRangeRequest(int numKeys, boolean reverse, RangeQuery query, List<List<Agg>> perKey) {
    /** The query of key i: the shared one with that key's aggregators. */
    public RangeQuery queryOf(int i) {
        Aggregation g = query.aggregation();
        if (g == null) return query;
        Aggregation mine = new Aggregation(perKey.get(i), g.bucketDuration(), g.bucketTimestamp(), g.empty());
        return new RangeQuery(query.from(), query.to(), query.latest(), query.filterByTs(), query.filterByValue(),
                query.count(), mine, query.align());
    }
}
