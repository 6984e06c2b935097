package io.pgherd.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.NoticeResponse;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.proxy.session.Frames;

class ClientMessageLogTest {
    @TempDir
    Path dir;

    @Test
    void nothingIsInstalledUnlessTheVariableNamesAFile() {
        assertThat(ClientMessageLog.fromEnvironment(Map.of())).isEmpty();
        assertThat(ClientMessageLog.fromEnvironment(Map.of(ClientMessageLog.VARIABLE, " "))).isEmpty();
    }

    @Test
    void errorsAndNoticesWrittenAsMessagesOrFramesAreAppendedOneLineEach() throws IOException {
        Path file = dir.resolve("client-messages.log");
        EmbeddedChannel channel = new EmbeddedChannel(ClientMessageLog.fromEnvironment(
                Map.of(ClientMessageLog.VARIABLE, file.toString())).orElseThrow());
        Map<Byte, String> notice = new LinkedHashMap<>();
        notice.put(NoticeResponse.SEVERITY_NON_LOCALIZED, "WARNING");
        notice.put(NoticeResponse.CODE, "01000");
        notice.put(NoticeResponse.MESSAGE, "pgherd: careful\n\tat line two");
        notice.put(NoticeResponse.HINT, "a hint");
        channel.writeOutbound(ErrorResponse.pgherdFatal("3D000", "no such thing"));
        channel.writeOutbound(Frames.of(new NoticeResponse(notice), channel.alloc()));
        channel.writeOutbound(Frames.of(ReadyForQuery.IDLE, channel.alloc()));
        assertThat(Files.readAllLines(file)).containsExactly("FATAL 3D000 pgherd: no such thing",
                "WARNING 01000 pgherd: careful\\n\\tat line two | a hint");
        // Everything passes on unchanged.
        Object first = channel.readOutbound();
        assertThat(first).isInstanceOf(ErrorResponse.class);
        for (Object frame = channel.readOutbound(); frame != null; frame = channel.readOutbound()) {
            ReferenceCountUtil.release(frame);
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
