package io.cadre.internal.ipc;

/** The kinds of IPC frames and their one-byte codes on the wire. Payloads are JSON unless noted. */
public enum FrameType {
    /** Worker to primary, first frame: {@code {id, generation, pid, token}}. */
    HELLO(1),
    /** Worker to primary: the worker listens and serves. */
    READY(2),
    /** Worker to primary: alive, with its vital signs ({@code Payloads.Heartbeat}; an empty payload reads as zeros). */
    HEARTBEAT(3),
    /** Either way: an app message. */
    APP(4),
    /** Primary to worker: stop accepting, finish in-flight requests, exit. {@code {timeoutMillis}}. */
    DRAIN(5),
    /** Primary to worker: cluster state for health. {@code {state}}. */
    CLUSTER(6),
    /** Worker to primary: the worker's metrics since it started (cumulative), a {@code MetricsSnapshot} as JSON, every second. */
    METRICS(7),
    /** Primary to worker: write a diagnostic dump ({@code Payloads.Dump}: threads or heap). */
    DUMP(8),
    /** Worker to primary: the dump is done: {@code {request, path, error}} (an empty error on success). */
    DUMPED(9);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The type with {@code code}, or {@code null} for an unknown code. */
    static FrameType of(int code) {
        return BY_CODE[code & 0xFF];
    }
}
