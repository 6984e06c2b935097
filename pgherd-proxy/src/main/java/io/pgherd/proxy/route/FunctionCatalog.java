package io.pgherd.proxy.route;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a database's functions may do, by name, as {@code pg_proc.provolatile} says: the router sends
 * a statement calling a VOLATILE function to the primary unless the function is a known harmless
 * one. Overloads share a name, so a name takes the most volatile of its overloads (fail closed).
 * Immutable and thread-safe.
 */
public final class FunctionCatalog {
    /** How a function's result may change, as pg_proc's provolatile. */
    public enum Volatility { IMMUTABLE, STABLE, VOLATILE }

    private final Map<String, Volatility> byName;

    private FunctionCatalog(Map<String, Volatility> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** A catalog of the given functions (names unqualified or {@code schema.name}, any case). */
    public static FunctionCatalog of(Map<String, Volatility> functions) {
        Map<String, Volatility> map = new HashMap<>();
        functions.forEach((name, v) -> map.merge(name.toLowerCase(Locale.ROOT), v, FunctionCatalog::worst));
        return new FunctionCatalog(map);
    }

    /**
     * Reads every function of the connected database from pg_proc, under its plain and its
     * schema-qualified name. Blocking: call it off the event loops.
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
        return new FunctionCatalog(map);
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
