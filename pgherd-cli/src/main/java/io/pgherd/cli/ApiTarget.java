package io.pgherd.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.HostPort;
import io.pgherd.controller.ControllerConfig;

/**
 * Where the commands that call the cluster API send their requests, and with which token. The address is
 * {@code --api URL}, else that of each controller of the local cluster in {@code --dir} whose configuration serves
 * the API ({@code controller.api.listen}), tried in turn; the token is {@code --token}, else {@value #TOKEN_ENV},
 * else the local cluster's token file ({@link LocalAdminToken}). {@link #toString()} leaves the token out.
 *
 * @param urls the API's base URLs (scheme, host and port), to try in order
 * @param token the bearer token
 * @param tokenSource where the token came from, for messages: {@code --token}, {@code PGHERD_TOKEN} or the file
 */
record ApiTarget(List<URI> urls, String token, String tokenSource) {
    static final String TOKEN_ENV = "PGHERD_TOKEN";

    ApiTarget {
        urls = List.copyOf(urls);
    }

    @Override
    public String toString() {
        return "ApiTarget[urls=" + urls + ", token=<hidden> from " + tokenSource + "]";
    }

    /**
     * The target the options, the environment and the local cluster give.
     *
     * @param api {@code --api}, if given
     * @param tokenOption {@code --token}, if given
     * @param tokenEnv the value of {@value #TOKEN_ENV}, if set
     * @throws CommandFailure when no address or no token can be found, saying where they are looked for
     */
    static ApiTarget resolve(Optional<URI> api, Optional<String> tokenOption, Optional<String> tokenEnv, ClusterDirectory dir) {
        List<URI> urls = api.map(List::of).orElseGet(() -> localUrls(dir));
        if (urls.isEmpty()) {
            throw new CommandFailure("no cluster API to call: give --api URL, or start a controller with controller.api.listen"
                    + " set ('" + Main.command() + " controller --config FILE'), or '" + Main.command() + " up' for a local"
                    + " cluster (none with an API in " + dir.path() + ")");
        }
        if (tokenOption.filter(t -> !t.isBlank()).isPresent()) {
            return new ApiTarget(urls, tokenOption.get().strip(), "--token");
        }
        if (tokenEnv.filter(t -> !t.isBlank()).isPresent()) {
            return new ApiTarget(urls, tokenEnv.get().strip(), TOKEN_ENV);
        }
        Optional<String> file = dir.exists() ? LocalAdminToken.read(dir) : Optional.empty();
        if (file.isPresent()) {
            return new ApiTarget(urls, file.get(), LocalAdminToken.file(dir).toString());
        }
        throw new CommandFailure("no API token: give --token TOKEN or set " + TOKEN_ENV + " (an admin makes one with '"
                + Main.command() + " token create --user NAME'), or run '" + Main.command() + " up' (it writes "
                + LocalAdminToken.file(dir) + ")");
    }

    /** The API URL of each controller of the local cluster in {@code dir} that serves one, {@code c1} first. */
    static List<URI> localUrls(ClusterDirectory dir) {
        if (!dir.exists()) {
            return List.of();
        }
        LocalControllers controllers = new LocalControllers(dir, dir.read());
        List<URI> urls = new ArrayList<>();
        for (String name : controllers.names()) {
            url(controllers.configFile(name)).ifPresent(urls::add);
        }
        return urls;
    }

    /** The API URL a controller's configuration serves; empty when it serves none or cannot be read. */
    static Optional<URI> url(Path configFile) {
        if (!Files.isRegularFile(configFile)) {
            return Optional.empty();
        }
        try {
            ControllerConfig config = ControllerConfig.load(configFile);
            HostPort listen = config.get(ControllerConfig.API_LISTEN);
            if (listen == null) {
                return Optional.empty();
            }
            boolean tls = config.get(ControllerConfig.API_TLS_CERTIFICATE) != null
                    && !config.get(ControllerConfig.API_TLS_CERTIFICATE).isBlank();
            return Optional.of(URI.create((tls ? "https://" : "http://") + reachable(listen.host()) + ":" + listen.port()));
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }

    /** A host to connect to for an address listened on: the wildcard addresses are reached on loopback. */
    private static String reachable(String host) {
        if (host == null || host.isBlank() || host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]")) {
            return "[::1]";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
