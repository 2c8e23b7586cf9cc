package org.vmtest.cli.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.SubtestResult;

/**
 * A run as JUnit XML, the format every CI system shows: a testsuite per job, a testcase per phase it went
 * through, per declarative test and per subtest a test reported ({@code results: tap}). The phase a failed job
 * ended in carries the failure analysis.
 */
public final class JUnitXml {
    private JUnitXml() {
    }

    public static void write(RunView run, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(w);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "vmtest run " + run.id());
            int tests = 0;
            int failures = 0;
            for (RunView.JobView job : run.jobs()) {
                tests += job.phases().size() + cases(job);
                failures += job.verdict() == Verdict.PASSED ? 0 : 1;
            }
            x.writeAttribute("tests", Integer.toString(tests));
            x.writeAttribute("failures", Integer.toString(failures));
            for (RunView.JobView job : run.jobs()) {
                suite(x, run, job);
            }
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void suite(XMLStreamWriter x, RunView run, RunView.JobView job) throws XMLStreamException {
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", job.profile());
        x.writeAttribute("id", job.id());
        x.writeAttribute("tests", Integer.toString(job.phases().size() + cases(job)));
        long failedTests = job.tests().stream().filter(t -> !t.passed()).count()
                + job.tests().stream().flatMap(t -> t.subtests().stream()).filter(s -> !s.passed()).count();
        boolean jobBroken = job.verdict() != Verdict.PASSED && job.verdict() != null;
        x.writeAttribute("failures", Long.toString(failedTests + (jobBroken && job.verdict() != Verdict.ERROR ? 1 : 0)));
        x.writeAttribute("errors", job.verdict() == Verdict.ERROR ? "1" : "0");
        x.writeCharacters("\n    ");
        x.writeStartElement("properties");
        property(x, "run", run.id());
        property(x, "job", job.id());
        property(x, "verdict", String.valueOf(job.verdict()));
        property(x, "attempt", Integer.toString(job.attempt()));
        if (job.worker() != null) property(x, "worker", job.worker());
        for (var label : run.labels().entrySet()) property(x, "label." + label.getKey(), label.getValue());
        x.writeEndElement();

        for (int i = 0; i < job.phases().size(); i++) {
            RunView.PhaseSpan span = job.phases().get(i);
            boolean last = i == job.phases().size() - 1;
            x.writeCharacters("\n    ");
            x.writeStartElement("testcase");
            x.writeAttribute("classname", job.profile());
            x.writeAttribute("name", "phase " + span.name().toLowerCase(Locale.ROOT));
            x.writeAttribute("time", seconds(span));
            if (last && jobBroken) verdictFailure(x, job);
            x.writeEndElement();
        }
        for (RunView.TestView test : job.tests()) {
            x.writeCharacters("\n    ");
            x.writeStartElement("testcase");
            x.writeAttribute("classname", job.profile() + ".tests");
            x.writeAttribute("name", test.name());
            x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", test.durationMillis() / 1000.0));
            if (!test.passed()) {
                x.writeStartElement("failure");
                x.writeAttribute("message", test.reason() == null || test.reason().isEmpty() ? "test failed"
                        : clean(test.reason()));
                x.writeEndElement();
            }
            x.writeEndElement();
            for (SubtestResult sub : test.subtests()) subtest(x, job, test, sub);
        }
        x.writeCharacters("\n  ");
        x.writeEndElement();
    }

    private static void subtest(XMLStreamWriter x, RunView.JobView job, RunView.TestView test, SubtestResult sub)
            throws XMLStreamException {
        x.writeCharacters("\n    ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", job.profile() + ".tests." + test.name());
        x.writeAttribute("name", clean(sub.name()));
        x.writeAttribute("time", "0");
        if (sub.skipped()) {
            x.writeEmptyElement("skipped");
            if (!sub.message().isEmpty()) x.writeAttribute("message", clean(sub.message()));
        } else if (!sub.passed()) {
            x.writeEmptyElement("failure");
            x.writeAttribute("message", sub.message().isEmpty() ? "subtest failed" : clean(sub.message()));
        }
        x.writeEndElement();
    }

    private static int cases(RunView.JobView job) {
        return job.tests().size() + job.tests().stream().mapToInt(t -> t.subtests().size()).sum();
    }

    private static void verdictFailure(XMLStreamWriter x, RunView.JobView job) throws XMLStreamException {
        FailureAnalysis f = job.failure();
        x.writeStartElement(job.verdict() == Verdict.ERROR ? "error" : "failure");
        String title = f != null ? f.title() : job.reason();
        x.writeAttribute("message", job.verdict() + ": " + (title == null ? "" : clean(title)));
        x.writeAttribute("type", job.verdict().name());
        StringBuilder body = new StringBuilder();
        if (job.reason() != null) body.append(job.reason()).append('\n');
        if (f != null) {
            body.append("phase: ").append(f.phase()).append(", pattern: ").append(f.patternId())
                    .append(", signature: ").append(f.signature()).append('\n');
            if (!f.context().isEmpty()) body.append("context:\n");
            f.context().forEach(l -> body.append("  ").append(l).append('\n'));
            if (!f.block().isEmpty()) body.append("report:\n");
            f.block().forEach(l -> body.append("  ").append(l).append('\n'));
        }
        x.writeCharacters(clean(body.toString()));
        x.writeEndElement();
    }

    private static void property(XMLStreamWriter x, String name, String value) throws XMLStreamException {
        x.writeEmptyElement("property");
        x.writeAttribute("name", name);
        x.writeAttribute("value", clean(value));
    }

    private static String seconds(RunView.PhaseSpan span) {
        if (span.start() == null || span.end() == null) return "0";
        return String.format(Locale.ROOT, "%.3f", Duration.between(span.start(), span.end()).toMillis() / 1000.0);
    }

    /** XML 1.0 forbids most control characters, even escaped. */
    static String clean(String s) {
        return s == null ? "" : s.replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "\uFFFD");
    }
}
