package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cadre.App;
import io.cadre.CadreConfig;
import io.cadre.CpuBound;
import io.cadre.DELETE;
import io.cadre.ExecutionModel;
import io.cadre.GET;
import io.cadre.HeaderParam;
import io.cadre.HttpException;
import io.cadre.NonBlocking;
import io.cadre.PATCH;
import io.cadre.POST;
import io.cadre.PUT;
import io.cadre.Path;
import io.cadre.PathParam;
import io.cadre.QueryParam;
import io.cadre.Request;
import io.cadre.Response;
import io.cadre.Worker;
import io.cadre.internal.util.Json;
import io.cadre.it.RawHttp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Annotated routes end to end on one in-process worker server: binding, return values, errors, filters, models. */
class RoutesTest {
    enum Color { RED, GREEN }

    record Item(String name, int count) {
    }

    static final class Teapot extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    static final List<String> FILTER_LOG = Collections.synchronizedList(new ArrayList<>());

    @Path("/t")
    public static final class Routes {
        @GET("/long/{id}")
        public String pathLong(@PathParam("id") long id) {
            return "long " + id;
        }

        @GET("/uuid/{id}")
        public String pathUuid(@PathParam("id") UUID id) {
            return "uuid " + id;
        }

        @GET("/color/{c}")
        public Color pathEnum(@PathParam("c") Color c) {
            return c;
        }

        @GET("/query")
        public Map<String, Object> query(@QueryParam("i") int i, @QueryParam(value = "l", defaultValue = "7") long l,
                @QueryParam(value = "b", defaultValue = "false") boolean b, @QueryParam(value = "c", defaultValue = "red") Color c,
                @QueryParam("u") Optional<UUID> u, @QueryParam("s") String s, @QueryParam(value = "d", defaultValue = "1.5") double d) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("i", i);
            m.put("l", l);
            m.put("b", b);
            m.put("c", c);
            m.put("u", u.map(UUID::toString).orElse("none"));
            m.put("s", s == null ? "null" : s);
            m.put("d", d);
            return m;
        }

        @GET("/header")
        public String header(@HeaderParam("X-Who") String who, @HeaderParam(value = "X-Count", defaultValue = "3") int count) {
            return who + ":" + count;
        }

        @POST("/items")
        public Response create(Item item, Request request) {
            return Response.json(item).withStatus(201).withHeader("Location", request.path() + "/" + item.name());
        }

        @PUT("/items/{name}")
        public Item replace(@PathParam("name") String name, Item item) {
            return new Item(name, item.count());
        }

        @PATCH("/items/{name}")
        public List<Item> patch(@PathParam("name") String name, List<Item> items) {
            return items;
        }

        @DELETE("/items/{name}")
        public void delete(@PathParam("name") String name) {
        }

        @GET("/bytes")
        public byte[] bytes() {
            return new byte[] {1, 2, 3};
        }

        @GET("/async")
        public CompletionStage<Item> async() {
            return CompletableFuture.supplyAsync(() -> new Item("later", 1));
        }

        @GET("/async-response")
        public CompletionStage<Response> asyncResponse() {
            return CompletableFuture.supplyAsync(() -> Response.text("made").withStatus(201).withHeader("X-Inner", "1"));
        }

        @GET("/async-fail")
        public CompletionStage<Item> asyncFail() {
            return CompletableFuture.failedFuture(new HttpException(409, "conflict, later"));
        }

        @GET("/teapot")
        public String teapot() {
            throw new Teapot();
        }

        /** A stage that cannot become a CompletableFuture, which the CompletionStage contract allows. */
        @GET("/async-opaque")
        public CompletionStage<Item> asyncOpaque() {
            return new CompletableFuture<Item>() {
                @Override
                public CompletableFuture<Item> toCompletableFuture() {
                    throw new UnsupportedOperationException("not convertible");
                }
            };
        }

        @GET("/gone")
        public String gone() {
            throw new HttpException(410, "this item is gone");
        }

        @GET("/boom")
        public String boom() {
            throw new IllegalStateException("a secret");
        }

        @GET("/model/io")
        @NonBlocking
        public String io() {
            return Thread.currentThread().getName();
        }

        @GET("/model/worker")
        public String worker(Worker worker) {
            return Thread.currentThread().isVirtual() + " " + Thread.currentThread().getName() + " " + worker.id();
        }

        @GET("/model/compute")
        @CpuBound
        public String compute() {
            return Thread.currentThread().getName();
        }

