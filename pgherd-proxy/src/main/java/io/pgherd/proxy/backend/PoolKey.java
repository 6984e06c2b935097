package io.pgherd.proxy.backend;

/** What a pool serves: one node, one database, one user. */
public record PoolKey(String node, String database, String user) {
    @Override
    public String toString() {
        return node + "/" + database + "/" + user;
    }
}
