package io.pgherd.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The extension as the test engine runs it: a test that leaks fails; a test during which nothing was
 * allocated is not collected on its own, yet a buffer it dropped is still found after the class.
 */
class NettyLeakDetectionExtensionTest {

    @Test
    void aTestThatLeaksABufferFails() {
        EngineExecutionResults results = run(LeakingTest.class);

        assertThat(results.testEvents().failed().count()).isEqualTo(1);
        assertThat(failure(results.testEvents().failed().stream().findFirst().orElseThrow()))
                .contains("leaked buffer(s) in leaks()").contains("LEAK: ByteBuf");
    }

    @Test
    void aBufferDroppedByATestThatAllocatedNothingIsFoundAfterTheClass() {
        EngineExecutionResults results = run(DropsALaterTest.class);

        assertThat(results.testEvents().succeeded().count()).as("both tests pass on their own").isEqualTo(2);
        Event classFailure = results.containerEvents().failed().stream().findFirst().orElseThrow();
        assertThat(failure(classFailure)).contains("leaked buffer(s) in NettyLeakDetectionExtensionTest$DropsALaterTest")
                .contains("keep");
    }

    private static EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(fixture)).execute();
    }

    private static String failure(Event event) {
        return event.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
    }

    /** Run only through {@link EngineTestKit}. */
    static class LeakingTest {
        @Test
        void leaks() {
            ByteBufAllocator.DEFAULT.buffer(16).writeLong(1);
        }
    }

    /** Run only through {@link EngineTestKit}: the first test keeps a buffer, the second drops it and allocates nothing. */
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class DropsALaterTest {
        private static ByteBuf kept;

        @Test
        @Order(1)
        void keep() {
            kept = ByteBufAllocator.DEFAULT.buffer(16).writeLong(2);
        }

        @Test
        @Order(2)
        void drop() {
            kept = null;
        }
    }
}
