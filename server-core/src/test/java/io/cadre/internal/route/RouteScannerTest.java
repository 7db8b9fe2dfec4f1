package io.cadre.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.CpuBound;
import io.cadre.ExecutionModel;
import io.cadre.GET;
import io.cadre.NonBlocking;
import io.cadre.POST;
import io.cadre.Path;
import io.cadre.PathParam;
import io.cadre.QueryParam;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteScannerTest {

    @Path("/items")
    static class Items {
        @GET("/{id}")
        public String get(@PathParam("id") long id) {
            return "item " + id;
        }

        @GET
        @NonBlocking
        public String list() {
            return "all";
        }

        @POST("/report")
        @CpuBound(maxConcurrency = 2, queue = 4, queueTimeoutMillis = 500)
        public String report(Item body) {
            return body.name();
        }

        public String notARoute() {
            return "";
        }
    }

    record Item(String name) {
    }

    @Test
    void annotatedMethodsBecomeRoutesWithTheirModels() {
        List<RouteSpec> routes = RouteScanner.scan(new Items());
        assertThat(routes).extracting(RouteSpec::toString).containsExactlyInAnyOrder("GET /items/{id}", "GET /items", "POST /items/report");
        RouteSpec report = routes.stream().filter(r -> r.method().equals("POST")).findFirst().orElseThrow();
        assertThat(report.model()).isEqualTo(ExecutionModel.COMPUTE);
        assertThat(report.compute()).isEqualTo(new RouteSpec.ComputeOptions(2, 4, 500));
        assertThat(report.source()).isEqualTo("Items.report(Item)");
        assertThat(routes.stream().filter(r -> r.template().toString().equals("/items")).findFirst().orElseThrow().model())
                .isEqualTo(ExecutionModel.IO);
    }

    static class MissingParam {
        @GET("/a/{id}")
        public String get(@PathParam("ident") String id) {
            return id;
        }
    }

    static class TwoVerbs {
        @GET("/a")
        @POST("/a")
        public String both() {
            return "";
        }
    }

    static class BadType {
        @GET("/a")
        public String get(@QueryParam("x") List<String> x) {
            return "";
        }
    }

    static class BodyOnGet {
        @GET("/a")
        public String get(Item item) {
            return "";
        }
    }

    static class TwoBodies {
        @POST("/a")
        public String post(Item a, Item b) {
            return "";
        }
    }

    static class BothModels {
        @GET("/a")
        @NonBlocking
        @CpuBound
        public String get() {
            return "";
        }
    }

    static class BadDefault {
        @GET("/a")
        public String get(@QueryParam(value = "page", defaultValue = "abc") int page) {
            return "";
        }
    }

    static class NoRoutes {
        public String nothing() {
            return "";
        }
    }

    @Test
    void annotationsUsedWronglyFailWithOneMessageNamingTheMethod() {
        assertThatThrownBy(() -> RouteScanner.scan(new MissingParam()))
                .hasMessage("MissingParam.get(String): @PathParam(\"ident\") is not in the path template /a/{id}");
        assertThatThrownBy(() -> RouteScanner.scan(new TwoVerbs())).hasMessageStartingWith("TwoVerbs.both(): has more than one HTTP method");
        assertThatThrownBy(() -> RouteScanner.scan(new BadType())).hasMessageStartingWith("BadType.get(List): parameter 'x' has type java.util.List<java.lang.String>");
        assertThatThrownBy(() -> RouteScanner.scan(new BodyOnGet())).hasMessageContaining("a GET route takes no body");
        assertThatThrownBy(() -> RouteScanner.scan(new TwoBodies())).hasMessageContaining("second request body");
        assertThatThrownBy(() -> RouteScanner.scan(new BothModels())).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> RouteScanner.scan(new NoRoutes())).hasMessageContaining("declares no route");
        assertThatThrownBy(() -> RouteScanner.scan(new BadDefault()))
                .hasMessageStartingWith("BadDefault.get(int): @QueryParam(\"page\") has the default value 'abc', which is not a valid int");
    }
}
