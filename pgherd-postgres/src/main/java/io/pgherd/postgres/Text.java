package io.pgherd.postgres;

import java.util.Arrays;
import java.util.List;

/** Small text helpers for error messages. */
final class Text {
    private Text() {
    }

    static String lastLines(String text, int count) {
        List<String> lines = Arrays.asList(text.strip().split("\\R"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    static String indent(String text) {
        return text.isBlank() ? "    (empty)" : "    " + text.replace("\n", "\n    ");
    }
}
