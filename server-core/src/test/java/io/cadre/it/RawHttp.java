package io.cadre.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client on plain sockets, so a test controls exactly which TCP connection a
 * request uses: {@link #get} opens a fresh connection per request, {@link Connection} keeps one.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** A response: status, headers (lower-case names) and body. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** GET {@code path} on a fresh connection that is closed afterwards. */
    public static Response get(int port, String path) throws IOException {
        return request(port, "GET", path, null, 10_000);
    }

    public static Response request(int port, String method, String path, String body, int timeoutMillis) throws IOException {
        try (Connection c = new Connection(port, timeoutMillis)) {
            return c.send(method, path, body, true);
        }
    }

    /** One keep-alive connection. Not thread-safe. */
    public static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        public Connection(int port, int timeoutMillis) throws IOException {
            socket = new Socket();
            socket.setSoTimeout(timeoutMillis);
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        public Response get(String path) throws IOException {
            return send("GET", path, null, false);
        }

        public Response send(String method, String path, String body, boolean close) throws IOException {
            return send(method, path, body, close, body == null ? Map.of() : Map.of("Content-Type", "application/json"));
        }

        /** Sends a request with {@code headers} (a body gets its Content-Length) and reads the response. */
        public Response send(String method, String path, String body, boolean close, Map<String, String> headers) throws IOException {
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
            if (close) {
                head.append("Connection: close\r\n");
            }
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            return read();
        }

        /** Whether the server closed this connection (reads end of stream). */
        public boolean closedByServer() throws IOException {
            return in.read() < 0;
        }

        private Response read() throws IOException {
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            String line;
            while ((line = line()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("connection closed inside a response body");
            }
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String s = buf.toString(StandardCharsets.US_ASCII);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                buf.write(b);
            }
            return buf.size() == 0 ? null : buf.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
