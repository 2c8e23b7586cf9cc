package org.vmtest.coordinator.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.coordinator.api.ProfileList;
import org.vmtest.coordinator.api.ProfileSummary;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.profiles.ProfileException;
import org.vmtest.protocol.profiles.ProfileVariables;
import org.vmtest.protocol.profiles.ProfileYaml;

/**
 * The profiles of a directory ({@code *.yaml}, {@code *.yml}). A file that does not load is kept out and reported
 * with its file and line; the good ones stay usable. {@link #reloadIfChanged()} is cheap enough to poll.
 */
public final class ProfileCatalogue {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileCatalogue.class);

    /** @param text the file as read: a run resolves its variables in it */
    private record Loaded(Profile profile, Path file, String text) {
    }

    /** A catalogue profile's file, to resolve a run's variables in. */
    public record Source(String name, Path file, String text) {
    }

    private record Snapshot(Map<String, Loaded> profiles, List<ProfileList.ProfileError> errors, String fingerprint) {
    }

    private final Path dir;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of(), "");

    public ProfileCatalogue(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Loads every profile file now; returns what it found. */
    public synchronized ProfileList reload() {
        snapshot = load(fingerprint());
        ProfileList list = list();
        LOG.info("profiles from {}: {} loaded, {} with errors", dir, list.profiles().size(), list.errors().size());
        list.errors().forEach(e -> LOG.warn("profile not loaded: {}:{}: {}", e.file(), e.line(), e.message()));
        return list;
    }

    /** Reloads when a file was added, removed or changed since the last load. */
    public synchronized boolean reloadIfChanged() {
        String now = fingerprint();
        if (now.equals(snapshot.fingerprint())) return false;
        reload();
        return true;
    }

    public Optional<Profile> get(String name) {
        return Optional.ofNullable(snapshot.profiles().get(name)).map(Loaded::profile);
    }

    public Optional<Source> source(String name) {
        return Optional.ofNullable(snapshot.profiles().get(name)).map(l -> new Source(name, l.file(), l.text()));
    }

    public ProfileList list() {
        Snapshot s = snapshot;
        List<ProfileSummary> summaries = s.profiles().values().stream()
                .map(l -> new ProfileSummary(l.profile().name(), l.profile().description(), l.file().getFileName().toString(),
                        l.profile().tests().size(), l.profile().reboot()))
                .toList();
        return new ProfileList(summaries, s.errors());
    }

    private Snapshot load(String fingerprint) {
        Map<String, Loaded> profiles = new TreeMap<>();
        List<ProfileList.ProfileError> errors = new ArrayList<>();
        for (Path file : files()) {
            try {
                String text = read(file);
                // No run gives values yet: each variable is checked as its default, or else as its own name.
                Profile p = ProfileYaml.parse(file.toString(), text, ProfileVariables.placeholders(), false);
                Optional<String> patterns = ProfilePatterns.problem(p);
                if (patterns.isPresent()) throw new ProfileException(file.toString(), 0, 0, patterns.get());
                Loaded other = profiles.get(p.name());
                if (other != null) {
                    errors.add(new ProfileList.ProfileError(file.toString(), 0, 0,
                            "profile name '" + p.name() + "' is already used by " + other.file()));
                } else {
                    profiles.put(p.name(), new Loaded(p, file, text));
                }
            } catch (ProfileException e) {
                errors.add(new ProfileList.ProfileError(e.file(), e.line(), e.column(), e.getMessage()));
            }
        }
        return new Snapshot(Map.copyOf(profiles), List.copyOf(errors), fingerprint);
    }

    private static String read(Path file) throws ProfileException {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ProfileException(file.toString(), 0, 0, "cannot read: " + e.getMessage());
        }
    }

    private List<Path> files() {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list profile directory " + dir, e);
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }

    private String fingerprint() {
        StringBuilder sb = new StringBuilder();
        for (Path file : files()) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                sb.append(file.getFileName()).append(':').append(a.lastModifiedTime().toMillis()).append(':')
                        .append(a.size()).append(';');
            } catch (IOException e) {
                sb.append(file.getFileName()).append(":gone;");
            }
        }
        return sb.toString();
    }
}
