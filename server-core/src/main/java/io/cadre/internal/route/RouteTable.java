package io.cadre.internal.route;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the route of a request path, built once at startup: a tree of path segments in which a
 * literal segment beats a parameter (so {@code /users/me} wins over {@code /users/{id}}); the
 * search falls back to the parameter branch only when the literal branch leads to no route.
 * The path picks the resource first, then the method picks the route: a path that matches with
 * another method only is a 405, whatever a parameter branch might offer. Immutable; thread-safe.
 */
public final class RouteTable {
    /** The outcome of a lookup: a route with its path parameters, a 405 with the allowed methods, or a 404. */
    public sealed interface Lookup permits Found, NotAllowed, NotFound {
    }

    public record Found(RouteSpec route, Map<String, String> params) implements Lookup {
    }

    public record NotAllowed(Set<String> allowed) implements Lookup {
    }

    public enum NotFound implements Lookup { INSTANCE }

    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        Node param;
        final Map<String, RouteSpec> byMethod = new HashMap<>();
    }

    private final Node root = new Node();
    /** Routes whose template has no parameter, by exact path: one hash lookup for the common case. */
    private final Map<String, Node> exact = new HashMap<>();

    /** Builds the table; fails with {@link IllegalArgumentException} naming both routes of a clash. */
    public RouteTable(List<RouteSpec> routes) {
        for (RouteSpec route : routes) {
            Node node = root;
            for (String segment : route.template().segments()) {
                node = segment == null
                        ? (node.param == null ? (node.param = new Node()) : node.param)
                        : node.literals.computeIfAbsent(segment, s -> new Node());
            }
            if (route.template().params().isEmpty()) {
                exact.put(route.template().toString(), node);
            }
            RouteSpec earlier = node.byMethod.putIfAbsent(route.method(), route);
            if (earlier != null) {
                throw new IllegalArgumentException("route " + route + " (" + route.source() + ") clashes with " + earlier
                        + " (" + earlier.source() + ")");
            }
        }
    }

    /** Looks up {@code method} and the decoded request {@code path}. */
    public Lookup lookup(String method, String path) {
        Node node = exact.get(path);
        String[] values = null;
        if (node == null) {
            String[] segments = split(path);
            if (segments == null) {
                return NotFound.INSTANCE;
            }
            values = new String[segments.length];
            node = find(root, segments, 0, values);
            if (node == null) {
                return NotFound.INSTANCE;
            }
        }
        RouteSpec route = node.byMethod.get(method);
        if (route == null && method.equals("HEAD")) {
            route = node.byMethod.get("GET");
        }
        if (route == null) {
            TreeSet<String> allowed = new TreeSet<>(node.byMethod.keySet());
            if (allowed.contains("GET")) {
                allowed.add("HEAD");
            }
            return new NotAllowed(allowed);
        }
        return new Found(route, values == null ? Map.of() : params(route, values));
    }

    private static Node find(Node node, String[] segments, int i, String[] values) {
        if (i == segments.length) {
            return node.byMethod.isEmpty() ? null : node;
        }
        Node literal = node.literals.get(segments[i]);
        if (literal != null) {
            Node found = find(literal, segments, i + 1, values);
            if (found != null) {
                values[i] = null;
                return found;
            }
        }
        if (node.param != null && !segments[i].isEmpty()) {
            Node found = find(node.param, segments, i + 1, values);
            if (found != null) {
                values[i] = segments[i];
                return found;
            }
        }
        return null;
    }

    private static Map<String, String> params(RouteSpec route, String[] values) {
        List<String> names = route.template().params();
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, String> params = new HashMap<>(names.size() * 2);
        int p = 0;
        List<String> segments = route.template().segments();
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i) == null) {
                params.put(names.get(p++), values[i]);
            }
        }
        return params;
    }

    /** The path's segments; null when it cannot match any route (no leading slash). No regex: this runs per request. */
    private static String[] split(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        int n = path.length();
        if (n == 1) {
            return new String[0];
        }
        int count = 1;
        for (int i = 1; i < n; i++) {
            if (path.charAt(i) == '/') {
                count++;
            }
        }
        String[] segments = new String[count];
        int start = 1;
        int k = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                segments[k++] = path.substring(start, i);
                start = i + 1;
            }
        }
        return segments;
    }
}
