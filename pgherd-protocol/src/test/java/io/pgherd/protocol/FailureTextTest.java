package io.pgherd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

class FailureTextTest {
    @Test
    void aWrapperCarryingItsCauseAsMessageLosesTheClassNames() {
        Throwable wrapped = new CompletionException(new IllegalStateException("auth_query failed: FATAL: database \"app\" does not exist"));
        assertThat(wrapped.getMessage()).startsWith("java.lang.IllegalStateException: ");
        assertThat(FailureText.describe(wrapped)).isEqualTo("auth_query failed: FATAL: database \"app\" does not exist");
    }

    @Test
    void nestedClassNamesInsideAMessageAreCutOut() {
        assertThat(FailureText.clean("I/O error: io.netty.handler.codec.DecoderException: io.pgherd.protocol.ProtocolException: bad length"))
                .isEqualTo("I/O error: bad length");
        assertThat(FailureText.clean("java.io.IOException: Connection reset by peer")).isEqualTo("Connection reset by peer");
    }

    @Test
    void stackLinesAreDroppedAndOtherLinesKept() {
        assertThat(FailureText.clean("boom\n\tat io.pgherd.Foo.bar(Foo.java:1)\nCaused by: java.io.IOException: x\n\t... 3 more"))
                .isEqualTo("boom");
        assertThat(FailureText.clean("invalid configuration (2 problems):\n  proxy.a: bad\n  proxy.b: worse"))
                .isEqualTo("invalid configuration (2 problems):\n  proxy.a: bad\n  proxy.b: worse");
    }

    @Test
    void aPlainMessageIsKeptAsItIs() {
        assertThat(FailureText.describe(new ConnectException("Connection refused: /127.0.0.1:5432")))
                .isEqualTo("Connection refused: /127.0.0.1:5432");
    }

    @Test
    void aMessageLessFailureTakesItsCausesMessage() {
        assertThat(FailureText.describe(new RuntimeException(null, new IOException("disk full")))).isEqualTo("disk full");
    }

    @Test
    void programmingErrorsAndSilentFailuresAreInternalErrors() {
        assertThat(FailureText.describe(new NullPointerException("Cannot invoke \"String.length()\" because \"s\" is null")))
                .isEqualTo(FailureText.INTERNAL);
        assertThat(FailureText.describe(new CompletionException(new ClassCastException("x")))).isEqualTo(FailureText.INTERNAL);
        assertThat(FailureText.describe(new IllegalStateException())).isEqualTo(FailureText.INTERNAL);
        assertThat(FailureText.describe(new RuntimeException("java.lang.IllegalStateException"))).isEqualTo(FailureText.INTERNAL);
    }
}
