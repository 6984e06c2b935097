package io.pgherd.proxy.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgherd.protocol.BackendMessage;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.StartupMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

/**
 * A blocking protocol 3.0 connection over a plain socket, for logging in to a real server message
 * by message in tests, or for playing a server towards a real client. Not thread-safe.
 */
final class WireConnection implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private WireConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port} and sends a StartupMessage for user and database. */
    static WireConnection startup(int port, String user, String database) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        WireConnection connection = new WireConnection(socket);
        connection.send(new StartupMessage(Map.of("user", user, "database", database)));
        return connection;
    }

    /** Wraps a socket a test server accepted. */
    static WireConnection accepted(Socket socket) throws IOException {
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return new WireConnection(socket);
    }

    void send(PgMessage message) throws IOException {
        ByteBuf buffer = Unpooled.buffer();
        try {
            message.encode(buffer);
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            out.write(bytes);
            out.flush();
        } finally {
            buffer.release();
        }
    }

    /** The next message from the server. */
    BackendMessage receive() throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        byte[] body = new byte[length - Integer.BYTES];
        in.readFully(body);
        Frame frame = new Frame(type, Unpooled.wrappedBuffer(body));
        try {
            return BackendMessage.decode(frame);
        } finally {
            frame.release();
        }
    }

    /** The next message, which must be of {@code type}. */
    <T extends BackendMessage> T receive(Class<T> type) throws IOException {
        BackendMessage message = receive();
        if (!type.isInstance(message)) {
            throw new AssertionError("expected " + type.getSimpleName() + " from the server (got "
                    + message + ")");
        }
        return type.cast(message);
    }

    /** The body of the next typed message, which must be of {@code type}. */
    ByteBuf receiveBody(char type) throws IOException {
        byte actual = in.readByte();
        if (actual != type) {
            throw new AssertionError("expected message '" + type + "' (got '" + (char) actual
                    + "')");
        }
        byte[] body = new byte[in.readInt() - Integer.BYTES];
        in.readFully(body);
        return Unpooled.wrappedBuffer(body);
    }

    /** The code of the next startup packet (e.g. 196608 for protocol 3.0); skips the rest. */
    int receiveStartupCode() throws IOException {
        int length = in.readInt();
        int code = in.readInt();
        in.readFully(new byte[length - 2 * Integer.BYTES]);
        return code;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
