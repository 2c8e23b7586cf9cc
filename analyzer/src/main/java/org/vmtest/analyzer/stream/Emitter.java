package org.vmtest.analyzer.stream;

import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.verdicts.VerdictEvent;

/** Where the analyzer's decisions go: {@code vmtest.verdicts} (keyed by run) and {@code vmtest.control} (by job). */
interface Emitter {
    void verdict(VerdictEvent event);

    void control(ControlCommand command);
}
