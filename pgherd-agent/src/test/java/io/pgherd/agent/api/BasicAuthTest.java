package io.pgherd.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BasicAuthTest {
    private final BasicAuth auth = new BasicAuth("pgherd", "c0rrect horse");

    @Test
    void acceptsTheConfiguredUserAndPasswordOnly() {
        assertThat(auth.accepts(ApiClient.basic("pgherd", "c0rrect horse"))).isTrue();
        assertThat(auth.accepts("basic " + ApiClient.basic("pgherd", "c0rrect horse").substring(6))).as("scheme case").isTrue();
        assertThat(auth.accepts(ApiClient.basic("pgherd", "c0rrect hors"))).isFalse();
        assertThat(auth.accepts(ApiClient.basic("pgherd", "c0rrect horse "))).isFalse();
        assertThat(auth.accepts(ApiClient.basic("admin", "c0rrect horse"))).isFalse();
        assertThat(auth.accepts(ApiClient.basic("pgherd:c0rrect", "horse"))).isFalse();
    }

    @Test
    void refusesMissingOrMalformedHeaders() {
        assertThat(auth.accepts(null)).isFalse();
        assertThat(auth.accepts("")).isFalse();
        assertThat(auth.accepts("Basic")).isFalse();
        assertThat(auth.accepts("Basic !!not-base64!!")).isFalse();
        assertThat(auth.accepts("Bearer " + ApiClient.basic("pgherd", "c0rrect horse").substring(6))).isFalse();
    }

    @Test
    void neverShowsThePassword() {
        assertThat(auth.toString()).contains("pgherd").doesNotContain("c0rrect");
    }

    @Test
    void refusesAnEmptyPasswordOrAUserWithAColon() {
        assertThatThrownBy(() -> new BasicAuth("pgherd", "")).hasMessageContaining("password is required");
        assertThatThrownBy(() -> new BasicAuth("pg:herd", "x")).hasMessageContaining("no ':'");
        assertThatThrownBy(() -> new BasicAuth(" ", "x")).hasMessageContaining("must be set");
    }
}
