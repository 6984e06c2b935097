package io.pgherd.proxy.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import io.pgherd.proxy.config.ProxyConfig;

/** Opens the proxy's own pgjdbc connections (health checks, WAL positions, catalogs) as proxy.health.user. */
public final class NodeConnector {
    private final String user;
    private final String password;
    private final int timeoutSeconds;

    NodeConnector(ProxyConfig config) {
        this.user = config.healthUser();
        String file = config.healthPasswordFile();
        String pw = null;
        if (file != null) {
            try {
                pw = Files.readAllLines(Path.of(file)).stream().findFirst().orElse("").strip();
            } catch (IOException e) {
                pw = null;
            }
        }
        this.password = pw;
        this.timeoutSeconds = (int) Math.max(1, (config.get(ProxyConfig.HEALTH_TIMEOUT).toMillis() + 999) / 1000);
    }

    boolean configured() {
        return user != null;
    }

    Connection connect(ProxyConfig.Node node, String database, String purpose) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("socketTimeout", Integer.toString(timeoutSeconds + 1));
        props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "pgherd " + purpose);
        props.setProperty("sslmode", "disable");
        props.setProperty("preferQueryMode", "simple");
        return DriverManager.getConnection(url(node.host(), node.port(), database), props);
    }

    /**
     * A pgjdbc URL for a database named by a client: the name is URL-encoded (pgjdbc decodes it), so
     * no name can smuggle driver options into the proxy's own connection; IPv6 hosts are bracketed.
     */
    public static String url(String host, int port, String database) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
