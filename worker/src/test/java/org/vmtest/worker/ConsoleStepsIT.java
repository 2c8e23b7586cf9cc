package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.profiles.ProfileYaml;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.TestFinished;
import org.vmtest.testing.KafkaClusterExtension;

/**
 * Console steps against the real test guest through a real worker: a login on the serial console that delivers
 * the job's key (the guest gets none on its kernel command line), and a console step whose text never comes.
 */
class ConsoleStepsIT {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleStepsIT.class);
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @TempDir
    static Path work;

    static Worker worker;
    static StreamWatcher stream;

    @BeforeAll
    static void startWorker() throws Exception {
        kafka.createTopics();
        WorkerConfig config = WorkerConfig.defaults(kafka.settings()).withWorkerId("cons").withSlots(2)
                .withDirs(TestGuest.dir(), work);
        worker = Worker.start(config);
        stream = new StreamWatcher(kafka.settings());
    }

    @AfterAll
    static void stopWorker() throws Exception {
        if (worker != null) worker.close();
        if (stream != null) stream.close();
    }

    private static JobRequested submit(Profile profile) {
        JobRequested job = TestGuest.job(profile);
        kafka.produce(kafka.topics().jobs(), job.jobId(), JOBS.encode(job));
        return job;
    }

    private static JobFinished awaitFinished(JobRequested job) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> stream.finished(job.jobId()) != null);
        JobFinished finished = stream.finished(job.jobId());
        stream.of(job.jobId(), Line.class).stream().filter(l -> l.source() != LineSource.CONSOLE)
                .forEach(l -> LOG.info("{} {} {} {}", job.jobId(), l.phase(), l.source(), l.text()));
        return finished;
    }

    @Test
    void consoleKeyDeliveryLogsInOnTheSerialConsoleThenTheSshTestsPass() throws Exception {
        Profile profile = ProfileYaml.parse("console-login.yaml", """
                name: console-login
                vm:
                  kernel: vmlinuz
                  initrd: initrd.img
                  cmdline: "console=ttyS0 panic=0 vmtest.scenario=pass vmtest.console=shell"
                ssh:
                  keyDelivery: CONSOLE
                  connectTimeout: 1m
                console:
                  login:
                    - expect: "Please press Enter to activate this console"
                      send: "\\n"
                      timeout: 2m
                    - expect: "# "
                      timeout: 30s
                  startSsh: "pidof dropbear"
                tests:
                  - name: the job's key came in over the console
                    run: "cat /root/.ssh/authorized_keys"
                    expectOutput: "vmtest-console-login-"
                    timeout: 30s
                phaseTimeouts:
                  PROVISIONING: 3m
                """);
        JobRequested job = submit(profile);
        JobFinished finished = awaitFinished(job);

        assertThat(finished.outcome()).as(finished.reason()).isEqualTo(Verdict.PASSED);
        List<TestFinished> tests = stream.of(job.jobId(), TestFinished.class);
        assertThat(tests).singleElement().satisfies(t -> {
            assertThat(t.passed()).isTrue();
            assertThat(t.outputTail()).contains("vmtest-" + job.jobId());
        });
        List<Line> lines = stream.of(job.jobId(), Line.class);
        assertThat(lines).as("the guest got no key on its kernel command line")
                .anyMatch(l -> l.source() == LineSource.CONSOLE && l.text().contains("no vmtest.ssh_key on the command line"));
        assertThat(lines).anyMatch(l -> l.source() == LineSource.CONSOLE && l.text().contains("vmtest-key-installed"));
    }

    @Test
    void aConsoleStepWhoseTextNeverComesFailsTheInstallationAtItsTimeoutNamingTheStep() throws Exception {
        Profile profile = ProfileYaml.parse("console-wait.yaml", """
                name: console-wait
                vm:
                  kernel: vmlinuz
                  initrd: initrd.img
                  cmdline: "console=ttyS0 panic=0 vmtest.scenario=pass"
                install:
                  - name: wait for a banner that never comes
                    console: {expect: "this never appears", timeout: 8s}
                  - run: vmtest-install
                """);
        JobRequested job = submit(profile);
        JobFinished finished = awaitFinished(job);

        assertThat(finished.outcome()).isEqualTo(Verdict.FAILED);
        assertThat(finished.lastPhase()).isEqualTo(Phase.INSTALLATION);
        assertThat(finished.reason()).isEqualTo("install step 'wait for a banner that never comes':"
                + " /this never appears/ did not appear on the console within 8 s");
        assertThat(finished.phaseMillis().get(Phase.INSTALLATION)).isGreaterThanOrEqualTo(8_000L);
        assertThat(stream.of(job.jobId(), Line.class)).noneMatch(l -> l.text().contains("$ vmtest-install"));
    }
}
