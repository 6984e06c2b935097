package io.pgherd.proxy.frontend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.pgherd.protocol.ErrorFields;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.NoticeResponse;

/**
 * A test hook: appends the text of every ErrorResponse and NoticeResponse written to a client to the
 * file named by the environment variable {@value #VARIABLE}, one line each, so that the test suite
 * can check that no Java class name or stack frame ever reaches a client (the build sets it for the
 * tests and their child processes; nothing is installed when it is unset). Sees the typed messages
 * and the {@link Frame}s the proxy makes up; raw bytes relayed from a server pass unread.
 *
 * <p>A line is {@code severity sqlstate message[ | detail][ | hint]}, newlines and tabs written as
 * {@code \n} and {@code \t}; each is one append, so processes may share the file. The write is
 * blocking I/O on the event loop, acceptable only because this runs in tests. Sharable, stateless.
 */
@Sharable
public final class ClientMessageLog extends ChannelOutboundHandlerAdapter {
    /** The environment variable naming the file. */
    public static final String VARIABLE = "PGHERD_CLIENT_MESSAGE_LOG";
    private static final Logger log = LoggerFactory.getLogger(ClientMessageLog.class);

    private final Path file;

    private ClientMessageLog(Path file) {
        this.file = file;
    }

    /** The handler when {@value #VARIABLE} names a file, else empty. */
    public static Optional<ClientMessageLog> fromEnvironment(Map<String, String> environment) {
        String path = environment.get(VARIABLE);
        return path == null || path.isBlank() ? Optional.empty() : Optional.of(new ClientMessageLog(Path.of(path)));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ErrorFields fields) {
            append(fields);
        } else if (msg instanceof Frame frame && (frame.type() == ErrorResponse.TYPE || frame.type() == NoticeResponse.TYPE)) {
            append(frame.type() == ErrorResponse.TYPE ? ErrorResponse.decode(frame.content().duplicate())
                    : NoticeResponse.decode(frame.content().duplicate()));
        }
        ctx.write(msg, promise);
    }

    /** The line written for {@code message}. */
    static String line(ErrorFields message) {
        String text = Stream.of(ErrorFields.MESSAGE, ErrorFields.DETAIL, ErrorFields.HINT)
                .map(message::field).flatMap(Optional::stream).collect(Collectors.joining(" | "));
        return (message.severity() + " " + message.code() + " " + text).replace("\\", "\\\\").replace("\n", "\\n")
                .replace("\t", "\\t").replace("\r", "\\r") + "\n";
    }

    private void append(ErrorFields message) {
        try {
            Files.write(file, line(message).getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            log.warn("could not append to {} ({}): {}", file, VARIABLE, e.getMessage());
        }
    }
}
