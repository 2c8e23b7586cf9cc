package org.vmtest.cli.dev;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.vmtest.cli.ExitCodes;
import org.vmtest.cli.vm.GuestDirOption;
import org.vmtest.cli.vm.ProfilesDirOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dev",
        mixinStandardHelpOptions = true,
        description = {"Runs a whole vmtest cluster on this machine: an embedded Kafka broker, a coordinator, an "
                + "analyzer and a worker. Prints the URL and an API token (also written to vmtest-out/dev/token) "
                + "and runs until interrupted, then cleans up. The services' logs go to vmtest-out/dev/logs/, one file per "
                + "service (--verbose: here as well)."})
public final class DevCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "the coordinator's HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--slots", defaultValue = "3", description = "VMs the worker runs at once (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--out", defaultValue = "vmtest-out/dev", description = "working directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    GuestDirOption guestDir;

    @Mixin
    ProfilesDirOption profiles;

    @Mixin
    ServiceLogsOption logs;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        Path logDir = out.resolve("logs");
        w.printf("vmtest dev: starting a local cluster (Kafka broker, coordinator, analyzer, worker); their logs go "
                + "to %s/%s%n", logDir, logs.verbose ? "" : " (--verbose shows them here)");
        w.flush();
        ServiceLogs serviceLogs = logs.open(logDir);
        DevCluster cluster;
        try {
            cluster = new DevCluster(port, out, guestDir.dir(), profiles.dir(), slots);
        } catch (Exception | Error e) {
            serviceLogs.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            serviceLogs.close();
            stopped.countDown();
        }, "vmtest-dev-shutdown"));
        w.printf("%nvmtest dev cluster is up%n");
        w.printf("  web view     %s#token=%s%n", cluster.url(), cluster.token());
        w.printf("  API          %sapi/v1  (Authorization: Bearer <token>)%n", cluster.url());
        w.printf("  token        %s  (also in %s)%n", cluster.token(), out.resolve("token"));
        w.printf("  kafka        %s%n", cluster.bootstrapServers());
        w.printf("  logs         %s/ (one file per service)%n", logDir);
        w.printf("  try          ./vmtest submit --url %s --profile pass --follow%n", cluster.url());
        w.printf("Ctrl-C stops it.%n");
        w.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
