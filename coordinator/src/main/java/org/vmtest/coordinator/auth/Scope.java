package org.vmtest.coordinator.auth;

/** What a token may do. Used as role names with {@code @RolesAllowed}. A submit token may also read. */
public final class Scope {
    /** Submit and cancel runs. */
    public static final String SUBMIT = "submit";
    /** Read runs, events, logs, profiles and workers. */
    public static final String READ = "read";

    private Scope() {
    }
}
