package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code proxies/<name>}: one live proxy, and its acknowledgement of a switchover.
 *
 * @param name the proxy's name (the key's last segment when the record does not say)
 * @param ack the modRevision of the {@code failover} key for which the proxy has stopped starting write
 *            transactions and let those in flight finish; 0: it has acknowledged nothing (also when the
 *            record cannot be read)
 * @param heldSinceMillis since when (epoch ms) it holds new write transactions; 0: it holds none
 */
public record ProxyRecord(@JsonProperty("name") String name,
                          @JsonProperty("ack") long ack,
                          @JsonProperty("held_since") long heldSinceMillis) {
    public ProxyRecord {
        name = name == null ? "" : name;
    }
}
