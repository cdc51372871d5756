package org.seqlab.data.registry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one URL into a partial file over HTTP(S), resuming it with a Range request. The JDK
 * client bounds the connect time and the wait for the response headers; a body that stops
 * arriving for longer than the read timeout is cancelled here, since the client has no such
 * limit of its own.
 */
public final class Downloader {
    /** Why a download failed, in a few words ("HTTP 404", "timed out ..."). */
    public static final class Failure extends Exception {
        public Failure(String message) {
            super(message);
        }
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");

    private final Duration connectTimeout, readTimeout;
    private HttpClient client;     // made on the first download: most runs read the cache and never need one

    /**
     * @param connectTimeout longest wait for a connection
     * @param readTimeout    longest wait for the response headers, and longest pause within the body
     */
    public Downloader(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** 20 s to connect, 60 s without data. */
    public static Downloader defaults() {
        return new Downloader(Duration.ofSeconds(20), Duration.ofSeconds(60));
    }

    /**
     * Writes {@code url}'s body to {@code part}: appended when {@code part} already holds a prefix
     * and the server honours the Range request, from the start otherwise.
     *
     * @return the size of {@code part} afterwards (the whole file when this returns normally)
     * @throws Failure on an HTTP error, a timeout, a failed connection or a body cut short; what
     *                 {@code part} then holds is a prefix of the file (possibly empty)
     */
    public long download(URI url, Path part) throws Failure, IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        Result r = fetch(url, part, have);
        if (r.rangeRefused) {                       // the server cannot continue this prefix: start over
            Files.write(part, new byte[0]);
            r = fetch(url, part, 0);
        }
        if (r.status != 200 && r.status != 206) throw new Failure("HTTP " + r.status);
        return Files.size(part);
    }

    /** What one request did. */
    private record Result(int status, boolean rangeRefused) {}

    private Result fetch(URI url, Path part, long offset) throws Failure, IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(readTimeout).header("User-Agent", "seqlab")
                .header("Accept-Encoding", "identity");
        if (offset > 0) req.header("Range", "bytes=" + offset + "-");
        Sink sink = new Sink(part, offset);
        CompletableFuture<HttpResponse<Void>> f = client().sendAsync(req.build(), sink);
        try {
            while (true) {
                try {
                    HttpResponse<Void> resp = f.get(100, TimeUnit.MILLISECONDS);
                    sink.checkComplete();
                    return new Result(resp.statusCode(), sink.rangeRefused);
                } catch (TimeoutException t) {
                    if (sink.idleNanos() > readTimeout.toNanos()) {
                        f.cancel(true);
                        throw new Failure("timed out: no data for " + seconds(readTimeout) + " after " + sink.received
                                + " byte(s) of the body");
                    }
                }
            }
        } catch (ExecutionException e) {
            throw explain(e.getCause(), sink);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        } finally {
            sink.close();
        }
    }

    private synchronized HttpClient client() {
        if (client == null)
            client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL)
                    .version(HttpClient.Version.HTTP_1_1).build();
        return client;
    }

    private Failure explain(Throwable c, Sink sink) {
        if (c instanceof Failure f) return f;
        if (c instanceof java.io.UncheckedIOException u) c = u.getCause();
        if (sink.started) {
            String of = sink.expected >= 0 ? " of " + sink.expected : "";
            return new Failure("truncated: the connection ended after " + sink.received + of + " byte(s) of the body");
        }
        if (c instanceof HttpConnectTimeoutException) return new Failure("could not connect within " + seconds(connectTimeout));
        if (c instanceof HttpTimeoutException) return new Failure("timed out: no response within " + seconds(readTimeout));
        Throwable root = c;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof UnknownHostException || root instanceof java.nio.channels.UnresolvedAddressException)
            return new Failure("cannot resolve the host name (no network?)");
        if (c instanceof ConnectException)
            return new Failure("cannot connect (" + (root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName()) + ")");
        return new Failure(c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage()));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }

    /**
     * Receives the response: a 200 body replaces the partial file, a 206 body that continues it
     * exactly is appended, anything else is discarded. Writes stop once closed, so a cancelled
     * request never touches the file afterwards.
     */
    private static final class Sink implements HttpResponse.BodyHandler<Void> {
        private final Path part;
        private final long offset;
        private final Object lock = new Object();
        private FileChannel channel;
        private boolean closed;
        private volatile boolean started, rangeRefused;
        private volatile long received, expected = -1, lastData = System.nanoTime();
        private volatile IOException writeError;

        Sink(Path part, long offset) {
            this.part = part;
            this.offset = offset;
        }

        @Override
        public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            int status = info.statusCode();
            boolean whole = status == 200, rest = status == 206 && continues(info.headers());
            if (offset > 0 && (status == 416 || status == 206 && !rest)) rangeRefused = true;
            if (!whole && !rest) return HttpResponse.BodySubscribers.discarding();
            synchronized (lock) {
                try {
                    channel = whole ? FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                            : FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    writeError = e;
                    return HttpResponse.BodySubscribers.discarding();
                }
            }
            expected = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            started = true;
            lastData = System.nanoTime();
            return HttpResponse.BodySubscribers.ofByteArrayConsumer(this::write);
        }

        private boolean continues(HttpHeaders h) {
            Optional<String> range = h.firstValue("Content-Range");
            if (range.isEmpty()) return false;
            Matcher m = CONTENT_RANGE.matcher(range.get().trim());
            return m.matches() && Long.parseLong(m.group(1)) == offset;
        }

        private void write(Optional<byte[]> chunk) {
            if (chunk.isEmpty()) return;
            synchronized (lock) {
                if (closed || channel == null) return;
                try {
                    ByteBuffer b = ByteBuffer.wrap(chunk.get());
                    while (b.hasRemaining()) channel.write(b);
                } catch (IOException e) {
                    writeError = e;
                    throw new java.io.UncheckedIOException(e);
                }
            }
            received += chunk.get().length;
            lastData = System.nanoTime();
        }

        long idleNanos() {
            return started ? System.nanoTime() - lastData : 0;   // before the headers, the request timeout applies
        }

        /** After a normal end: the body must be as long as the server announced. */
        void checkComplete() throws Failure, IOException {
            if (writeError != null) throw writeError;
            if (started && expected >= 0 && received < expected)
                throw new Failure("truncated: the server announced " + expected + " bytes and sent " + received);
        }

        void close() throws IOException {
            synchronized (lock) {
                closed = true;
                if (channel != null) channel.close();
            }
        }
    }
}
