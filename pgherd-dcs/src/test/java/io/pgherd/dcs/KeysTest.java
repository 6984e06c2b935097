package io.pgherd.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"/pgherd/main/leader", "/pgherd/main/members/node-1", "/a"})
    void wellFormedKeysAreAccepted(String key) {
        assertThat(Keys.requireKey(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "/", "pgherd/main", "/pgherd/main/", "/pgherd//main", "/pgherd/./main", "/pgherd/../x", "/a\nb"})
    void malformedKeysAreRefusedWithTheKeyInTheMessage(String key) {
        assertThatThrownBy(() -> Keys.requireKey(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key must look like /pgherd/<cluster>/<name>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/pgherd/", "/pgherd/main/members/"})
    void wellFormedPrefixesAreAccepted(String prefix) {
        assertThat(Keys.requirePrefix(prefix)).isEqualTo(prefix);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "/pgherd", "pgherd/", "//", "/pgherd//"})
    void malformedPrefixesAreRefused(String prefix) {
        assertThatThrownBy(() -> Keys.requirePrefix(prefix)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("prefix must be / or a key followed by /");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/:/", "/pgherd/:/pgherd", "/pgherd/main/members/:/pgherd/main/members"})
    void thePrefixNodeIsThePrefixWithoutItsTrailingSlash(String prefixAndNode) {
        String[] parts = prefixAndNode.split(":");
        assertThat(Keys.prefixNode(parts[0])).isEqualTo(parts[1]);
    }
}
