package org.vmtest.coordinator;

import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jersey.errors.EarlyEofExceptionMapper;
import io.dropwizard.jersey.errors.LoggingExceptionMapper;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.glassfish.jersey.media.sse.SseFeature;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.coordinator.api.StrictRequests;
import org.vmtest.coordinator.archive.ArchiveLayout;
import org.vmtest.coordinator.archive.ArchiveRetention;
import org.vmtest.coordinator.archive.LogArchive;
import org.vmtest.coordinator.auth.BearerAuthFilter;
import org.vmtest.coordinator.auth.Caller;
import org.vmtest.coordinator.auth.EventTickets;
import org.vmtest.coordinator.auth.TokenAuthenticator;
import org.vmtest.coordinator.core.FailureGroups;
import org.vmtest.coordinator.core.KnownIssueService;
import org.vmtest.coordinator.core.ProfileStatistics;
import org.vmtest.coordinator.core.ProfileCatalogue;
import org.vmtest.coordinator.core.RunMetrics;
import org.vmtest.coordinator.core.RunPublisher;
import org.vmtest.coordinator.core.RunService;
import org.vmtest.coordinator.health.ArchiveHealthCheck;
import org.vmtest.coordinator.health.InitialLoadHealthCheck;
import org.vmtest.coordinator.health.KafkaHealthCheck;
import org.vmtest.coordinator.health.RunStateHealthCheck;
import org.vmtest.coordinator.resources.ErrorMappers;
import org.vmtest.coordinator.resources.JobLogsResource;
import org.vmtest.coordinator.resources.KnownIssuesResource;
import org.vmtest.coordinator.resources.MetaResource;
import org.vmtest.coordinator.resources.ProfilesResource;
import org.vmtest.coordinator.resources.RequestSizeLimit;
import org.vmtest.coordinator.resources.RunsResource;
import org.vmtest.coordinator.resources.TriageResources;
import org.vmtest.coordinator.resources.WorkersResource;
import org.vmtest.coordinator.server.JsonErrorFilter;
import org.vmtest.coordinator.server.JsonErrorHandler;
import org.vmtest.coordinator.server.MaskedRequestLog;
import org.vmtest.coordinator.state.EventHub;
import org.vmtest.coordinator.state.RunRetention;
import org.vmtest.coordinator.state.RunStateStreams;
import org.vmtest.coordinator.state.InitialLoad;
import org.vmtest.coordinator.state.RunView;
import org.vmtest.coordinator.state.StateReader;
import org.vmtest.coordinator.state.WorkerRegistry;
import org.vmtest.coordinator.tasks.ReloadProfilesTask;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.TopicAdmin;

/**
 * The coordinator: REST API under {@code /api/v1}, the web view at {@code /}, run state from Kafka, the log
 * archive. {@code vmtest coordinator deploy/config/coordinator.yml}; in-process through {@link Coordinator}.
 */
