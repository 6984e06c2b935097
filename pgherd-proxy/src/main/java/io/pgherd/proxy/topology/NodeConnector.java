package io.pgherd.proxy.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import io.pgherd.proxy.ProxyConfig;

/** Opens the proxy's own pgjdbc connections (health checks, WAL positions, catalogs) as proxy.health.user. */
final class NodeConnector {
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
        return DriverManager.getConnection("jdbc:postgresql://" + node.host() + ":" + node.port() + "/" + database, props);
    }
}
