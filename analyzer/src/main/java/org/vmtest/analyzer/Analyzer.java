package org.vmtest.analyzer;

import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.analyzer.patterns.PatternLoadException;
import org.vmtest.analyzer.service.AnalyzerService;
import org.vmtest.protocol.kafka.TopicAdmin;

/** The analyzer as a library: what {@code vmtest dev} and {@code vmtest demo} embed beside the other services. */
public final class Analyzer {
    private Analyzer() {
    }

    /**
     * Loads the pattern library (built-in plus {@code patternDirs}), creates the topics if the config says so and
     * starts the analyzer. Close the result to stop it.
     *
     * @throws PatternLoadException naming the file and line of a bad pattern
     */
    public static AnalyzerService start(AnalyzerConfig config) throws PatternLoadException {
        config.validated();
        PatternLibrary library = config.patternDirs().isEmpty()
                ? PatternLibrary.builtIn()
                : PatternLibrary.load(config.patternDirs());
        if (config.kafka().createTopics()) TopicAdmin.ensureTopics(config.kafka());
        return AnalyzerService.start(config, library);
    }
}
