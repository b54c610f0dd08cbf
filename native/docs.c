/*
 * COMMAND DOCS / COMMAND INFO data and ACL categories of the TS.* commands.
 *
 * For RedisTimeSeries' commands the summary, complexity, since and argument tree state the
 * facts of its command reference (commands.json and the 8.10 command pages), in our words;
 * TS.CARD and TS.MDEL are ours. Every command joins the ACL category "timeseries" and the
 * server's read/write and fast/slow categories (module commands get none by themselves).
 * Key specs say what each command does to its keys (COMMAND INFO, COMMAND GETKEYS, ACL key
 * permissions %R~ / %W~, cluster routing). The internal TS._DEBUG and TS._RESTORE get no docs
 * and stay out of "timeseries".
 *
 * Entries apply only to commands that are registered (GetCommand answers NULL otherwise), so
 * a branch that has not added a command yet simply skips its entry.
 */
#include "docs.h"

#include <stddef.h>

static const VMCommandInfoVersion kVersion = {
    .version = 1,
    .sizeof_historyentry = sizeof(VMCommandHistoryEntry),
    .sizeof_keyspec = sizeof(VMCommandKeySpec),
    .sizeof_arg = sizeof(VMCommandArg),
};

/* ---- argument builders: every list ends with an all-zero entry ---- */
#define END {0}
#define ARG(n, t) {.name = n, .type = t, .key_spec_index = -1}
#define OPT(n, t, tok) {.name = n, .type = t, .key_spec_index = -1, .token = tok, .flags = VM_CMD_ARG_OPTIONAL}
#define KEY(n, spec) {.name = n, .type = VM_ARG_KEY, .key_spec_index = spec}
#define PURE(n, tok) {.name = n, .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = tok}
#define NESTED(n, t, tok, fl, sub) {.name = n, .type = t, .key_spec_index = -1, .token = tok, .flags = fl, .subargs = sub}


/* ---- argument groups several commands share ---- */
static VMCommandArg kEncodings[] = {PURE("uncompressed", "UNCOMPRESSED"), PURE("compressed", "COMPRESSED"), END};
static VMCommandArg kPolicies[] = {PURE("block", "BLOCK"), PURE("first", "FIRST"), PURE("last", "LAST"),
                                   PURE("min", "MIN"),     PURE("max", "MAX"),     PURE("sum", "SUM"), END};
static VMCommandArg kIgnore[] = {ARG("ignoreMaxTimediff", VM_ARG_INTEGER), ARG("ignoreMaxValDiff", VM_ARG_DOUBLE), END};
static VMCommandArg kLabelPair[] = {ARG("label", VM_ARG_STRING), ARG("value", VM_ARG_STRING), END};

#define RETENTION OPT("retentionPeriod", VM_ARG_INTEGER, "RETENTION")
#define ENCODING NESTED("enc", VM_ARG_ONEOF, "ENCODING", VM_CMD_ARG_OPTIONAL, kEncodings)
#define CHUNK_SIZE OPT("size", VM_ARG_INTEGER, "CHUNK_SIZE")
#define DUPLICATE_POLICY NESTED("policy", VM_ARG_ONEOF, "DUPLICATE_POLICY", VM_CMD_ARG_OPTIONAL, kPolicies)
#define IGNORE {.name = "ignore", .type = VM_ARG_BLOCK, .key_spec_index = -1, .token = "IGNORE", \
                .flags = VM_CMD_ARG_OPTIONAL, .subargs = kIgnore, .since = "1.12.0"}
#define LABELS NESTED("labels", VM_ARG_BLOCK, "LABELS", VM_CMD_ARG_OPTIONAL | VM_CMD_ARG_MULTIPLE, kLabelPair)

