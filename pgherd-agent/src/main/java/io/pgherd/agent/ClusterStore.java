package io.pgherd.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.agent.ha.Member;
import io.pgherd.cluster.JsonMergePatch;
import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Entry;
import io.pgherd.dcs.Session;

/**
 * The cluster's keys in the DCS (DESIGN.md §2) as the agent reads and writes them: one read of the
 * whole prefix per cycle, member records, the leader key, status, history, switchover requests and
 * the maintenance flag. Values are JSON. Thread-safe (the DCS is).
 */
public final class ClusterStore {
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Dcs dcs;
    private final ClusterKeys keys;

    /**
     * What one read found: the cluster state, the leader key's entry (for compare-and-delete), the
     * {@code failover} key's entry (its modRevision is what proxies acknowledge a switchover by) and the
     * dynamic configuration's document ({@code {}} when the key is absent or holds no JSON object;
     * read it through {@link DynamicConfig#parse}, never change it).
     */
    public record Snapshot(ClusterState state, Optional<Entry> leaderEntry, Optional<Entry> failoverEntry, ObjectNode config) {
        public Snapshot(ClusterState state, Optional<Entry> leaderEntry) {
            this(state, leaderEntry, Optional.empty(), JSON.createObjectNode());
        }
    }

    /**
     * One live proxy's record under {@code proxies/}: {@code {"name": ..., "ack": ..., "held_since": ...}}.
     *
     * @param name the proxy's name (the key's last segment when the record does not say)
     * @param ack the modRevision of the {@code failover} key for which the proxy has stopped starting write
     *            transactions and let those in flight finish; 0: it has acknowledged nothing (also when the
     *            record cannot be read)
     * @param heldSinceMillis since when (epoch ms) it holds new write transactions; 0: it holds none
     */
    public record ProxyRecord(String name, long ack, long heldSinceMillis) {
    }

    /**
     * The {@code config} key as read.
     *
     * @param document its JSON object ({@code {}} when the key is absent or holds no JSON object)
     * @param modRevision its revision, for compare-and-set; empty when the key is absent
     */
    public record ConfigEntry(ObjectNode document, Optional<Long> modRevision) {
    }

    /** A change of the {@code config} key: the document before and after. */
    public record ConfigChange(ObjectNode before, ObjectNode after) {
    }

    public ClusterStore(Dcs dcs, String cluster) {
        this.dcs = dcs;
        this.keys = new ClusterKeys(cluster);
    }

    public ClusterKeys keys() {
        return keys;
    }

    public Dcs dcs() {
        return dcs;
    }

    /** Reads everything under the cluster's prefix at once. */
    public Snapshot read() {
        List<Entry> entries = dcs.list(keys.prefix());
        Map<String, Member> members = new HashMap<>();
        Optional<Entry> leader = Optional.empty();
        Optional<Entry> failover = Optional.empty();
        Optional<String> initializedBy = Optional.empty();
        long lastPosition = 0;
        Optional<ClusterState.Switchover> switchover = Optional.empty();
        Optional<ClusterState.Sync> sync = Optional.empty();
        boolean paused = false;
        ObjectNode config = JSON.createObjectNode();
        for (Entry e : entries) {
            String key = e.key();
            if (key.equals(keys.leader())) {
                leader = Optional.of(e);
            } else if (key.startsWith(keys.members())) {
                Member m = parse(e.value(), Member.class);
                if (m != null) {
                    members.put(m.name(), m);
                }
            } else if (key.equals(keys.initialize())) {
                initializedBy = Optional.of(e.value());
            } else if (key.equals(keys.status())) {
                JsonNode n = tree(e.value());
                lastPosition = n == null ? 0 : n.path("position").asLong(0);
            } else if (key.equals(keys.failover())) {
                JsonNode n = tree(e.value());
                if (n != null) {
                    failover = Optional.of(e);
                    switchover = Optional.of(new ClusterState.Switchover(n.path("from").asText(""), n.path("to").asText(""),
                            n.path("not_before").asLong(0)));
                }
            } else if (key.equals(keys.sync())) {
                sync = Optional.of(parseSync(e.value()));
            } else if (key.equals(keys.config())) {
                JsonNode n = tree(e.value());
                paused = n != null && n.path("pause").asBoolean(false);
                if (n != null && n.isObject()) {
                    config = (ObjectNode) n;
                }
            }
        }
        Optional<ClusterState.Leader> leaderKey = leader.map(e -> new ClusterState.Leader(e.value(), e.createRevision()));
        return new Snapshot(new ClusterState(leaderKey, members, initializedBy, lastPosition, switchover, sync, paused), leader,
                failover, config);
    }

