package io.cadre.internal.route;

import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * Calls a route method with its bound arguments through a class generated once, at startup, by
 * {@link LambdaMetafactory}: the JIT compiles and inlines it like any lambda, where a method handle
 * held in a field would be called indirectly on every request. Methods with more than
 * {@value #MAX_ARITY} parameters, and {@code void} methods, fall back to a spreading method handle.
 * The {@code CallN} interfaces are public because the generated classes live in the route class's
 * own package; they are not an API.
 */
public final class Invokers {
    /** The most parameters that get a generated invoker. */
    static final int MAX_ARITY = 4;

    private Invokers() {
    }

    /** Calls the route method with {@code args} (exactly its parameters, boxed). */
    @FunctionalInterface
    interface Invoker {
        Object call(Object[] args) throws Exception;
    }

    @FunctionalInterface
    public interface Call0 {
        Object call() throws Exception;
    }

    @FunctionalInterface
    public interface Call1 {
        Object call(Object a) throws Exception;
    }

    @FunctionalInterface
    public interface Call2 {
        Object call(Object a, Object b) throws Exception;
    }

    @FunctionalInterface
    public interface Call3 {
        Object call(Object a, Object b, Object c) throws Exception;
    }

    @FunctionalInterface
    public interface Call4 {
        Object call(Object a, Object b, Object c, Object d) throws Exception;
    }

    /** An invoker for {@code method} on {@code target}; fails with {@link IllegalArgumentException}. */
    static Invoker of(Object target, Method method) {
        try {
            method.setAccessible(true);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(method.getDeclaringClass(), MethodHandles.lookup());
            MethodHandle handle = lookup.unreflect(method);
            int n = method.getParameterCount();
            if (n > MAX_ARITY || method.getReturnType() == void.class) {
                MethodHandle spread = handle.bindTo(target).asSpreader(Object[].class, n)
                        .asType(MethodType.methodType(Object.class, Object[].class));
                return args -> invokeExact(spread, args);
            }
            Class<?> sam = switch (n) {
                case 0 -> Call0.class;
                case 1 -> Call1.class;
                case 2 -> Call2.class;
                case 3 -> Call3.class;
                default -> Call4.class;
            };
            MethodType erased = MethodType.genericMethodType(n);
            MethodType instantiated = MethodType.methodType(method.getReturnType(), method.getParameterTypes()).wrap();
            CallSite site = LambdaMetafactory.metafactory(lookup, "call", MethodType.methodType(sam, method.getDeclaringClass()),
                    erased, handle, instantiated);
            Object fn = site.getTarget().invoke(target);
            return switch (fn) {
                case Call0 c -> args -> c.call();
                case Call1 c -> args -> c.call(args[0]);
                case Call2 c -> args -> c.call(args[0], args[1]);
                case Call3 c -> args -> c.call(args[0], args[1], args[2]);
                case Call4 c -> args -> c.call(args[0], args[1], args[2], args[3]);
                default -> throw new IllegalStateException(fn.getClass().getName());
            };
        } catch (Throwable e) {
            throw new IllegalArgumentException("cannot be called by Cadre: " + e, e);
        }
    }

    private static Object invokeExact(MethodHandle handle, Object[] args) throws Exception {
        try {
            return (Object) handle.invokeExact(args);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
