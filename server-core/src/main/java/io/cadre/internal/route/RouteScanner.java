package io.cadre.internal.route;

import com.fasterxml.jackson.databind.JavaType;
import io.cadre.CpuBound;
import io.cadre.DELETE;
import io.cadre.ExecutionModel;
import io.cadre.GET;
import io.cadre.Handler;
import io.cadre.HeaderParam;
import io.cadre.NonBlocking;
import io.cadre.PATCH;
import io.cadre.POST;
import io.cadre.PUT;
import io.cadre.Path;
import io.cadre.PathParam;
import io.cadre.QueryParam;
import io.cadre.Request;
import io.cadre.Worker;
import io.cadre.internal.util.Json;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns an annotated route object into {@link RouteSpec}s, once, at startup: each route method
 * becomes a generated invoker ({@link Invokers}) and an array of parameter binders, so serving a
 * request involves no reflection. Every mistake (two HTTP-method annotations, a path parameter missing from the
 * template, an unsupported parameter type, two bodies) fails with one message naming the method.
 */
public final class RouteScanner {
    private static final Object[] NO_ARGS = new Object[0];
    private RouteScanner() {
    }

    public static List<RouteSpec> scan(Object routes) {
        return scan(routes, java.util.Map.of());
    }

    /**
     * Scans {@code routes}; parameters of the types in {@code provided} (an extension's, such as a
     * session) are bound with the given function.
     */
    public static List<RouteSpec> scan(Object routes, java.util.Map<Class<?>, java.util.function.Function<io.cadre.Request, Object>> provided) {
        Class<?> type = routes.getClass();
        Path prefix = type.getAnnotation(Path.class);
        List<RouteSpec> specs = new ArrayList<>();
        for (Method method : methods(type)) {
            List<Annotation> verbs = Arrays.stream(method.getAnnotations()).filter(RouteScanner::isVerb).toList();
            if (verbs.isEmpty()) {
                continue;
            }
            String where = describe(method);
            if (verbs.size() > 1) {
                throw new IllegalArgumentException(where + ": has more than one HTTP method annotation: " + verbs);
            }
            try {
                specs.add(spec(routes, method, verbs.getFirst(), prefix == null ? "" : prefix.value(), where, provided));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith(where) ? e.getMessage() : where + ": " + e.getMessage(), e);
            }
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " declares no route (no method has @GET, @POST, @PUT, @DELETE or @PATCH)");
        }
        return specs;
    }

    private static RouteSpec spec(Object target, Method method, Annotation verb, String prefix, String where,
            java.util.Map<Class<?>, java.util.function.Function<io.cadre.Request, Object>> provided) {
        if (Modifier.isStatic(method.getModifiers())) {
            throw new IllegalArgumentException("a route method must not be static");
        }
        String httpMethod = verb.annotationType().getSimpleName();
        PathTemplate template = PathTemplate.parse(PathTemplate.join(prefix, pathOf(verb)));
        ExecutionModel model = ExecutionModel.WORKER;
        RouteSpec.ComputeOptions compute = null;
        CpuBound cpu = method.getAnnotation(CpuBound.class);
        if (method.isAnnotationPresent(NonBlocking.class)) {
            if (cpu != null) {
                throw new IllegalArgumentException("@NonBlocking and @CpuBound exclude each other");
            }
            model = ExecutionModel.IO;
        } else if (cpu != null) {
            model = ExecutionModel.COMPUTE;
            compute = new RouteSpec.ComputeOptions(cpu.maxConcurrency(), cpu.queue(), cpu.queueTimeoutMillis());
        }
        ParamBinder[] binders = binders(method, template, httpMethod, provided);
        Invokers.Invoker invoker = Invokers.of(target, method);
        Handler handler = binders.length == 0 ? request -> invoker.call(NO_ARGS) : request -> {
            Object[] args = new Object[binders.length];
            for (int i = 0; i < args.length; i++) {
                args[i] = binders[i].bind(request);
            }
            return invoker.call(args);
        };
        java.util.Map<Class<? extends Annotation>, Annotation> annotations = new java.util.HashMap<>();
        for (Annotation a : method.getDeclaringClass().getAnnotations()) {
            annotations.put(a.annotationType(), a);
        }
        for (Annotation a : method.getAnnotations()) {
            annotations.put(a.annotationType(), a);
        }
        return RouteSpec.of(httpMethod, template, model, compute, handler, where, annotations);
    }

    /** A default value that does not convert to its parameter's type would fail every request that omits the parameter. */
    private static void checkDefault(String what, String defaultValue, Parameter p) {
        if (defaultValue.equals(io.cadre.QueryParam.NO_DEFAULT)) {
            return;
        }
        try {
            converter(p).apply(defaultValue);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " has the default value '" + defaultValue + "', which is not a valid "
                    + p.getParameterizedType().getTypeName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static ParamBinder[] binders(Method method, PathTemplate template, String httpMethod,
            java.util.Map<Class<?>, java.util.function.Function<io.cadre.Request, Object>> provided) {
        Parameter[] params = method.getParameters();
        ParamBinder[] binders = new ParamBinder[params.length];
        boolean body = false;
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            Class<?> type = p.getType();
            PathParam path = p.getAnnotation(PathParam.class);
            QueryParam query = p.getAnnotation(QueryParam.class);
            HeaderParam header = p.getAnnotation(HeaderParam.class);
            int annotations = (path == null ? 0 : 1) + (query == null ? 0 : 1) + (header == null ? 0 : 1);
            if (annotations > 1) {
                throw new IllegalArgumentException("parameter '" + p.getName() + "' has more than one of @PathParam, @QueryParam, @HeaderParam");
            }
            if (path != null) {
                if (!template.params().contains(path.value())) {
                    throw new IllegalArgumentException("@PathParam(\"" + path.value() + "\") is not in the path template " + template);
                }
                binders[i] = ParamBinder.path(path.value(), converter(p));
            } else if (query != null) {
                checkDefault("@QueryParam(\"" + query.value() + "\")", query.defaultValue(), p);
                binders[i] = ParamBinder.query(query.value(), query.defaultValue(), type, converter(p));
            } else if (header != null) {
                checkDefault("@HeaderParam(\"" + header.value() + "\")", header.defaultValue(), p);
                binders[i] = ParamBinder.header(header.value(), header.defaultValue(), type, converter(p));
            } else if (type == Request.class || type == Worker.class) {
                binders[i] = ParamBinder.context(type);
            } else if (provided.containsKey(type)) {
                java.util.function.Function<io.cadre.Request, Object> source = provided.get(type);
                binders[i] = source::apply;
            } else {
                if (body) {
                    throw new IllegalArgumentException("parameter '" + p.getName() + "' would be a second request body");
                }
                if (httpMethod.equals("GET")) {
                    throw new IllegalArgumentException("parameter '" + p.getName() + "' has no annotation, so it would be the JSON body,"
                            + " and a GET route takes no body");
                }
                body = true;
                JavaType javaType = Json.MAPPER.getTypeFactory().constructType(p.getParameterizedType());
                binders[i] = ParamBinder.body(javaType);
            }
        }
        return binders;
    }

    private static Function<String, Object> converter(Parameter p) {
        Function<String, Object> convert = Conversions.converter(p.getType(), p.getParameterizedType());
        if (convert == null) {
            throw new IllegalArgumentException("parameter '" + p.getName() + "' has type " + p.getParameterizedType().getTypeName()
                    + ", which Cadre does not convert; use String, int, long, double, boolean, an enum, UUID or Optional of one");
        }
        return convert;
    }

    /** The methods of {@code type} and its superclasses; an override hides the method it overrides. */
    private static List<Method> methods(Class<?> type) {
        List<Method> methods = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isSynthetic() && !m.isBridge() && seen.add(m.getName() + Arrays.toString(m.getParameterTypes()))) {
                    methods.add(m);
                }
            }
        }
        methods.sort((a, b) -> describe(a).compareTo(describe(b)));
        return methods;
    }

    private static boolean isVerb(Annotation a) {
        Class<? extends Annotation> t = a.annotationType();
        return t == GET.class || t == POST.class || t == PUT.class || t == DELETE.class || t == PATCH.class;
    }

    private static String pathOf(Annotation verb) {
        return switch (verb) {
            case GET g -> g.value();
            case POST p -> p.value();
            case PUT p -> p.value();
            case DELETE d -> d.value();
            case PATCH p -> p.value();
            default -> throw new IllegalStateException(verb.toString());
        };
    }

    static String describe(Method method) {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName()
                + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }
}
