package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.GET;
import io.cadre.NonBlocking;
import io.cadre.POST;
import io.cadre.QueryParam;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A corpus of bad requests: each gets its 4xx (or a closed connection), the server stays up, the heap does not grow. */
class BadInputTest {
    record Order(String item, int quantity) {
    }

    public static final class Routes {
        @POST("/orders")
        public Order order(Order order) {
            return order;
        }

        @GET("/search")
        public String search(@QueryParam(value = "page", defaultValue = "1") int page) {
            return "page " + page;
        }

        @GET("/plaintext")
        @NonBlocking
        public String plaintext() {
            return "Hello, World!";
        }
    }

    static List<byte[]> corpus() {
        List<byte[]> c = new ArrayList<>();
        String json = "Content-Type: application/json\r\n";
        c.add(post("/orders", json, "{\"item\":"));                               // malformed JSON
        c.add(post("/orders", json, "{\"item\":\"x\",\"quantity\":\"lots\"}"));    // wrong type
        c.add(post("/orders", json, "[1,2,3]"));                                   // wrong shape
        c.add(post("/orders", json, "\u0000\u0001garbage"));                       // not JSON at all
        c.add(post("/orders", "Content-Type: text/plain\r\n", "item=x"));          // wrong content type
        c.add(post("/orders", json, "{\"item\":\"" + "x".repeat(2_000_000) + "\"}")); // huge body
        c.add(raw("GET /search?page=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        c.add(raw("GET /search?" + "p=1&".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        c.add(raw("GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\nConnection: close\r\n\r\n"));
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            headers.append("X-H").append(i).append(": v\r\n");
        }
        c.add(raw("GET /plaintext HTTP/1.1\r\nHost: x\r\n" + headers + "Connection: close\r\n\r\n"));
        c.add(raw("GET /plain text HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));  // unescaped space
        c.add(raw("GET /%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));         // bad escape
        c.add(raw("BREW /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));  // unknown method
        c.add(raw("GET /plaintext HTTP/1.1\r\nConnection: close\r\n\r\n"));              // no Host
        c.add(raw("this is not HTTP\r\n\r\n"));
        return c;
    }

    @Test
    void everyBadRequestGetsA4xxTheServerStaysUpAndTheHeapDoesNotGrow() throws Exception {
        try (TestServer server = new TestServer(App.builder().routes(new Routes()).build(), CadreConfig.builder().workers(1)
                .compute(CadreConfig.Compute.DEFAULTS.withThreads(1)).build())) {
            List<byte[]> corpus = corpus();
            for (byte[] request : corpus) {
                int status = statusOf(server.port, request);
                assertThat(status).as(new String(request, 0, Math.min(80, request.length), StandardCharsets.ISO_8859_1))
                        .satisfiesAnyOf(s -> assertThat(s).isBetween(400, 499), s -> assertThat(s).isEqualTo(-1));
            }
            long before = usedHeapAfterGc();
            for (int round = 0; round < 20; round++) {
                for (byte[] request : corpus) {
                    statusOf(server.port, request);
                }
            }
            long after = usedHeapAfterGc();
            assertThat(after - before).as("heap growth after 20 rounds of the corpus").isLessThan(16L * 1024 * 1024);
            assertThat(statusOf(server.port, raw("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))).isEqualTo(200);
        }
    }

    /** The response status, or -1 when the server closed the connection without one. */
    static int statusOf(int port, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // the server may close a connection mid-request (too large); read what it said
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            try {
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    head.write(b);
                }
            } catch (IOException e) {
                return -1;
            }
            String line = head.toString(StandardCharsets.ISO_8859_1);
            return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : -1;
        }
    }

    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    static byte[] post(String path, String headers, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return raw("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n" + body);
    }

    static byte[] raw(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
