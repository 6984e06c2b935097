package io.pgherd.dcs;

import java.util.Objects;

/**
 * One key of the store as read at one moment.
 *
 * <p>{@code createRevision} and {@code modRevision} come from one counter of the store that only
 * grows (etcd's revision, ZooKeeper's zxid), so they can be compared across keys and across time:
 * <ul>
 *   <li>{@code createRevision} identifies this incarnation of the key: a key deleted and created
 *       again gets a larger one. For the {@code leader} key it is the <b>epoch</b>, the fencing
 *       token a new primary carries and an old one cannot forge (etcd {@code create_revision},
 *       ZooKeeper {@code czxid}).</li>
 *   <li>{@code modRevision} changes with every write of the key; it is what
 *       {@link Dcs#compareAndSet} and {@link Dcs#compareAndDelete} expect (etcd
 *       {@code mod_revision}, ZooKeeper {@code mzxid}).</li>
 * </ul>
 *
 * @param key            full key, such as {@code /pgherd/main/leader}
 * @param value          the value, UTF-8 text (JSON in practice)
 * @param createRevision revision at which this incarnation of the key was created (the epoch)
 * @param modRevision    revision of the last write of the key; {@code >= createRevision}
 * @param ephemeral      whether the key is bound to a {@link Session} and vanishes with it
 */
public record Entry(String key, String value, long createRevision, long modRevision, boolean ephemeral) {

    public Entry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (createRevision <= 0 || modRevision < createRevision) {
            throw new IllegalArgumentException("entry " + key + ": revisions must satisfy 0 < createRevision <= modRevision (got "
                    + createRevision + ", " + modRevision + ")");
        }
    }
}
