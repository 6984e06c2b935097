package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Golden JSON of every record: the exact text this release writes ({@code written/}), and that it reads
 * what the previous release wrote ({@code previous/}), also with fields it does not know.
 */
class GoldenJsonTest {
    /** Fields a newer release might add, spliced into every object sample. */
    private static final String UNKNOWN = "\"zone\":\"eu-1\",\"future\":{\"x\":[1,2]},";

    @ParameterizedTest
    @CsvSource({"member-node1", "member-node2", "member-node3", "status", "status-stopped", "failover", "sync", "proxy",
            "history", "spec", "task", "parameters", "proxy-reads", "assignment", "assignment-spare", "assignment-clone-from"})
    void writesItsGoldenJson(String sample) {
        assertThat(ClusterJson.write(record(sample))).isEqualTo(Samples.text("written/" + sample + ".json"));
    }

    @ParameterizedTest
    @CsvSource({"member-node1", "member-node3", "status", "failover", "sync", "proxy", "history"})
    void readsWhatThePreviousReleaseWrote(String sample) {
        assertThat(read(sample, Samples.text("previous/" + sample + ".json"))).isEqualTo(record(sample));
    }

    @ParameterizedTest
    @CsvSource({"member-node1", "member-node3", "status", "failover", "sync", "proxy", "spec", "task", "proxy-reads",
            "assignment", "assignment-spare", "assignment-clone-from"})
    void readsRecordsWithFieldsItDoesNotKnow(String sample) {
        String dir = List.of("spec", "task", "proxy-reads", "assignment", "assignment-spare", "assignment-clone-from").contains(sample) ? "written/"
                : "previous/";
        assertThat(read(sample, withUnknownFields(Samples.text(dir + sample + ".json")))).isEqualTo(record(sample));
    }

    @ParameterizedTest
    @CsvSource({"member-node1", "member-node2", "member-node3", "status", "status-stopped", "failover", "sync", "proxy",
            "history", "spec", "task", "parameters", "proxy-reads", "assignment", "assignment-spare", "assignment-clone-from"})
    void readsWhatItWrites(String sample) {
        assertThat(read(sample, ClusterJson.write(record(sample)))).isEqualTo(record(sample));
    }

    @Test
    void historyWritesBackWhatThePreviousReleaseWroteUnchanged() {
        String previous = Samples.text("previous/history.json");
        assertThat(ClusterJson.write(ClusterJson.read("history", previous, History.class))).isEqualTo(previous);
    }

    @Test
    void historyKeepsFieldsOfNewerReleasesWhenWrittenBack() {
        String newer = withUnknownFields(Samples.text("previous/history.json").substring(1)).replaceFirst("^", "[");
        History read = ClusterJson.read("history", newer, History.class);
        assertThat(read.entries().get(0).others()).containsOnlyKeys("zone", "future");
        HistoryEntry.ProxyTimeline mine = new HistoryEntry.ProxyTimeline(1, 2, 3, 4, 2, 17);
        String written = ClusterJson.write(read.replace(0, read.entries().get(0).withProxy("p2", mine)));
        assertThat(written).contains("\"zone\":\"eu-1\"", "\"future\":{\"x\":[1,2]}", "\"127.0.0.1:6432\":{", "\"p2\":{");
    }

    @Test
    void historyEntryOfAnAgentBeforeEpochsReadsWithoutEpochAndWritesNone() {
        String old = "[{\"leader\":\"node2\",\"previous_leader\":null,\"reason\":\"failover\",\"timeline\":2,\"position\":100,"
                + "\"time\":\"2025-01-01T00:00:00Z\"}]";
        History history = ClusterJson.read("history", old, History.class);
        assertThat(history.entries().get(0).leaderEpoch()).isNull();
        assertThat(history.entries().get(0).previousLeader()).isNull();
        assertThat(ClusterJson.write(history)).isEqualTo(old);
    }

    @Test
    void configReadsTheKeysOtherProcessesActOn() {
        ObjectNode document = ClusterJson.object("config", Samples.text("previous/config.json"));
        ClusterConfig config = new ClusterConfig(document, Optional.of(5L));
        assertThat(config.pause()).isTrue();
        assertThat(config.ttl()).contains(Duration.ofSeconds(30));
        assertThat(new ClusterConfig(ClusterJson.object("config", "{\"ttl\":12}"), Optional.empty()).ttl())
                .contains(Duration.ofSeconds(12));
        assertThat(ClusterConfig.absent().pause()).isFalse();
        assertThat(ClusterConfig.absent().ttl()).isEmpty();
    }

    @Test
    void aTaskOfTheReleaseBeforeOwnerEpochsReadsWithNoEpochAndNoParameters() {
        assertThat(ClusterJson.read("tasks/t", Samples.text("previous/task.json"), Task.class)).isEqualTo(Samples.PREVIOUS_TASK);
    }

    @Test
    void aTaskStateOfANewerReleaseReadsAsUnknown() {
        String newer = Samples.text("written/task.json").replace("\"state\":\"running\",\"steps\"", "\"state\":\"paused\",\"steps\"");
        assertThat(ClusterJson.read("tasks/t", newer, Task.class).state()).isEqualTo(Task.State.UNKNOWN);
    }

    @Test
    void anAssignmentWithoutACloneSourceReadsAsNone() {
        assertThat(ClusterJson.read("assignments/node4", Samples.text("written/assignment.json"), Assignment.class).cloneFrom())
                .isNull();
        assertThat(ClusterJson.write(Samples.ASSIGNMENT)).doesNotContain("clone_from");
    }

