package io.pgherd.proxy.frontend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@code -c name=value} / {@code --name=value} settings of a StartupMessage's {@code options}
 * parameter (as libpq's {@code PGOPTIONS} sends them; {@code \} escapes a space).
 */
final class OptionsParameter {
    private OptionsParameter() {
    }

    static Map<String, String> settings(String options) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] words = splitEscaped(options);
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            String setting = null;
            if (word.equals("-c") && i + 1 < words.length) {
                setting = words[++i];
            } else if (word.startsWith("-c")) {
                setting = word.substring(2);
            } else if (word.startsWith("--")) {
                setting = word.substring(2);
            }
            if (setting != null && setting.indexOf('=') > 0) {
                int eq = setting.indexOf('=');
                out.put(setting.substring(0, eq).replace('-', '_'), setting.substring(eq + 1));
            }
        }
        return out;
    }

    private static String[] splitEscaped(String text) {
        java.util.List<String> words = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                current.append(text.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (current.length() > 0) {
                    words.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) {
            words.add(current.toString());
        }
        return words.toArray(String[]::new);
    }
}
