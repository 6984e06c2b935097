package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The record {@code schedules/<name>}: its golden JSON, what a reader does with fields, action kinds and policies of a
 * newer release, and its changes (fired, enabled).
 */
class ScheduleRecordTest {
    private static final Schedule WEEKDAY_UP = Schedule.of("weekday-up", "0 8 * * 1-5", "Europe/Berlin",
            Schedule.Action.setReadReplicas(4), Schedule.Missed.FIRE_ONCE, 1765000000000L).fired(1765094400000L, "fire_schedule-7-1");

    @Test
    void writesItsGoldenJsonAndReadsItBackAlsoWithFieldsItDoesNotKnow() {
        String golden = Samples.text("written/schedule.json");
        assertThat(ClusterJson.write(WEEKDAY_UP)).isEqualTo(golden);
        assertThat(ClusterJson.read("schedules/weekday-up", golden, Schedule.class)).isEqualTo(WEEKDAY_UP);
        String newer = golden.replaceFirst("^\\{", "{\"future\":{\"x\":[1,2]},").replace("\"action\":{", "\"action\":{\"extra\":1,");
        assertThat(ClusterJson.read("schedules/weekday-up", newer, Schedule.class)).isEqualTo(WEEKDAY_UP);
    }

    @Test
    void anActionOrPolicyOfANewerReleaseIsNotActedOn() {
        String golden = Samples.text("written/schedule.json");
        Schedule backup = ClusterJson.read("k", golden.replace("set_read_replicas", "start_backup"), Schedule.class);
        assertThat(backup.action().kind()).isEqualTo(Schedule.Action.Kind.UNKNOWN);
        assertThat(backup.understood()).isFalse();
        assertThat(ClusterJson.read("k", golden.replace("\"format\":1", "\"format\":2"), Schedule.class).understood()).isFalse();
        assertThat(ClusterJson.read("k", golden.replace("fire_once", "fire_twice"), Schedule.class).missed())
                .as("an unknown policy reads as skip").isEqualTo(Schedule.Missed.SKIP);
        assertThat(WEEKDAY_UP.understood()).isTrue();
    }

    @Test
    void enablingAnewCountsFromThenAndDisablingKeepsWhatItFired() {
        Schedule off = WEEKDAY_UP.enabled(false, 1765100000000L);
        assertThat(off.enabled()).isFalse();
        assertThat(off.sinceMillis()).isEqualTo(1765000000000L);
        Schedule on = off.enabled(true, 1765200000000L);
        assertThat(on.enabled()).isTrue();
        assertThat(on.sinceMillis()).as("the due times passed while disabled never fire").isEqualTo(1765200000000L);
        assertThat(on.lastFiredMillis()).isEqualTo(1765094400000L);
        assertThat(WEEKDAY_UP.enabled(true, 1765300000000L)).as("already enabled: unchanged").isEqualTo(WEEKDAY_UP);
        assertThat(Schedule.Missed.FIRE_ONCE.label()).isEqualTo("fire-once");
    }
}
