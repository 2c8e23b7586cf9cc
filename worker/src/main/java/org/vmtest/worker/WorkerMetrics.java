package org.vmtest.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.stream.JobFinished;

/**
 * What an operator watches on a worker host: its slots and how many are busy, the jobs it finished and how long
 * their phases took, the lines it streams, how fast it obeys aborts (the last leg of every abort: control record →
 * guest stopped → domain gone), and what went wrong on the way (redeliveries, dead letters, records not delivered).
 */
public final class WorkerMetrics {
    private final MeterRegistry registry;
    private final Map<Verdict, Counter> jobs = new EnumMap<>(Verdict.class);
    private final Map<Phase, Timer> phases = new EnumMap<>(Phase.class);
    private final Map<LineSource, Counter> lines = new EnumMap<>(LineSource.class);
    private final Counter linesSplit;
    private final Counter redeliveries;
    private final Counter deadLetters;
    private final Timer abortStopped;
    private final Timer abortGone;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Verdict v : Verdict.values()) {
            jobs.put(v, Counter.builder("vmtest_worker_jobs").tag("verdict", v.name())
                    .description("job attempts this worker ended with a JobFinished, by verdict").register(registry));
        }
        for (Phase p : Phase.values()) {
            phases.put(p, Timer.builder("vmtest_worker_phase").tag("phase", p.name())
                    .description("time a finished job spent in each phase it entered")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(2))
                    .register(registry));
        }
        for (LineSource s : LineSource.values()) {
            lines.put(s, Counter.builder("vmtest_worker_lines").tag("source", s.name())
                    .description("lines published to the stream, by source; a split line counts once per part")
                    .register(registry));
        }
        linesSplit = Counter.builder("vmtest_worker_lines_split")
                .description("line parts published marked continued: a line longer than a record holds was cut")
                .register(registry);
        redeliveries = Counter.builder("vmtest_worker_redeliveries")
                .description("job deliveries beyond the first taken by this worker (a worker lost, a lock lapsed)")
                .register(registry);
        deadLetters = Counter.builder("vmtest_worker_dead_letters")
                .description("records this worker could not decode, sent to the dead-letter topic")
                .register(registry);
        abortStopped = abortTimer("vmtest_worker_abort_stopped", "from the control record to the guest stopped");
        abortGone = abortTimer("vmtest_worker_abort_gone", "from the control record to the domain gone");
    }

    /** Metrics that go nowhere: for tests and tools that build the worker's parts without an operator. */
    public static WorkerMetrics none() {
        return new WorkerMetrics(new CompositeMeterRegistry());
    }

    private Timer abortTimer(String name, String description) {
        return Timer.builder(name).description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The slot gauges: how many the worker has, and how many run a job now. */
    public void slots(int configured, IntSupplier busy) {
        Gauge.builder("vmtest_worker_slots", () -> configured).description("VM slots of this worker")
                .register(registry);
        Gauge.builder("vmtest_worker_slots_busy", busy::getAsInt).description("slots running a job now")
                .register(registry);
    }

    /**
     * The stream producer's own metrics (send rate, errors, buffer) and the count of records it could not deliver.
     *
     * @return closes the Kafka binder; call it before the producer is closed
     */
    public AutoCloseable producer(Producer<?, ?> producer, AtomicLong failures) {
        FunctionCounter.builder("vmtest_worker_publish_failures", failures, AtomicLong::get)
                .description("records the producer could not deliver (lines, events, heartbeats, dead letters)")
                .register(registry);
        KafkaClientMetrics binder = new KafkaClientMetrics(producer);
        binder.bindTo(registry);
        return binder;
    }

    /** The worker published a job's {@code JobFinished}: its verdict, and the time spent in each phase. */
    public void finished(JobFinished finished) {
        jobs.get(finished.outcome()).increment();
        finished.phaseMillis().forEach((phase, millis) -> phases.get(phase).record(Duration.ofMillis(millis)));
    }

    public void line(LineSource source, boolean continued) {
        lines.get(source).increment();
        if (continued) linesSplit.increment();
    }

    public void redelivery() {
        redeliveries.increment();
    }

    public void deadLetter() {
        deadLetters.increment();
    }

    /** One abort's figures from the control record's timestamp, as {@code AbortStats} has them. */
    public void abort(long stoppedMillis, long goneMillis) {
        abortStopped.record(Duration.ofMillis(Math.max(0, stoppedMillis)));
        abortGone.record(Duration.ofMillis(Math.max(0, goneMillis)));
    }
}
