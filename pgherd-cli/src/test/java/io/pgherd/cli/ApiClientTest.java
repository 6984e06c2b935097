package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the API's answers that are not a success become the one line a command prints. */
class ApiClientTest {
    private static final URI BASE = URI.create("http://127.0.0.1:8020");

    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource(delimiter = '|', value = {
            // the problem's detail says it all
            "404|{\"type\":\"https://pgherd.io/problems/unknown-user\",\"title\":\"No such user\",\"status\":404,\"detail\":\"no user bob\"}"
                    + "|no user bob",
            "409|{\"title\":\"Conflict\",\"detail\":\"user bob exists\"}|user bob exists",
            // a bad field: what was expected, unless the detail says it already
            "400|{\"detail\":\"role is missing\",\"field\":\"role\",\"expected\":\"viewer, operator or admin\"}"
                    + "|role is missing (expected viewer, operator or admin)",
            "400|{\"detail\":\"role must be viewer, operator or admin (got x)\",\"field\":\"role\",\"expected\":\"viewer, operator or admin\"}"
                    + "|role must be viewer, operator or admin (got x)",
            // no detail: the title
            "409|{\"title\":\"The cluster does not allow this now\"}|The cluster does not allow this now",
            // refused token: where it came from, never the token
            "401|{\"title\":\"Authentication required\",\"detail\":\"token expired\"}"
                    + "|token expired (the token from PGHERD_TOKEN was refused: give another with --token or PGHERD_TOKEN)",
            "403|{\"detail\":\"role viewer may not do this; it needs operator\"}|role viewer may not do this; it needs operator",
            "403|{\"detail\":\"not allowed\"}|not allowed (the token's user has too low a role)",
            // not problem details at all: the status, and which API said it
            "502|<html>Bad Gateway</html>|the cluster API at http://127.0.0.1:8020 answered HTTP 502",
            "500||the cluster API at http://127.0.0.1:8020 answered HTTP 500",
            "404|[1,2]|the cluster API at http://127.0.0.1:8020 answered HTTP 404"})
    void anAnswerThatIsNotASuccessIsOneLine(int status, String body, String line) {
        assertThat(ApiClient.problemLine(status, body, BASE, "PGHERD_TOKEN")).isEqualTo(line);
    }

    @Test
    void noReachableControllerSaysSoAndHowToStartOne() {
        assertThat(ApiClient.noController(List.of("http://127.0.0.1:8020", "http://127.0.0.1:8021")))
                .isEqualTo("no controller answers at http://127.0.0.1:8020, http://127.0.0.1:8021: start one with 'pgherd"
                        + " controller --config FILE' (with controller.api.listen set), or 'pgherd up' for a local cluster");
    }

    @Test
    void namesInPathsArePercentEncoded() {
        assertThat(ApiClient.segment("alice")).isEqualTo("alice");
        assertThat(ApiClient.segment("a.b-c_d@e")).isEqualTo("a.b-c_d%40e");
        assertThat(ApiClient.segment("a/b c")).isEqualTo("a%2Fb%20c");
        assertThat(ApiClient.segment("é")).isEqualTo("%C3%A9");
    }
}
