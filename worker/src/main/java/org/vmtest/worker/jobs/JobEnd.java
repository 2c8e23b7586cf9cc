package org.vmtest.worker.jobs;

import org.vmtest.protocol.Verdict;

/** The job cannot go on: thrown inside the phase script, caught at its top, where it becomes the script's result. */
final class JobEnd extends Exception {
    private final Verdict verdict;

    JobEnd(Verdict verdict, String reason) {
        super(reason, null, false, false);
        this.verdict = verdict;
    }

    Verdict verdict() {
        return verdict;
    }
}