    /** Publishes this member's record, bound to the agent's session. */
    public void publish(Member member, Session session) {
        dcs.putEphemeral(keys.member(member.name()), write(member), session);
    }

    /**
     * Tries to take the leader key.
     *
     * @return the key's epoch (its create revision, which the proxies check connections against) when this
     *         member now holds it; empty when another member does
     */
    public OptionalLong takeLeader(String name, Session session) {
        return dcs.createEphemeral(keys.leader(), name, session).map(e -> OptionalLong.of(e.createRevision()))
                .orElse(OptionalLong.empty());
    }

    /** Gives the leader key up, if it is still the one read. */
    public boolean releaseLeader(Entry leader) {
        return dcs.compareAndDelete(keys.leader(), leader.modRevision());
    }

    /** Tries to win the bootstrap race; true for the one member that initializes the cluster. */
    public boolean initialize(String name) {
        return dcs.createIfAbsent(keys.initialize(), name);
    }

    /** The leader publishes its WAL position (candidates are judged against the last one). */
    public void publishPosition(long position) {
        ObjectNode n = JSON.createObjectNode();
        n.put("position", position);
        dcs.put(keys.status(), n.toString());
    }

    /**
     * Writes the {@code sync} key if it still holds {@code expected} (compare-and-set on what the
     * caller read; empty: the key must be absent), so a leader acting on an old snapshot cannot
     * overwrite what a newer leader wrote.
     *
     * @return false when the key no longer holds {@code expected} (nothing written)
     */
    public boolean writeSync(Optional<ClusterState.Sync> expected, ClusterState.Sync sync) {
        String value = syncValue(sync);
        Optional<Entry> current = dcs.get(keys.sync());
        if (current.isEmpty()) {
            return expected.isEmpty() && dcs.createIfAbsent(keys.sync(), value);
        }
        return expected.equals(Optional.of(parseSync(current.get().value())))
                && dcs.compareAndSet(keys.sync(), current.get().modRevision(), value);
    }

    /** Writes the {@code sync} key whatever it holds (a new leader, before it promotes). */
    public void putSync(ClusterState.Sync sync) {
        dcs.put(keys.sync(), syncValue(sync));
    }

    /** Deletes the {@code sync} key (synchronous mode turned off). */
    public void deleteSync() {
        dcs.delete(keys.sync());
    }

    private static String syncValue(ClusterState.Sync sync) {
        ObjectNode n = JSON.createObjectNode();
        n.put("leader", sync.leader());
        n.put("standby", sync.standby());
        return n.toString();
    }

    /** {@code {"leader": name, "standby": name}}; what cannot be read counts as naming nobody. */
    private static ClusterState.Sync parseSync(String value) {
        JsonNode n = tree(value);
        return n == null ? new ClusterState.Sync("", "")
                : new ClusterState.Sync(n.path("leader").asText(""), n.path("standby").asText(""));
    }

    /** Asks for a switchover ({@code from} the leader) or failover; {@code to} may be empty (the best candidate). */
    public void requestSwitchover(String from, String to, long notBeforeMillis) {
        ObjectNode n = JSON.createObjectNode();
        n.put("from", from);
        n.put("to", to);
        n.put("not_before", notBeforeMillis);
        dcs.put(keys.failover(), n.toString());
    }

    public void clearSwitchover() {
        dcs.delete(keys.failover());
    }

    /** The {@code failover} key's modRevision now; empty when there is no such key. */
    public Optional<Long> failoverRevision() {
        return dcs.get(keys.failover()).map(Entry::modRevision);
    }

    /** Every live proxy's record, sorted by key. */
    public List<ProxyRecord> proxies() {
        List<ProxyRecord> out = new ArrayList<>();
        for (Entry e : dcs.list(keys.proxies())) {
            out.add(proxyRecord(e));
        }
        return out;
    }

