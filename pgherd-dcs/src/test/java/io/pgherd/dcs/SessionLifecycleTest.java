package io.pgherd.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SessionLifecycleTest {

    private final List<String> told = new ArrayList<>();
    private final SessionLifecycle lifecycle = new SessionLifecycle("test session", Runnable::run);

    @Test
    void aLostSessionTellsEachListenerOnceAndNeverHeals() {
        lifecycle.onLost(told::add);

        assertThat(lifecycle.lose("keepalive failed")).isTrue();
        assertThat(lifecycle.lose("again")).isFalse();
        assertThat(lifecycle.close()).isFalse();

        assertThat(lifecycle.state()).isEqualTo(Session.State.LOST);
        assertThat(told).containsExactly("keepalive failed");
    }

    @Test
    void aListenerAddedAfterTheLossIsToldAtOnce() {
        lifecycle.lose("expired");

        lifecycle.onLost(told::add);

        assertThat(told).containsExactly("expired");
    }

    @Test
    void aClosedSessionIsNeitherLostNorTold() {
        lifecycle.onLost(told::add);

        assertThat(lifecycle.close()).isTrue();
        assertThat(lifecycle.lose("stream ended after close")).isFalse();
        lifecycle.onLost(told::add);

        assertThat(lifecycle.state()).isEqualTo(Session.State.CLOSED);
        assertThat(told).isEmpty();
    }
}
