package org.seqlab.experiments.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer runs as the user's shell would run it: the real launcher starts a stand-in {@code java}
 * that records the environment the JVM gets, and the peer's environment made from it must hold
 * nothing the launcher set, but for the OpenBLAS kernels it named and the thread setting under test.
 */
class PeerEnvironmentTest {
    @TempDir
    Path dir;

    /** Variables a shell itself keeps (its depth and working directory): a user's shell has them too. */
    private static final Set<String> SHELL_OWN = Set.of("SHLVL", "PWD", "OLDPWD", "_");

    @Test
    void nothingTheLauncherSetsReachesAPeerButTheKernelsAndTheThreadsUnderTest() throws Exception {
        Path launcher = Path.of("..", "seqlab").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(launcher), "the launcher at " + launcher);
        // a project root the launcher finds built (nothing to rebuild), and a java that records its environment
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.copy(launcher, root.resolve("seqlab"));
        Files.createDirectories(root.resolve("experiments/target/lib"));
        Files.writeString(root.resolve("experiments/target/seqlab.jar"), "");
        Path bin = Files.createDirectories(dir.resolve("bin")), recorded = dir.resolve("jvm.env");
        Files.writeString(bin.resolve("java"), "#!/bin/sh\nenv -0 > '" + recorded + "'\n");
        Files.setPosixFilePermissions(bin.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));

        // the user's shell: a value with a newline, a malloc setting of the user's own, and a SEQLAB_HOME the launcher replaces
        Map<String, String> shell = new HashMap<>(Map.of(
                "PATH", bin + ":/usr/bin:/bin", "HOME", dir.toString(), "LANG", "C.UTF-8",
                "USER_SETTING", "two\nlines", "MALLOC_ARENA_MAX", "4", "SEQLAB_HOME", "/somewhere/else"));
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("seqlab").toString(), "run", "x.yaml").redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(shell);
        Process p = pb.start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), said);
        Map<String, String> jvm = parse(Files.readAllBytes(recorded));

        Set<String> launcherSet = new TreeSet<>();
        jvm.forEach((k, v) -> {
            if (!SHELL_OWN.contains(k) && !v.equals(shell.get(k))) launcherSet.add(k);
        });
        // the launcher does tune the JVM's environment: otherwise this test would prove nothing
        assertTrue(launcherSet.containsAll(List.of("MALLOC_MMAP_THRESHOLD_", "OMP_NUM_THREADS", "SEQLAB_HOME")), launcherSet.toString());
        assertEquals("4", jvm.get("MALLOC_ARENA_MAX"), "a setting of the user's own wins in the JVM too");

        Peer.Threads threads = new Peer.Threads(1, 2);
        Map<String, String> peer = Peer.peerEnvironment(jvm, threads);
        for (String name : launcherSet) {
            if (name.equals("OPENBLAS_CORETYPE")) assertEquals(jvm.get(name), peer.get(name), "the kernels the launcher named");
            else if (Peer.THREAD_VARIABLES.contains(name)) assertEquals(threads.variables().get(name), peer.get(name), name);
            else assertEquals(shell.get(name), peer.get(name), name + ": set by the launcher, so the peer has the shell's value (or none)");
        }
        shell.forEach((k, v) -> assertEquals(v, peer.get(k), "the user's " + k));
        assertEquals("1", peer.get("PEER_THREADS"));
        assertEquals("2", peer.get("OMP_NUM_THREADS"));
        assertEquals("2", peer.get("OPENBLAS_NUM_THREADS"));
        assertFalse(peer.containsKey(Peer.SHELL_DIFF));

        // at the shell's own threads, the launcher's OMP_NUM_THREADS=1 is gone too
        assertFalse(Peer.peerEnvironment(jvm, null).containsKey("OMP_NUM_THREADS"));
    }

    @Test
    void withoutTheLauncherTheJvmsEnvironmentIsTheUsers() {
        Map<String, String> jvm = Map.of("PATH", "/usr/bin", "MALLOC_ARENA_MAX", "2", "OPENBLAS_L2_SIZE", "1048576");
        assertEquals(Map.of("PATH", "/usr/bin", "MALLOC_ARENA_MAX", "2"), Peer.peerEnvironment(jvm, null));
    }

    @Test
    void theShellLineRepeatsTheRunByHand() {
        String line = Peer.shellLine("python3", Path.of("/x/torch char.py"), List.of("/d/dinos.txt", "lstm", "it's"), new Peer.Threads(2, 1));
        String kernels = System.getenv("OPENBLAS_CORETYPE");
        assertEquals((kernels == null ? "" : "OPENBLAS_CORETYPE=" + kernels + " ")
                + "PEER_THREADS=2 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 '/x/torch char.py' /d/dinos.txt lstm 'it'\\''s'", line);
    }

    private static Map<String, String> parse(byte[] envZero) {
        Map<String, String> env = new HashMap<>();
        for (String kv : new String(envZero, StandardCharsets.UTF_8).split("\0"))
            if (kv.indexOf('=') > 0) env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        return env;
    }
}
