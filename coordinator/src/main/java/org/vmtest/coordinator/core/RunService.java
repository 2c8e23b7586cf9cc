package org.vmtest.coordinator.core;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.Run;
import org.vmtest.coordinator.api.RunList;
import org.vmtest.coordinator.api.RunStatus;
import org.vmtest.coordinator.api.SubmitRun;
import org.vmtest.coordinator.state.InitialLoad;
import org.vmtest.coordinator.state.RunView;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.control.CancelJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.jobs.JobMessage;
import org.vmtest.protocol.jobs.JobRequested;
import org.vmtest.protocol.jobs.Profile;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.runs.RunCancelled;
import org.vmtest.protocol.runs.RunCommand;
import org.vmtest.protocol.runs.RunSubmitted;

/** Submitting, finding and cancelling runs: the rules behind {@code /api/v1/runs}. */
public final class RunService {
    private static final Logger LOG = LoggerFactory.getLogger(RunService.class);
    private static final JsonSerde<JobMessage> JOBS = JsonSerde.of(JobMessage.class);
    private static final JsonSerde<RunCommand> COMMANDS = JsonSerde.of(RunCommand.class);
    private static final JsonSerde<ControlCommand> CONTROL = JsonSerde.of(ControlCommand.class);
    private static final JsonSerde<Run> RUNS = JsonSerde.of(Run.class);
    public static final int MAX_LIMIT = 500;
    /** Kafka's default record limit is 1 MiB; a job or run record stays well below it. */
    static final int MAX_JOB_BYTES = 512 * 1024;

    private final RunResolver resolver;
    private final RunPublisher publisher;
    private final RunView view;
    private final Topics topics;
    private final Clock clock;
    private final RunMetrics metrics;
    private final InitialLoad initialLoad;

    public RunService(ProfileCatalogue profiles, RunPublisher publisher, RunView view, InitialLoad initialLoad,
                      Topics topics, Clock clock, RunMetrics metrics) {
        this.initialLoad = initialLoad;
        this.resolver = new RunResolver(profiles);
        this.publisher = publisher;
        this.view = view;
        this.topics = topics;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Publishes one {@code JobRequested} per profile, the {@code RunSubmitted} and the run's QUEUED state in one
     * transaction and returns the run. Every profile is resolved and checked before anything is written. Secret
     * values and artifact headers go to the jobs topic only: the other records carry them masked or not at all.
     */
    public Run submit(SubmitRun request) {
        RunResolver.Resolved resolved = resolver.resolve(request);
        Instant now = clock.instant();
        String runId = newRunId();
        Map<String, String> labels = request.labels();
        List<RunSubmitted.JobRef> refs = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        // for the worker to mask in what it publishes (a command it echoes, a guest that prints one)
        List<String> secrets = request.secretVariables().values().stream().filter(v -> !v.isEmpty()).distinct().toList();
        for (int i = 0; i < resolved.jobs().size(); i++) {
            RunResolver.JobPlan plan = resolved.jobs().get(i);
            Profile profile = plan.profile();
            String jobId = runId + "-" + (i + 1) + "-" + profile.name();
            refs.add(new RunSubmitted.JobRef(jobId, profile.name()));
            JobMessage job = new JobRequested(jobId, runId, profile, labels, now, plan.artifacts(), secrets);
            byte[] encoded = JOBS.encode(job);
            if (encoded.length > MAX_JOB_BYTES) {
                throw ApiException.badRequest("profile '" + profile.name() + "' takes " + encoded.length
                        + " bytes with its variables substituted, more than " + MAX_JOB_BYTES, "variables");
            }
            records.add(new ProducerRecord<>(topics.jobs(), jobId, encoded));
        }
        RunCommand submitted = new RunSubmitted(runId, now, refs, labels, resolved.variables(), request.artifacts(),
                resolved.profiles());
        byte[] command = COMMANDS.encode(submitted);
        if (command.length > MAX_JOB_BYTES) {
            throw ApiException.badRequest("the run's profiles take " + command.length + " bytes with their variables "
                    + "substituted, more than " + MAX_JOB_BYTES, "profileDefinitions");
        }
        records.add(new ProducerRecord<>(topics.runCommands(), runId, command));
        List<Job> jobs = refs.stream().map(r -> Job.queued(r.jobId(), r.profile())).toList();
        Run run = new Run(runId, RunStatus.QUEUED, null, labels, now, now, null, jobs, resolved.variables(),
                request.artifacts(), resolved.profiles(), false);
        // The run's first state goes out with its jobs: every coordinator, a restarted one included, shows it as
        // soon as this answers, even while the run-state stream lags (it can wait on a crashed producer's open
        // transaction for as long as the transaction timeout). The stream's own fold of RunSubmitted follows.
        records.add(new ProducerRecord<>(topics.runs(), runId, RUNS.encode(run)));
        publisher.publish(records);
        metrics.submitted(refs.size());
        view.pending(run);
        try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", runId)) {
            LOG.info("run submitted: {} job(s), profiles {}, variables {}, secret variables {}, artifacts {}",
                    jobs.size(), refs.stream().map(RunSubmitted.JobRef::profile).toList(), request.variables().keySet(),
                    request.secretVariables().keySet(), request.artifacts().keySet());
        }
        return run;
    }