public class CoordinatorApplication extends Application<CoordinatorConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorApplication.class);
    private final CompletableFuture<Server> server = new CompletableFuture<>();
    private final Clock clock;

    public CoordinatorApplication() {
        this(Clock.systemUTC());
    }

    public CoordinatorApplication(Clock clock) {
        this.clock = clock;
    }

    public static void main(String[] args) throws Exception {
        new CoordinatorApplication().run(args);
    }

    @Override
    public String getName() {
        return "vmtest-coordinator";
    }

    /** The Jetty server, once it started. */
    CompletableFuture<Server> server() {
        return server;
    }

    @Override
    public void initialize(Bootstrap<CoordinatorConfiguration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(CoordinatorConfiguration config, Environment environment) throws IOException {
        Json.configure(environment.getObjectMapper()).addHandler(new StrictRequests());
        AdminBinding.loopbackUnlessSet(config.getServerFactory());
        if (config.getServerFactory() instanceof AbstractServerFactory f) {
            // The API answers every error with its own JSON shape (ApiError), so Dropwizard's mappers step aside.
            f.setRegisterDefaultExceptionMappers(false);
        }
        environment.jersey().setUrlPattern("/api/*");
        environment.lifecycle().addServerLifecycleListener(server::complete);

        KafkaSettings kafka = config.getKafka();
        if (kafka.createTopics()) {
            TopicAdmin.ensureTopics(kafka);
        }
        ScheduledExecutorService scheduler = environment.lifecycle().scheduledExecutorService("coordinator-%d")
                .threads(1).build();

        ProfileCatalogue profiles = new ProfileCatalogue(config.getProfilesDir());
        profiles.reload();
        scheduler.scheduleWithFixedDelay(profiles::reloadIfChanged, 2, 2, TimeUnit.SECONDS);

        RunView runView = new RunView();
        WorkerRegistry workers = new WorkerRegistry(config.getWorkerHeartbeatInterval().toJavaDuration());
        // One writer per open event stream, each blocking on its own client only (SynchronousQueue: a thread each).
        ExecutorService streamWriters = environment.lifecycle().executorService("event-stream-%d")
                .minThreads(0).maxThreads(Integer.MAX_VALUE).workQueue(new SynchronousQueue<>())
                .keepAliveTime(io.dropwizard.util.Duration.seconds(30)).build();
        EventHub events = new EventHub(config.getEventHistoryPerRun(), config.getEventHistoryBytesPerRun().toBytes(),
                config.getEventHistoryRuns(),
                config.getEventStreamQueue(), streamWriters);
        scheduler.scheduleWithFixedDelay(() -> events.ping(new EventHub.Event(null, RunsResource.KEEP_ALIVE, null)),
                15, 15, TimeUnit.SECONDS);

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics metrics = new RunMetrics(registry, runView);

        Path stateDir = config.getStateDir() != null ? config.getStateDir()
                : Files.createTempDirectory("vmtest-coordinator-streams-");
        RunStateStreams streams = new RunStateStreams(kafka, stateDir, clock, new RunRetention(
                config.getRunRetention().toJavaDuration(), config.getRunRetentionCheckInterval().toJavaDuration()));
        InitialLoad initialLoad = new InitialLoad(config.getKafkaTimeout().toJavaDuration());
        KnownIssueRegistry knownIssues = new KnownIssueRegistry();
        StateReader reader = new StateReader(kafka, runView, workers, events, initialLoad, knownIssues);
        RunPublisher publisher = new RunPublisher(kafka, config.getKafkaTimeout().toJavaDuration());
        ArchiveLayout layout = new ArchiveLayout(config.getArchiveDir());
        LogArchive archive = new LogArchive(kafka, config.getArchiveGroupId(), layout, runView::runOfJob,
                config.getMaxJobOutputBytes().toBytes());
        ArchiveRetention retention = new ArchiveRetention(layout, config.getArchiveRetention().toJavaDuration(), clock);
        scheduler.scheduleWithFixedDelay(retention, 1, 60, TimeUnit.MINUTES);
        Admin admin = Admin.create(kafka.admin("coordinator-health"));

        environment.lifecycle().manage(reader);
        environment.lifecycle().manage(streams);
        environment.lifecycle().manage(publisher);
        environment.lifecycle().manage(archive);
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                admin.close(Duration.ofSeconds(5));
            }
        });

        RunService runs = new RunService(profiles, publisher, runView, initialLoad, kafka.topics(), clock,
                metrics);
        TokenAuthenticator tokens = new TokenAuthenticator(config.getAuth());
        EventTickets tickets = new EventTickets(tokens, randomKey(), clock);
        RunsResource runsResource = new RunsResource(runs, events, tickets, environment.getObjectMapper(),
                config.getMaxEventStreamsPerToken(), streamWriters);
        environment.jersey().register(runsResource);
        environment.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server s) {
                    // Dropwizard sets both after run(): replace them before the first request.
                    s.setErrorHandler(new JsonErrorHandler());
                    MaskedRequestLog.install(s);
                }
            }

            @Override
            public void lifeCycleStopping(LifeCycle event) {
                runsResource.closeEventStreams();
            }
        });
        environment.getApplicationContext().setErrorHandler(new JsonErrorHandler());
        environment.servlets().addFilter("json-errors", new JsonErrorFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.jersey().register(new JobLogsResource(layout, runView));
        environment.jersey().register(new ProfilesResource(profiles));
        environment.jersey().register(new KnownIssuesResource(
                new KnownIssueService(knownIssues, publisher, initialLoad, kafka.topics(), clock)));
        environment.jersey().register(new TriageResources.Failures(new FailureGroups(runView, knownIssues), clock));
        environment.jersey().register(new TriageResources.Stats(new ProfileStatistics(runView), clock));
        environment.jersey().register(new WorkersResource(workers, initialLoad, clock));
        environment.jersey().register(new MetaResource(registry));
        environment.jersey().register(SseFeature.class);
        registerErrorHandling(environment, config.getMaxRequestBytes());
        registerAuth(environment, config, tokens, tickets);

        environment.healthChecks().register("kafka", new KafkaHealthCheck(admin, Duration.ofSeconds(2)));
        environment.healthChecks().register("run-state", new RunStateHealthCheck(streams));
        environment.healthChecks().register("run-state-loaded", new InitialLoadHealthCheck(initialLoad));
        environment.healthChecks().register("archive", new ArchiveHealthCheck(archive));
        environment.admin().addTask(new ReloadProfilesTask(profiles));

        if (config.isWebView()) {
            new AssetsBundle("/assets/", "/", "index.html", "web-view").run(config, environment);
        }
        LOG.info("coordinator for topics {}.*, profiles from {}, archive in {}", kafka.topics().prefix(),
                config.getProfilesDir().toAbsolutePath(), layout.root());
    }

    private static void registerErrorHandling(Environment environment, int maxRequestBytes) {
        environment.jersey().register(new RequestSizeLimit(maxRequestBytes));
        environment.jersey().register(new ErrorMappers.Api());
        environment.jersey().register(new ErrorMappers.Json());
        environment.jersey().register(new ErrorMappers.Violations());
        environment.jersey().register(new ErrorMappers.WebApp());
        environment.jersey().register(new EarlyEofExceptionMapper());
        environment.jersey().register(new LoggingExceptionMapper<Throwable>() {
        });
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static void registerAuth(Environment environment, CoordinatorConfiguration config,
                                     TokenAuthenticator tokens, EventTickets tickets) {
        boolean enabled = config.getAuth().enabled();
        if (enabled && tokens.tokenCount() == 0) {
            throw new IllegalStateException("auth is enabled but no token is configured: set auth.tokens"
                    + " (e.g. from VMTEST_SUBMIT_TOKEN / VMTEST_READ_TOKEN) or auth.enabled: false");
        }
        if (!enabled) LOG.warn("auth is disabled: anyone who reaches this port may submit and cancel runs");
        environment.jersey().register(new AuthDynamicFeature(new BearerAuthFilter(tokens, tickets, enabled)));
        environment.jersey().register(RolesAllowedDynamicFeature.class);
        environment.jersey().register(new AuthValueFactoryProvider.Binder<>(Caller.class));
    }
}
