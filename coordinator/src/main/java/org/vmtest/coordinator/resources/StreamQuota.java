package org.vmtest.coordinator.resources;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vmtest.coordinator.core.ApiException;

/**
 * How many event streams each token holds open: every stream costs a writer thread and a queue, so one token (a
 * leaked one, or a dashboard opened in a hundred tabs) may hold only so many.
 */
final class StreamQuota {
    private final int perToken;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();

    StreamQuota(int perToken) {
        this.perToken = perToken;
    }

    /** Takes a slot for {@code token} or refuses with 429; give it back with {@link #release}. */
    void acquire(String token) {
        boolean[] granted = {false};
        open.compute(token, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= perToken) return count;
            granted[0] = true;
            return count + 1;
        });
        if (!granted[0]) {
            throw new ApiException(429, "token '" + token + "' already has " + perToken
                    + " event streams open (maxEventStreamsPerToken); close one first", null);
        }
    }

    void release(String token) {
        open.computeIfPresent(token, (k, n) -> n <= 1 ? null : n - 1);
    }
}
