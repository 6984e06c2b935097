package io.pgherd.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addresses as written in configuration: host:port, [IPv6]:port, and what is wrong with the rest. */
class HostPortTest {

    @ParameterizedTest(name = "''{0}'' is host ''{1}'' port {2}")
    @CsvSource(delimiter = '|', value = {
        "localhost:6432          | localhost     | 6432",
        "127.0.0.1:5432          | 127.0.0.1     | 5432",
        "db-1.example.com:1      | db-1.example.com | 1",
        "0.0.0.0:0               | 0.0.0.0       | 0",
        "h:65535                 | h             | 65535",
        "[::1]:5432              | ::1           | 5432",
        "[fe80::1%eth0]:6432     | fe80::1%eth0  | 6432",
        "[2001:db8::7]:80        | 2001:db8::7   | 80",
    })
    void parsesHostAndPort(String text, String host, int port) {
        assertThat(HostPort.parse(text)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest(name = "''{0}'' is refused: {1}")
    @CsvSource(delimiter = '|', value = {
        "localhost         | must be host:port (got 'localhost')",
        "''                | must be host:port (got '')",
        ":5432             | must be host:port (got ':5432')",
        "host:             | must be host:port (got 'host:')",
        "host:pg           | port must be a number (got 'pg')",
        "host:5432x        | port must be a number (got '5432x')",
        "host:99999999999  | port must be a number (got '99999999999')",
        "host:65536        | port must be 0..65535 (got 65536)",
        "host:-1           | port must be 0..65535 (got -1)",
        "[::1]             | an IPv6 address must be written [address]:port (got '[::1]')",
        "[::1]:            | must be host:port (got '[::1]:')",
    })
    void refusesMalformedAddressesSayingWhy(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{0} prints as ''{1}'' and parses back")
    @CsvSource(delimiter = '|', value = {
        "localhost   | 6432 | localhost:6432",
        "10.0.0.1    | 5432 | 10.0.0.1:5432",
        "::1         | 5432 | [::1]:5432",
        "2001:db8::7 | 80   | [2001:db8::7]:80",
    })
    void printsIpv6InBracketsSoThatTheTextParsesBack(String host, int port, String text) {
        HostPort address = new HostPort(host, port);

        assertThat(address).hasToString(text);
        assertThat(HostPort.parse(address.toString())).isEqualTo(address);
    }

    @ParameterizedTest(name = "{0} loopback: {1}")
    @CsvSource(delimiter = '|', value = {
        "localhost:1      | true",
        "127.0.0.1:1      | true",
        "127.10.20.30:1   | true",
        "[::1]:1          | true",
        "0.0.0.0:1        | false",
        "10.0.0.1:1       | false",
        "[::]:1           | false",
        "db.example.com:1 | false",
        "128.0.0.1:1      | false",
    })
    void knowsWhichAddressesAreLoopbackOnly(String text, boolean loopback) {
        assertThat(HostPort.parse(text).isLoopback()).isEqualTo(loopback);
    }

    @Test
    void unbracketedIpv6TakesTheLastColonAsThePortSeparator() {
        assertThat(HostPort.parse("::1:5432")).isEqualTo(new HostPort("::1", 5432));
    }

    @org.junit.jupiter.api.Test
    void unbalancedOrEmptyBracketsAreRefused() {
        for (String bad : new String[] {"[::1:5432", "::1]:5432", "[]:5432"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> HostPort.parse(bad))
                    .hasMessage("an IPv6 address must be written [address]:port (got '" + bad + "')");
        }
    }
}
