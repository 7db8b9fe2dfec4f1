package io.cadre;

/**
 * A check that runs in every worker before it binds the port (an environment variable is present, a
 * database answers). Throwing fails the check: the worker prints one line naming the check and the
 * exception's message and exits with {@link ExitCodes#STARTUP_CHECK_FAILED}; that exit counts toward
 * the crash breaker, so a broken deploy stops within seconds.
 */
@FunctionalInterface
public interface StartupCheck {
    void check() throws Exception;
}
