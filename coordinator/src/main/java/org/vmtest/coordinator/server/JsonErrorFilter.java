package org.vmtest.coordinator.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Gives a JSON body to an error a servlet answered with a bare status and nothing else: Dropwizard's asset servlet
 * answers a missing page with {@code setStatus(404)} alone, which never reaches the {@link JsonErrorHandler}.
 */
public final class JsonErrorFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        HttpServletResponse http = (HttpServletResponse) response;
        int status = http.getStatus();
        if (status >= 400 && !http.isCommitted() && http.getContentType() == null) {
            http.resetBuffer();
            http.setContentType("application/json");
            http.getOutputStream().write(JsonErrorHandler.body(status, null));
        }
    }
}