static VMCommandArg kAggregators[] = {
    PURE("avg", "AVG"),     PURE("first", "FIRST"), PURE("last", "LAST"),   PURE("min", "MIN"),
    PURE("max", "MAX"),     PURE("sum", "SUM"),     PURE("range", "RANGE"), PURE("count", "COUNT"),
    PURE("std.p", "STD.P"), PURE("std.s", "STD.S"), PURE("var.p", "VAR.P"), PURE("var.s", "VAR.S"),
    {.name = "twa", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = "TWA", .since = "1.8.0"},
    {.name = "countnan", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = "COUNTNAN", .since = "8.6.0"},
    {.name = "countall", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = "COUNTALL", .since = "8.6.0"},
    END};
static VMCommandArg kBucketTimestamps[] = {PURE("-", "-"), PURE("start", "start"), PURE("+", "+"),
                                           PURE("end", "end"), PURE("~", "~"),       PURE("mid", "mid"), END};
static VMCommandArg kFilterByValue[] = {PURE("FILTER_BY_VALUE", "FILTER_BY_VALUE"), ARG("min", VM_ARG_DOUBLE),
                                        ARG("max", VM_ARG_DOUBLE), END};
/* ALIGN, AGGREGATION aggregator[,aggregator...] bucketDuration, BUCKETTIMESTAMP, EMPTY */
static VMCommandArg kAggregation[] = {
    OPT("value", VM_ARG_INTEGER, "ALIGN"),
    NESTED("aggregator", VM_ARG_ONEOF, "AGGREGATION", 0, kAggregators),
    ARG("bucketDuration", VM_ARG_INTEGER),
    {.name = "buckettimestamp", .type = VM_ARG_ONEOF, .key_spec_index = -1, .token = "BUCKETTIMESTAMP",
     .flags = VM_CMD_ARG_OPTIONAL, .subargs = kBucketTimestamps, .since = "1.8.0"},
    {.name = "empty", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = "EMPTY",
     .flags = VM_CMD_ARG_OPTIONAL, .since = "1.8.0"},
    END};
static VMCommandArg kFilterExprs[] = {ARG("l=v", VM_ARG_STRING),           ARG("l!=v", VM_ARG_STRING),
                                      ARG("l=", VM_ARG_STRING),            ARG("l!=", VM_ARG_STRING),
                                      ARG("l=(v1,v2,...)", VM_ARG_STRING), ARG("l!=(v1,v2,...)", VM_ARG_STRING), END};
static VMCommandArg kSelectedLabels[] = {PURE("SELECTED_LABELS", "SELECTED_LABELS"),
                                         NESTED("label", VM_ARG_STRING, NULL, VM_CMD_ARG_MULTIPLE, NULL), END};
static VMCommandArg kWithLabels[] = {PURE("WITHLABELS", "WITHLABELS"),
                                     NESTED("SELECTED_LABELS_BLOCK", VM_ARG_BLOCK, NULL, 0, kSelectedLabels), END};
static VMCommandArg kGroupBy[] = {PURE("GROUPBY", "GROUPBY"), ARG("label", VM_ARG_STRING), PURE("REDUCE", "REDUCE"),
                                  ARG("reducer", VM_ARG_STRING), END};

#define LATEST {.name = "LATEST", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = "LATEST", \
                .flags = VM_CMD_ARG_OPTIONAL, .since = "1.8.0"}
#define FILTER_BY_TS NESTED("Timestamp", VM_ARG_INTEGER, "FILTER_BY_TS", VM_CMD_ARG_OPTIONAL | VM_CMD_ARG_MULTIPLE, NULL)
#define FILTER_BY_VALUE NESTED("fbv", VM_ARG_BLOCK, NULL, VM_CMD_ARG_OPTIONAL, kFilterByValue)
#define COUNT OPT("count", VM_ARG_INTEGER, "COUNT")
#define AGGREGATION NESTED("aggregation", VM_ARG_BLOCK, NULL, VM_CMD_ARG_OPTIONAL, kAggregation)
#define WITHLABELS NESTED("labels", VM_ARG_ONEOF, NULL, VM_CMD_ARG_OPTIONAL, kWithLabels)
#define FILTER NESTED("filterExpr", VM_ARG_ONEOF, "FILTER", VM_CMD_ARG_MULTIPLE, kFilterExprs)
#define OPTIONAL_FILTER NESTED("filterExpr", VM_ARG_ONEOF, "FILTER", VM_CMD_ARG_OPTIONAL | VM_CMD_ARG_MULTIPLE, kFilterExprs)
#define GROUPBY NESTED("groupby", VM_ARG_BLOCK, NULL, VM_CMD_ARG_OPTIONAL, kGroupBy)