    /** The resolved profile a run's jobs run under this name, secret values masked. */
    public Profile profile(String runId, String name) {
        return get(runId).profile(name).orElseThrow(() -> ApiException.notFound(
                "run '" + runId + "' has no profile '" + name + "'"));
    }

    public Run get(String runId) {
        requireLoaded();
        return view.get(runId).orElseThrow(() -> ApiException.notFound("no run '" + runId + "'"));
    }

    /** Runs newest first, filtered by state and by labels ({@code key:value}, all must match). */
    public RunList list(RunStatus state, Map<String, String> labels, int limit, int offset) {
        Predicate<Run> filter = r -> (state == null || r.state() == state)
                && labels.entrySet().stream().allMatch(e -> e.getValue().equals(r.labels().get(e.getKey())));
        requireLoaded();
        List<Run> all = view.list(filter);
        List<Run> page = all.stream().skip(offset).limit(limit).toList();
        return new RunList(page, all.size(), offset, limit);
    }

    /**
     * Sends {@code CancelJob} for every job without a verdict and records the cancellation, in one transaction.
     * Jobs no worker took yet end ABORTED at once; running ones when their worker reports.
     */
    public Run cancel(String runId, String reason) {
        Run run = get(runId);
        if (run.verdict() != null) {
            throw new ApiException(409, "run '" + runId + "' is already finished (" + run.verdict() + ")", null);
        }
        Instant now = clock.instant();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (Job job : run.jobs()) {
            if (job.finished()) continue;
            ControlCommand cancel = new CancelJob(job.id(), runId, now, reason);
            records.add(new ProducerRecord<>(topics.control(), job.id(), CONTROL.encode(cancel)));
        }
        RunCommand cancelled = new RunCancelled(runId, now, reason);
        records.add(new ProducerRecord<>(topics.runCommands(), runId, COMMANDS.encode(cancelled)));
        publisher.publish(records);
        try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", runId)) {
            LOG.info("run cancelled: {} job(s) told to stop", records.size() - 1);
        }
        return run.with(RunStatus.CANCELLED, run.verdict(), now, run.finishedAt(), run.jobs());
    }

    /**
     * A coordinator that has not yet read the run topic up to where it ended at start would answer "no such run"
     * for runs that exist (right after a restart, say). Requests wait for that, and get a 503 if it takes too long.
     */
    private void requireLoaded() {
        if (!initialLoad.awaitForRequest()) throw ApiException.stillReading("the run state", initialLoad.progress());
    }

    static String newRunId() {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "r-" + HexFormat.of().formatHex(random);
    }
}
