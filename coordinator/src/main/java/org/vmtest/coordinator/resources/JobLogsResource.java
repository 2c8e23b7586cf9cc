package org.vmtest.coordinator.resources;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.vmtest.coordinator.archive.ArchiveLayout;
import org.vmtest.coordinator.archive.LogName;
import org.vmtest.coordinator.archive.LogReader;
import org.vmtest.coordinator.auth.Scope;
import org.vmtest.coordinator.core.ApiException;
import org.vmtest.coordinator.state.RunView;

/** {@code /api/v1/jobs/{id}/logs/{console|install|test|stream|thoughts}}: a job's archived logs as text. */
@jakarta.ws.rs.Path("v1/jobs/{id}/logs")
public final class JobLogsResource {
    private static final String TEXT = "text/plain; charset=utf-8";
    private final ArchiveLayout layout;
    private final RunView view;

    public JobLogsResource(ArchiveLayout layout, RunView view) {
        this.layout = layout;
        this.view = view;
    }

    @GET
    @jakarta.ws.rs.Path("{name}")
    @Produces({TEXT, "application/json"})
    @RolesAllowed(Scope.READ)
    public Response log(@PathParam("id") String jobId, @PathParam("name") String name,
                        @QueryParam("tail") String tail, @HeaderParam("Range") String range) throws IOException {
        if (!ArchiveLayout.isPlainId(jobId)) {
            throw ApiException.badRequest("not a job id: letters, digits, '.', '_' and '-' only", "id");
        }
        LogName log = LogName.of(name).orElseThrow(() -> ApiException.notFound(
                "no log '" + name + "': console, install, test, stream or thoughts"));
        String runId = view.runOfJob(jobId).or(() -> archivedRunOf(jobId))
                .orElseThrow(() -> ApiException.notFound("no job '" + jobId + "'"));
        Path file = layout.log(runId, jobId, log).orElseThrow(() -> ApiException.notFound("no job '" + jobId + "'"));
        if (!Files.isRegularFile(file)) {
            return Response.ok(new byte[0], TEXT).build();
        }
        if (range != null && !range.isBlank()) {
            LogReader.Slice slice = LogReader.range(file, range);
            return streamed(Response.status(206), file, slice)
                    .header("Content-Range", "bytes " + slice.start() + "-" + (slice.end() - 1) + "/" + slice.length())
                    .build();
        }
        LogReader.Slice slice;
        if (tail != null && !tail.isBlank()) {
            int n;
            try {
                n = Integer.parseInt(tail.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("tail must be a whole number of lines, got '" + tail + "'", "tail");
            }
            slice = LogReader.tail(file, n);
        } else {
            slice = LogReader.all(file);
        }
        return streamed(Response.ok(), file, slice).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    private static Response.ResponseBuilder streamed(Response.ResponseBuilder response, Path file, LogReader.Slice slice) {
        StreamingOutput body = out -> LogReader.copy(file, slice, out);
        return response.type(TEXT).entity(body).header(HttpHeaders.CONTENT_LENGTH, slice.size())
                .header("Accept-Ranges", "bytes");
    }

    /** A job the run view no longer holds may still be archived: find its run directory. */
    private Optional<String> archivedRunOf(String jobId) {
        if (!Files.isDirectory(layout.root())) return Optional.empty();
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(layout.root(), Files::isDirectory)) {
            for (Path run : runs) {
                if (Files.isDirectory(run.resolve(jobId))) return Optional.of(run.getFileName().toString());
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
