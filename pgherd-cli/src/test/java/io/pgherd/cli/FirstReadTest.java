package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link FirstRead}: what a member's server log says of its first read, on logs written as PostgreSQL 15 writes them. */
class FirstReadTest {
    private static final String READY = "2026-12-07 06:13:51.802 UTC [100] LOG:  database system is ready to accept read-only"
            + " connections";
    private static final String EARLY = "2026-12-07 06:13:51.500 UTC [90] [unknown]@[unknown] LOG:  connection received:"
            + " host=127.0.0.1 port=40000";
    private static final String STREAMING = "2026-12-07 06:13:52.187 UTC [200] LOG:  started streaming WAL from primary at"
            + " 0/8000000 on timeline 1";
    private static final String HEALTH = "2026-12-07 06:13:52.300 UTC [300] postgres@postgres LOG:  connection authorized:"
            + " user=postgres database=loadbench application_name=pgherd health check";
    private static final String RECEIVED = "2026-12-07 06:13:53.290 UTC [400] [unknown]@[unknown] LOG:  connection received:"
            + " host=127.0.0.1 port=40002";
    private static final String READ = "2026-12-07 06:13:53.300 UTC [400] postgres@loadbench LOG:  connection authorized:"
            + " user=postgres database=loadbench";

    @Test
    void theFirstReadIsTheConnectionReceivedOfTheFirstSessionOfTheDatabaseNotPgherdsOwn() {
        FirstRead first = FirstRead.in(log(EARLY, READY, STREAMING, HEALTH, RECEIVED, READ), "loadbench").orElseThrow();

        assertThat(first.firstRead().number()).isEqualTo(5);
        assertThat(first.firstRead().pid()).isEqualTo(400);
        assertThat(first.firstRead().millis()).isEqualTo(java.time.Instant.parse("2026-12-07T06:13:53.290Z").toEpochMilli());
        assertThat(first.streaming().orElseThrow().number()).isEqualTo(3);
        assertThat(first.loggedFromStart()).isTrue();
    }

    @Test
    void aReadBeforeTheReceiverStreamsHasNoStreamingLine() {
        FirstRead first = FirstRead.in(log(EARLY, READY, RECEIVED, READ, STREAMING), "loadbench").orElseThrow();

        assertThat(first.streaming()).isEmpty();
    }

    @Test
    void aReceiverThatFailedAfterItStartedStreamingNoLongerCounts() {
        String failed = "2026-12-07 06:13:52.900 UTC [200] FATAL:  could not receive data from WAL stream: server closed";

        assertThat(FirstRead.in(log(EARLY, READY, STREAMING, failed, RECEIVED, READ), "loadbench").orElseThrow().streaming())
                .isEmpty();
    }

    @Test
    void logConnectionsTurnedOnAfterTheStartMeansSessionsMayHaveGoneUnlogged() {
        String turnedOn = "2026-12-07 06:13:52.000 UTC [100] LOG:  parameter \"log_connections\" changed to \"on\"";

        assertThat(FirstRead.in(log(READY, turnedOn, STREAMING, RECEIVED, READ), "loadbench").orElseThrow().loggedFromStart())
                .isFalse();
        assertThat(FirstRead.in(log(READY, STREAMING, RECEIVED, READ), "loadbench").orElseThrow().loggedFromStart())
                .as("on from the start: no connection before the server was ready is needed").isTrue();
        assertThat(FirstRead.in(log(READY, STREAMING, HEALTH), "loadbench")).isEmpty();
    }

    @Test
    void theLagBoundIsTheLeadersPositionAfterLessTheReplayPositionBefore() {
        FirstRead first = FirstRead.in(log(EARLY, READY, STREAMING, RECEIVED, READ), "loadbench").orElseThrow();
        long read = first.firstRead().millis() * 1000;
        List<ServerSampler.MemberSample> member = List.of(new ServerSampler.MemberSample(read - 90_000, 1000, "streaming", 0, 0, 0),
                new ServerSampler.MemberSample(read + 10_000, 5000, "streaming", 1, read, 0));
        List<ServerSampler.LeaderSample> leader = List.of(
                new ServerSampler.LeaderSample(read - 50_000, "node1", 1200,
                        Map.of("node4", new ServerSampler.Sender("streaming", 1100, read - 2_000_000))),
                new ServerSampler.LeaderSample(read + 40_000, "node1", 1500, Map.of()));

        assertThat(first.lagBound("node4", member, leader).getAsLong()).isEqualTo(1500 - 1100);
        assertThat(first.lagBound("node4", member, leader.subList(0, 1))).isEmpty();
    }

    private static String log(String... lines) {
        return String.join("\n", lines) + "\n";
    }
}
