package org.vmtest.worker.jobs;

import java.util.ArrayList;
import java.util.List;
import org.vmtest.worker.DeadLetters;

/** The worker's slots, each a thread with its own share consumer. */
public final class JobSlots implements AutoCloseable {
    private final List<JobSlot> slots = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    public JobSlots(WorkerContext ctx, DeadLetters deadLetters) {
        for (int i = 0; i < ctx.config().slots(); i++) {
            JobSlot slot = new JobSlot(i, ctx, deadLetters);
            slots.add(slot);
            Thread t = new Thread(slot, "slot-" + ctx.config().workerId() + "-" + i);
            threads.add(t);
        }
    }

    public void start() {
        threads.forEach(Thread::start);
    }

    /** Slots whose thread has ended (stopped, or by an unexpected error): they take no more jobs. */
    public List<Integer> stoppedSlots() {
        List<Integer> stopped = new ArrayList<>();
        for (int i = 0; i < threads.size(); i++) {
            if (!threads.get(i).isAlive()) stopped.add(i);
        }
        return stopped;
    }

    /** Releases running jobs (their VMs destroyed first) and closes every consumer; waits for all of it. */
    @Override
    public void close() {
        slots.forEach(JobSlot::stop);
        for (Thread t : threads) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
