package io.pgherd.proxy.pooling;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgherd.protocol.AuthenticationOk;
import io.pgherd.protocol.AuthenticationSASL;
import io.pgherd.protocol.AuthenticationSASLContinue;
import io.pgherd.protocol.AuthenticationSASLFinal;
import io.pgherd.protocol.BackendMessage;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.SASLInitialResponse;
import io.pgherd.protocol.SASLResponse;
import io.pgherd.protocol.StartupMessage;
import io.pgherd.proxy.auth.ScramClientExchange;

/**
 * A client on a plain socket that can say anything, hostile bytes included: it logs in with SCRAM
 * like libpq, then sends raw bytes and reads raw messages. Not thread-safe.
 */
final class RawClient implements AutoCloseable {
    /** One message from the proxy: its type and body. */
    record Message(char type, byte[] body) {
        /** The fields of an ErrorResponse or NoticeResponse, by field code. */
        Map<Character, String> fields() {
            Map<Character, String> fields = new LinkedHashMap<>();
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char code = (char) body[i++];
                int end = i;
                while (body[end] != 0) {
                    end++;
                }
                fields.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
                i = end + 1;
            }
            return fields;
        }

        String sqlState() {
            return fields().get('C');
        }

        @Override
        public String toString() {
            return type == 'E' || type == 'N' ? type + fields().toString() : type + "(" + body.length + " bytes)";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects without sending anything. */
    static RawClient connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        return new RawClient(socket);
    }

    /** Connects and logs in with SCRAM-SHA-256, reading up to the first ReadyForQuery. */
    static RawClient login(int port, String user, String password, String database) throws IOException {
        RawClient client = connect(port);
        client.send(new StartupMessage(Map.of("user", user, "database", database)));
        client.expect(AuthenticationSASL.class);
        ScramClientExchange scram = ScramClientExchange.withPassword(password);
        client.send(new SASLInitialResponse(ScramClientExchange.MECHANISM, scram.clientFirst()));
        AuthenticationSASLContinue serverFirst = client.expect(AuthenticationSASLContinue.class);
        client.send(new SASLResponse(scram.clientFinal(serverFirst.data())));
        scram.verifyServerFinal(client.expect(AuthenticationSASLFinal.class).data());
        client.expect(AuthenticationOk.class);
        Message m;
        do {
            m = client.receive();
            if (m.type() == 'E') {
                throw new IOException("login failed: " + m);
            }
        } while (m.type() != 'Z');
        return client;
    }

    Socket socket() {
        return socket;
    }

    InputStream input() {
        return in;
    }

    void send(PgMessage message) throws IOException {
        ByteBuf buffer = Unpooled.buffer();
        try {
            message.encode(buffer);
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            sendRaw(bytes);
        } finally {
            buffer.release();
        }
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A simple Query message. */
    void query(String sql) throws IOException {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        ByteBuf b = Unpooled.buffer();
        try {
            b.writeByte('Q').writeInt(4 + text.length + 1).writeBytes(text).writeByte(0);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            sendRaw(bytes);
        } finally {
            b.release();
        }
    }

    Message receive() throws IOException {
        char type = (char) in.readUnsignedByte();
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message(type, body);
    }

    /**
     * Reads messages until an ErrorResponse, which it returns, failing if the connection ends first
     * or a ReadyForQuery comes.
     */
    Message receiveError() throws IOException {
        while (true) {
            Message m;
            try {
                m = receive();
            } catch (EOFException e) {
                throw new AssertionError("the connection closed without an ErrorResponse", e);
            }
            if (m.type() == 'E') {
                return m;
            }
            if (m.type() == 'Z') {
                throw new AssertionError("got ReadyForQuery where an ErrorResponse was expected");
            }
        }
    }

    /** Whether the proxy closed the connection (end of stream or reset) within the socket timeout, discarding anything before. */
    boolean closedByPeer() throws IOException {
        try {
            while (in.read() >= 0) {
                // whatever is still in flight
            }
            return true;
        } catch (SocketException e) {
            return true;
        }
    }

    private <T extends BackendMessage> T expect(Class<T> type) throws IOException {
        Message m = receive();
        Frame frame = new Frame((byte) m.type(), Unpooled.wrappedBuffer(m.body()));
        BackendMessage decoded;
        try {
            decoded = BackendMessage.decode(frame);
        } finally {
            frame.release();
        }
        if (!type.isInstance(decoded)) {
            throw new IOException("expected " + type.getSimpleName() + ", got " + m);
        }
        return type.cast(decoded);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
