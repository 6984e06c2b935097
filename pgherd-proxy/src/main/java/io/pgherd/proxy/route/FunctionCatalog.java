package io.pgherd.proxy.route;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a database's functions may do, by name, as {@code pg_proc.provolatile} says: the router sends
 * a statement calling a VOLATILE function to the primary unless the function is a known harmless
 * one. Overloads share a name, so a name takes the most volatile of its overloads (fail closed).
 * Also the database's unlogged relations ({@code pg_class.relpersistence = 'u'}), which a hot
 * standby refuses to read ("cannot access temporary or unlogged relations during recovery").
 * Immutable and thread-safe.
 */
public final class FunctionCatalog {
    /** How a function's result may change, as pg_proc's provolatile. */
    public enum Volatility { IMMUTABLE, STABLE, VOLATILE }

    private final Map<String, Volatility> byName;
    private final Set<String> unlogged;

    private FunctionCatalog(Map<String, Volatility> byName, Set<String> unlogged) {
        this.byName = Map.copyOf(byName);
        this.unlogged = Set.copyOf(unlogged);
    }

    /** A catalog of the given functions (names unqualified or {@code schema.name}, any case). */
    public static FunctionCatalog of(Map<String, Volatility> functions) {
        return of(functions, Set.of());
    }

    /** As {@link #of(Map)}, with these unlogged relations (names unqualified or {@code schema.name}, any case). */
    public static FunctionCatalog of(Map<String, Volatility> functions, Set<String> unloggedRelations) {
        Map<String, Volatility> map = new HashMap<>();
        functions.forEach((name, v) -> map.merge(name.toLowerCase(Locale.ROOT), v, FunctionCatalog::worst));
        Set<String> relations = new HashSet<>();
        unloggedRelations.forEach(name -> relations.add(name.toLowerCase(Locale.ROOT)));
        return new FunctionCatalog(map, relations);
    }

    /**
     * Reads every function of the connected database from pg_proc, under its plain and its
     * schema-qualified name, and its unlogged relations from pg_class likewise. Blocking: call it
     * off the event loops.
     */
    public static FunctionCatalog load(Connection connection) throws SQLException {
        Map<String, Volatility> map = new HashMap<>();
        String sql = "SELECT p.proname, n.nspname, p.provolatile FROM pg_catalog.pg_proc p"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Volatility v = switch (rs.getString(3)) {
                    case "i" -> Volatility.IMMUTABLE;
                    case "s" -> Volatility.STABLE;
                    default -> Volatility.VOLATILE;
                };
                String name = rs.getString(1).toLowerCase(Locale.ROOT);
                map.merge(name, v, FunctionCatalog::worst);
                map.merge(rs.getString(2).toLowerCase(Locale.ROOT) + "." + name, v, FunctionCatalog::worst);
            }
        }
        Set<String> relations = new HashSet<>();
        String unloggedSql = "SELECT c.relname, n.nspname FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relpersistence = 'u' AND c.relkind IN ('r', 'p', 'm', 'S', 'f')";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(unloggedSql)) {
            while (rs.next()) {
                String name = rs.getString(1).toLowerCase(Locale.ROOT);
                relations.add(name);
                relations.add(rs.getString(2).toLowerCase(Locale.ROOT) + "." + name);
            }
        }
        return new FunctionCatalog(map, relations);
    }

    /**
     * Whether {@code name} (lower case, plain or schema-qualified) is an unlogged relation of the
     * database; a plain name matches such a relation in any schema (fail closed).
     */
    public boolean isUnlogged(String name) {
        return !unlogged.isEmpty() && unlogged.contains(name);
    }

    /** Whether the database has any unlogged relation at all. */
    public boolean hasUnlogged() {
        return !unlogged.isEmpty();
    }

    /** The volatility of {@code name} (lower case, plain or schema-qualified), or null when no such function is known. */
    public Volatility volatility(String name) {
        return byName.get(name);
    }

    public int size() {
        return byName.size();
    }

    private static Volatility worst(Volatility a, Volatility b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
