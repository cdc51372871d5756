package org.seqlab.experiments.sweep;

import org.seqlab.core.FieldException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark master URL, checked the way Spark's SparkContext reads it, but before anything is written
 * and without Spark on the class path: a bad one is a field error instead of Spark's internal one
 * after the sweep directory was claimed.
 */
public final class SparkMaster {
    private SparkMaster() {}

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[\\s*(\\d{1,9}|\\*)\\s*(?:,\\s*(\\d{1,9})\\s*)?])?");
    private static final Pattern CLUSTER = Pattern.compile("local-cluster\\[\\s*(\\d{1,9})\\s*,\\s*(\\d{1,9})\\s*,\\s*(\\d{1,9})\\s*]");
    private static final Pattern STANDALONE = Pattern.compile("spark://([^,:/\\s]+:\\d{1,9})(,[^,:/\\s]+:\\d{1,9})*");
    static final String EXPECTED = "expected local[N], local[N,F] (F attempts a task), spark://host:port, yarn or k8s://https://host:port";

    /** Throws a {@link FieldException} on {@code master} (as field "master") unless Spark would take it. */
    public static void check(String master) {
        String m = master.trim();
        Matcher local = LOCAL.matcher(m);
        if (local.matches()) {
            if (local.group(1) != null && !local.group(1).equals("*") && Long.parseLong(local.group(1)) < 1)
                throw new FieldException("master", "'" + master + "' asks for 0 threads; give at least 1, e.g. local[2]");
            if (local.group(2) != null && Long.parseLong(local.group(2)) < 1)
                throw new FieldException("master", "'" + master + "' allows 0 attempts a task; give at least 1, e.g. local[2,2]");
            return;
        }
        Matcher cluster = CLUSTER.matcher(m);
        if (cluster.matches()) {
            for (int g = 1; g <= 3; g++)
                if (Long.parseLong(cluster.group(g)) < 1) throw new FieldException("master", "'" + master + "': local-cluster[workers, cores, MB] needs each >= 1");
            return;
        }
        if (STANDALONE.matcher(m).matches()) {
            for (String hostPort : m.substring("spark://".length()).split(",")) {
                long port = Long.parseLong(hostPort.substring(hostPort.lastIndexOf(':') + 1));
                if (port < 1 || port > 65535) throw new FieldException("master", "'" + master + "': port " + port + " is not in 1..65535");
            }
            return;
        }
        if (m.equals("yarn") || m.startsWith("k8s://") && m.length() > "k8s://".length()
                || m.startsWith("mesos://") && m.length() > "mesos://".length()) return;
        throw new FieldException("master", "'" + master + "' is not a Spark master URL; " + EXPECTED);
    }

    /** The host:port addresses of a standalone master ({@code spark://a:7077,b:7077}), empty for any other kind. */
    public static java.util.List<String> standaloneAddresses(String master) {
        String m = master.trim();
        return STANDALONE.matcher(m).matches() ? java.util.List.of(m.substring("spark://".length()).split(",")) : java.util.List.of();
    }

    /** How long the driver waits for a standalone master to answer a connection. */
    public static final int CONNECT_TIMEOUT_MS = 5_000;

    /**
     * A standalone master ({@code spark://host:port,...}) must accept a connection within
     * {@link #CONNECT_TIMEOUT_MS}: otherwise Spark retries its registration for a minute and then
     * fails inside its own threads.
     */
    public static void reachable(String master) {
        java.util.List<String> addresses = standaloneAddresses(master);
        String why = null;
        for (String hostPort : addresses) {
            int colon = hostPort.lastIndexOf(':');
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), CONNECT_TIMEOUT_MS);
                return;
            } catch (java.io.IOException | IllegalArgumentException e) {
                why = e instanceof java.net.SocketTimeoutException ? "no answer in " + CONNECT_TIMEOUT_MS / 1000 + " s"
                        : e instanceof java.net.UnknownHostException ? "unknown host" : String.valueOf(e.getMessage());
            }
        }
        if (why != null)
            throw new org.seqlab.core.UserException("cannot reach the Spark master " + master + " (" + why
                    + "): start it (sbin/start-master.sh), check the host and port, or run on this machine with --spark local[2]");
    }
}
