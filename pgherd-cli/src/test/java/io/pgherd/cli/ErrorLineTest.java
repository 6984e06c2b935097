package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link Main#errorLine}: what a failed command prints. A bug's exception text names Java classes
 * ({@code Cannot invoke "java.lang.Double.doubleValue()"} once reached a user of {@code pgherd status}); a failure
 * with the user's words is printed as it is.
 */
class ErrorLineTest {
    private static final String INTERNAL = "pgherd: internal error (a bug in pgherd; please report it with the command you ran)";

    @Test
    void aFailureSaysItsOwnMessage() {
        assertThat(Main.errorLine(new CommandFailure("the cluster in /tmp/c is not running"))).isEqualTo(
                "pgherd: the cluster in /tmp/c is not running");
    }

    @Test
    void aBugNamesNoJavaClass() {
        String npe;
        try {
            Double missing = null;
            npe = Double.toString(missing);
        } catch (NullPointerException e) {
            npe = Main.errorLine(e);
        }
        assertThat(npe).isEqualTo(INTERNAL).doesNotContain("java.");
        assertThat(Main.errorLine(new ClassCastException("class java.lang.String cannot be cast to class java.lang.Long")))
                .isEqualTo(INTERNAL);
        assertThat(Main.errorLine(new IllegalStateException())).as("no message").isEqualTo(INTERNAL);
    }
}