/* ---- each command's arguments ---- */
static VMCommandArg kCreate[] = {KEY("key", 0), RETENTION, ENCODING, CHUNK_SIZE, DUPLICATE_POLICY, IGNORE, LABELS, END};
static VMCommandArg kAlter[] = {KEY("key", 0), RETENTION, CHUNK_SIZE, DUPLICATE_POLICY, IGNORE, LABELS, END};
static VMCommandArg kAdd[] = {KEY("key", 0), ARG("timestamp", VM_ARG_STRING), ARG("value", VM_ARG_DOUBLE),
                              RETENTION, ENCODING, CHUNK_SIZE,
                              NESTED("policy", VM_ARG_ONEOF, "ON_DUPLICATE", VM_CMD_ARG_OPTIONAL, kPolicies),
                              IGNORE, LABELS, END};
static VMCommandArg kKeyTsValue[] = {KEY("key", 0), ARG("timestamp", VM_ARG_STRING), ARG("value", VM_ARG_DOUBLE), END};
static VMCommandArg kMAdd[] = {NESTED("ktv", VM_ARG_BLOCK, NULL, VM_CMD_ARG_MULTIPLE, kKeyTsValue), END};
static VMCommandArg kIncrBy[] = {KEY("key", 0), ARG("value", VM_ARG_DOUBLE), OPT("timestamp", VM_ARG_STRING, "TIMESTAMP"),
                                 RETENTION, ENCODING, CHUNK_SIZE, DUPLICATE_POLICY, IGNORE, LABELS, END};
static VMCommandArg kDel[] = {KEY("key", 0), ARG("from_timestamp", VM_ARG_INTEGER), ARG("to_timestamp", VM_ARG_INTEGER), END};
static VMCommandArg kGet[] = {KEY("key", 0), LATEST, END};
static VMCommandArg kInfo[] = {KEY("key", 0), {.name = "DEBUG", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1,
                                               .token = "DEBUG", .flags = VM_CMD_ARG_OPTIONAL}, END};
static VMCommandArg kRange[] = {KEY("key", 0), ARG("fromTimestamp", VM_ARG_STRING), ARG("toTimestamp", VM_ARG_STRING),
                                LATEST, FILTER_BY_TS, FILTER_BY_VALUE, COUNT, AGGREGATION, END};
static VMCommandArg kCreateRule[] = {KEY("sourceKey", 0), KEY("destKey", 1),
                                     NESTED("aggregator", VM_ARG_ONEOF, "AGGREGATION", 0, kAggregators),
                                     ARG("bucketDuration", VM_ARG_INTEGER),
                                     {.name = "alignTimestamp", .type = VM_ARG_INTEGER, .key_spec_index = -1,
                                      .flags = VM_CMD_ARG_OPTIONAL, .since = "1.8.0"}, END};
static VMCommandArg kDeleteRule[] = {KEY("sourceKey", 0), KEY("destKey", 1), END};
static VMCommandArg kMRange[] = {ARG("fromTimestamp", VM_ARG_STRING), ARG("toTimestamp", VM_ARG_STRING),
                                 LATEST, FILTER_BY_TS, FILTER_BY_VALUE, WITHLABELS, COUNT, AGGREGATION,
                                 FILTER, GROUPBY,
                                 {.name = "EXCLUDEEMPTY", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1,
                                  .token = "EXCLUDEEMPTY", .flags = VM_CMD_ARG_OPTIONAL, .since = "8.10.0"}, END};
