package io.pgherd.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.Durations;
import io.pgherd.common.config.Key;

/**
 * The cluster's dynamic configuration: the JSON document in the DCS key {@code config}, shared by
 * every agent and changed with compare-and-set (Patroni's dynamic configuration):
 *
 * <pre>{@code
 * {"pause": false,
 *  "ttl": 10, "loop_wait": 1, "retry_timeout": 3,        // seconds, or "500ms", "30s", "1min"
 *  "maximum_lag_on_failover": 1048576,                   // bytes
 *  "synchronous_mode": true,
 *  "postgresql": {"parameters": {"work_mem": "8MB", "max_connections": 200}}}
 * }</pre>
 *
 * Every key is optional: a timing that is not set keeps the value of each agent's own file
 * ({@code agent.ha.*}), a parameter that is not set keeps PostgreSQL's (or pgherd's) default.
 * Parameters are written into each member's managed {@code pgherd.conf} and reloaded; those that
 * need a restart show as pending until the member restarts.
 *
 * <p>{@link #parse} refuses a document with every problem listed: unknown keys, values of the wrong
 * type, durations below their minimum, Patroni's timing rule {@code loop_wait + 2 * retry_timeout
 * <= ttl} (a timing that is not set counts with its default for the rule), and parameters pgherd
 * sets itself. Pure and immutable.
 *
 * @param pause maintenance mode: no automatic failover
 * @param ttl the leader key's time to live, if set
 * @param loopWait the time between two cycles, if set
 * @param retryTimeout how long one DCS or PostgreSQL operation may take, if set
 * @param maximumLagOnFailover bytes behind the last known primary position beyond which a standby may not take the key, if set
 * @param parameters PostgreSQL parameters by lower-case name, values as written into a configuration file
 * @param synchronousMode whether the cluster keeps a synchronous standby, if set (else each agent's file says)
 */
