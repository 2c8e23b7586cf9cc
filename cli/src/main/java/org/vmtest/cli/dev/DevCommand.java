package org.vmtest.cli.dev;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.vmtest.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dev",
        mixinStandardHelpOptions = true,
        description = {"Runs a whole vmtest cluster on this machine: an embedded Kafka broker, a coordinator, an "
                + "analyzer and a worker. Prints the URL and an API token (also written to vmtest-out/dev/token) "
                + "and runs until interrupted, then cleans up."})
public final class DevCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "the coordinator's HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--slots", defaultValue = "3", description = "VMs the worker runs at once (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--out", defaultValue = "vmtest-out/dev", description = "working directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--guest-dir", defaultValue = "${env:VMTEST_GUEST_DIR:-vmtest-out/guest}",
            description = "the test guest (default: ${DEFAULT-VALUE})")
    Path guestDir;

    @Option(names = "--profiles", defaultValue = "deploy/profiles", description = "profile catalogue (default: ${DEFAULT-VALUE})")
    Path profiles;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        DevCluster cluster = new DevCluster(port, out, guestDir, profiles, slots);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "vmtest-dev-shutdown"));
        w.printf("%nvmtest dev cluster is up%n");
        w.printf("  web view     %s#token=%s%n", cluster.url(), cluster.token());
        w.printf("  API          %sapi/v1  (Authorization: Bearer <token>)%n", cluster.url());
        w.printf("  token        %s  (also in %s)%n", cluster.token(), out.resolve("token"));
        w.printf("  kafka        %s%n", cluster.bootstrapServers());
        w.printf("  try          ./vmtest submit --url %s --profile pass --follow%n", cluster.url());
        w.printf("Ctrl-C stops it.%n");
        w.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