    @Test
    void anAssignmentWithoutReadyReadsAsReady() {
        String older = Samples.text("written/assignment-clone-from.json").replace(",\"ready\":false", "");
        Assignment a = ClusterJson.read("assignments/node6", older, Assignment.class);
        assertThat(a.ready()).isTrue();
        assertThat(a.awaitsStreaming()).isFalse();
        assertThat(Samples.ASSIGNMENT_CLONE_FROM.awaitsStreaming()).isTrue();
        assertThat(Samples.ASSIGNMENT_SPARE.withReady(false).awaitsStreaming()).isFalse();
    }

    @Test
    void anAssignmentOfANewerReleaseIsNotActedOn() {
        String newerRole = Samples.text("written/assignment.json").replace("\"role\":\"replica\"", "\"role\":\"witness\"");
        Assignment a = ClusterJson.read("assignments/node4", newerRole, Assignment.class);
        assertThat(a.role()).isEqualTo(Assignment.Role.UNKNOWN);
        assertThat(a.understood()).isFalse();
        String newerFormat = Samples.text("written/assignment.json").replace("\"format\":1", "\"format\":2");
        assertThat(ClusterJson.read("assignments/node4", newerFormat, Assignment.class).understood()).isFalse();
        assertThat(Samples.ASSIGNMENT.understood()).isTrue();
    }

    @Test
    void aProxyOfThePreviousReleaseSaysNothingOfItsReads() {
        ProxyRecord previous = ClusterJson.read("proxies/p", Samples.text("previous/proxy.json"), ProxyRecord.class);
        assertThat(previous.reads()).isNull();
        assertThat(previous.readsOn("node3")).isEmpty();
        assertThat(Samples.PROXY_READS.readsOn("node3")).hasValue(2);
        assertThat(Samples.PROXY_READS.readsOn("node5")).as("a member with none is left out, and reads as 0").hasValue(0);
        assertThat(ClusterJson.write(ProxyRecord.withReads("p", 0, 0, Map.of(), List.of()))).as("a proxy running no read says so")
                .contains("\"reads\":{}", "\"draining\":[]");
        assertThat(previous.drained("node4")).as("a proxy that says nothing is never done with a member").isFalse();
        assertThat(Samples.PROXY_READS.drained("node4")).as("drains it, but a read still runs there").isFalse();
        assertThat(Samples.PROXY_READS.drained("node5")).as("drains it and runs no read there").isTrue();
        assertThat(Samples.PROXY_READS.drained("node6")).as("runs no read there, but has not seen it drain").isFalse();
    }

    @Test
    void anUnreadableRecordSaysWhichKeyAndWhy() {
        assertThatThrownBy(() -> ClusterJson.read("/pgherd/main/members/node1", "{\"name\":", Member.class))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageStartingWith("/pgherd/main/members/node1: unreadable record (");
        assertThatThrownBy(() -> ClusterJson.read("/pgherd/main/status", "null", Status.class))
                .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("JSON null");
    }

    /**
     * The member record of the previous release's {@code ha.Member}, read the way that release read it (Java
     * names, unknown fields ignored): what an agent or proxy not yet upgraded sees of a record this release writes.
     */
    record PreviousReleaseMember(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                                 boolean inRecovery, int timeline, long position, long replayed, boolean noFailover,
                                 int failoverPriority, String following, boolean pendingRestart,
                                 List<String> pendingRestartParameters, boolean noLoadBalance, boolean cloneFrom) {
    }

    @ParameterizedTest
    @CsvSource({"member-node1", "member-node3"})
    void theReleaseBeforeReadsTheMemberRecordThisOneWrites(String sample) throws JsonProcessingException {
        ObjectMapper previous = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Member m = (Member) record(sample);
        assertThat(previous.readValue(ClusterJson.write(m), PreviousReleaseMember.class))
                .isEqualTo(new PreviousReleaseMember(m.name(), m.role(), m.state(), m.host(), m.port(), m.apiUrl(), m.running(),
                        m.inRecovery(), m.timeline(), m.position(), m.replayed(), m.noFailover(), m.failoverPriority(),
                        m.following(), m.pendingRestart(), m.pendingRestartParameters(), m.noLoadBalance(), m.cloneFrom()));
    }

    private static Object record(String sample) {
        return switch (sample) {
            case "member-node1" -> Samples.NODE1;
            case "member-node2" -> Samples.NODE2;
            case "member-node3" -> Samples.NODE3;
            case "parameters" -> Samples.PARAMETERS;
            case "status" -> Samples.STATUS;
            case "status-stopped" -> Samples.STATUS_STOPPED;
            case "failover" -> Samples.FAILOVER;
            case "sync" -> Samples.SYNC;
            case "proxy" -> Samples.PROXY;
            case "proxy-reads" -> Samples.PROXY_READS;
            case "assignment" -> Samples.ASSIGNMENT;
            case "assignment-spare" -> Samples.ASSIGNMENT_SPARE;
            case "assignment-clone-from" -> Samples.ASSIGNMENT_CLONE_FROM;
            case "history" -> new History(List.of(Samples.PROMOTION));
            case "spec" -> Samples.SPEC;
            case "task" -> Samples.TASK;
            default -> throw new IllegalArgumentException(sample);
        };
    }

    private static Object read(String sample, String json) {
        Class<?> type = record(sample).getClass();
        return ClusterJson.read(sample, json, type);
    }

    private static String withUnknownFields(String object) {
        return "{" + UNKNOWN + object.substring(1);
    }

    @Test
    void samplesCoverEveryRecord() {
        assertThat(Map.of("previous", List.of("member-node1", "status", "failover", "sync", "proxy", "history", "config",
                "leader", "initialize"))).isNotEmpty();
        assertThat(Samples.text("previous/leader.json")).isEqualTo("node1");
        assertThat(Samples.text("previous/initialize.json")).isEqualTo("node1");
    }
}
