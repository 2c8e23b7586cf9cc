package org.vmtest.coordinator.api;

/** Where a run stands. A cancelled run stays CANCELLED once its jobs have stopped; its verdict says how they ended. */
public enum RunStatus {
    /** No worker has taken any of its jobs yet. */
    QUEUED,
    /** At least one job started and the run has no verdict yet. */
    RUNNING,
    /** Every job has its verdict, and so has the run. */
    DONE,
    /** A user cancelled it. */
    CANCELLED
}
