package org.seqlab.data.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local HTTP server for download tests (port 0, loopback only). Each path misbehaves in one way:
 * {@code /ok} serves the content (honouring Range), {@code /norange} ignores Range,
 * {@code /corrupt} serves other bytes, {@code /truncated} announces the full length and hangs up
 * half way, {@code /missing} is a 404, {@code /slow} never answers and {@code /stall} stops
 * half way through the body.
 */
final class LocalServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private final HttpServer server;
    private final byte[] content;
    private final CountDownLatch release = new CountDownLatch(1);
    /** "PATH RANGE-HEADER" of every request, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    LocalServer(byte[] content) throws IOException {
        this.content = content;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "local-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String range = x.getRequestHeaders().getFirst("Range");
        requests.add(path + " " + range);
        try (x) {
            switch (path) {
                case "/ok" -> {
                    Matcher m = range == null ? null : RANGE.matcher(range);
                    if (m != null && m.matches() && Long.parseLong(m.group(1)) < content.length) {
                        int from = Integer.parseInt(m.group(1));
                        x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
                        send(x, 206, java.util.Arrays.copyOfRange(content, from, content.length), -1);
                    } else send(x, 200, content, -1);
                }
                case "/norange" -> send(x, 200, content, -1);
                case "/corrupt" -> {
                    byte[] bad = content.clone();
                    bad[bad.length / 2] ^= 1;
                    send(x, 200, bad, -1);
                }
                case "/truncated" -> send(x, 200, content, content.length / 2);
                case "/stall" -> {
                    x.sendResponseHeaders(200, content.length);
                    OutputStream out = x.getResponseBody();
                    out.write(content, 0, content.length / 2);
                    out.flush();
                    await();
                }
                case "/slow" -> {
                    await();
                    send(x, 200, content, -1);
                }
                default -> send(x, 404, "not here".getBytes(), -1);
            }
        } catch (IOException ignored) {
            // the client went away (the timeout tests): nothing to do
        }
    }

    /** Announces all of {@code body} but sends only {@code cut} bytes of it when cut >= 0, then hangs up. */
    private static void send(HttpExchange x, int status, byte[] body, int cut) throws IOException {
        x.sendResponseHeaders(status, body.length);
        OutputStream out = x.getResponseBody();
        out.write(body, 0, cut >= 0 ? cut : body.length);
        out.flush();
        // closing the exchange short of the announced length drops the connection: the client sees the body end early
    }

    private void await() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
