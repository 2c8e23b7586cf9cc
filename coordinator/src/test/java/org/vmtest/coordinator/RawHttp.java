package org.vmtest.coordinator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain socket, for requests no HTTP client would send (a malformed request line, a bad %-escape,
 * a body far larger than announced so far): writes the bytes as given and reads the answer until the server closes.
 */
final class RawHttp {
    record Answer(int status, Map<String, String> headers, String body) {
        String contentType() {
            return headers.getOrDefault("content-type", "");
        }
    }

    private RawHttp() {
    }

    /** Sends {@code head} (request line and headers, CRLF-separated, without the blank line) and {@code body}. */
    static Answer send(int port, String head, byte[] body) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (SocketException e) {
                // the server may answer and close before taking the whole body: its answer is still to be read
            }
            return parse(readAnswer(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException("request '" + head.lines().findFirst().orElse("") + "'", e);
        }
    }

    static Answer send(int port, String head) {
        return send(port, head, new byte[0]);
    }

    /**
     * Reads one answer: up to its Content-Length, or the end of its chunks, or the end of the connection. Not to the
     * end of the connection in every case: a server refusing a body may keep the connection open to read it away.
     */
    private static byte[] readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            int headEnd = -1;
            while (headEnd < 0) {
                int b = in.read();
                if (b < 0) return bytes.toByteArray();
                bytes.write(b);
                headEnd = bytes.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
            }
            String head = bytes.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            Matcher length = Pattern.compile("\r\ncontent-length: *(\\d+)").matcher(head);
            if (length.find()) {
                bytes.write(in.readNBytes(Integer.parseInt(length.group(1))));
            } else if (head.contains("\r\ntransfer-encoding: chunked")) {
                while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) break;
                    bytes.write(b);
                }
            } else {
                in.transferTo(bytes);
            }
        } catch (SocketException e) {
            // a reset after the answer (the server refused the rest of the body): keep what arrived
        }
        return bytes.toByteArray();
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) throw new IllegalStateException("not an HTTP answer: '" + text + "'");
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = dechunk(body);
        return new Answer(status, headers, body);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) return out.toString();
            out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