        @GET("/denied")
        public String denied() {
            return "never";
        }
    }

    static TestServer server;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        App app = App.builder()
                .routes(new Routes())
                .get("/plain/{x}", req -> "plain " + req.pathParam("x"))
                .get("/plain-io", ExecutionModel.IO, req -> "io")
                .get("/health/db", req -> "db ok") // only /health/live and /health/ready are Cadre's
                .filter((req, next) -> {
                    FILTER_LOG.add("outer before " + req.path());
                    if (req.path().equals("/t/denied")) {
                        throw new HttpException(401, "no entry");
                    }
                    Object result = next.proceed();
                    FILTER_LOG.add("outer after " + req.path());
                    return Response.from(result).withHeader("X-Outer", "1");
                })
                .filter((req, next) -> {
                    FILTER_LOG.add("inner before " + req.path());
                    return next.proceed();
                })
                .exceptionMapper(Teapot.class, (e, req) -> Response.text("short and stout").withStatus(418))
                .build();
        server = new TestServer(app, CadreConfig.builder().workers(1)
                .http(CadreConfig.HttpLimits.DEFAULTS.withSizes(16_384, 4_096).withThreads(1, 128))
                .compute(CadreConfig.Compute.DEFAULTS.withThreads(2).withNiceness(0)).build());
        port = server.port;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anAsynchronousResponseBehindAFilterKeepsItsStatusBodyAndHeaders() throws Exception {
        RawHttp.Response r = get("/t/async-response");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("made");
        assertThat(r.header("X-Inner")).isEqualTo("1");
        assertThat(r.header("X-Outer")).as("the filter's header too").isEqualTo("1");
    }

    @Test
    void expectContinueGetsItsHundredBeforeTheBodyIsSent() throws Exception {
        byte[] body = "{\"name\":\"c\",\"count\":1}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("POST /t/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(in.readLine()).as("what comes before the body is sent").isEqualTo("HTTP/1.1 100 Continue");
            assertThat(in.readLine()).isEmpty();
            socket.getOutputStream().write(body);
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 201 Created");
        }
    }

    @Test
    void theAppMayRouteOtherHealthPaths() throws Exception {
        assertThat(get("/health/db").body()).isEqualTo("db ok");
        assertThat(get("/health/live").status()).isEqualTo(200);
        assertThat(get("/health/nothing").status()).isEqualTo(404);
    }

    @Test
    void aNullJsonBodyIsTheClientsMistake() throws Exception {
        RawHttp.Response r = send("POST", "/t/items", "null", Map.of("Content-Type", "application/json"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("the JSON body is null");
    }

    @Test
    void headerNamesMustBeTokens() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Response.text("x").withHeader("Bad Name", "v"))
                .hasMessageContaining("must be an HTTP token");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpException(400, "x", List.of(Map.entry("X-\u00e9", "v"))))
                .hasMessageContaining("must be an HTTP token");
    }

    @Test
    void pathParametersConvertToLongUuidAndEnums() throws Exception {
        assertThat(get("/t/long/42").body()).isEqualTo("long 42");
        UUID id = UUID.randomUUID();
        assertThat(get("/t/uuid/" + id).body()).isEqualTo("uuid " + id);
        assertThat(get("/t/color/green").body()).isEqualTo("\"GREEN\"");
        assertThat(get("/plain/x1").body()).isEqualTo("plain x1");
    }

    @Test
    void queryParametersConvertAndFallBackToDefaults() throws Exception {
        UUID id = UUID.randomUUID();
        JsonNode all = json(get("/t/query?i=1&l=2&b=true&c=GREEN&u=" + id + "&s=hi&d=2.5"));
        assertThat(all.toString()).isEqualTo("{\"i\":1,\"l\":2,\"b\":true,\"c\":\"GREEN\",\"u\":\"" + id + "\",\"s\":\"hi\",\"d\":2.5}");
        JsonNode defaults = json(get("/t/query?i=5"));
        assertThat(defaults.toString()).isEqualTo("{\"i\":5,\"l\":7,\"b\":false,\"c\":\"RED\",\"u\":\"none\",\"s\":\"null\",\"d\":1.5}");
    }

    @Test
    void badParametersAre400sThatNameThem() throws Exception {
        assertProblem(get("/t/long/abc"), 400, "path parameter 'id' must be an integer, was 'abc'");
        assertProblem(get("/t/uuid/nope"), 400, "path parameter 'id' must be a UUID, was 'nope'");
        assertProblem(get("/t/color/blue"), 400, "path parameter 'c' must be one of red, green, was 'blue'");
        assertProblem(get("/t/query"), 400, "query parameter 'i' is required");
        assertProblem(get("/t/query?i=1&b=maybe"), 400, "query parameter 'b' must be true or false, was 'maybe'");
        assertProblem(get("/t/query?i=99999999999"), 400, "query parameter 'i' must be an integer, was '99999999999'");
        assertProblem(send("GET", "/t/header", null, Map.of("X-Count", "x")), 400, "header 'X-Count' must be an integer, was 'x'");
    }

    @Test
    void headersBindWithDefaults() throws Exception {
        assertThat(send("GET", "/t/header", null, Map.of("X-Who", "me")).body()).isEqualTo("me:3");
    }

    @Test
    void jsonBodiesBindToRecordsAndLists() throws Exception {
        RawHttp.Response created = send("POST", "/t/items", "{\"name\":\"a\",\"count\":2}", Map.of("Content-Type", "application/json"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("location")).isEqualTo("/t/items/a");
        assertThat(created.body()).isEqualTo("{\"name\":\"a\",\"count\":2}");
        assertThat(send("PUT", "/t/items/b", "{\"count\":3}", Map.of("Content-Type", "application/json; charset=utf-8")).body())
                .isEqualTo("{\"name\":\"b\",\"count\":3}");
        assertThat(send("PATCH", "/t/items/b", "[{\"name\":\"x\",\"count\":1}]", Map.of("Content-Type", "application/vnd.x+json")).body())
                .isEqualTo("[{\"name\":\"x\",\"count\":1}]");
    }

    @Test
    void badBodiesAre400sOr415s() throws Exception {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertProblem(send("POST", "/t/items", "{\"name\":\"a\",", json), 400, "malformed JSON at line 1");
        assertProblem(send("POST", "/t/items", "{\"name\":\"a\",\"count\":\"many\"}", json), 400, "JSON field 'count' is invalid");
        assertProblem(send("POST", "/t/items", "{\"name\":\"a\",\"count\":null}", json), 400, "JSON field 'count' is invalid");
        assertProblem(send("POST", "/t/items", "{\"name\":\"a\",\"count\":1} []", json), 400, "the JSON body is invalid");
        assertProblem(send("POST", "/t/items", "", json), 400, "a JSON request body is required");
        assertProblem(send("POST", "/t/items", "name=a", Map.of("Content-Type", "application/x-www-form-urlencoded")), 415,
                "the request body must be application/json");
        assertProblem(send("POST", "/t/items", "{\"name\":\"" + "x".repeat(5_000) + "\"}", json), 413, "the request body is larger than the limit");
    }

    @Test
    void returnValuesMapToTextJsonBytesAndNoContent() throws Exception {
        assertThat(send("DELETE", "/t/items/a", null, Map.of()).status()).isEqualTo(204);
        RawHttp.Response bytes = get("/t/bytes");
        assertThat(bytes.header("content-type")).isEqualTo("application/octet-stream");
        assertThat(bytes.body()).isEqualTo("\u0001\u0002\u0003");
        assertThat(get("/t/async").body()).isEqualTo("{\"name\":\"later\",\"count\":1}");
        assertProblem(get("/t/async-fail"), 409, "conflict, later");
        // answered (500), not left in flight until the drain timeout
        assertThat(get("/t/async-opaque").status()).isEqualTo(500);
    }

    @Test
    void exceptionsMapToProblemsAndMappersAndNeverLeakDetails() throws Exception {
        assertProblem(get("/t/gone"), 410, "this item is gone");
        RawHttp.Response teapot = get("/t/teapot");
        assertThat(teapot.status()).isEqualTo(418);
        assertThat(teapot.body()).isEqualTo("short and stout");
        RawHttp.Response boom = get("/t/boom");
        assertThat(boom.status()).isEqualTo(500);
        assertThat(boom.body()).doesNotContain("secret").doesNotContain("IllegalState").doesNotContain("at io.");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405WithAllow() throws Exception {
        assertProblem(get("/t/nothing"), 404, "no route for /t/nothing");
        RawHttp.Response wrong = send("POST", "/t/long/1", "{}", Map.of("Content-Type", "application/json"));
        assertProblem(wrong, 405, "POST is not allowed on /t/long/1");
        assertThat(wrong.header("allow")).isEqualTo("GET, HEAD");
        assertThat(send("GET", "/t/items/a", null, Map.of()).header("allow")).isEqualTo("DELETE, PATCH, PUT");
    }

    @Test
    void filtersRunInOrderAroundTheRouteAndMayAnswerThemselves() throws Exception {
        FILTER_LOG.clear();
        RawHttp.Response r = get("/t/long/1");
        assertThat(r.header("x-outer")).isEqualTo("1");
        assertThat(FILTER_LOG).containsExactly("outer before /t/long/1", "inner before /t/long/1", "outer after /t/long/1");
        FILTER_LOG.clear();
        assertProblem(get("/t/denied"), 401, "no entry");
        assertThat(FILTER_LOG).containsExactly("outer before /t/denied");
    }

    @Test
    void eachModelRunsOnItsThreads() throws Exception {
        assertThat(get("/t/model/io").body()).isEqualTo("cadre-io-1");
        assertThat(get("/plain-io").body()).isEqualTo("io");
        assertThat(get("/t/model/worker").body()).matches("true cadre-vt-\\d+ 1");
        RawHttp.Response c = get("/t/model/compute");
        assertThat(c.body()).as("%s %s", c.status(), c.headers()).matches("cadre-compute-[12]");
    }

    static RawHttp.Response get(String path) throws Exception {
        return RawHttp.get(port, path);
    }

    static RawHttp.Response send(String method, String path, String body, Map<String, String> headers) throws Exception {
        try (RawHttp.Connection c = new RawHttp.Connection(port, 10_000)) {
            return c.send(method, path, body, true, headers);
        }
    }

    static JsonNode json(RawHttp.Response r) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    static void assertProblem(RawHttp.Response r, int status, String detailStart) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        JsonNode problem = Json.MAPPER.readTree(r.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asText()).startsWith(detailStart);
    }
}
