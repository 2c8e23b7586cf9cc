package org.vmtest.coordinator.core;

/** Kafka did not take a run's records; none of them were published. The API answers 503. */
public final class KafkaUnavailableException extends ApiException {
    public KafkaUnavailableException(String message, Throwable cause) {
        super(503, message, null);
        initCause(cause);
    }
}
