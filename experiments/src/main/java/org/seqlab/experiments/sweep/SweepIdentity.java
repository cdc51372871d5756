package org.seqlab.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Json;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A sweep directory belongs to one sweep definition: everything that affects a trial (the
 * experiment with its sweep section, less the settings that only schedule trials, and the data's
 * content). Resuming with another definition would mix trials of two searches and pick the best
 * from the mix, so it is refused, naming what changed, unless the user starts afresh.
 */
public final class SweepIdentity {
    static final String FILE = "sweep-definition.json";
    /** Sweep settings that decide how many trials run, when and where, not what a trial is (more trials extend the same search). */
    private static final List<String> SCHEDULING = List.of("workers", "max_seconds", "trials", "spark");

    private SweepIdentity() {}

    /**
     * The data's content: a file's SHA-256, or a directory's listing (names, sizes, dates: cheap,
     * and a touched file counts as changed); null for a generator, whose settings are in the
     * definition.
     */
    public static String dataContent(org.seqlab.data.DataSources.Resolved r) throws IOException {
        if (r.fileSha256() != null) return r.fileSha256();
        if (r.path() != null && Files.isRegularFile(r.path())) return Sha256.of(r.path());
        if (r.path() == null || !Files.isDirectory(r.path())) return null;
        StringBuilder listing = new StringBuilder();
        try (var walk = Files.walk(r.path())) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList())
                listing.append(r.path().relativize(f)).append(' ').append(Files.size(f)).append(' ')
                        .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
        }
        return Sha256.of(listing.toString());
    }

    /** What is saved in the directory: the hash and the definition it was taken of. */
    record Saved(String hash, JsonNode definition) {}

    /** The definition of a sweep: the experiment tree without its name and scheduling, plus the data's identity. */
    static ObjectNode definition(ObjectNode tree, String data) {
        ObjectNode d = tree.deepCopy();
        d.remove("name");                     // it only names the folder
        if (d.get("sweep") instanceof ObjectNode s) SCHEDULING.forEach(s::remove);
        d.set("data_content", data == null ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.textNode(data));
        return d;
    }

    /**
     * Makes {@code out} this sweep's directory: a new directory (or one from before definitions were
     * recorded) takes this definition; one of the same definition resumes; one of another is refused
     * with what changed, unless {@code fresh}, which discards its trials first.
     */
    public static void claim(Path out, ObjectNode tree, String data, boolean fresh, java.util.function.Consumer<String> console)
            throws IOException {
        ObjectNode mine = definition(tree, data);
        String hash = Sha256.of(Json.write(mine));
        Path file = out.resolve(FILE);
        if (fresh) discardTrials(out, console);
        else if (Files.isRegularFile(file)) {
            Saved saved = Json.read(file, Saved.class);
            if (hash.equals(saved.hash())) return;
            Set<String> changed = new TreeSet<>();
            diff("", saved.definition(), mine, changed);
            throw new UserException(out + " holds the trials of another sweep definition (changed: " + summary(changed)
                    + "); resuming would mix two searches. Use another --out, or --fresh to discard those trials and start afresh");
        }
        Files.createDirectories(out);
        AtomicFiles.writeString(file, Json.write(new Saved(hash, mine)));
    }

    private static void discardTrials(Path out, java.util.function.Consumer<String> console) throws IOException {
        List<Path> gone = new ArrayList<>();
        for (String name : List.of("trials.jsonl", "best.yaml", "sweep.md", "sweep.html", FILE, "trials")) {
            Path p = out.resolve(name);
            if (!Files.exists(p)) continue;
            AtomicFiles.deleteTree(p);
            gone.add(p.getFileName());
        }
        if (!gone.isEmpty()) console.accept("sweep: --fresh: discarded " + gone + " in " + out);
    }

    private static String summary(Set<String> changed) {
        List<String> list = new ArrayList<>(changed);
        return list.size() <= 6 ? String.join(", ", list) : String.join(", ", list.subList(0, 6)) + " and " + (list.size() - 6) + " more";
    }

    /** The paths (a.b[0].c) where two definitions differ; the data's content is named "data content". */
    static void diff(String path, JsonNode a, JsonNode b, Set<String> out) {
        if (a == null || b == null || a.isObject() != b.isObject() || a.isArray() != b.isArray()) {
            out.add(label(path));
            return;
        }
        if (a.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) diff(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
        } else if (a.isArray()) {
            if (a.size() != b.size()) out.add(label(path));
            else for (int i = 0; i < a.size(); i++) diff(path + "[" + i + "]", a.get(i), b.get(i), out);
        } else if (!a.equals(b)) out.add(label(path));
    }

    private static String label(String path) {
        return path.equals("data_content") ? "the data's content" : path;
    }
}
