package org.vmtest.worker.jobs;

import java.util.List;
import org.vmtest.protocol.Verdict;

/** How the phase script ended: every test passed, some failed, or the job ended before its tests were through. */
public sealed interface ScriptResult {

    Verdict verdict();

    /** Why, in words for the JobFinished; empty when it passed. */
    String reason();

    record Passed() implements ScriptResult {
        @Override
        public Verdict verdict() {
            return Verdict.PASSED;
        }

        @Override
        public String reason() {
            return "";
        }
    }

    record TestsFailed(List<String> failed, int total) implements ScriptResult {
        public TestsFailed {
            failed = List.copyOf(failed);
        }

        @Override
        public Verdict verdict() {
            return Verdict.FAILED;
        }

        @Override
        public String reason() {
            return failed.size() + " of " + total + " tests failed: " + String.join(", ", failed);
        }
    }

    /** A phase could not go on (a timeout, a failed install step, an abort, a VM that did not start). */
    record Ended(Verdict verdict, String reason) implements ScriptResult {
    }
}
