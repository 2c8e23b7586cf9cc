package org.vmtest.worker.jobs;

import org.vmtest.protocol.stream.JobFinished;

/** How one attempt ended for the slot that ran it: finished (acknowledge it) or released to another worker. */
public sealed interface JobOutcome {

    /** The attempt ended with a verdict, published on the stream. */
    record Finished(JobFinished finished) implements JobOutcome {
    }

    /** The worker shut down: no verdict, the job goes back to the queue. */
    record Released() implements JobOutcome {
    }
}
