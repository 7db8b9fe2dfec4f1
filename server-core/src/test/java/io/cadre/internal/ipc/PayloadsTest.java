package io.cadre.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PayloadsTest {

    @Test
    void cadresOwnFramesRoundTrip() throws Exception {
        assertThat(Payloads.Hello.of(new Payloads.Hello(3, 7, 12345L, "abcdef").frame())).isEqualTo(new Payloads.Hello(3, 7, 12345L, "abcdef"));
        assertThat(Payloads.Drain.of(new Payloads.Drain(30_000).frame())).isEqualTo(new Payloads.Drain(30_000));
        assertThat(Payloads.Cluster.of(new Payloads.Cluster("DEGRADED").frame())).isEqualTo(new Payloads.Cluster("DEGRADED"));
    }

    @Test
    void aPayloadOfTheWrongTypeOrShapeIsMalformed() {
        assertThatThrownBy(() -> Payloads.Hello.of(new Payloads.Drain(1).frame())).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> Payloads.Hello.of(new Frame(FrameType.HELLO, new byte[3]))).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> Payloads.Drain.of(new Frame(FrameType.DRAIN, new byte[9])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("trailing");
    }
}
