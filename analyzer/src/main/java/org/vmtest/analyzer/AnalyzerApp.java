package org.vmtest.analyzer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.analyzer.patterns.PatternLoadException;
import org.vmtest.analyzer.service.AnalyzerService;
import org.vmtest.protocol.codec.ConfigYaml;

/** {@code java -cp analyzer.jar org.vmtest.analyzer.AnalyzerApp analyzer.yaml}: the analyzer as its own service. */
public final class AnalyzerApp {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerApp.class);

    private AnalyzerApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: AnalyzerApp CONFIG.yaml");
            System.exit(2);
        }
        AnalyzerService service;
        try {
            service = Analyzer.start(readConfig(Path.of(args[0])));
        } catch (IOException | IllegalArgumentException | PatternLoadException e) {
            System.err.println("analyzer: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "analyzer-shutdown"));
        LOG.info("analyzer running; stop with SIGTERM");
        stopped.await();
    }

    /** Reads and checks the YAML config; a misspelt option is an error, not silently ignored. */
    public static AnalyzerConfig readConfig(Path file) throws IOException {
        AnalyzerConfig config = ConfigYaml.read(file, AnalyzerConfig.class);
        try {
            return config.validated();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
