package org.vmtest.worker.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cloud-init NoCloud seed for one job: an ISO 9660 image labelled {@code cidata} holding {@code meta-data} (a fresh
 * instance id, so cloud-init treats every job as a new instance and installs its key) and {@code user-data} (the
 * profile's extra cloud-config with the job's key added to {@code ssh_authorized_keys}). Built with xorriso, which
 * deploy/host-setup.sh installs; no Java library on Maven Central writes ISO 9660 with Joliet and is kept up.
 */
public final class CloudInitSeed {
    public static final String VOLUME_LABEL = "cidata";
    private static final ObjectMapper YAML = new YAMLMapper()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES);

    private CloudInitSeed() {
    }

    /** The {@code user-data} text: {@code #cloud-config} with the extra config and the job's key. */
    static String userData(String publicKey, String user, String extraCloudConfig) throws VmStartException {
        ObjectNode config;
        try {
            JsonNode extra = extraCloudConfig == null ? null : YAML.readTree(extraCloudConfig);
            if (extra == null || extra.isMissingNode() || extra.isNull()) {
                config = YAML.createObjectNode();
            } else if (extra instanceof ObjectNode o) {
                config = o;
            } else {
                throw new VmStartException("ssh.cloudInitUserData must be a YAML mapping (cloud-config), not a "
                        + extra.getNodeType().name().toLowerCase());
            }
        } catch (JsonProcessingException e) {
            throw new VmStartException("ssh.cloudInitUserData is not valid YAML: " + e.getOriginalMessage(), e);
        }
        JsonNode keys = config.get("ssh_authorized_keys");
        ArrayNode list = keys instanceof ArrayNode a ? a : config.putArray("ssh_authorized_keys");
        if (keys != null && !(keys instanceof ArrayNode)) list.add(keys.asText());
        list.add(publicKey.strip());
        // cloud-init gives the keys to the image's default user and turns root's away ("Please login as ...")
        // unless told otherwise: a profile that logs in as root means it
        if ("root".equals(user) && !config.has("disable_root")) config.put("disable_root", false);
        try {
            return "#cloud-config\n" + YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new VmStartException("cannot write the cloud-init user-data: " + e.getMessage(), e);
        }
    }

    static String metaData(String instanceId, String hostname) {
        return "instance-id: " + instanceId + "\nlocal-hostname: " + hostname + "\n";
    }

    /**
     * Writes the seed ISO to {@code iso}; the caller deletes it when the job ends.
     *
     * @param hostname the guest's host name (a DNS label)
     */
    public static void create(Path iso, String publicKey, String user, String extraCloudConfig, String hostname)
            throws VmStartException {
        String userData = userData(publicKey, user, extraCloudConfig);
        Path dir = null;
        try {
            Files.createDirectories(iso.getParent());
            dir = Files.createTempDirectory(iso.getParent(), ".seed-");
            Files.writeString(dir.resolve("user-data"), userData, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("meta-data"), metaData("vmtest-" + UUID.randomUUID(), hostname),
                    StandardCharsets.UTF_8);
            Files.deleteIfExists(iso);
            run(new ProcessBuilder("xorriso", "-as", "mkisofs", "-quiet", "-o", iso.toString(), "-V", VOLUME_LABEL,
                    "-J", "-r", dir.resolve("user-data").toString(), dir.resolve("meta-data").toString()), iso);
        } catch (IOException e) {
            throw new VmStartException("cannot write the cloud-init seed " + iso + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void run(ProcessBuilder pb, Path iso) throws VmStartException, IOException {
        Process p;
        try {
            p = pb.redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new VmStartException("cannot run xorriso to build the cloud-init seed (install package xorriso: "
                    + "deploy/host-setup.sh): " + e.getMessage(), e);
        }
        try {
            boolean done = p.waitFor(30, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!done) {
                p.destroyForcibly();
                throw new VmStartException("xorriso did not write " + iso + " within 30 s");
            }
            if (p.exitValue() != 0) throw new VmStartException("xorriso failed (exit " + p.exitValue() + "): " + out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new VmStartException("interrupted while writing the cloud-init seed " + iso, e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is swept with the overlays
        }
    }
}
