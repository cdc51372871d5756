package org.seqlab.experiments.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The user's documents, read as a user reads them, so that a stale line fails {@code mvn verify}:
 * <ul>
 *   <li>every {@code ./seqlab ...} line of a fenced code block passes {@code seqlab --dry-run} from
 *       the project's root: its options parse, its experiment loads with its {@code --set} and
 *       {@code extends}, the files it names are there (an output of a shipped experiment's run, such
 *       as {@code reports/quickstart}, stands for itself). Such a line is a real command, never a
 *       synopsis with placeholders;</li>
 *   <li>every repository path in backticks or a link ({@code experiments/...}, {@code modules/...},
 *       {@code docs/...}, {@code datasets/...}, {@code peers/...}, {@code reports/...}) exists; a
 *       path under {@code reports/NAME/} is an output and needs a shipped experiment called NAME;</li>
 *   <li>every {@code ```yaml} block loads: one with a top-level {@code models:} or {@code extends:}
 *       as an experiment file of its own in {@code experiments/}, any other as a fragment over
 *       {@code experiments/quickstart.yaml}. A block followed by a plain fenced block that starts
 *       with {@code seqlab: error:} is meant to fail, with that line (its file name aside).</li>
 * </ul>
 * What a machine lacks (a data directory outside the project, such as {@code ../shared} or a
 * Debian package's files) skips the command that needs it; a missing file in a directory that is
 * there is a stale line.
 */
class DocsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> DOCUMENTS = List.of("README.md", "experiments/README.md");

    @TempDir
    Path scratch;

    @TestFactory
    Stream<DynamicTest> everyCommandInACodeBlockPassesADryRun() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String doc : DOCUMENTS)
            for (Line c : commands(doc, Files.readString(ROOT.resolve(doc))))
                tests.add(DynamicTest.dynamicTest(c.where() + ": " + c.text(), () -> dryRun(c)));
        assertTrue(tests.size() >= 10, "the README shows its commands in code blocks: " + tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyPathTheDocumentsNameExists() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String doc : DOCUMENTS)
            for (Line p : paths(doc, Files.readString(ROOT.resolve(doc))))
                tests.add(DynamicTest.dynamicTest(p.where() + ": " + p.text(), () -> {
                    String problem = pathProblem(doc, p.text());
                    if (problem != null) fail(p.where() + ": " + problem);
                }));
        assertTrue(tests.size() >= 10, "the README names files of the project: " + tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyYamlSnippetLoadsOrFailsAsShown() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String doc : DOCUMENTS)
            for (Snippet s : snippets(doc, Files.readString(ROOT.resolve(doc))))
                tests.add(DynamicTest.dynamicTest(s.where() + (s.error() == null ? ": loads" : ": fails as shown"), () -> {
                    String problem = snippetProblem(s);
                    if (problem != null) fail(s.where() + ": " + problem);
                }));
        assertTrue(tests.stream().anyMatch(t -> t.getDisplayName().endsWith("fails as shown")),
                "the README shows what an error looks like beside the YAML that causes it");
        return tests.stream();
    }

    /** A shipped experiment's header comment points at the results page instead of quoting what it measured. */
    @TestFactory
    Stream<DynamicTest> everyShippedExperimentLoadsAndItsHeaderLinksTheResultsPage() throws IOException {
        List<Path> yamls;
        try (Stream<Path> s = Files.list(ROOT.resolve("experiments"))) {
            yamls = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(yamls.size() >= 10, yamls.toString());
        return yamls.stream().map(y -> DynamicTest.dynamicTest(ROOT.relativize(y).toString(), () -> {
            String header = String.join("\n", Files.readAllLines(y).stream().takeWhile(l -> l.startsWith("#")).toList());
            assertTrue(header.contains("docs/results.md"), ROOT.relativize(y) + ": its header comment does not link docs/results.md");
            Matcher measured = Pattern.compile("(?i)\\bmeasured\\b|\\bhere\\b.*\\d|\\d[\\d,.]* ?(tokens|frames|chars)/s").matcher(header);
            assertFalse(measured.find(), ROOT.relativize(y) + ": a hand-typed measurement in its header (" + (measured.find(0) ? measured.group() : "")
                    + "); figures belong on docs/results.md");
            org.seqlab.experiments.ConfigLoader.load(y, List.of());
        }));
    }

    /** The checks themselves catch what they are for: a stale command, path and snippet planted in a copy of a document. */
    @Test
    void aPlantedStaleCommandPathOrSnippetIsCaught() throws Exception {
        String doc = """
                Run it:

                ```bash
                ./seqlab run experiments/quickstart.yaml --set training.lr=0.01   # fine
                ./seqlab run experiments/sweep.yaml
                ./seqlab run experiments/quickstart.yaml --frobnicate
                ./seqlab sample reports/quickstart/checkpoints/rnn-seed99
                ```

                See `experiments/quickstart.yaml`, `modules/transformer/src/main/java/AdamW.java` and `reports/nosuch/report.html`.

                ```yaml
                training: {lr: 0.01}
                ```

                ```yaml
                training: {lr: 0.01, epoch: 3}
                ```

                ```yaml
                models:
                  - {family: handrolled, name: rnn, hiden: 8}
                ```
                ```
                seqlab: error: x.yaml:2:5: models[0].hiden: unknown key (expected one of: cell, hidden)
                ```
                """;
        List<Line> commands = commands("PLANTED.md", doc);
        assertEquals(4, commands.size(), commands.toString());
        assertEquals("PLANTED.md:4", commands.get(0).where());
        List<String> failures = new ArrayList<>();
        for (Line c : commands) {
            Outcome o = run(c);
            if (o.code() != 0) failures.add(c.text() + " -> " + o.err().strip());
        }
        assertEquals(3, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("experiments/sweep.yaml: experiment file not found"), failures.get(0));
        assertTrue(failures.get(1).contains("Unknown option: '--frobnicate'"), failures.get(1));
        assertTrue(failures.get(2).contains("writes none of that name (its checkpoints: rnn-seed1234)"), failures.get(2));

        List<String> pathProblems = paths("PLANTED.md", doc).stream().map(p -> pathProblem("PLANTED.md", p.text()))
                .filter(java.util.Objects::nonNull).toList();
        assertEquals(2, pathProblems.size(), pathProblems.toString());
        assertTrue(pathProblems.get(0).startsWith("modules/transformer/src/main/java/AdamW.java: no such file"), pathProblems.get(0));
        assertTrue(pathProblems.get(1).contains("no shipped experiment is called nosuch"), pathProblems.get(1));

        List<Snippet> snippets = snippets("PLANTED.md", doc);
        assertEquals(3, snippets.size());
        assertEquals(null, snippetProblem(snippets.get(0)));
        assertTrue(snippetProblem(snippets.get(1)).contains("training.epoch: unknown key"), snippetProblem(snippets.get(1)));
        String shownWrong = snippetProblem(snippets.get(2));
        assertTrue(shownWrong.contains("fails otherwise than shown") && shownWrong.contains("frame_prior"), shownWrong);
    }

    // ---- reading a document

    /** A line of a document, with where it is (file:line). */
    record Line(String where, String text) {}

    /** A YAML block, and the error the block after it shows (null when it is meant to load). */
    record Snippet(String where, String yaml, String error) {}

    private static final Pattern FENCE = Pattern.compile("^\\s*```+\\s*([\\w-]*)\\s*$");

    /** The fenced blocks of a document: language, first line number (1-based, of the content), content lines. */
    record Block(String language, int line, List<String> lines) {}

    static List<Block> blocks(String text) {
        List<Block> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = FENCE.matcher(lines[i]);
            if (!m.matches()) continue;
            int start = i + 1;
            List<String> body = new ArrayList<>();
            for (i = start; i < lines.length && !lines[i].strip().startsWith("```"); i++) body.add(lines[i]);
            out.add(new Block(m.group(1), start + 1, body));
        }
        return out;
    }

    /** Every ./seqlab line of a fenced shell (or unmarked) block. */
    static List<Line> commands(String doc, String text) {
        List<Line> out = new ArrayList<>();
        for (Block b : blocks(text)) {
            if (!List.of("", "bash", "sh", "shell", "console").contains(b.language())) continue;
            for (int i = 0; i < b.lines().size(); i++) {
                String l = b.lines().get(i).strip().replaceFirst("^\\$ ", "");
                if (l.startsWith("./seqlab ") || l.matches("^([A-Z_]+=\\S*\\s+)+\\./seqlab .*")) out.add(new Line(doc + ":" + (b.line() + i), l));
            }
        }
        return out;
    }

    private static final Pattern TICKED = Pattern.compile("`([^`\\s]+)`");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s#]+)(#[^)]*)?\\)");
    private static final Pattern REPO_PATH = Pattern.compile("^(\\.\\./shared/|experiments/|modules/|docs/|datasets/|peers/|reports/|\\.ci/|\\.mvn/).*");

    /** Every repository path in backticks (from the project's root) or a link (from the document's folder), outside code blocks. */
    static List<Line> paths(String doc, String text) {
        List<Line> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        boolean inBlock = false;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].strip().startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (inBlock) continue;
            Matcher t = TICKED.matcher(lines[i]);
            while (t.find()) {
                String p = t.group(1);
                if (REPO_PATH.matcher(p).matches() && !p.matches(".*[<>*{}\\[\\]].*|.*\\.\\.\\..*")) out.add(new Line(doc + ":" + (i + 1), p));
            }
            Matcher l = LINK.matcher(lines[i]);
            while (l.find()) {
                String p = l.group(1);
                if (!p.matches("^[a-z]+:.*")) {
                    Path base = ROOT.resolve(doc).getParent();
                    out.add(new Line(doc + ":" + (i + 1), ROOT.relativize(base.resolve(p).normalize()).toString().replace('\\', '/')));
                }
            }
        }
        return out;
    }

    /** Every ```yaml block, with the error shown in a plain block right after it, if any. */
    static List<Snippet> snippets(String doc, String text) {
        List<Snippet> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        List<Block> all = blocks(text);
        for (int k = 0; k < all.size(); k++) {
            Block b = all.get(k);
            if (!b.language().equals("yaml")) continue;
            String error = null;
            if (k + 1 < all.size()) {
                Block next = all.get(k + 1);
                int end = b.line() + b.lines().size();                // the closing fence, 1-based
                boolean adjacent = true;
                for (int i = end; i < next.line() - 2; i++) if (!lines[i].isBlank()) adjacent = false;
                if (adjacent && next.language().isEmpty() && !next.lines().isEmpty() && next.lines().get(0).startsWith("seqlab: error:"))
                    error = next.lines().get(0);
            }
            out.add(new Snippet(doc + ":" + b.line(), String.join("\n", b.lines()) + "\n", error));
        }
        return out;
    }

    // ---- checking

    record Outcome(int code, String out, String err) {}

    static Outcome run(Line command) {
        List<String> args = new ArrayList<>(words(command.text()));
        while (!args.get(0).equals("./seqlab")) args.remove(0);           // VAR=value before the launcher: the environment, not the CLI's
        if (args.contains("--dry-run")) args.remove(0);                    // the document shows the flag itself
        else args.set(0, "--dry-run");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(ROOT, new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        return new Outcome(code, out.toString(), err.toString());
    }

    private static void dryRun(Line c) {
        Outcome o = run(c);
        if (o.code() != 0) {
            String missing = absentElsewhere(o.err());
            assumeTrue(missing == null, () -> "needs " + missing + ", which this machine lacks");
            fail(c.where() + ": `" + c.text() + "` fails its dry run (exit " + o.code() + "):\n" + o.err().strip()
                    + "\nfix the command in " + c.where().replaceFirst(":\\d+$", "") + " or the code it names");
        }
        boolean help = words(c.text()).stream().anyMatch(w -> w.equals("--help") || w.equals("-h"));
        assertTrue(o.out().startsWith(help ? "Usage: seqlab" : "seqlab: dry run: "), o.out());
    }

    /** A path outside the project that an error names and whose folder is absent too: the machine's gap, not the document's. */
    static String absentElsewhere(String error) {
        Matcher m = Pattern.compile("(?<![\\w.])(/[^\\s(),:;]+)").matcher(error);
        while (m.find()) {
            Path p = Path.of(m.group(1)).normalize();
            if (!p.startsWith(ROOT) && !Files.exists(p) && p.getParent() != null && !Files.exists(p.getParent())) return p.toString();
        }
        return null;
    }

    /** Null when the path is there (or, under reports/NAME/, is an output of the shipped experiment NAME); else why not. */
    static String pathProblem(String doc, String path) {
        if (path.startsWith("../shared/") && !Files.isDirectory(ROOT.resolve("../shared")))
            return null;                                         // the shared folder is this machine's, and it has none
        Path p = ROOT.resolve(path).normalize();
        if (Files.exists(p)) return null;
        if (path.startsWith("reports/") && !path.startsWith("reports/bench/")) {
            String[] parts = path.split("/");
            if (parts.length < 2) return path + ": no such file or directory";
            if (EarlierOutputs.experiment(ROOT, p) == null)
                return path + ": an output path, but no shipped experiment is called " + parts[1] + " (experiments/*.yaml)";
            return null;
        }
        return path + ": no such file or directory in the project (named in " + doc + ")";
    }

    /** Null when the snippet loads (or fails exactly as the document shows); else what happened instead. */
    String snippetProblem(Snippet s) throws IOException {
        boolean whole = s.yaml().lines().anyMatch(l -> l.startsWith("models:") || l.startsWith("extends:"));
        String yaml = s.yaml().replaceAll("(?m)^extends:\\s*(\\S+)", "extends: " + ROOT.resolve("experiments").toString().replace("\\", "/") + "/$1");
        if (!whole) yaml = yaml + "extends: " + ROOT.resolve("experiments/quickstart.yaml") + "\n";   // at the end: the lines keep their numbers
        Path file = Files.writeString(Files.createTempFile(scratch, "snippet", ".yaml"), yaml);
        Outcome o = run(new Line(s.where(), "./seqlab run " + file));
        if (s.error() == null)
            return o.code() == 0 ? null : "does not load (as " + (whole ? "an experiment" : "a fragment over experiments/quickstart.yaml") + "):\n" + o.err().strip();
        if (o.code() == 0) return "loads, but the document shows it failing with: " + s.error();
        String got = o.err().strip().lines().findFirst().orElse("");
        return afterFile(got).equals(afterFile(s.error())) ? null : "fails otherwise than shown:\n  shown: " + s.error() + "\n  got:   " + got;
    }

    private static String afterFile(String error) {
        return error.strip().replaceFirst("^seqlab: error: \\S+?\\.yaml", "");
    }

    /** A command line split as a POSIX shell splits it (quotes, backslashes), without its trailing comment. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean in = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else if (c == '\\' && quote == '"' && i + 1 < line.length()) w.append(line.charAt(++i));
                else w.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                in = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
                in = true;
            } else if (Character.isWhitespace(c)) {
                if (in) out.add(w.toString());
                w.setLength(0);
                in = false;
            } else if (c == '#' && !in) {
                break;
            } else {
                w.append(c);
                in = true;
            }
        }
        if (quote != 0) throw new IllegalArgumentException("unclosed quote in: " + line);
        if (in) out.add(w.toString());
        return out;
    }

    /** The docs' commands run through the dry run: it must hold wherever the flag stands, and however often. */
    @Test
    void aDryRunWritesNothingWhereverItsFlagStands() {
        Path page = scratch.resolve("results.md");
        for (List<String> args : List.of(List.of("--dry-run", "bench", "report", "--out", page.toString()),
                List.of("bench", "report", "--dry-run", "--out", page.toString()),
                List.of("--dry-run", "bench", "report", "--out", page.toString(), "--dry-run"))) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Main.execute(ROOT, new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
            assertEquals(0, code, args + ": " + err);
            assertEquals("seqlab: dry run: the arguments parse; nothing was run", out.toString().strip(), args.toString());
            assertFalse(Files.exists(page), args + " wrote the page");
        }
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.execute(ROOT, new PrintWriter(out, true), new PrintWriter(err, true), "bench", "report", "--out", page.toString()), err.toString());
        assertTrue(Files.exists(page), "without the flag the command runs");
    }

    @Test
    void commandLinesSplitAsAShellSplitsThem() {
        assertEquals(List.of("./seqlab", "run", "x.yaml", "--set", "seeds=[1,2,3]", "--spark", "local[2]"),
                words("./seqlab run x.yaml --set \"seeds=[1,2,3]\" --spark 'local[2]'   # a comment"));
        assertEquals(List.of("./seqlab", "a#b"), words("./seqlab a#b"));
        assertFalse(commands("D.md", "```yaml\n./seqlab run x\n```\n").iterator().hasNext(), "a YAML block holds no commands");
    }
}
