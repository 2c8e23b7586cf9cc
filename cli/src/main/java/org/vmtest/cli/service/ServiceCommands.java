package org.vmtest.cli.service;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vmtest.analyzer.AnalyzerApp;
import org.vmtest.cli.ExitCodes;
import org.vmtest.coordinator.CoordinatorApplication;
import org.vmtest.worker.WorkerMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The services, each run from the one distribution with its own config file: what systemd units and the
 * compose file start. Each blocks until the service stops.
 */
public final class ServiceCommands {
    private ServiceCommands() {
    }

    @Command(name = "coordinator", mixinStandardHelpOptions = true,
            description = "Runs the coordinator (Dropwizard) with a config file (see deploy/config/coordinator.yml).")
    public static final class CoordinatorService implements Callable<Integer> {
        @Parameters(paramLabel = "CONFIG")
        Path config;

        @Override
        public Integer call() throws Exception {
            CoordinatorApplication.main(new String[] {"server", config.toString()});
            Thread.currentThread().join();
            return ExitCodes.OK;
        }
    }

    @Command(name = "analyzer", mixinStandardHelpOptions = true,
            description = "Runs an analyzer with a config file (see deploy/config/analyzer.yml).")
    public static final class AnalyzerService implements Callable<Integer> {
        @Parameters(paramLabel = "CONFIG")
        Path config;

        @Override
        public Integer call() throws Exception {
            AnalyzerApp.main(new String[] {config.toString()});
            return ExitCodes.OK;
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true,
            description = "Runs a worker with a config file (see deploy/config/worker.yml).")
    public static final class WorkerService implements Callable<Integer> {
        @Parameters(paramLabel = "CONFIG")
        Path config;

        @Override
        public Integer call() throws Exception {
            WorkerMain.main(new String[] {config.toString()});
            return ExitCodes.OK;
        }
    }
}
