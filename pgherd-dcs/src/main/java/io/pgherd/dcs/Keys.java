package io.pgherd.dcs;

/**
 * The shape of keys and prefixes, the same for every backend so that a key valid on etcd is valid
 * on ZooKeeper: a key is {@code /segment/segment...} (no empty segment, no trailing slash, no
 * control characters); a prefix is {@code /} or a key followed by {@code /}.
 */
final class Keys {

    private Keys() {
    }

    static String requireKey(String key) {
        if (key == null || key.length() < 2 || key.charAt(0) != '/' || key.endsWith("/") || key.contains("//")
                || hasControlCharacter(key) || hasDotSegment(key)) {
            throw new IllegalArgumentException("key must look like /pgherd/<cluster>/<name> (got " + quote(key) + ")");
        }
        return key;
    }

    static String requirePrefix(String prefix) {
        if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/")
                || (prefix.length() > 1 && requireKeyQuietly(prefix.substring(0, prefix.length() - 1)) == null)) {
            throw new IllegalArgumentException("prefix must be / or a key followed by / (got " + quote(prefix) + ")");
        }
        return prefix;
    }

    /** The ZooKeeper node of a prefix: the prefix without its trailing slash, {@code /} for the root. */
    static String prefixNode(String prefix) {
        return prefix.length() == 1 ? prefix : prefix.substring(0, prefix.length() - 1);
    }

    private static String requireKeyQuietly(String key) {
        try {
            return requireKey(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean hasControlCharacter(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** ZooKeeper refuses {@code .} and {@code ..} as path segments. */
    private static boolean hasDotSegment(String key) {
        for (String segment : key.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static String quote(String s) {
        return s == null ? "null" : '"' + s + '"';
    }
}
