package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BodyFailedTest {
    @Test
    void aTooLargeBodyIs413EvenWhenTheReceiverWrapsItInAnIOException() {
        HttpServerExchange exchange = new HttpServerExchange(null);
        assertThat(RootHandler.bodyFailed(exchange, new RequestTooBigException("too big")).status()).isEqualTo(413);
        assertThat(RootHandler.bodyFailed(exchange, new IOException(new RequestTooBigException("too big"))).status()).isEqualTo(413);
        assertThat(RootHandler.bodyFailed(exchange, new IOException("reset by peer")).status()).isEqualTo(400);
    }
}
