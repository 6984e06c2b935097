package io.pgherd.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.pgherd.common.config.Key;

/** README's controller configuration table must list every controller key with its real default and description. */
class ReadmeControllerConfigTest {
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyKeyIsDocumentedWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        for (Key key : ControllerConfig.KEYS) {
            Object defaultValue = key.defaultValue();
            String shown = defaultValue == null ? "unset" : key.render(defaultValue);
            String row = "| `" + key.path() + "` | `" + shown + "` | " + key.description() + " |";
            assertThat(readme).as("README row for " + key.path()).contains(row);
        }
    }
}