static VMCommandArg kMGet[] = {LATEST, WITHLABELS, FILTER, END};
static VMCommandArg kQueryIndex[] = {NESTED("filterExpr", VM_ARG_ONEOF, NULL, VM_CMD_ARG_MULTIPLE, kFilterExprs), END};
static VMCommandArg kValuesOf[] = {PURE("VALUES", "VALUES"), ARG("label", VM_ARG_STRING), END};
static VMCommandArg kLabelsOrValues[] = {PURE("LABELS", "LABELS"), NESTED("VALUES", VM_ARG_BLOCK, NULL, 0, kValuesOf), END};
static VMCommandArg kQueryLabels[] = {NESTED("subtype", VM_ARG_ONEOF, NULL, 0, kLabelsOrValues), OPTIONAL_FILTER, END};
static VMCommandArg kBlock[] = {{.name = "milliseconds", .type = VM_ARG_INTEGER, .key_spec_index = -1, .token = "BLOCK"},
                                ARG("min_count", VM_ARG_INTEGER), END};
static VMCommandArg kRead[] = {KEY("key", 0), ARG("timestamp", VM_ARG_STRING),
                               NESTED("BLOCK", VM_ARG_BLOCK, NULL, VM_CMD_ARG_OPTIONAL, kBlock),
                               OPT("max_count", VM_ARG_INTEGER, "MAX_COUNT"), END};
static VMCommandArg kNRangeAggregation[] = {
    OPT("align", VM_ARG_STRING, "ALIGN"),
    NESTED("aggregators", VM_ARG_STRING, "AGGREGATION", VM_CMD_ARG_MULTIPLE, NULL),
    ARG("bucketDuration", VM_ARG_INTEGER),
    NESTED("bt", VM_ARG_ONEOF, "BUCKETTIMESTAMP", VM_CMD_ARG_OPTIONAL, kBucketTimestamps),
    {.name = "empty", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = "EMPTY", .flags = VM_CMD_ARG_OPTIONAL},
    END};
static VMCommandArg kNRange[] = {ARG("numkeys", VM_ARG_INTEGER),
                                 {.name = "key", .type = VM_ARG_KEY, .key_spec_index = 0, .flags = VM_CMD_ARG_MULTIPLE},
                                 ARG("fromTimestamp", VM_ARG_STRING), ARG("toTimestamp", VM_ARG_STRING),
                                 {.name = "latest", .type = VM_ARG_PURE_TOKEN, .key_spec_index = -1, .token = "LATEST",
                                  .flags = VM_CMD_ARG_OPTIONAL},
                                 NESTED("ts", VM_ARG_INTEGER, "FILTER_BY_TS", VM_CMD_ARG_OPTIONAL | VM_CMD_ARG_MULTIPLE, NULL),
                                 FILTER_BY_VALUE, COUNT,
                                 NESTED("aggregation_block", VM_ARG_BLOCK, NULL, VM_CMD_ARG_OPTIONAL, kNRangeAggregation),
                                 END};
static VMCommandArg kRangeInterval[] = {ARG("fromTimestamp", VM_ARG_STRING), ARG("toTimestamp", VM_ARG_STRING), END};
static VMCommandArg kCard[] = {OPTIONAL_FILTER, END};
static VMCommandArg kMDel[] = {NESTED("range", VM_ARG_BLOCK, NULL, VM_CMD_ARG_OPTIONAL, kRangeInterval), FILTER, END};

/* ---- key specs: what a command does to its keys ---- */
#define SPEC_AT(at, fl) {.flags = (fl), .begin_search_type = VM_KSPEC_BS_INDEX, .bs.index.pos = (at), \
                          .find_keys_type = VM_KSPEC_FK_RANGE, .fk.range = {0, 1, 0}}
#define RO_READ (VM_CMD_KEY_RO | VM_CMD_KEY_ACCESS)
static VMCommandKeySpec kReads[] = {SPEC_AT(1, RO_READ), {0}};
static VMCommandKeySpec kInserts[] = {SPEC_AT(1, VM_CMD_KEY_RW | VM_CMD_KEY_INSERT), {0}};
static VMCommandKeySpec kUpdates[] = {SPEC_AT(1, VM_CMD_KEY_RW | VM_CMD_KEY_UPDATE), {0}};
static VMCommandKeySpec kDeletes[] = {SPEC_AT(1, VM_CMD_KEY_RW | VM_CMD_KEY_DELETE), {0}};
static VMCommandKeySpec kRules[] = {SPEC_AT(1, VM_CMD_KEY_RW | VM_CMD_KEY_UPDATE),
                                    SPEC_AT(2, VM_CMD_KEY_RW | VM_CMD_KEY_UPDATE), {0}};
