package org.vmtest.systemtests.faults;

import java.util.ArrayList;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

/** Counts what happened over the repetitions of one fault case and prints the one-line summary. */
final class FaultTally {
    private final String fault;
    private int runs;
    private int recovered;
    private int lost;
    private int duplicates;
    private final List<String> problems = new ArrayList<>();

    FaultTally(String fault) {
        this.fault = fault;
    }

    /**
     * @param jobVerdicts JobVerdict records of the job on the verdicts topic
     * @param runVerdicts RunVerdict records of the run
     * @param problem     why the run did not recover as it must, or null
     */
    void record(int jobVerdicts, int runVerdicts, String problem) {
        runs++;
        if (jobVerdicts == 0 || runVerdicts == 0) lost++;
        duplicates += Math.max(0, jobVerdicts - 1) + Math.max(0, runVerdicts - 1);
        if (problem == null && jobVerdicts == 1 && runVerdicts == 1) {
            recovered++;
        } else {
            problems.add("repetition " + runs + ": " + (problem != null ? problem : "")
                    + " (" + jobVerdicts + " JobVerdict, " + runVerdicts + " RunVerdict)");
        }
    }

    String summary() {
        return fault + ": " + recovered + "/" + runs + " recovered, " + lost + " lost, " + duplicates
                + " duplicate verdicts";
    }

    /** Prints the summary, then fails if any repetition did not recover. */
    void report(String diagnostics) {
        System.out.println("FAULT SUMMARY " + summary());
        assertThat(problems).as(summary() + "\n" + diagnostics).isEmpty();
    }
}
