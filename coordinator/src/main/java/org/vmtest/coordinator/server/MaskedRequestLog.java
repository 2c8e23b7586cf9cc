package org.vmtest.coordinator.server;

import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

/**
 * The request log with every credential in a query string masked ({@code ticket=***}): whatever the log format
 * says, an event-stream ticket, or a token a client wrongly put in a URL (refused, but still logged), never reaches
 * the request log.
 */
public final class MaskedRequestLog extends ContainerLifeCycle implements RequestLog {
    static final String MASK = "***";
    private static final Pattern SECRET = Pattern.compile("(?i)((?:^|&)(?:[^=&]*token|ticket)=)[^&]*");
    private final RequestLog inner;

    private MaskedRequestLog(RequestLog inner) {
        this.inner = inner;
        addBean(inner);
    }

    /** Wraps the server's request log, if it has one; call before the server starts. */
    public static void install(Server server) {
        RequestLog log = server.getRequestLog();
        if (log != null && !(log instanceof MaskedRequestLog)) server.setRequestLog(new MaskedRequestLog(log));
    }

    static String mask(String query) {
        return SECRET.matcher(query).replaceAll("$1" + MASK);
    }

    @Override
    public void log(Request request, Response response) {
        String query = request.getHttpURI().getQuery();
        if (query == null || !SECRET.matcher(query).find()) {
            inner.log(request, response);
            return;
        }
        HttpURI masked = HttpURI.build(request.getHttpURI()).query(mask(query)).asImmutable();
        inner.log(new Request.Wrapper(request) {
            @Override
            public HttpURI getHttpURI() {
                return masked;
            }
        }, response);
    }
}
