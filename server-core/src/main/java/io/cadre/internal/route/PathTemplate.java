package io.cadre.internal.route;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A route's path template: literal segments and {@code {name}} segments, e.g.
 * {@code /users/{id}/orders}. A parameter is a whole segment. Immutable; validated when parsed.
 */
public final class PathTemplate {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%-]+");

    private final String text;
    private final List<String> segments;
    private final List<String> params;

    private PathTemplate(String text, List<String> segments, List<String> params) {
        this.text = text;
        this.segments = java.util.Collections.unmodifiableList(new ArrayList<>(segments)); // null stands for a parameter
        this.params = List.copyOf(params);
    }

    /** Parses {@code template}; fails with {@link IllegalArgumentException} saying what is wrong. */
    public static PathTemplate parse(String template) {
        if (template == null || !template.startsWith("/")) {
            throw new IllegalArgumentException("path '" + template + "' must start with '/'");
        }
        if (template.contains("?") || template.contains("#") || template.contains("//")) {
            throw new IllegalArgumentException("path '" + template + "' must hold no '?', '#' or '//'");
        }
        if (template.contains("%")) { // paths are matched decoded: an escape in a template would never match
            throw new IllegalArgumentException("path '" + template + "' must hold no percent-escape; write the character itself");
        }
        List<String> segments = new ArrayList<>();
        List<String> params = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String body = template.length() > 1 && template.endsWith("/") ? template.substring(0, template.length() - 1) : template;
        if (!body.equals("/")) {
            for (String segment : body.substring(1).split("/")) {
                if (segment.startsWith("{") && segment.endsWith("}")) {
                    String name = segment.substring(1, segment.length() - 1);
                    if (!NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException("path '" + template + "' has a bad parameter name '" + name + "'");
                    }
                    if (!seen.add(name)) {
                        throw new IllegalArgumentException("path '" + template + "' names parameter '" + name + "' twice");
                    }
                    params.add(name);
                    segments.add(null);
                } else if (LITERAL.matcher(segment).matches()) {
                    segments.add(segment);
                } else {
                    throw new IllegalArgumentException("path '" + template + "' has a bad segment '" + segment
                            + "' (a parameter must be a whole segment: {name})");
                }
            }
        }
        return new PathTemplate(body, segments, params);
    }

    /** Joins a class prefix and a method path: {@code /users} + {@code /{id}} is {@code /users/{id}}. */
    public static String join(String prefix, String path) {
        String p = prefix == null ? "" : prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String rest = path == null || path.isEmpty() ? "" : path.startsWith("/") ? path : "/" + path;
        String joined = p + rest;
        return joined.isEmpty() ? "/" : joined;
    }

    /** The segments in order; {@code null} stands for a parameter. */
    List<String> segments() {
        return segments;
    }

    /** The parameter names in the order they appear. */
    public List<String> params() {
        return params;
    }

    /** The template with parameter names erased: two templates clash when these are equal. */
    String shape() {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(s == null ? "{}" : s);
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
