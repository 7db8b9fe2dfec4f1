package io.cadre.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.ExecutionModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    static RouteSpec route(String method, String path) {
        return RouteSpec.of(method, path, ExecutionModel.WORKER, req -> path);
    }

    final RouteTable table = new RouteTable(List.of(
            route("GET", "/"),
            route("GET", "/users"),
            route("POST", "/users"),
            route("GET", "/users/me"),
            route("GET", "/users/{id}"),
            route("DELETE", "/users/{id}"),
            route("GET", "/users/{id}/orders/{order}"),
            route("GET", "/files/{name}/raw")));

    @Test
    void literalsBeatParametersAndParametersAreBound() {
        assertThat(found("GET", "/users/me").route().template().toString()).isEqualTo("/users/me");
        RouteTable.Found user = found("GET", "/users/42");
        assertThat(user.route().template().toString()).isEqualTo("/users/{id}");
        assertThat(user.params()).isEqualTo(Map.of("id", "42"));
        assertThat(found("GET", "/users/7/orders/9").params()).isEqualTo(Map.of("id", "7", "order", "9"));
        assertThat(found("GET", "/").route().template().toString()).isEqualTo("/");
    }

    @Test
    void theSearchFallsBackToAParameterWhenTheLiteralBranchLeadsNowhere() {
        RouteTable t = new RouteTable(List.of(route("GET", "/a/b"), route("GET", "/a/{x}/c")));
        assertThat(((RouteTable.Found) t.lookup("GET", "/a/b/c")).params()).isEqualTo(Map.of("x", "b"));
    }

    @Test
    void aPathWithOtherMethodsOnlyIs405WithTheAllowedOnes() {
        assertThat(table.lookup("PUT", "/users")).isEqualTo(new RouteTable.NotAllowed(java.util.Set.of("GET", "HEAD", "POST")));
        assertThat(table.lookup("POST", "/users/me")).isInstanceOf(RouteTable.NotAllowed.class);
    }

    @Test
    void headFallsBackToGet() {
        assertThat(found("HEAD", "/users").route().method()).isEqualTo("GET");
    }

    @Test
    void unknownPathsTrailingSlashesAndEmptySegmentsAre404() {
        assertThat(table.lookup("GET", "/nope")).isEqualTo(RouteTable.NotFound.INSTANCE);
        assertThat(table.lookup("GET", "/users/")).isEqualTo(RouteTable.NotFound.INSTANCE);
        assertThat(table.lookup("GET", "/users//orders/1")).isEqualTo(RouteTable.NotFound.INSTANCE);
        assertThat(table.lookup("GET", "/files/x")).isEqualTo(RouteTable.NotFound.INSTANCE);
        assertThat(table.lookup("GET", "relative")).isEqualTo(RouteTable.NotFound.INSTANCE);
    }

    @Test
    void routesThatCouldMatchTheSameRequestClashNamingBoth() {
        assertThatThrownBy(() -> new RouteTable(List.of(route("GET", "/users/{id}"), route("GET", "/users/{name}"))))
                .hasMessage("route GET /users/{name} (App.Builder.get(\"/users/{name}\")) clashes with GET /users/{id} (App.Builder.get(\"/users/{id}\"))");
        new RouteTable(List.of(route("GET", "/users/{id}"), route("PUT", "/users/{name}"))); // other methods: fine
    }

    @Test
    void badTemplatesAreRefused() {
        assertThatThrownBy(() -> PathTemplate.parse("users")).hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> PathTemplate.parse("/a/{b}/{b}")).hasMessageContaining("twice");
        assertThatThrownBy(() -> PathTemplate.parse("/a/x{b}")).hasMessageContaining("whole segment");
        assertThatThrownBy(() -> PathTemplate.parse("/a/{9b}")).hasMessageContaining("bad parameter name");
        assertThatThrownBy(() -> PathTemplate.parse("/a%20b")).hasMessageContaining("must hold no percent-escape");
        assertThat(PathTemplate.join("/users/", "/{id}")).isEqualTo("/users/{id}");
        assertThat(PathTemplate.join("", "")).isEqualTo("/");
        assertThat(PathTemplate.parse("/users/").toString()).isEqualTo("/users");
    }

    private RouteTable.Found found(String method, String path) {
        RouteTable.Lookup lookup = table.lookup(method, path);
        assertThat(lookup).isInstanceOf(RouteTable.Found.class);
        return (RouteTable.Found) lookup;
    }
}
