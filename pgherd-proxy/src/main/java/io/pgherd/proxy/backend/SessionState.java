package io.pgherd.proxy.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of a server session that must follow a client from server to server in transaction
 * pooling: settings made for the session ({@code SET}, {@code set_config(…, false)}, {@code SET
 * ROLE}, {@code SET SESSION AUTHORIZATION}, startup parameters) and SQL prepared statements.
 *
 * <p>The proxy does not interpret statements to track this. After a transaction that may have
 * changed it, it asks the server ({@link #CAPTURE_SQL}), so a {@code SET} in a rolled-back
 * transaction or savepoint is gone exactly as PostgreSQL says. Before a client's work runs on a
 * server whose state differs, {@link #changesFrom} gives the SQL that makes it equal. Immutable.
 *
 * @param settings setting name (lower case) to value, as {@code pg_settings.setting} shows it
 * @param prepared SQL prepared statement name to its {@code PREPARE} statement
 */
public record SessionState(Map<String, String> settings, Map<String, String> prepared) {
    public static final SessionState EMPTY = new SessionState(Map.of(), Map.of());

    /**
     * Reads the session's settings and SQL prepared statements; rows are (kind, name, value). The
     * session user and role are read apart: pg_settings hides them (GUC_NO_SHOW_ALL). The settings
     * of one transaction are left out: after a {@code SET TRANSACTION} pg_settings shows them with
     * source 'session' for good, and setting one in a later restore is refused once a query ran.
     */
    public static final String CAPTURE_SQL = "SELECT 's', name, setting FROM pg_catalog.pg_settings WHERE source = 'session'"
            + " AND name NOT IN ('transaction_isolation', 'transaction_read_only', 'transaction_deferrable')"
            + " UNION ALL SELECT 's', 'session_authorization', session_user::text FROM pg_catalog.pg_stat_activity"
            + " WHERE pid = pg_catalog.pg_backend_pid() AND usename <> session_user"
            + " UNION ALL SELECT 's', 'role', pg_catalog.current_setting('role') WHERE pg_catalog.current_setting('role') <> 'none'"
            + " UNION ALL SELECT 'p', name, statement FROM pg_catalog.pg_prepared_statements WHERE from_sql";

    /**
     * {@link #CAPTURE_SQL} that also reads the custom settings {@code customNames} (which pg_settings
     * does not show); one that is unset or empty is left out.
     */
    public static String captureSql(java.util.Collection<String> customNames) {
        StringBuilder sql = new StringBuilder(CAPTURE_SQL);
        for (String name : customNames) {
            String n = literal(name);
            sql.append(" UNION ALL SELECT 's', ").append(n).append(", pg_catalog.current_setting(").append(n)
                    .append(", true) WHERE pg_catalog.current_setting(").append(n).append(", true) <> ''");
        }
        return sql.toString();
    }

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.$]*");
    /** Applied first, in this order: changing the session user resets the role. */
    private static final List<String> FIRST = List.of("session_authorization", "role");

    public SessionState {
        settings = Map.copyOf(settings);
        prepared = Map.copyOf(prepared);
    }

    /** A state of the given settings (names are lower-cased) and no prepared statements. */
    public static SessionState ofSettings(Map<String, String> settings) {
        Map<String, String> lower = new LinkedHashMap<>();
        settings.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return new SessionState(lower, Map.of());
    }

    /** Builds a state from the rows of {@link #CAPTURE_SQL}. */
    public static SessionState fromRows(List<String[]> rows) {
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> prepared = new LinkedHashMap<>();
        for (String[] row : rows) {
            if ("s".equals(row[0])) {
                settings.put(row[1].toLowerCase(Locale.ROOT), row[2]);
            } else {
                prepared.put(row[1], row[2]);
            }
        }
        return new SessionState(settings, prepared);
    }

    /**
     * The SQL that turns a session in state {@code current} into this state, or {@code null} when
     * they are equal. Settings the current session has and this one lacks are reset; SQL prepared
     * statements are deallocated and prepared as needed.
     */
    public String changesFrom(SessionState current) {
        if (equals(current)) {
            return null;
        }
        StringBuilder sql = new StringBuilder();
        for (String name : current.settings.keySet()) {
            if (!settings.containsKey(name) && SAFE_NAME.matcher(name).matches()) {
                sql.append("RESET ").append(name).append(';');
            }
        }
        List<Map.Entry<String, String>> changed = new ArrayList<>();
        boolean userChanges = !java.util.Objects.equals(settings.get("session_authorization"),
                current.settings.get("session_authorization"));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            // Changing the session user resets the role, so the role is set again even where it matched.
            if (!e.getValue().equals(current.settings.get(e.getKey())) || (userChanges && e.getKey().equals("role"))) {
                changed.add(e);
            }
        }
        changed.sort(Comparator.comparingInt(e -> {
            int i = FIRST.indexOf(e.getKey());
            return i < 0 ? FIRST.size() : i;
        }));
        if (!changed.isEmpty()) {
            sql.append("SELECT ");
            for (int i = 0; i < changed.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("pg_catalog.set_config(").append(literal(changed.get(i).getKey()))
                        .append(", ").append(literal(changed.get(i).getValue())).append(", false)");
            }
            sql.append(';');
        }
        for (Map.Entry<String, String> e : current.prepared.entrySet()) {
            if (!e.getValue().equals(prepared.get(e.getKey()))) {
                sql.append("DEALLOCATE ").append(identifier(e.getKey())).append(';');
            }
        }
        for (Map.Entry<String, String> e : prepared.entrySet()) {
            if (!e.getValue().equals(current.prepared.get(e.getKey()))) {
                sql.append(e.getValue().strip().replaceAll(";+$", "")).append(';');
            }
        }
        return sql.isEmpty() ? null : sql.toString();
    }

    /** A string literal that means {@code value} whatever {@code standard_conforming_strings} says. */
    static String literal(String value) {
        if (value.indexOf('\\') >= 0) {
            return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
        }
        return "'" + value.replace("'", "''") + "'";
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
