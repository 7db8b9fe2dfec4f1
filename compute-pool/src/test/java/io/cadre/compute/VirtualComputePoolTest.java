package io.cadre.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtualComputePoolTest extends ComputePoolContract {
    @Override
    ComputePoolConfig.Kind kind() {
        return ComputePoolConfig.Kind.VIRTUAL;
    }

    @Override
    void assertComputeThread(Thread thread) {
        assertThat(thread.isVirtual()).isTrue();
        assertThat(thread.getName()).matches("cadre-compute-vt-[1-9][0-9]*");
    }

    @Test
    void eachTaskGetsANewVirtualThreadAndNoNiceness() {
        ComputePool pool = ComputePool.start(ComputePoolConfig.builder().threads(1)
                .kind(ComputePoolConfig.Kind.VIRTUAL).niceness(5).build());
        try {
            Thread first = pool.submit(Thread::currentThread).orTimeout(30, TimeUnit.SECONDS).join();
            Thread second = pool.submit(Thread::currentThread).orTimeout(30, TimeUnit.SECONDS).join();
            assertThat(first).isNotSameAs(second);
            assertThat(pool.nicenessApplied()).isFalse();
        } finally {
            pool.close();
        }
    }
}
