package org.vmtest.worker.jobs;

import java.time.InstantSource;
import org.apache.sshd.client.SshClient;
import org.vmtest.worker.WorkerConfig;
import org.vmtest.worker.WorkerMetrics;
import org.vmtest.worker.control.AbortStats;
import org.vmtest.worker.stream.StreamPublisher;
import org.vmtest.worker.vm.AcceleratorProbe;
import org.vmtest.worker.vm.PendingDestroys;
import org.vmtest.worker.vm.VmLauncher;

/** What every job of one worker shares. */
public record WorkerContext(WorkerConfig config, VmLauncher launcher, SshClient ssh, StreamPublisher publisher,
                            AcceleratorProbe.Result accelerator, RunningJobs running, AbortStats aborts,
                            InstantSource clock, WorkerMetrics metrics,
                            PendingDestroys pendingDestroys) {
}
