package org.vmtest.cli.analyze;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vmtest.analyzer.offline.OfflineAnalyzer;
import org.vmtest.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.ParameterException;

@Command(name = "analyze",
        mixinStandardHelpOptions = true,
        description = {"Runs the analyzer's pattern engine and verdict rules over plain console log files, one VM's "
                + "log per file: try a new pattern on yesterday's logs before deploying it.",
                "Exit code 1 if any file fails."})
public final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "one JSON object per file: {file, verdict, findings[]}")
    boolean json;

    @Option(names = "--patterns", paramLabel = "DIR", description = "extra pattern directory (repeatable)")
    List<Path> patternDirs = new ArrayList<>();

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "console log files")
    List<Path> files;

    @Override
    public Integer call() {
        for (Path f : files) {
            if (!Files.isReadable(f)) throw new ParameterException(spec.commandLine(), "cannot read " + f);
        }
        for (Path d : patternDirs) {
            if (!Files.isDirectory(d)) throw new ParameterException(spec.commandLine(), "not a directory: " + d);
        }
        PrintStream out = System.out;
        int rc = OfflineAnalyzer.run(files, patternDirs, json, out);
        out.flush();
        return rc == 0 ? ExitCodes.OK : rc;
    }
}