static VMCommandKeySpec kMAddKeys[] = {{.flags = VM_CMD_KEY_RW | VM_CMD_KEY_INSERT, .begin_search_type = VM_KSPEC_BS_INDEX,
                                       .bs.index.pos = 1, .find_keys_type = VM_KSPEC_FK_RANGE, .fk.range = {-1, 3, 0}},
                                      {0}};
static VMCommandKeySpec kNRangeKeys[] = {{.flags = RO_READ, .begin_search_type = VM_KSPEC_BS_INDEX, .bs.index.pos = 1,
                                          .find_keys_type = VM_KSPEC_FK_KEYNUM, .fk.keynum = {0, 1, 1}},
                                         {0}};

/* ---- the table ---- */
typedef struct {
    const char *name;
    const char *acl; /* ACL categories */
    const char *summary, *complexity, *since;
    VMCommandKeySpec *keys;
    VMCommandArg *args;
} cmd_doc;

#define O_RULES "O(M) when M is the amount of compaction rules or O(1) with no compaction"
#define O_RANGE "O(n/m+k) where n = Number of data points, m = Chunk size (data points per chunk), " \
                "k = Number of data points that are in the requested range"
#define O_MRANGE "O(n/m+k) where n = Number of data points, m = Chunk size (data points per chunk), " \
                 "k = Number of data points that are in the requested ranges"
#define O_FILTER "O(n) where n is the number of time-series that match the filters"

