package io.cadre.internal.worker;

import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;

/**
 * Keeps XNIO from creating the platform MBean server in a worker. XNIO registers optional MBeans
 * for its provider, workers and servers, and the first registration builds the JVM's platform
 * MBean server, which introspects every platform MXBean (JFR's included): about a quarter of a
 * second of a worker's start on a small machine, for MBeans Cadre does not use (its metrics come
 * from its own counters). XNIO treats a failed registration as "no MBean" by design, so this
 * builder fails the build when, and only when, XNIO's MBean holder asks for it. Any other first
 * use (app code, a JMX agent, jconsole) builds the platform MBean server as usual.
 *
 * <p>Installed as {@code javax.management.builder.initial} by the worker unless that property is
 * already set or {@code -Dcadre.xnio.mbeans=true} asks to keep XNIO's MBeans.
 */
public final class XnioMBeanGuard extends MBeanServerBuilder {
    private static final String XNIO_MBEAN_HOLDER = "org.xnio.Xnio$MBeanHolder";

    /** Installs the guard unless the user chose otherwise; call before XNIO loads. */
    static void install() {
        if (System.getProperty("javax.management.builder.initial") == null && !Boolean.getBoolean("cadre.xnio.mbeans")) {
            System.setProperty("javax.management.builder.initial", XnioMBeanGuard.class.getName());
        }
    }

    @Override
    public MBeanServerDelegate newMBeanServerDelegate() {
        boolean forXnio = StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getClassName().equals(XNIO_MBEAN_HOLDER)));
        if (forXnio) {
            throw new UnsupportedOperationException("Cadre skips XNIO's MBeans in workers; -Dcadre.xnio.mbeans=true keeps them");
        }
        return super.newMBeanServerDelegate();
    }
}
