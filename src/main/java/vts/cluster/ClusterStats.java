package vts.cluster;

/** Fan-out counters since load (main thread only), for an INFO section. */
public final class ClusterStats {
    private ClusterStats() {}

    /** Commands this node fanned out, and how they ended. */
    public static long commands, failed, timeouts, retries;
    /** Requests sent to shards, answers (partials) received, requests this node answered as a shard. */
    public static long requestsSent, partialsReceived, requestsServed;
    /** Payload bytes this node sent and received over the cluster bus. */
    public static long bytesSent, bytesReceived;
    /** Wall time of the fanned-out commands, from blocking the client to unblocking it: sum and maximum. */
    public static long waitMsTotal, waitMsMax;

    /** CLUSTER NODES reads since load (the topology cache's misses). */
    public static long topologyReads() {
        return Topology.reads;
    }

    /** Bus links this node gave TCP_NODELAY. */
    public static long nodelaySet() {
        return Topology.nodelaySet;
    }

    /** name:value lines. */
    public static String describe() {
        return "cluster_commands:" + commands + "\r\ncluster_failed:" + failed + "\r\ncluster_timeouts:" + timeouts
                + "\r\ncluster_retries:" + retries + "\r\ncluster_requests_sent:" + requestsSent
                + "\r\ncluster_partials_received:" + partialsReceived + "\r\ncluster_requests_served:" + requestsServed
                + "\r\ncluster_bytes_sent:" + bytesSent + "\r\ncluster_bytes_received:" + bytesReceived + "\r\ncluster_wait_ms_total:" + waitMsTotal
                + "\r\ncluster_wait_ms_max:" + waitMsMax + "\r\ncluster_topology_reads:" + Topology.reads
                + "\r\ncluster_bus_nodelay_set:" + Topology.nodelaySet + "\r\n";
    }
}
