package io.cadre.compute.isolated;

import java.lang.reflect.Modifier;

/** Checks that a class can run as a job: public, concrete, with a public no-argument constructor. */
final class JobClasses {
    private JobClasses() {
    }

    static void check(Class<?> c) {
        if (!IsolatedJob.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException(c.getName() + " does not implement " + IsolatedJob.class.getName());
        }
        if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers()) || c.isInterface()
                || (c.getEnclosingClass() != null && !Modifier.isStatic(c.getModifiers()))) {
            throw new IllegalArgumentException("job class " + c.getName() + " must be a public, concrete, top-level or static class");
        }
        try {
            if (!Modifier.isPublic(c.getConstructor().getModifiers())) {
                throw new NoSuchMethodException();
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("job class " + c.getName() + " needs a public no-argument constructor");
        }
    }
}