    /** A proxy record; one that cannot be read counts as acknowledging nothing. */
    static ProxyRecord proxyRecord(Entry e) {
        String fromKey = e.key().substring(e.key().lastIndexOf('/') + 1);
        JsonNode n = tree(e.value());
        if (n == null || !n.isObject()) {
            return new ProxyRecord(fromKey, 0, 0);
        }
        String name = n.path("name").asText("");
        return new ProxyRecord(name.isEmpty() ? fromKey : name, n.path("ack").asLong(0), n.path("held_since").asLong(0));
    }

    /** Sets or clears maintenance mode in the dynamic configuration. */
    public void pause(boolean on) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<Entry> current = dcs.get(keys.config());
            ObjectNode n = current.map(e -> tree(e.value())).filter(JsonNode::isObject).map(j -> (ObjectNode) j)
                    .orElseGet(JSON::createObjectNode);
            n.put("pause", on);
            if (current.isEmpty() ? dcs.createIfAbsent(keys.config(), n.toString())
                    : dcs.compareAndSet(keys.config(), current.get().modRevision(), n.toString())) {
                return;
            }
        }
        throw new IllegalStateException("the cluster configuration kept changing; try again");
    }

    /** Reads the {@code config} key. */
    public ConfigEntry readConfig() {
        Optional<Entry> current = dcs.get(keys.config());
        ObjectNode document = current.map(e -> tree(e.value())).filter(JsonNode::isObject).map(j -> (ObjectNode) j)
                .orElseGet(JSON::createObjectNode);
        return new ConfigEntry(document, current.map(Entry::modRevision));
    }

    /**
     * Applies a JSON merge patch (RFC 7396: {@code null} deletes) to the dynamic configuration with
     * compare-and-set, read again and re-applied when another client wrote in between.
     *
     * @return the document before and after
     * @throws io.pgherd.common.config.ConfigException when the patched document is not a valid
     *         {@link DynamicConfig}, listing every problem (nothing written)
     * @throws IllegalStateException when the key kept changing under ten attempts (nothing written)
     * @throws io.pgherd.dcs.DcsException when the store did not answer (the change may or may not be written)
     */
    public ConfigChange patchConfig(JsonNode patch) {
        for (int attempt = 0; attempt < 10; attempt++) {
            ConfigEntry current = readConfig();
            JsonNode patched = JsonMergePatch.apply(current.document(), patch);
            ObjectNode after = patched.isObject() ? (ObjectNode) patched : JSON.createObjectNode();
            if (!patched.isObject()) {
                DynamicConfig.parse(patched);
            }
            if (replaceConfig(current, after)) {
                return new ConfigChange(current.document(), after);
            }
        }
        throw new IllegalStateException("the cluster configuration kept changing; nothing was written, try again");
    }

    /**
     * Replaces the dynamic configuration with {@code document} if the key has not been written since
     * {@code read} was read.
     *
     * @return false when it has been (nothing written)
     * @throws io.pgherd.common.config.ConfigException when {@code document} is not a valid
     *         {@link DynamicConfig}, listing every problem (nothing written)
     * @throws io.pgherd.dcs.DcsException when the store did not answer (the change may or may not be written)
     */
    public boolean replaceConfig(ConfigEntry read, ObjectNode document) {
        DynamicConfig.parse(document);
        String value = document.toString();
        return read.modRevision().isEmpty() ? dcs.createIfAbsent(keys.config(), value)
                : dcs.compareAndSet(keys.config(), read.modRevision().get(), value);
    }

    /** Appends one promotion to {@code history} (compare-and-set, retried on conflict). */
    public void appendHistory(ObjectNode event) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<Entry> current = dcs.get(keys.history());
            ArrayNode list = current.map(e -> tree(e.value())).filter(JsonNode::isArray).map(j -> (ArrayNode) j)
                    .orElseGet(JSON::createArrayNode);
            list.add(event);
            if (current.isEmpty() ? dcs.createIfAbsent(keys.history(), list.toString())
                    : dcs.compareAndSet(keys.history(), current.get().modRevision(), list.toString())) {
                return;
            }
        }
    }

    /** Every recorded promotion, oldest first. */
    public List<JsonNode> history() {
        List<JsonNode> out = new ArrayList<>();
        dcs.get(keys.history()).map(e -> tree(e.value())).filter(JsonNode::isArray).ifPresent(a -> a.forEach(out::add));
        return out;
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T parse(String text, Class<T> type) {
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
