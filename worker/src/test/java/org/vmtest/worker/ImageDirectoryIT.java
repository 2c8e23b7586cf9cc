package org.vmtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.jobs.SshSpec;
import org.vmtest.protocol.jobs.VmSpec;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.Line;
import org.vmtest.testing.KafkaClusterExtension;
import org.vmtest.worker.jobs.ShareGroupSetup;
import org.vmtest.worker.vm.Hypervisor;

/**
 * Job records written straight to the jobs topic, past the coordinator's profile check, as anyone who may write that
 * topic can: a worker gives no image outside its image directory to QEMU, whatever the record names.
 */
class ImageDirectoryIT {
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);
    private static final SshSpec NO_SSH = new SshSpec(null, 0, SshSpec.KeyDelivery.NONE, null, null);

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    @TempDir
    Path tmp;

    private KafkaSettings settings;
    private StreamWatcher stream;
    private Path images;
    private Path outside;

    @BeforeEach
    void topicsAndImages() throws Exception {
        settings = kafka.settings().withTopicPrefix("t" + UUID.randomUUID().toString().substring(0, 8));
        kafka.createTopics(settings);
        ShareGroupSetup.apply(settings, Map.of());
        stream = new StreamWatcher(settings);
        // copies, not links: a link to the shared guest directory would itself lead out of this image directory
        images = Files.createDirectories(tmp.resolve("images"));
        outside = Files.createDirectories(tmp.resolve("elsewhere"));
        for (String f : List.of("vmlinuz", "initrd.img", "base.qcow2")) {
            Files.copy(TestGuest.dir().resolve(f), images.resolve(f));
        }
        // a bootable disk, so that a worker which followed the link would start a VM from it
        Files.copy(TestGuest.dir().resolve("base.qcow2"), outside.resolve("other.qcow2"));
        Files.createSymbolicLink(images.resolve("escape.qcow2"), outside.resolve("other.qcow2"));
    }

    @AfterEach
    void closeStream() throws Exception {
        stream.close();
    }

    private static Profile profile(String name, VmSpec vm) {
        return new Profile(name, "", vm, NO_SSH, List.of(), false, List.of(), Map.of(), Map.of(), 1, List.of());
    }

    private static JobRequested job(Profile profile) {
        String id = profile.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new JobRequested(id, "run-" + id, profile, Map.of(), Instant.now());
    }

    @Test
    void imagePathsOutsideTheImageDirectoryEndTheJobAsErrorWithoutAVm() throws Exception {
        JobRequested shadow = job(profile("shadow", new VmSpec(256, 1, null, null, null, "/etc/shadow", null, null,
                null, null)));
        JobRequested parent = job(profile("parent", new VmSpec(256, 1, "vmlinuz", "initrd.img", "console=ttyS0",
                null, "../../x", null, null, null)));
        JobRequested link = job(profile("link", new VmSpec(256, 1, "vmlinuz", "initrd.img", "console=ttyS0", null,
                "escape.qcow2", null, null, null)));
        List<JobRequested> jobs = List.of(shadow, parent, link);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("test-producer"))) {
            for (JobRequested j : jobs) {
                producer.send(new ProducerRecord<>(settings.topics().jobs(), j.jobId(), JOBS.encode(j))).get(30, TimeUnit.SECONDS);
            }
        }

        WorkerConfig config = WorkerConfig.defaults(settings).withWorkerId("images").withSlots(1)
                .withDirs(images, tmp.resolve("work")).withIntervals(Duration.ofSeconds(2), Duration.ofSeconds(3));
        try (Hypervisor libvirt = Hypervisor.open(config.libvirtUri()); Worker worker = Worker.start(config)) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(jobs).allMatch(j -> !stream.of(j.jobId(), JobFinished.class).isEmpty()));
            assertThat(libvirt.domainsNamed("vmtest-images-")).isEmpty();
        }

        assertThat(finished(shadow).reason())
                .isEqualTo("VM could not start: vm.iso: must be a path inside the image directory, not /etc/shadow");
        assertThat(finished(parent).reason())
                .isEqualTo("VM could not start: vm.disk: must be a path inside the image directory, not ../../x");
        assertThat(finished(link).reason())
                .startsWith("VM could not start: vm.disk: must be a path inside the image directory, not escape.qcow2")
                .contains(outside.toRealPath().resolve("other.qcow2").toString());
        for (JobRequested j : jobs) {
            assertThat(finished(j).outcome()).isEqualTo(Verdict.ERROR);
            assertThat(stream.of(j.jobId(), Line.class)).as("no VM started for " + j.jobId())
                    .noneMatch(l -> l.source() == LineSource.CONSOLE)
                    .noneMatch(l -> l.source() == LineSource.WORKER && l.text().startsWith("domain "));
        }
    }

    @Test
    void identityFilesOutsideTheKeyDirectoryEndTheJobAsErrorWithoutAVm() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        org.vmtest.worker.ssh.SshKeys.writePrivateKey(org.vmtest.worker.ssh.SshKeys.generate(),
                outside.resolve("id_ecdsa"), "outside");
        Files.createSymbolicLink(keys.resolve("escape"), outside.resolve("id_ecdsa"));
        VmSpec vm = new VmSpec(256, 1, "vmlinuz", "initrd.img", "console=ttyS0", null, null, null, null, null);
        JobRequested absolute = job(withIdentity("absolute", vm, outside.resolve("id_ecdsa").toString()));
        JobRequested link = job(withIdentity("keylink", vm, "escape"));
        List<JobRequested> jobs = List.of(absolute, link);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer("test-producer"))) {
            for (JobRequested j : jobs) {
                producer.send(new ProducerRecord<>(settings.topics().jobs(), j.jobId(), JOBS.encode(j))).get(30, TimeUnit.SECONDS);
            }
        }

        WorkerConfig config = WorkerConfig.defaults(settings).withWorkerId("keys").withSlots(1)
                .withDirs(images, tmp.resolve("work")).withKeyDir(keys)
                .withIntervals(Duration.ofSeconds(2), Duration.ofSeconds(3));
        try (Hypervisor libvirt = Hypervisor.open(config.libvirtUri()); Worker worker = Worker.start(config)) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(jobs).allMatch(j -> !stream.of(j.jobId(), JobFinished.class).isEmpty()));
            assertThat(libvirt.domainsNamed("vmtest-keys-")).isEmpty();
        }

        assertThat(finished(absolute).reason()).isEqualTo("VM could not start: ssh.identityFile: must be a path inside"
                + " the worker's key directory, not " + outside.resolve("id_ecdsa"));
        assertThat(finished(link).reason())
                .startsWith("VM could not start: ssh.identityFile: must be a path inside the worker's key directory,"
                        + " not escape")
                .contains(outside.toRealPath().resolve("id_ecdsa").toString());
        for (JobRequested j : jobs) {
            assertThat(finished(j).outcome()).isEqualTo(Verdict.ERROR);
            assertThat(stream.of(j.jobId(), Line.class)).as("no VM started for " + j.jobId())
                    .noneMatch(l -> l.source() == LineSource.CONSOLE);
        }
    }

    private static Profile withIdentity(String name, VmSpec vm, String identityFile) {
        return new Profile(name, "", vm, new SshSpec(null, 0, SshSpec.KeyDelivery.IDENTITY_FILE, identityFile, null),
                List.of(), false, List.of(), Map.of(), Map.of(), 1, List.of());
    }

    private JobFinished finished(JobRequested job) {
        return stream.of(job.jobId(), JobFinished.class).get(0);
    }
}
