package io.pgherd.proxy.frontend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a client's startup message sets for its session, and the parameters it is told at login, as
 * PostgreSQL would: the settings in {@code options} first, the other parameters over them;
 * {@code client_encoding} by the server's name for it; every reported parameter the client did not
 * set as a server reports it (so {@code application_name} is empty when the client sent none).
 * Immutable.
 *
 * @param settings setting name to value, to be made on every server the session uses
 * @param reported parameter name to value, for the ParameterStatus messages of the login
 */
record StartupSettings(Map<String, String> settings, Map<String, String> reported) {
    /** Parameters the server reports to clients (GUC_REPORT) that a client may set at startup. */
    private static final Set<String> REPORTED = Set.of("application_name", "client_encoding", "DateStyle", "TimeZone",
            "IntervalStyle", "standard_conforming_strings", "default_transaction_read_only", "search_path");
    private static final Set<String> NOT_SETTINGS = Set.of("user", "database", "replication", "options");

    StartupSettings {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        reported = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reported));
    }

    /**
     * @param parameters the startup message's parameters
     * @param serverParameters what a server of the client's pool reported at its own login
     * @throws IllegalArgumentException saying which value PostgreSQL would refuse (an unknown client_encoding)
     */
    static StartupSettings of(Map<String, String> parameters, Map<String, String> serverParameters) {
        // PostgreSQL applies the settings in options first, then the other parameters: these win.
        Map<String, String> settings = new LinkedHashMap<>(OptionsParameter.settings(parameters.getOrDefault("options", "")));
        parameters.forEach((k, v) -> {
            if (!NOT_SETTINGS.contains(k) && !k.startsWith("_pq_.")) {
                settings.put(k, v);
            }
        });
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            if (setting.getKey().equalsIgnoreCase("client_encoding")) {
                Optional<String> encoding = ClientEncoding.canonical(setting.getValue());
                if (encoding.isEmpty()) {
                    throw new IllegalArgumentException("invalid value for parameter \"client_encoding\": \""
                            + setting.getValue() + "\"");
                }
                setting.setValue(encoding.get());
            }
        }
        Map<String, String> reported = new LinkedHashMap<>(serverParameters);
        // The proxy takes writes (it sends them to the primary), whichever node the parameters came from.
        reported.computeIfPresent("in_hot_standby", (k, v) -> "off");
        settings.forEach((k, v) -> {
            for (String name : REPORTED) {
                if (name.equalsIgnoreCase(k)) {
                    reported.put(name, v);
                }
            }
        });
        return new StartupSettings(settings, reported);
    }
}
