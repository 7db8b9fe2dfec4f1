package io.cadre.samples;

import io.cadre.App;
import io.cadre.Cadre;
import io.cadre.CpuBound;
import io.cadre.DELETE;
import io.cadre.Filter;
import io.cadre.GET;
import io.cadre.HeaderParam;
import io.cadre.HttpException;
import io.cadre.POST;
import io.cadre.PUT;
import io.cadre.Path;
import io.cadre.PathParam;
import io.cadre.QueryParam;
import io.cadre.Request;
import io.cadre.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small service that shows Cadre's routes: an annotated route class, path, query and header
 * parameters, a JSON body bound to a record, a filter (an API key and a timing header), an
 * exception mapper, and a {@code @CpuBound} route.
 *
 * <p>Its books live in each worker's memory, so two workers hold two different shelves: state that
 * must be shared belongs in Redis (the state module). Start it with
 * {@code java -cp samples/target/cadre-samples.jar io.cadre.samples.Bookstore --port 8080}.
 */
public final class Bookstore {
    private Bookstore() {
    }

    /** A book as clients send it. */
    public record NewBook(String title, String author, int year) {
    }

    /** A stored book. */
    public record Book(UUID id, String title, String author, int year) {
    }

    /** The order of a listing. */
    public enum Order { TITLE, YEAR }

    /** Thrown for an unknown book id; the app maps it to a 404. */
    public static final class NoSuchBook extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoSuchBook(UUID id) {
            super("no book " + id);
        }
    }

    @Path("/books")
    public static final class BookRoutes {
        private final Map<UUID, Book> books = new ConcurrentHashMap<>();

        @GET
        public List<Book> list(@QueryParam(value = "order", defaultValue = "title") Order order,
                @QueryParam(value = "limit", defaultValue = "100") int limit) {
            if (limit < 1 || limit > 1000) {
                throw new HttpException(400, "query parameter 'limit' must be between 1 and 1000");
            }
            return books.values().stream()
                    .sorted(order == Order.TITLE
                            ? java.util.Comparator.comparing(Book::title)
                            : java.util.Comparator.comparingInt(Book::year))
                    .limit(limit)
                    .toList();
        }

        @GET("/{id}")
        public Book get(@PathParam("id") UUID id) {
            Book book = books.get(id);
            if (book == null) {
                throw new NoSuchBook(id);
            }
            return book;
        }

        @POST
        public Response add(NewBook book) {
            requireTitle(book);
            Book stored = new Book(UUID.randomUUID(), book.title(), book.author(), book.year());
            books.put(stored.id(), stored);
            return Response.json(stored).withStatus(201).withHeader("Location", "/books/" + stored.id());
        }

        @PUT("/{id}")
        public Book replace(@PathParam("id") UUID id, NewBook book) {
            requireTitle(book);
            get(id);
            Book stored = new Book(id, book.title(), book.author(), book.year());
            books.put(id, stored);
            return stored;
        }

        /** Every stored book has a title: the list sorts by it. */
        private static void requireTitle(NewBook book) {
            if (book.title() == null || book.title().isBlank()) {
                throw new HttpException(400, "JSON field 'title' is required");
            }
        }

        @DELETE("/{id}")
        public void remove(@PathParam("id") UUID id) {
            if (books.remove(id) == null) {
                throw new NoSuchBook(id);
            }
        }

        /** A deliberately CPU-heavy route: a key stretched by many rounds of SHA-256. */
        @GET("/{id}/fingerprint")
        @CpuBound(queue = 16)
        public Map<String, String> fingerprint(@PathParam("id") UUID id,
                @QueryParam(value = "rounds", defaultValue = "100000") int rounds) throws NoSuchAlgorithmException {
            if (rounds < 1 || rounds > 5_000_000) {
                throw new HttpException(400, "query parameter 'rounds' must be between 1 and 5000000");
            }
            Book book = get(id);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = (book.title() + "/" + book.author()).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < rounds; i++) {
                digest = sha.digest(digest);
            }
            return Map.of("id", id.toString(), "fingerprint", HexFormat.of().formatHex(digest));
        }

        /** Echoes the caller's user agent: a header parameter. */
        @GET("/agent")
        public String agent(@HeaderParam(value = "User-Agent", defaultValue = "unknown") String agent) {
            return agent;
        }
    }

    /** Refuses writes without the API key from BOOKSTORE_API_KEY (when set), and times every route. */
    static Filter apiKeyAndTiming(String apiKey) {
        return (Request request, Filter.Chain next) -> {
            boolean write = !request.method().equals("GET") && !request.method().equals("HEAD");
            if (write && apiKey != null && !apiKey.equals(request.header("X-Api-Key"))) {
                throw new HttpException(401, "writes need the X-Api-Key header");
            }
            long start = System.nanoTime();
            Object result = next.proceed();
            return Response.from(result).withHeader("Server-Timing", "app;dur=" + (System.nanoTime() - start) / 1_000_000.0);
        };
    }

    public static App app() {
        return App.builder()
                .routes(new BookRoutes())
                .filter(apiKeyAndTiming(System.getenv("BOOKSTORE_API_KEY")))
                .exceptionMapper(NoSuchBook.class, (e, request) ->
                        Response.json(Map.of("type", "about:blank", "title", "Not Found", "status", 404, "detail", e.getMessage()))
                                .withStatus(404).withHeader("Content-Type", "application/problem+json"))
                .build();
    }

    public static void main(String[] args) {
        Cadre.run(app(), args);
    }
}
