package io.pgherd.cluster;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code members/<name>}: what a member's agent publishes about itself every cycle, what
 * the other agents judge candidates by and what the proxies route by.
 *
 * <p>Format 2 names its fields in snake_case. Format 1 (before pgherd-cluster) used the Java names
 * ({@code noFailover}); they are read as aliases, and written too, next to the new names, so that a
 * process of the previous release reads a record of this one the same during a rolling upgrade.
 * The next release may stop writing them ({@link #previousReleaseNames}).
 *
 * @param name the member's name
 * @param role primary, standby or replica as configured ({@code replica} never takes the key)
 * @param state what its PostgreSQL is doing: running, stopped, starting, ...
 * @param host where its PostgreSQL listens
 * @param port its PostgreSQL port
 * @param apiUrl its REST API
 * @param running whether its PostgreSQL runs
 * @param inRecovery whether its PostgreSQL is a standby
 * @param timeline its timeline
 * @param position its WAL position: the current one of a primary, the last received one of a standby
 * @param replayed the last replayed position of a standby (the current one of a primary)
 * @param noFailover whether it may never take the key (read replicas)
 * @param failoverPriority among candidates at the same position the higher wins
 * @param following the member whose WAL it streams, or empty
 * @param pendingRestart whether its PostgreSQL runs with a parameter whose new value applies only after a restart
 * @param pendingRestartParameters those parameters, sorted (empty when none or unknown)
 * @param noLoadBalance tag {@code noloadbalance}: serves no reads ({@code GET /replica} answers 503)
 * @param cloneFrom tag {@code clonefrom}: new members clone from it rather than from the leader
 * @param draining the member takes no new reads (the proxies drain it); written by no agent yet, read by the proxies
 * @param rejectedParameters parameters of the dynamic configuration its agent did not write because PostgreSQL would
 *        refuse them (unknown name, invalid value), with the reason, by name; empty when none
 */
@JsonIgnoreProperties(value = "format", allowGetters = true)
public record Member(@JsonProperty("name") String name,
                     @JsonProperty("role") String role,
                     @JsonProperty("state") String state,
                     @JsonProperty("host") String host,
                     @JsonProperty("port") int port,
                     @JsonProperty("api_url") String apiUrl,
                     @JsonProperty("running") boolean running,
                     @JsonProperty("in_recovery") boolean inRecovery,
                     @JsonProperty("timeline") int timeline,
                     @JsonProperty("position") long position,
                     @JsonProperty("replayed") long replayed,
                     @JsonProperty("no_failover") boolean noFailover,
                     @JsonProperty("failover_priority") int failoverPriority,
                     @JsonProperty("following") String following,
                     @JsonProperty("pending_restart") boolean pendingRestart,
                     @JsonProperty("pending_restart_parameters")
                     List<String> pendingRestartParameters,
                     @JsonProperty("no_load_balance") boolean noLoadBalance,
                     @JsonProperty("clone_from") boolean cloneFrom,
                     @JsonProperty("draining") boolean draining,
                     @JsonProperty("rejected_parameters") SortedMap<String, String> rejectedParameters) {
    /** The format this release writes. */
    public static final int FORMAT = 2;

    public Member {
        pendingRestartParameters = pendingRestartParameters == null ? List.of() : List.copyOf(pendingRestartParameters);
        rejectedParameters = Collections.unmodifiableSortedMap(new TreeMap<>(rejectedParameters == null ? Map.of()
                : rejectedParameters));
    }

    /** A member whose agent wrote every parameter of the dynamic configuration. */
    public Member(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                  boolean inRecovery, int timeline, long position, long replayed, boolean noFailover,
                  int failoverPriority, String following, boolean pendingRestart, List<String> pendingRestartParameters,
                  boolean noLoadBalance, boolean cloneFrom, boolean draining) {
        this(name, role, state, host, port, apiUrl, running, inRecovery, timeline, position, replayed, noFailover,
                failoverPriority, following, pendingRestart, pendingRestartParameters, noLoadBalance, cloneFrom, draining,
                new TreeMap<>());
    }

    /** This member with {@code rejected} as its rejected parameters. */
    public Member withRejectedParameters(Map<String, String> rejected) {
        return new Member(name, role, state, host, port, apiUrl, running, inRecovery, timeline, position, replayed, noFailover,
                failoverPriority, following, pendingRestart, pendingRestartParameters, noLoadBalance, cloneFrom, draining,
                new TreeMap<>(rejected));
    }

    /** A member that is not draining. */
    public Member(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                  boolean inRecovery, int timeline, long position, long replayed, boolean noFailover,
                  int failoverPriority, String following, boolean pendingRestart, List<String> pendingRestartParameters,
                  boolean noLoadBalance, boolean cloneFrom) {
        this(name, role, state, host, port, apiUrl, running, inRecovery, timeline, position, replayed, noFailover,
                failoverPriority, following, pendingRestart, pendingRestartParameters, noLoadBalance, cloneFrom, false);
    }

    /** A member without the noloadbalance and clonefrom tags. */
    public Member(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                  boolean inRecovery, int timeline, long position, long replayed, boolean noFailover, int failoverPriority,
                  String following, boolean pendingRestart, List<String> pendingRestartParameters) {
        this(name, role, state, host, port, apiUrl, running, inRecovery, timeline, position, replayed, noFailover,
                failoverPriority, following, pendingRestart, pendingRestartParameters, false, false);
    }

    /** A member without a pending restart. */
    public Member(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                  boolean inRecovery, int timeline, long position, long replayed, boolean noFailover, int failoverPriority,
                  String following) {
        this(name, role, state, host, port, apiUrl, running, inRecovery, timeline, position, replayed, noFailover,
                failoverPriority, following, false, List.of(), false, false);
    }

    /**
     * Reads a record of format 2 or 1: each field renamed in format 2 is taken by its new name, else by its
     * format 1 name (both are present in what this release writes), else its default.
     */
    @JsonCreator
    static Member read(@JsonProperty("name") String name, @JsonProperty("role") String role,
                       @JsonProperty("state") String state, @JsonProperty("host") String host, @JsonProperty("port") int port,
                       @JsonProperty("api_url") String apiUrl, @JsonProperty("apiUrl") String apiUrl1,
                       @JsonProperty("running") boolean running,
                       @JsonProperty("in_recovery") Boolean inRecovery, @JsonProperty("inRecovery") Boolean inRecovery1,
                       @JsonProperty("timeline") int timeline, @JsonProperty("position") long position,
                       @JsonProperty("replayed") long replayed,
                       @JsonProperty("no_failover") Boolean noFailover, @JsonProperty("noFailover") Boolean noFailover1,
                       @JsonProperty("failover_priority") Integer failoverPriority,
                       @JsonProperty("failoverPriority") Integer failoverPriority1,
                       @JsonProperty("following") String following,
                       @JsonProperty("pending_restart") Boolean pendingRestart,
                       @JsonProperty("pendingRestart") Boolean pendingRestart1,
                       @JsonProperty("pending_restart_parameters") List<String> pendingRestartParameters,
                       @JsonProperty("pendingRestartParameters") List<String> pendingRestartParameters1,
                       @JsonProperty("no_load_balance") Boolean noLoadBalance,
                       @JsonProperty("noLoadBalance") Boolean noLoadBalance1,
                       @JsonProperty("clone_from") Boolean cloneFrom, @JsonProperty("cloneFrom") Boolean cloneFrom1,
                       @JsonProperty("draining") boolean draining,
                       @JsonProperty("rejected_parameters") Map<String, String> rejectedParameters) {
        return new Member(name, role, state, host, port, either(apiUrl, apiUrl1, null), running,
                either(inRecovery, inRecovery1, false), timeline, position, replayed, either(noFailover, noFailover1, false),
                either(failoverPriority, failoverPriority1, 0), following, either(pendingRestart, pendingRestart1, false),
                either(pendingRestartParameters, pendingRestartParameters1, List.of()),
                either(noLoadBalance, noLoadBalance1, false), either(cloneFrom, cloneFrom1, false), draining,
                rejectedParameters == null ? null : new TreeMap<>(rejectedParameters));
    }

    private static <T> T either(T current, T previous, T absent) {
        return current != null ? current : previous != null ? previous : absent;
    }

    /** Whether a record names a member the proxies can route to: a name, a host and a port. */
    public boolean routable() {
        return name != null && !name.isEmpty() && host != null && !host.isEmpty() && port > 0;
    }

    /** The format of the record written (absent in format 1 records). */
    @JsonProperty("format")
    int format() {
        return FORMAT;
    }

    /** Format 1's names of the fields format 2 renamed, written for readers of the previous release. */
    @JsonAnyGetter
    Map<String, Object> previousReleaseNames() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiUrl", apiUrl);
        out.put("inRecovery", inRecovery);
        out.put("noFailover", noFailover);
        out.put("failoverPriority", failoverPriority);
        out.put("pendingRestart", pendingRestart);
        out.put("pendingRestartParameters", pendingRestartParameters);
        out.put("noLoadBalance", noLoadBalance);
        out.put("cloneFrom", cloneFrom);
        return out;
    }
}
