package io.pgherd.proxy.admin;

import java.util.List;

/**
 * What an admin command answers: rows of text under column names (none for a bare command tag),
 * and the command tag.
 */
public record AdminResult(List<String> columns, List<List<String>> rows, String tag) {
    public static AdminResult tag(String tag) {
        return new AdminResult(List.of(), List.of(), tag);
    }

    public static AdminResult table(List<String> columns, List<List<String>> rows) {
        return new AdminResult(columns, rows, "SHOW");
    }
}
