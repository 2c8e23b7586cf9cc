package org.vmtest.cli.follow;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vmtest.cli.client.CoordinatorClient;
import org.vmtest.cli.client.CoordinatorException;
import org.vmtest.cli.client.RunView;

/**
 * Shows a run live until it has its verdict: the run's state from the API, the latest finding of each job from
 * its event stream. On a terminal it redraws one compact line per job; elsewhere (CI logs) it prints a plain
 * line whenever something changes.
 */
public final class RunFollower {
    private final CoordinatorClient client;
    private final PrintWriter out;
    private final boolean terminal;
    private final Map<String, String> latest = new ConcurrentHashMap<>();
    private final List<JsonNode> thoughts = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> printed = new LinkedHashMap<>();
    private int drawnLines;

    public RunFollower(CoordinatorClient client, PrintWriter out, boolean terminal) {
        this.client = client;
        this.out = out;
        this.terminal = terminal;
    }

    /** Follows until the run has its verdict or {@code limit} passes; returns the last state seen. */
    public RunView follow(String runId, Duration limit) {
        Instant start = Instant.now();
        Thread events = startEventReader(runId);
        try {
            RunView run = client.run(runId);
            while (!run.finished() && Duration.between(start, Instant.now()).compareTo(limit) < 0) {
                render(run, start);
                sleep(terminal ? 250 : 1000);
                run = client.run(runId);
            }
            render(run, start);
            return run;
        } finally {
            events.interrupt();
        }
    }

    /** The analyzer's thoughts seen on the run's event stream, in order. */
    public List<JsonNode> thoughts() {
        synchronized (thoughts) {
            return List.copyOf(thoughts);
        }
    }

    private Thread startEventReader(String runId) {
        Thread t = new Thread(() -> {
            String last = null;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    last = client.events(runId, last, this::onEvent);
                    if (Thread.currentThread().isInterrupted()) return;
                } catch (CoordinatorException e) {
                    // the run page still updates from the API; resume the stream where it broke
                }
                sleep(500);
            }
        }, "vmtest-follow-events");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private boolean onEvent(JsonNode event) {
        String type = event.path("type").asText();
        String job = event.path("jobId").asText("");
        switch (type) {
            case "Finding" -> {
                String category = event.path("category").asText();
                if (!"METRIC".equals(category)) {
                    latest.put(job, category.toLowerCase() + ": " + event.path("title").asText());
                }
            }
            case "Thought" -> thoughts.add(event);
            case "TestFinished" -> latest.put(job, "test " + event.path("name").asText() + " "
                    + (event.path("passed").asBoolean() ? "passed" : "FAILED"));
            default -> {
            }
        }
        return !Thread.currentThread().isInterrupted();
    }

    private void render(RunView run, Instant start) {
        String elapsed = format(Duration.between(start, Instant.now()));
        if (terminal) {
            StringBuilder screen = new StringBuilder();
            if (drawnLines > 0) screen.append("\033[").append(drawnLines).append("F");
            screen.append(String.format("\033[2Krun %s  %s  %s%n", run.id(), run.state(), elapsed));
            for (RunView.JobView job : run.jobs()) {
                screen.append("\033[2K").append(line(job)).append('\n');
            }
            drawnLines = run.jobs().size() + 1;
            out.print(screen);
        } else {
            for (RunView.JobView job : run.jobs()) {
                String now = line(job);
                if (!now.equals(printed.put(job.id(), now))) out.println("[" + elapsed + "] " + now.strip());
            }
        }
        out.flush();
    }

    private String line(RunView.JobView job) {
        String status = job.verdict() != null ? job.verdict().name() : job.phase() == null ? "QUEUED" : job.phase();
        String attempt = job.attempt() > 1 ? " (attempt " + job.attempt() + ")" : "";
        String note = latest.getOrDefault(job.id(), "");
        if (note.length() > 70) note = note.substring(0, 67) + "...";
        return String.format("  %-12s %-13s%s %s", job.profile(), status, attempt, note);
    }

    static String format(Duration d) {
        return String.format("%02d:%02d", d.toMinutes(), d.toSecondsPart());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
