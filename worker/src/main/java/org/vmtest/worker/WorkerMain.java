package org.vmtest.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.vmtest.worker.vm.VmStartException;

/** {@code java -jar worker.jar worker.yaml}: runs a worker until SIGTERM/SIGINT, then shuts it down cleanly. */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: worker CONFIG.yaml");
            System.exit(2);
        }
        WorkerConfig config;
        try {
            config = WorkerConfig.read(Path.of(args[0]));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("worker: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        Worker worker;
        try {
            worker = Worker.start(config);
        } catch (VmStartException | IllegalStateException e) {
            System.err.println("worker: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "worker-shutdown"));
        stopped.await();
    }
}
