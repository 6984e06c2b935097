package io.pgherd.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The JVM options of each kind of background process {@code pgherd up} starts, chosen by measuring
 * their resident memory ({@code bench/footprint.sh}) and failover times with them. An environment
 * variable per kind ({@link Kind#variable}) replaces the defaults, split at whitespace; set but
 * empty, it leaves every JVM default. Immutable.
 */
final class JvmOptions {
    /**
     * What every background process shares: a serial collector (one thread, no remembered sets),
     * small thread stacks, and the C library's free memory given back every 10 s (the agents' C1
     * compilations and ZooKeeper client leave megabytes free in malloc's arenas otherwise). An
     * older JDK 17 without that option ignores it rather than refusing to start.
     */
    private static final List<String> COMMON = List.of("-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UseSerialGC", "-Xss512k",
            "-XX:TrimNativeHeapInterval=10000");

    /** A kind of process, with its options and the variable that overrides them. */
    enum Kind {
        /**
         * An HA agent: a live set of about 10 MiB, a loop each second. A heap that starts small and
         * gives back what it does not need, with a young generation of at most 3 MiB (a collection
         * every second or two, well under a millisecond); the C1 compiler only, on one thread, and
         * only for code ten times hotter than by default (half the code cache, no more CPU at idle);
         * a bounded code cache and metaspace.
         */
        AGENT("PGHERD_AGENT_JAVA_OPTS", List.of("-Xms8m", "-Xmx64m", "-XX:MaxNewSize=3m", "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=30", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
                "-XX:CompileThresholdScaling=10", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=96m")),
        /**
         * A controller: like an agent, a loop each second over the DCS with a small live set (its tasks and
         * the cluster's records), so an agent's options.
         */
        CONTROLLER("PGHERD_CONTROLLER_JAVA_OPTS", AGENT.defaults),
        /** The embedded ZooKeeper: as small as an agent, a little more heap for its data tree and snapshots. */
        ZOOKEEPER("PGHERD_ZOOKEEPER_JAVA_OPTS", List.of("-Xms8m", "-Xmx96m", "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=30", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
                "-XX:CompileThresholdScaling=10", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=96m")),
        /**
         * A proxy: on the clients' path, so it keeps the optimizing compiler; Netty's pooled allocator
         * keeps what it once needed up to the direct-memory limit (by default the heap's maximum), so
         * both are bounded to keep its footprint predictable.
         */
        PROXY("PGHERD_PROXY_JAVA_OPTS", List.of("-Xms16m", "-Xmx256m", "-XX:MaxDirectMemorySize=256m",
                "-XX:ReservedCodeCacheSize=64m", "-XX:MaxMetaspaceSize=128m"));

        private final String variable;
        private final List<String> defaults;

        Kind(String variable, List<String> defaults) {
            this.variable = variable;
            this.defaults = defaults;
        }

        /** The environment variable that replaces this kind's options. */
        String variable() {
            return variable;
        }
    }

    private JvmOptions() {
    }

    /** The options for {@code kind}: its variable's words when {@code environment} has it, else the defaults. */
    static List<String> of(Kind kind, Map<String, String> environment) {
        String override = environment.get(kind.variable());
        if (override != null) {
            return Arrays.stream(override.strip().split("\\s+")).filter(word -> !word.isEmpty()).toList();
        }
        return Stream.concat(COMMON.stream(), kind.defaults.stream()).toList();
    }

    /** The options for {@code kind} in this process's environment. */
    static List<String> of(Kind kind) {
        return of(kind, System.getenv());
    }
}
