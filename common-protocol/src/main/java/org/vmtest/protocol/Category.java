package org.vmtest.protocol;

/** What a pattern finding means. */
public enum Category {
    CRITICAL,
    ERROR,
    WARNING,
    PROGRESS,
    SUCCESS,
    FAILURE,
    METRIC
}