public record DynamicConfig(boolean pause, Optional<Duration> ttl, Optional<Duration> loopWait, Optional<Duration> retryTimeout,
                            OptionalLong maximumLagOnFailover, Map<String, String> parameters,
                            Optional<Boolean> synchronousMode) {
    /** No key set. */
    public static final DynamicConfig EMPTY = new DynamicConfig(false, Optional.empty(), Optional.empty(), Optional.empty(),
            OptionalLong.empty(), Map.of());
    /** The keys a document may have at its top level. */
    public static final List<String> KEYS = List.of("pause", "ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover",
            "synchronous_mode", "postgresql");
    static final Duration MIN_TTL = Duration.ofSeconds(2);
    static final Duration MIN_LOOP_WAIT = Duration.ofMillis(100);
    static final Duration MIN_RETRY_TIMEOUT = Duration.ofMillis(100);
    /** Parameters pgherd sets itself on every member, with the reason a user may not. */
    static final Map<String, String> MANAGED_PARAMETERS = managedParameters();
    private static final String PARAMETERS = "postgresql.parameters.";
    private static final Pattern PARAMETER_NAME = Pattern.compile("[a-z_][a-z0-9_$]*(\\.[a-z_][a-z0-9_$]*)?");

    public DynamicConfig {
        parameters = Map.copyOf(parameters);
    }

    /** A configuration that leaves synchronous mode to each agent's file. */
    public DynamicConfig(boolean pause, Optional<Duration> ttl, Optional<Duration> loopWait, Optional<Duration> retryTimeout,
                         OptionalLong maximumLagOnFailover, Map<String, String> parameters) {
        this(pause, ttl, loopWait, retryTimeout, maximumLagOnFailover, parameters, Optional.empty());
    }

    /**
     * The timings an agent runs with.
     *
     * @param ttl the leader key's (and member session's) time to live
     * @param loopWait time between two cycles
     * @param retryTimeout how long one DCS operation may take
     * @param maximumLagOnFailover bytes a candidate may be behind
     */
    public record Timings(Duration ttl, Duration loopWait, Duration retryTimeout, long maximumLagOnFailover) {
        /** Patroni's defaults, which are also those of an agent's file ({@code agent.ha.*}): 10 s, 1 s, 3 s, 1 MiB. */
        public static final Timings DEFAULTS = new Timings(Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(3), 1 << 20);

        /** Patroni's rule {@code loop_wait + 2 * retry_timeout <= ttl}, as a problem when broken. */
        public Optional<ConfigProblem> ruleProblem() {
            long loop = loopWait.toMillis();
            long retry = retryTimeout.toMillis();
            if (loop + 2 * retry <= ttl.toMillis()) {
                return Optional.empty();
            }
            return Optional.of(new ConfigProblem("ttl", "loop_wait + 2 * retry_timeout must be <= ttl (got " + Durations.format(loopWait)
                    + " + 2 * " + Durations.format(retryTimeout) + " > " + Durations.format(ttl)
                    + "): a leader cut off from the DCS must step down before its key expires"));
        }
    }

    /** These timings where this configuration sets them, {@code file}'s elsewhere. */
    public Timings over(Timings file) {
        return new Timings(ttl.orElse(file.ttl()), loopWait.orElse(file.loopWait()), retryTimeout.orElse(file.retryTimeout()),
                maximumLagOnFailover.isPresent() ? maximumLagOnFailover.getAsLong() : file.maximumLagOnFailover());
    }

    /** Whether any timing is set. */
    public boolean setsTimings() {
        return ttl.isPresent() || loopWait.isPresent() || retryTimeout.isPresent() || maximumLagOnFailover.isPresent();
    }

    /**
     * Reads a document (an absent key reads as {@code {}} or a JSON {@code null}).
     *
     * @throws ConfigException listing every problem, each with its path
     */
    public static DynamicConfig parse(JsonNode document) {
        List<ConfigProblem> problems = new ArrayList<>();
        DynamicConfig config = read(document, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException("the dynamic configuration", problems);
        }
        return config;
    }

    /**
     * Reads a document as {@link #parse} does and checks every PostgreSQL parameter against
     * {@code catalogue} too (unknown names with a suggestion, values by type, unit, range and enum
     * values), so a change is refused with all its problems at once before it is stored.
     *
     * @param catalogue the parameters of the version the cluster runs; empty: names and values are not checked
     * @throws ConfigException listing every problem, each with its path
     */
    public static DynamicConfig parse(JsonNode document, Optional<ParameterCatalogue> catalogue) {
        List<ConfigProblem> problems = new ArrayList<>();
        DynamicConfig config = read(document, problems);
        catalogue.ifPresent(c -> problems.addAll(c.problems(config.parameters(), PARAMETERS)));
        if (!problems.isEmpty()) {
            throw new ConfigException("the dynamic configuration", problems);
        }
        return config;
    }

    /**
     * The parameters whose value differs from {@code before} to {@code after} (set, changed or
     * removed), lower case and sorted; parameters either document cannot state are left out.
     */
    public static List<String> changedParameters(JsonNode before, JsonNode after) {
        Map<String, String> old = read(before, new ArrayList<>()).parameters();
        Map<String, String> now = read(after, new ArrayList<>()).parameters();
        TreeMap<String, String> all = new TreeMap<>(old);
        all.putAll(now);
        return all.keySet().stream().filter(name -> !Objects.equals(old.get(name), now.get(name))).toList();
    }

    /** Every problem of a document; empty when {@link #parse} accepts it. */
    public static List<ConfigProblem> problems(JsonNode document) {
        List<ConfigProblem> problems = new ArrayList<>();
        read(document, problems);
        return problems;
    }

    /**
     * How a refused change is told (REST API and command line alike): one line, then one indented
     * line per problem: {@code the configuration was not changed (2 problems):\n  ttl: ...}.
     */
    public static String refusal(List<ConfigProblem> problems) {
        StringBuilder out = new StringBuilder("the configuration was not changed (" + problems.size()
                + (problems.size() == 1 ? " problem" : " problems") + "):");
        problems.forEach(p -> out.append("\n  ").append(p));
        return out.toString();
    }

    private static DynamicConfig read(JsonNode document, List<ConfigProblem> problems) {
        if (document == null || document.isNull() || document.isMissingNode()) {
            return EMPTY;
        }
        if (!document.isObject()) {
            problems.add(new ConfigProblem("(document)", "must be a JSON object (got " + Key.shown(document) + ")"));
            return EMPTY;
        }
        for (Iterator<String> names = document.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                problems.add(new ConfigProblem(name, "unknown key (known: " + String.join(", ", KEYS) + ")"));
            }
        }
        boolean pause = bool(document, "pause", problems).orElse(false);
        Optional<Boolean> synchronousMode = bool(document, "synchronous_mode", problems);
        int before = problems.size();
        Optional<Duration> ttl = duration(document, "ttl", MIN_TTL, problems);
        Optional<Duration> loopWait = duration(document, "loop_wait", MIN_LOOP_WAIT, problems);
        Optional<Duration> retryTimeout = duration(document, "retry_timeout", MIN_RETRY_TIMEOUT, problems);
        OptionalLong maximumLag = bytes(document, "maximum_lag_on_failover", problems);
        Map<String, String> parameters = parameters(document.path("postgresql"), problems);
        DynamicConfig config = new DynamicConfig(pause, ttl, loopWait, retryTimeout, maximumLag, parameters, synchronousMode);
        if (problems.size() == before && (ttl.isPresent() || loopWait.isPresent() || retryTimeout.isPresent())) {
            config.over(Timings.DEFAULTS).ruleProblem().ifPresent(problems::add);
        }
        return config;
    }

    private static Optional<Boolean> bool(JsonNode document, String key, List<ConfigProblem> problems) {
        JsonNode node = document.path(key);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            problems.add(new ConfigProblem(key, "must be true or false (got " + Key.shown(node) + ")"));
            return Optional.empty();
        }
        return Optional.of(node.booleanValue());
    }

    private static Optional<Duration> duration(JsonNode document, String key, Duration min, List<ConfigProblem> problems) {
        JsonNode node = document.path(key);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        Duration d;
        if (node.isNumber() && node.asDouble() >= 0) {
            d = Duration.ofMillis(Math.round(node.asDouble() * 1000));
        } else if (node.isTextual()) {
            try {
                d = Durations.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(key, e.getMessage()));
                return Optional.empty();
            }
        } else {
            problems.add(new ConfigProblem(key, "must be seconds or a duration such as 500ms, 30s, 5min (got "
                    + Key.shown(node) + ")"));
            return Optional.empty();
        }
        if (d.compareTo(min) < 0) {
            problems.add(new ConfigProblem(key, "must be at least " + Durations.format(min) + " (got " + node.asText() + ")"));
            return Optional.empty();
        }
        return Optional.of(d);
    }

    private static OptionalLong bytes(JsonNode document, String key, List<ConfigProblem> problems) {
        JsonNode node = document.path(key);
        if (node.isMissingNode() || node.isNull()) {
            return OptionalLong.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            problems.add(new ConfigProblem(key, "must be a whole number of bytes >= 0 (got " + Key.shown(node) + ")"));
            return OptionalLong.empty();
        }
        return OptionalLong.of(node.asLong());
    }

    private static Map<String, String> parameters(JsonNode postgresql, List<ConfigProblem> problems) {
        if (postgresql.isMissingNode() || postgresql.isNull()) {
            return Map.of();
        }
        if (!postgresql.isObject()) {
            problems.add(new ConfigProblem("postgresql", "must be an object with \"parameters\" (got " + Key.shown(postgresql) + ")"));
            return Map.of();
        }
        for (Iterator<String> names = postgresql.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("parameters")) {
                problems.add(new ConfigProblem("postgresql." + name, "unknown key (known: parameters)"));
            }
        }
        JsonNode given = postgresql.path("parameters");
        if (given.isMissingNode() || given.isNull()) {
            return Map.of();
        }
        if (!given.isObject()) {
            problems.add(new ConfigProblem("postgresql.parameters", "must be an object of parameter names and values (got "
                    + Key.shown(given) + ")"));
            return Map.of();
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = given.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = "postgresql.parameters." + field.getKey();
            String name = field.getKey().toLowerCase(Locale.ROOT);
            JsonNode value = field.getValue();
            if (!PARAMETER_NAME.matcher(name).matches()) {
                problems.add(new ConfigProblem(path, "is not a PostgreSQL parameter name"));
            } else if (MANAGED_PARAMETERS.containsKey(name) || name.startsWith("recovery_target")) {
                problems.add(new ConfigProblem(path, "is managed by pgherd and cannot be set here ("
                        + MANAGED_PARAMETERS.getOrDefault(name, "it would stop standbys short of the leader") + ")"));
            } else if (out.containsKey(name)) {
                problems.add(new ConfigProblem(path, "is set twice (parameter names do not depend on case)"));
            } else if (value.isNull()) {
                continue;
            } else if (value.isTextual()) {
                out.put(name, value.textValue());
            } else if (value.isBoolean()) {
                out.put(name, value.booleanValue() ? "on" : "off");
            } else if (value.isNumber()) {
                out.put(name, value.asText());
            } else {
                problems.add(new ConfigProblem(path, "must be a string, number or boolean (got " + Key.shown(value) + ")"));
            }
        }
        return out;
    }

    private static Map<String, String> managedParameters() {
        Map<String, String> m = new LinkedHashMap<>();
        String listen = "pgherd listens on 127.0.0.1 and agent.postgres.port";
        m.put("listen_addresses", listen);
        m.put("port", listen);
        m.put("unix_socket_directories", listen);
        String files = "pgherd lays out the node's files";
        for (String name : List.of("data_directory", "config_file", "hba_file", "ident_file", "external_pid_file")) {
            m.put(name, files);
        }
        for (String name : List.of("include", "include_dir", "include_if_exists")) {
            m.put(name, "a directive, not a parameter");
        }
        m.put("cluster_name", "pgherd names each server after its member");
        String following = "pgherd points each standby at the leader";
        for (String name : List.of("primary_conninfo", "primary_slot_name", "promote_trigger_file")) {
            m.put(name, following);
        }
        m.put("synchronous_standby_names", "pgherd's synchronous mode sets it");
        m.put("hot_standby", "standbys must serve reads and report their position");
        m.put("wal_level", "replication and pg_rewind need replica");
        m.put("wal_log_hints", "pg_rewind needs it on");
        return Map.copyOf(m);
    }
}
