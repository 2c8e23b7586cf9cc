package org.vmtest.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.cli.client.RunView;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.verdicts.FailureAnalysis;
import org.vmtest.protocol.verdicts.SubtestResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class JUnitXmlTest {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

    static RunView run() {
        var passPhases = List.of(new RunView.PhaseSpan("PROVISIONING", T, T.plusSeconds(9)),
                new RunView.PhaseSpan("INSTALLATION", T.plusSeconds(9), T.plusSeconds(15)),
                new RunView.PhaseSpan("REBOOT", T.plusSeconds(15), T.plusSeconds(30)),
                new RunView.PhaseSpan("TESTING", T.plusSeconds(30), T.plusSeconds(32)),
                new RunView.PhaseSpan("REPORTING", T.plusSeconds(32), T.plusSeconds(33)));
        var pass = new RunView.JobView("j-1", "pass", "REPORTING", 1, "dev", Verdict.PASSED, "", null, passPhases,
                List.of(new RunView.TestView("selftest", true, 120, null, null)));
        var failure = new FailureAnalysis("Kernel panic - not syncing: sysrq triggered crash", "5c0e8d1f2a9b",
                "kernel.panic", Phase.INSTALLATION, "Kernel panic - not syncing: sysrq triggered crash",
                List.of("Kernel panic - not syncing: sysrq triggered crash", "\u0001CPU: 0 PID: 93"),
                List.of("vmtest-install: [ 50%] copying"));
        var panic = new RunView.JobView("j-2", "panic", "INSTALLATION", 1, "dev", Verdict.ABORTED, "aborted", failure,
                passPhases.subList(0, 2), List.of());
        var testFail = new RunView.JobView("j-3", "test-fail", "REPORTING", 1, "dev", Verdict.FAILED, "test failed",
                null, passPhases, List.of(new RunView.TestView("selftest", false, 80, "exit 1, expected 0", null)));
        return new RunView("r-1", "DONE", Verdict.ABORTED, Map.of("commit", "abc"), T, List.of(pass, panic, testFail));
    }

    @Test
    void aRunBecomesASuitePerJobWithACasePerPhaseAndTest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out/junit.xml");

        JUnitXml.write(run(), file);

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        NodeList suites = doc.getElementsByTagName("testsuite");
        assertThat(suites.getLength()).isEqualTo(3);
        Element pass = (Element) suites.item(0);
        assertThat(pass.getAttribute("name")).isEqualTo("pass");
        assertThat(pass.getAttribute("tests")).isEqualTo("6");
        assertThat(pass.getAttribute("failures")).isEqualTo("0");
        assertThat(pass.getElementsByTagName("failure").getLength()).isZero();
        Element firstCase = (Element) pass.getElementsByTagName("testcase").item(0);
        assertThat(firstCase.getAttribute("name")).isEqualTo("phase provisioning");
        assertThat(firstCase.getAttribute("time")).isEqualTo("9.000");
    }

    @Test
    void theAbortedJobsLastPhaseCarriesTheFailureAnalysis(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junit.xml");

        JUnitXml.write(run(), file);

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        Element panic = (Element) doc.getElementsByTagName("testsuite").item(1);
        NodeList failures = panic.getElementsByTagName("failure");
        assertThat(failures.getLength()).isEqualTo(1);
        Element failure = (Element) failures.item(0);
        assertThat(((Element) failure.getParentNode()).getAttribute("name")).isEqualTo("phase installation");
        assertThat(failure.getAttribute("message")).isEqualTo("ABORTED: Kernel panic - not syncing: sysrq triggered crash");
        assertThat(failure.getTextContent()).contains("pattern: kernel.panic").contains("CPU: 0 PID: 93");
    }

    @Test
    void aFailedDeclarativeTestIsAFailedCase(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junit.xml");

        JUnitXml.write(run(), file);

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        Element testFail = (Element) doc.getElementsByTagName("testsuite").item(2);
        NodeList cases = testFail.getElementsByTagName("testcase");
        Element selftest = (Element) cases.item(cases.getLength() - 1);
        assertThat(selftest.getAttribute("name")).isEqualTo("selftest");
        assertThat(((Element) selftest.getElementsByTagName("failure").item(0)).getAttribute("message"))
                .isEqualTo("exit 1, expected 0");
    }

    @Test
    void eachSubtestIsACaseOfItsOwnAndAFailingOneCarriesItsMessage(@TempDir Path dir) throws Exception {
        var suite = new RunView.TestView("suite", false, 900, "subtest disk full failed: no space left", List.of(
                new SubtestResult("mount", true, false, ""),
                new SubtestResult("disk full", false, false, "no space left"),
                new SubtestResult("network", true, true, "no network")));
        var job = new RunView.JobView("j-1", "tap", "REPORTING", 1, "dev", Verdict.FAILED, "1 test failed", null,
                List.of(), List.of(suite));
        Path file = dir.resolve("junit.xml");

        JUnitXml.write(new RunView("r-1", "DONE", Verdict.FAILED, Map.of(), T, List.of(job)), file);

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        Element s = (Element) doc.getElementsByTagName("testsuite").item(0);
        assertThat(s.getAttribute("tests")).isEqualTo("4");
        assertThat(s.getAttribute("failures")).isEqualTo("3"); // the test, its subtest, and the job's verdict
        NodeList cases = s.getElementsByTagName("testcase");
        Element disk = (Element) cases.item(2);
        assertThat(disk.getAttribute("classname")).isEqualTo("tap.tests.suite");
        assertThat(disk.getAttribute("name")).isEqualTo("disk full");
        assertThat(((Element) disk.getElementsByTagName("failure").item(0)).getAttribute("message"))
                .isEqualTo("no space left");
        assertThat(((Element) cases.item(3)).getElementsByTagName("skipped").getLength()).isEqualTo(1);
        assertThat(((Element) cases.item(1)).getElementsByTagName("failure").getLength()).isZero();
    }
}
