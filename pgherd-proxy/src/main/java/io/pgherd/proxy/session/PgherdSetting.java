package io.pgherd.proxy.session;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.topology.Lsn;

/**
 * A statement about the proxy's own per-session settings, which a client sends like any SQL:
 * {@code SET pgherd.route = primary|replica|auto}, {@code SET pgherd.consistency = eventual|
 * read-your-writes|strong}, {@code SET pgherd.causal_token = '…'}, {@code RESET pgherd.…} and
 * {@code SHOW pgherd.…}. Only statements that are nothing else are recognized (so matching runs
 * only when the text mentions {@code pgherd.}).
 *
 * @param verb set, reset or show
 * @param name the setting, lower case, without the {@code pgherd.} prefix
 * @param value the value SET gives, unquoted (null otherwise)
 */
record PgherdSetting(String verb, String name, String value) {
    static final String ROUTE = "route";
    static final String CONSISTENCY = "consistency";
    static final String CAUSAL_TOKEN = "causal_token";

    private static final Pattern SET = Pattern.compile(
            "\\s*set\\s+(?:session\\s+)?pgherd\\.(\\w+)\\s*(?:=|\\s+to\\s+)\\s*('(?:[^']|'')*'|[\\w/.-]+)\\s*;?\\s*",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern OTHER = Pattern.compile("\\s*(show|reset)\\s+pgherd\\.(\\w+)\\s*;?\\s*",
            Pattern.CASE_INSENSITIVE);

    /** The setting statement {@code sql} is, or null when it is not one. */
    static PgherdSetting parse(String sql) {
        if (sql.length() > 300 || (!sql.contains("pgherd.") && !sql.toLowerCase(Locale.ROOT).contains("pgherd."))) {
            return null;
        }
        Matcher m = SET.matcher(sql);
        if (m.matches()) {
            String v = m.group(2);
            if (v.startsWith("'")) {
                v = v.substring(1, v.length() - 1).replace("''", "'");
            }
            return new PgherdSetting("set", m.group(1).toLowerCase(Locale.ROOT), v);
        }
        m = OTHER.matcher(sql);
        if (m.matches()) {
            return new PgherdSetting(m.group(1).toLowerCase(Locale.ROOT), m.group(2).toLowerCase(Locale.ROOT), null);
        }
        return null;
    }

    /** Why this SET or RESET cannot be applied, or null when it can. */
    String problem() {
        if (!name.equals(ROUTE) && !name.equals(CONSISTENCY) && !name.equals(CAUSAL_TOKEN)) {
            return "unrecognized configuration parameter \"pgherd." + name + "\" (pgherd knows pgherd.route,"
                    + " pgherd.consistency and pgherd.causal_token)";
        }
        if (!verb.equals("set")) {
            return null;
        }
        String v = value.toLowerCase(Locale.ROOT);
        return switch (name) {
            case ROUTE -> v.equals("primary") || v.equals("replica") || v.equals("auto") ? null
                    : "invalid value for parameter \"pgherd.route\": \"" + value + "\" (primary, replica or auto)";
            case CONSISTENCY -> consistency(v) != null ? null : "invalid value for parameter \"pgherd.consistency\": \""
                    + value + "\" (eventual, read-your-writes or strong)";
            default -> {
                try {
                    Lsn.parse(value);
                    yield null;
                } catch (IllegalArgumentException e) {
                    yield "invalid value for parameter \"pgherd.causal_token\": \"" + value + "\" (a WAL position as"
                            + " SHOW pgherd.causal_token gives it, like 0/16B3740)";
                }
            }
        };
    }

    static ProxyConfig.Consistency consistency(String v) {
        return switch (v.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "eventual" -> ProxyConfig.Consistency.EVENTUAL;
            case "read-your-writes" -> ProxyConfig.Consistency.READ_YOUR_WRITES;
            case "strong" -> ProxyConfig.Consistency.STRONG;
            default -> null;
        };
    }

    /** A statement the server runs to raise {@code message} as an error with SQLSTATE {@code code}. */
    static String raise(String code, String message) {
        String quoted = message.replace("$", "");
        return "DO $pgherd$ BEGIN RAISE EXCEPTION USING ERRCODE = '" + code + "', MESSAGE = " + literal("pgherd: " + quoted)
                + "; END $pgherd$";
    }

    /** An escape string literal, whatever standard_conforming_strings says. */
    static String literal(String value) {
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** A query that returns {@code value} as the one-row answer of SHOW pgherd.{@code name}. */
    static String answer(String name, String value) {
        return "SELECT " + literal(value) + "::text AS \"pgherd." + name + "\"";
    }
}
