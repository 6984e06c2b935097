package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** An unreadable record is counted every time and logged once per key and reason, with both. */
class UnreadableRecordsTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(UnreadableRecords.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void countedEveryTimeLoggedOncePerKeyAndReason() {
        UnreadableRecords records = new UnreadableRecords();
        UnreadableRecordException broken = new UnreadableRecordException("/pgherd/main/members/n2", "Unexpected end-of-input");

        records.report(broken);
        records.report(broken);
        records.report(new UnreadableRecordException("/pgherd/main/members/n2", "it holds JSON null, not Member"));
        records.readable("/pgherd/main/members/n2");
        records.report(broken);

        assertThat(records.count()).isEqualTo(4);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "/pgherd/main/members/n2: unreadable record (Unexpected end-of-input); it is skipped until it is written again",
                "/pgherd/main/members/n2: unreadable record (it holds JSON null, not Member); it is skipped until it is written again",
                "/pgherd/main/members/n2: unreadable record (Unexpected end-of-input); it is skipped until it is written again");
    }
}
