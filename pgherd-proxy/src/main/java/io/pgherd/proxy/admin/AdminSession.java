package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgherd.protocol.CommandComplete;
import io.pgherd.protocol.DataRow;
import io.pgherd.protocol.EmptyQueryResponse;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.FailureText;
import io.pgherd.protocol.FormatCode;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.ProtocolException;
import io.pgherd.protocol.Query;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.RowDescription;

/**
 * The admin console: the virtual database {@code pgherd}, spoken to with the normal wire protocol
 * (simple queries), for users listed in {@code proxy.admin_users}. Runs on its channel's event
 * loop; commands that wait complete later without blocking it.
 */
public final class AdminSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminSession.class);
    private static final List<AdminCommand> COMMANDS = List.of(new ShowPools(), new ShowClients(), new ShowServers(),
            new ShowStats(), new ShowConfig(), new ShowPins(), new ShowNodes(), new ShowRouting(), new ExplainRoute(),
            new PauseResume.Pause(), new PauseResume.Resume(), new Drain.On(), new Drain.Off(), new Reload(), new Kill());
    private static final List<Pattern> PATTERNS = COMMANDS.stream()
            .map(c -> Pattern.compile("\\s*" + c.pattern() + "\\s*;?\\s*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL)).toList();

    private final AdminContext proxy;
    private final Channel channel;
    private final String user;

    public AdminSession(AdminContext proxy, Channel channel, String user) {
        this.proxy = proxy;
        this.channel = channel;
        this.user = user;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        try {
            switch (frame.type()) {
                case 'Q' -> run(Query.decode(frame.content().duplicate()).query());
                case 'X' -> ctx.close();
                default -> {
                    ctx.writeAndFlush(ErrorResponse.pgherdFatal("0A000", "the admin console speaks the simple query"
                            + " protocol only")).addListener(ChannelFutureListener.CLOSE);
                }
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProtocolException e) {
            ctx.writeAndFlush(e.toErrorResponse()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void run(String sql) {
        if (sql.isBlank()) {
            channel.write(new EmptyQueryResponse());
            channel.writeAndFlush(ReadyForQuery.IDLE);
            return;
        }
        CompletableFuture<AdminResult> result = null;
        if (sql.strip().replaceAll(";$", "").equalsIgnoreCase("show help")) {
            List<List<String>> rows = new ArrayList<>();
            COMMANDS.forEach(c -> rows.add(List.of(c.help())));
            result = CompletableFuture.completedFuture(AdminResult.table(List.of("command"), rows));
        }
        for (int i = 0; result == null && i < COMMANDS.size(); i++) {
            Matcher m = PATTERNS.get(i).matcher(sql);
            if (m.matches()) {
                log.info("admin {}: {}", user, sql.strip());
                try {
                    result = COMMANDS.get(i).run(proxy, m);
                } catch (RuntimeException e) {
                    result = CompletableFuture.failedFuture(e);
                }
            }
        }
        if (result == null) {
            result = CompletableFuture.failedFuture(new IllegalArgumentException("unknown admin command: "
                    + sql.strip() + " (SHOW HELP lists them)"));
        }
        result.whenComplete((r, e) -> channel.eventLoop().execute(() -> answer(r, e)));
    }

    private void answer(AdminResult result, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            channel.write(ErrorResponse.pgherdError(cause instanceof IllegalArgumentException ? "42601" : "XX000",
                    FailureText.describe(cause)));
        } else {
            if (!result.columns().isEmpty()) {
                List<RowDescription.Field> fields = new ArrayList<>();
                for (String column : result.columns()) {
                    fields.add(new RowDescription.Field(column, 0, (short) 0, 25, (short) -1, -1, FormatCode.TEXT));
                }
                channel.write(new RowDescription(fields));
                for (List<String> row : result.rows()) {
                    List<byte[]> values = new ArrayList<>();
                    for (String v : row) {
                        values.add(v == null ? null : v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                    channel.write(new DataRow(values));
                }
            }
            String tag = result.tag().equals("SHOW") ? "SHOW" : result.tag().toUpperCase(Locale.ROOT);
            channel.write(new CommandComplete(tag));
        }
        channel.writeAndFlush(ReadyForQuery.IDLE);
    }
}