static const cmd_doc kDocs[] = {
    {"ts.create", "timeseries write fast", "Create a new time series", "O(1)", "1.0.0", kInserts, kCreate},
    {"ts.alter", "timeseries write fast",
     "Update the retention, chunk size, duplicate policy, ignore thresholds and labels of an existing time series",
     "O(N) where N is the number of labels requested to update", "1.0.0", kUpdates, kAlter},
    {"ts.add", "timeseries write slow", "Append a sample to a time series (creating the series if needed)", O_RULES,
     "1.0.0", kInserts, kAdd},
    {"ts.madd", "timeseries write slow", "Append new samples to one or more time series",
     "O(N*M) when N is the amount of series updated and M is the amount of compaction rules or O(N) with no compaction",
     "1.0.0", kMAddKeys, kMAdd},
    {"ts.incrby", "timeseries write slow",
     "Increase the value of the latest sample, or add a sample whose value is the latest value plus the increment",
     O_RULES, "1.0.0", kUpdates, kIncrBy},
    {"ts.decrby", "timeseries write slow",
     "Decrease the value of the latest sample, or add a sample whose value is the latest value minus the decrement",
     O_RULES, "1.0.0", kUpdates, kIncrBy},
    {"ts.del", "timeseries write slow", "Delete the samples between two timestamps (inclusive) of a time series",
     "O(N) where N is the number of data points that will be removed", "1.6.0", kDeletes, kDel},
    {"ts.get", "timeseries read fast", "Get the sample with the highest timestamp of a time series", "O(1)", "1.0.0",
     kReads, kGet},
    {"ts.info", "timeseries read fast", "Return information and statistics of a time series", "O(1)", "1.0.0", kReads,
     kInfo},
    {"ts.range", "timeseries read slow", "Query a range of a time series in forward direction", O_RANGE, "1.0.0",
     kReads, kRange},
    {"ts.revrange", "timeseries read slow", "Query a range of a time series in reverse direction", O_RANGE, "1.4.0",
     kReads, kRange},
    {"ts.createrule", "timeseries write fast", "Create a compaction rule from a source to a destination series",
     "O(1)", "1.0.0", kRules, kCreateRule},
    {"ts.deleterule", "timeseries write fast", "Delete a compaction rule", "O(1)", "1.0.0", kRules, kDeleteRule},
    {"ts.mrange", "timeseries read slow", "Query a range of the time series matching a filter, in forward direction",
     O_MRANGE, "1.0.0", NULL, kMRange},
    {"ts.mrevrange", "timeseries read slow",
     "Query a range of the time series matching a filter, in reverse direction", O_MRANGE, "1.4.0", NULL, kMRange},
    {"ts.mget", "timeseries read slow", "Get the latest sample of each time series matching a filter", O_FILTER,
     "1.0.0", NULL, kMGet},
    {"ts.queryindex", "timeseries read slow", "Get the keys of all time series matching a filter", O_FILTER, "1.0.0",
     NULL, kQueryIndex},
    {"ts.querylabels", "timeseries read",
     "Get the distinct label names, or the distinct values of one label, of the time series matching a filter (or all)",
     "O(n) where n is the number of time-series that match the filters (all indexed series without FILTER)", "8.10.0",
     NULL, kQueryLabels},
    {"ts.nrange", "timeseries read",
     "Query a range of several time series in forward direction, their samples joined by timestamp",
     "O(numkeys*(n/m+k)) where n = Number of samples, m = Chunk size (samples per chunk), "
     "k = Number of samples that are in the requested range",
     "8.10.0", kNRangeKeys, kNRange},
    {"ts.nrevrange", "timeseries read",
     "Query a range of several time series in reverse direction, their samples joined by timestamp",
     "O(numkeys*(n/m+k)) where n = Number of samples, m = Chunk size (samples per chunk), "
     "k = Number of samples that are in the requested range",
     "8.10.0", kNRangeKeys, kNRange},
    {"ts.read", "timeseries read",
     "Return up to max_count samples at or after a timestamp; with BLOCK, wait until min_count samples qualify",
     "O(log(n)+k) where n is the number of samples in the series and k is the number of returned samples", "8.10.0",
     kReads, kRead},
    /* ours */
    {"ts.card", "timeseries read slow", "Count the time series matching a filter (all series without FILTER)",
     "O(n) where n is the number of time series that match the filter", "1.0.0", NULL, kCard},
    {"ts.mdel", "timeseries write slow",
     "Delete the time series matching a filter, or only their samples between two timestamps",
     "O(n*m) where n is the number of matching time series and m the number of chunks each holds", "1.0.0", NULL,
     kMDel},
};

/* internal commands: no docs, not in "timeseries" */
static const struct {
    const char *name, *acl;
} kInternal[] = {{"ts._debug", "read slow"}, {"ts._restore", "write slow"}};

int docs_register(VMCtx *ctx, char *err, size_t errlen) {
    if (VM_AddACLCategory(ctx, "timeseries") != VM_OK) {
        snprintf(err, errlen, "cannot add the ACL category timeseries");
        return -1;
    }
    for (size_t i = 0; i < sizeof(kDocs) / sizeof(kDocs[0]); i++) {
        const cmd_doc *d = &kDocs[i];
        VMCommand *cmd = VM_GetCommand(ctx, d->name);
        if (!cmd) continue; /* not registered on this build */
        VMCommandInfo info = {
            .version = &kVersion,
            .summary = d->summary,
            .complexity = d->complexity,
            .since = d->since,
            .key_specs = d->keys,
            .args = d->args,
        };
        if (VM_SetCommandInfo(cmd, &info) != VM_OK) {
            snprintf(err, errlen, "SetCommandInfo refused the docs of %s", d->name);
            return -1;
        }
        if (VM_SetCommandACLCategories(cmd, d->acl) != VM_OK) {
            snprintf(err, errlen, "cannot set the ACL categories of %s", d->name);
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof(kInternal) / sizeof(kInternal[0]); i++) {
        VMCommand *cmd = VM_GetCommand(ctx, kInternal[i].name);
        if (cmd && VM_SetCommandACLCategories(cmd, kInternal[i].acl) != VM_OK) {
            snprintf(err, errlen, "cannot set the ACL categories of %s", kInternal[i].name);
            return -1;
        }
    }
    return 0;
}
