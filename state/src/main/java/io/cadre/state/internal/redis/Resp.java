package io.cadre.state.internal.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny blocking RESP2 client for Cadre's own housekeeping (PING, AUTH, SHUTDOWN, CLUSTER
 * commands), so that starting and stopping a redis-server needs no client library. Application
 * data goes through Redisson, never through this class.
 *
 * <p>Replies map to Java as: simple string and bulk string to {@link String} (UTF-8), null bulk
 * string and null array to {@code null}, integer to {@link Long}, array to {@code List<Object>};
 * an error reply throws {@link ErrorReply}. Every read and the connect are bounded by the timeout
 * given to {@link #connect}.
 *
 * <p>Not thread-safe: one connection belongs to one thread at a time.
 */
public final class Resp implements AutoCloseable {
    /** The largest bulk string or array accepted, so that a confused peer cannot exhaust memory. */
    static final int MAX_LENGTH = 64 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Resp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    /** An error reply of the server ({@code -ERR ...}, {@code -WRONGPASS ...}). */
    public static final class ErrorReply extends IOException {
        private static final long serialVersionUID = 1L;

        ErrorReply(String message) {
            super(message);
        }

        /** The first word of the error, e.g. {@code ERR}, {@code NOAUTH}, {@code WRONGPASS}. */
        public String code() {
            String m = getMessage();
            int space = m.indexOf(' ');
            return space < 0 ? m : m.substring(0, space);
        }
    }

    /**
     * Connects to {@code host:port}.
     *
     * @param timeoutMillis the connect timeout and the read timeout of every reply. UNIT: ms.
     */
    public static Resp connect(String host, int port, int timeoutMillis) throws IOException {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be positive, was " + timeoutMillis);
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            return new Resp(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Connects and authenticates with {@code password} (the {@code default} user). */
    public static Resp connect(String host, int port, String password, int timeoutMillis) throws IOException {
        Resp resp = connect(host, port, timeoutMillis);
        try {
            resp.call("AUTH", password);
            return resp;
        } catch (IOException | RuntimeException e) {
            resp.close();
            throw e;
        }
    }

    /** Sends one command and returns its reply; see the class description for the mapping. */
    public Object call(String... command) throws IOException {
        if (command.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        write(command);
        return read();
    }

    /** Sends one command without waiting for a reply (for {@code SHUTDOWN}, which closes the connection). */
    public void send(String... command) throws IOException {
        write(command);
    }

    private void write(String[] command) throws IOException {
        out.write(('*' + Integer.toString(command.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : command) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the server");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new ErrorReply(line);
            case ':' -> Long.parseLong(line);
            case '$' -> bulk(length(line));
            case '*' -> array(length(line));
            default -> throw new IOException("not a RESP reply: type byte " + type);
        };
    }

    private String bulk(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] bytes = in.readNBytes(length + 2);
        if (bytes.length != length + 2) {
            throw new EOFException("connection closed inside a bulk string");
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private List<Object> array(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        List<Object> items = new ArrayList<>(Math.min(length, 1024));
        for (int i = 0; i < length; i++) {
            try {
                items.add(read());
            } catch (ErrorReply e) {
                items.add(e); // an error inside an array (EXEC) is a value, not a failure of the call
            }
        }
        return items;
    }

    private static int length(String line) throws IOException {
        long n;
        try {
            n = Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new IOException("bad RESP length: " + line);
        }
        if (n < -1 || n > MAX_LENGTH) {
            throw new IOException("RESP length out of range: " + n);
        }
        return (int) n;
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a reply line");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("RESP line not ended by CRLF");
                }
                return buf.toString(StandardCharsets.UTF_8);
            }
            if (buf.size() >= MAX_LENGTH) {
                throw new IOException("RESP line too long");
            }
            buf.write(b);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
