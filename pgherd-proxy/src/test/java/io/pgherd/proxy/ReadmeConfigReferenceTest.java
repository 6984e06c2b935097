package io.pgherd.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.pgherd.common.config.Key;
import io.pgherd.proxy.config.ProxyConfig;

/** README's configuration reference must list every proxy key with its real default and reloadability. */
class ReadmeConfigReferenceTest {
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyKeyIsDocumentedWithItsDefaultAndWhetherItReloads() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        for (Key key : ProxyConfig.KEYS) {
            Object defaultValue = key.defaultValue();
            String shown = defaultValue == null ? "unset" : key.render(defaultValue);
            String row = "| `" + key.path() + "` | `" + (shown.isEmpty() ? "[]" : shown) + "` | "
                    + (key.reloadable() ? "yes" : "restart") + " | ";
            assertThat(readme).as("README row for " + key.path()).contains(row);
        }
    }
}
