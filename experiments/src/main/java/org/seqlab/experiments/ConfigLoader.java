package org.seqlab.experiments;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.seqlab.core.FieldException;
import org.seqlab.core.Json;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.UserException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Loads an experiment YAML strictly: unknown or misspelt keys, wrong types and out-of-range values
 * are one-line errors naming file, line and column. {@code --set a.b[0].c=value} overrides go
 * through the same binding and checks.
 *
 * <p>The YAML is composed with SnakeYAML (which keeps line/column marks), turned into a Jackson
 * tree while recording each key's mark, and bound to the config records with Jackson.
 */
public final class ConfigLoader {
    /** The loaded config, the locations of its keys, and the YAML tree it was bound from. */
    public record Loaded(ExperimentConfig config, Path file, ConfigLocations locations, ObjectNode tree) {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "family")
    private interface ModelConfigMixin {}

    /** The mapper that binds configs: seqlab's JSON conventions plus the family registry. */
    public static final ObjectMapper MAPPER = Json.configure(JsonMapper.builder()
            .addMixIn(ModelConfig.class, ModelConfigMixin.class)
            .registerSubtypes(Families.ALL.stream().map(f -> new NamedType(f.configType(), f.key())).toArray(NamedType[]::new)));

    private ConfigLoader() {}

    public static Loaded load(Path file, List<String> overrides) {
        ConfigLocations where = new ConfigLocations(file.toString());
        JsonNode tree = readTree(file, where, new java.util.HashSet<>());
        for (String o : overrides) applyOverride((ObjectNode) tree, o, where);
        ExperimentConfig cfg = bind(tree, where);
        if (cfg.name() == null) cfg = cfg.withName(file.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        return new Loaded(cfg, file, where, (ObjectNode) tree);
    }

    /**
     * Reads one experiment file; with {@code extends: base.yaml} (relative to the file), the base is
     * read first and this file's keys are merged over it (mappings merge, lists and values replace).
     */
    private static JsonNode readTree(Path file, ConfigLocations where, java.util.Set<Path> chain) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_YAML_CHARS)
                throw new UserException(String.format(java.util.Locale.ROOT,
                        "%s: %.1f MB is too large for an experiment file (at most %d MB of YAML): the data belongs in a file named by data.source",
                        file, size / 1048576.0, MAX_YAML_CHARS >> 20));
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": experiment file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UserException(file + ": not UTF-8 text (a binary file?); an experiment is a YAML text file such as experiments/quickstart.yaml");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage());
        }
        if (!chain.add(file.toAbsolutePath().normalize()))
            throw new UserException(file + ": extends: files extend each other in a cycle");
        ConfigLocations mine = new ConfigLocations(file.toString());
        JsonNode tree = parse(new StringReader(text), file.toString(), mine, "");
        if (tree == null || tree.isNull()) tree = JsonNodeFactory.instance.objectNode();
        if (!tree.isObject()) throw mine.error("", "expected a mapping of keys (data, models, training, ...)");
        JsonNode ext = tree.get("extends");
        if (ext != null) {
            if (!ext.isTextual()) throw mine.error("extends", "expected the path of a base experiment file");
            Path base = file.toAbsolutePath().getParent().resolve(ext.asText());
            if (!Files.isRegularFile(base)) throw mine.error("extends", "file not found: " + base);
            JsonNode baseTree = readTree(base, where, chain);
            ((ObjectNode) tree).remove("extends");
            tree = merge((ObjectNode) baseTree, (ObjectNode) tree);
        }
        where.putAll(mine);
        return tree;
    }

    private static ObjectNode merge(ObjectNode base, ObjectNode child) {
        ObjectNode out = base.deepCopy();
        child.fields().forEachRemaining(e -> {
            JsonNode b = out.get(e.getKey());
            out.set(e.getKey(), b != null && b.isObject() && e.getValue().isObject()
                    ? merge((ObjectNode) b, (ObjectNode) e.getValue()) : e.getValue());
        });
        return out;
    }

    /** Binds a (possibly modified) tree with the same strict checks as a file. */
    public static ExperimentConfig bind(JsonNode tree, ConfigLocations where) {
        try {
            JsonNode bound = withModelTraining(tree, where);
            ExperimentConfig cfg = MAPPER.treeToValue(bound, ExperimentConfig.class);
            checkSchedule(bound.path("training").path("schedule"), "training.schedule", where);
            JsonNode perModel = bound.path("model_training");
            for (int i = 0; i < perModel.size(); i++)
                checkSchedule(perModel.get(i).path("schedule"), "models[" + i + "].training.schedule", where);
            return cfg;
        } catch (JsonMappingException e) {
            throw explain(e, where);
        } catch (IOException e) {
            throw new UserException(where.file() + ": " + e.getMessage());
        }
    }

    /** Training keys a model may override: they change how it is optimised, not the batches every model sees. */
    static final java.util.Set<String> MODEL_TRAINING_KEYS = java.util.Set.of("epochs", "lr", "schedule", "optimizer", "clip",
            "divergence_factor", "patience", "budget_tokens", "budget_seconds", "init");

    /**
     * Moves every {@code models[i].training} override into {@code model_training[i]}, merged over the
     * experiment's {@code training}, so that each model's options bind (and fail) exactly like the
     * shared ones; errors name them as {@code models[i].training...}, where the user wrote them.
     */
    private static JsonNode withModelTraining(JsonNode tree, ConfigLocations where) {
        if (!(tree instanceof ObjectNode root)) return tree;
        // filled here alone: a written one would silently replace each model's training
        if (root.has("model_training"))
            throw where.error("model_training", "not a key to write: give a model its own training under models[i].training");
        if (!(root.get("models") instanceof ArrayNode models)) return tree;
        ObjectNode out = root.deepCopy();
        ArrayNode outModels = (ArrayNode) out.get("models");
        ArrayNode perModel = JsonNodeFactory.instance.arrayNode();
        boolean any = false;
        for (int i = 0; i < models.size(); i++) {
            JsonNode m = models.get(i);
            JsonNode override = m instanceof ObjectNode o ? o.get("training") : null;
            if (override == null) {
                perModel.addNull();
                continue;
            }
            String at = "models[" + i + "].training";
            if (!override.isObject()) throw where.error(at, "expected a mapping of training keys (e.g. {lr: 0.001})");
            for (java.util.Iterator<String> k = override.fieldNames(); k.hasNext(); ) {
                String key = k.next();
                if (!MODEL_TRAINING_KEYS.contains(key))
                    throw where.error(at + "." + key, (isTrainingKey(key)
                            ? "is shared by every model (it shapes the batches): set it under training:"
                            : "unknown training key") + "; a model may override " + String.join(", ", new TreeSet<>(MODEL_TRAINING_KEYS)));
            }
            ((ObjectNode) outModels.get(i)).remove("training");
            JsonNode shared = root.get("training");
            ObjectNode merged = shared instanceof ObjectNode s ? merge(s, (ObjectNode) override) : override.deepCopy();
            // a schedule of its own type replaces the shared one: another type's settings do not apply to it
            if (override.get("schedule") instanceof ObjectNode own && own.has("type")) merged.set("schedule", own.deepCopy());
            perModel.add(merged);
            any = true;
        }
        if (any) out.set("model_training", perModel);
        return out;
    }

    /** A schedule's settings that its type would ignore are refused where they were written. */
    private static void checkSchedule(JsonNode schedule, String at, ConfigLocations where) {
        if (!(schedule instanceof ObjectNode o)) return;
        JsonNode type = o.get("type");
        List<String> given = new ArrayList<>();
        o.fieldNames().forEachRemaining(given::add);
        try {
            org.seqlab.core.train.LearningRateSchedule.checkGiven(type == null || type.isNull() ? null
                    : org.seqlab.core.train.LearningRateSchedule.Type.valueOf(type.asText().toUpperCase(java.util.Locale.ROOT)), given);
        } catch (FieldException f) {
            throw where.error(at + "." + f.field(), f.reason());
        }
    }

    /** The path a user wrote: a model's merged training is bound as model_training[i], written as models[i].training. */
    private static String userPath(String path) {
        return path.replaceFirst("^model_training\\[(\\d+)]", "models[$1].training");
    }

    private static boolean isTrainingKey(String key) {
        for (var c : org.seqlab.core.train.TrainingConfig.class.getRecordComponents())
            if (key.equals(SchemaReference.snake(c.getName()))) return true;
        return false;
    }

    private static UserException explain(JsonMappingException e, ConfigLocations where) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) path.append('[').append(r.getIndex()).append(']');
        }
        String p = userPath(path.toString());
        if (e instanceof UnrecognizedPropertyException u) {
            return where.error(p, "unknown key (expected one of: " + known(u.getKnownPropertyIds()) + ")");
        }
        if (e instanceof InvalidTypeIdException t) {
            String fam = p.isEmpty() ? "family" : p + ".family";
            return t.getTypeId() == null
                    ? where.error(p, "missing key 'family' (one of: " + Families.keys() + ")")
                    : where.error(fam, "unknown family '" + t.getTypeId() + "' (known: " + Families.keys() + ")");
        }
        Throwable cause = e instanceof ValueInstantiationException ? e.getCause() : null;
        if (cause instanceof FieldException f) return where.error(p.isEmpty() ? f.field() : p + "." + f.field(), f.reason());
        if (cause instanceof IllegalArgumentException iae) return where.error(p, iae.getMessage());
        if (e instanceof InvalidFormatException f) {
            return where.error(p, "expected " + describe(f.getTargetType()) + ", got '" + f.getValue() + "'");
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return where.error(p, "expected " + describe(m.getTargetType()));
        }
        return where.error(p, e.getOriginalMessage());
    }

    /** Keys the loader fills itself: never offered to users as valid. */
    private static final java.util.Set<String> INTERNAL_KEYS = java.util.Set.of("model_training");

    private static String known(Collection<Object> ids) {
        TreeSet<String> s = new TreeSet<>();
        for (Object o : ids) if (!INTERNAL_KEYS.contains(o.toString())) s.add(o.toString());
        return String.join(", ", s);
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "an integer";
        if (type == Double.class || type == double.class) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "a string";
        if (type.isEnum()) {
            List<String> v = new ArrayList<>();
            for (Object c : type.getEnumConstants()) v.add(c.toString().toLowerCase(java.util.Locale.ROOT));
            return "one of " + String.join(", ", v);
        }
        if (List.class.isAssignableFrom(type)) return "a list";
        return "a mapping (" + type.getSimpleName() + ")";
    }

    // ---- YAML -> Jackson tree, keeping marks ------------------------------------------------

    /** The largest experiment file read, in characters (SnakeYAML's own default limit). */
    static final int MAX_YAML_CHARS = 3 << 20;
    /** The most values an experiment may expand to once aliases are followed (a real one has a few hundred). */
    static final int MAX_YAML_VALUES = 100_000;

    private static JsonNode parse(Reader reader, String source, ConfigLocations where, String prefix) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(MAX_YAML_CHARS);
            options.setMaxAliasesForCollections(50);
            options.setNestingDepthLimit(50);
            root = new Yaml(new SafeConstructor(options)).compose(reader);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String at = m == null ? source : source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            throw new UserException(at + ": YAML syntax error: " + e.getProblem());
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            // the parser's own limits (size, aliases of mappings or lists, nesting)
            throw new UserException(source + ": not accepted as an experiment: " + e.getMessage()
                    + " (an experiment is a short YAML file; write repeated parts out instead of aliasing them)");
        }
        return root == null ? null : convert(root, source, prefix, where, new Walk(source));
    }

    /**
     * Guards the walk from YAML nodes to values: an alias may point to a node that contains it (a
     * cycle), and aliases of aliases multiply (a billion laughs); both stop with one error.
     */
    private static final class Walk {
        final String source;
        final java.util.Set<Node> open = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int values;

        Walk(String source) {
            this.source = source;
        }

        void enter(Node node) {
            if (!open.add(node))
                throw new UserException(at(source, node) + ": an alias (*name) refers to a mapping or list that contains it; an experiment cannot be recursive");
            if (++values > MAX_YAML_VALUES)
                throw new UserException(source + ": expands to more than " + MAX_YAML_VALUES
                        + " values once its aliases (*name) are followed; write the repeated parts out instead");
        }
    }

    private static JsonNode convert(Node node, String source, String path, ConfigLocations where, Walk walk) {
        walk.enter(node);
        try {
            return convertEntered(node, source, path, where, walk);
        } finally {
            walk.open.remove(node);
        }
    }

    private static JsonNode convertEntered(Node node, String source, String path, ConfigLocations where, Walk walk) {
        where.put(path, source + ":" + (node.getStartMark().getLine() + 1) + ":" + (node.getStartMark().getColumn() + 1));
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof MappingNode m) {
            ObjectNode o = f.objectNode();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) throw new UserException(at(source, t.getKeyNode()) + ": keys must be plain words");
                String key = k.getValue();
                String child = path.isEmpty() ? key : path + "." + key;
                if (o.has(key)) throw new UserException(at(source, k) + ": " + child + ": duplicate key");
                where.put(child, at(source, k));
                JsonNode value = convert(t.getValueNode(), source, child, where, walk);
                where.put(child, at(source, k));   // errors about a key point at the key
                o.set(key, value);
            }
            return o;
        }
        if (node instanceof SequenceNode s) {
            ArrayNode a = f.arrayNode();
            int i = 0;
            for (Node item : s.getValue()) a.add(convert(item, source, path + "[" + i++ + "]", where, walk));
            return a;
        }
        return scalar((ScalarNode) node);
    }

    private static String at(String source, Node n) {
        return source + ":" + (n.getStartMark().getLine() + 1) + ":" + (n.getStartMark().getColumn() + 1);
    }

    private static JsonNode scalar(ScalarNode s) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String v = s.getValue();
        Tag tag = s.getTag();
        try {
            if (Tag.NULL.equals(tag)) return f.nullNode();
            if (Tag.BOOL.equals(tag)) return f.booleanNode(List.of("true", "yes", "on").contains(v.toLowerCase(java.util.Locale.ROOT)));
            if (Tag.INT.equals(tag)) {
                BigInteger b = new BigInteger(v.replace("_", "").replaceFirst("^\\+", ""));
                return b.bitLength() < 32 ? f.numberNode(b.intValue()) : b.bitLength() < 64 ? f.numberNode(b.longValue()) : f.numberNode(b);
            }
            if (Tag.FLOAT.equals(tag)) {
                String x = v.replace("_", "").toLowerCase(java.util.Locale.ROOT);
                if (x.endsWith(".inf")) return f.numberNode(x.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                if (x.equals(".nan")) return f.numberNode(Double.NaN);
                return f.numberNode(Double.parseDouble(x));
            }
        } catch (NumberFormatException e) {
            return f.textNode(v);
        }
        return f.textNode(v);
    }

    // ---- --set overrides -------------------------------------------------------------------

    static void applyOverride(ObjectNode root, String override, ConfigLocations where) {
        int eq = override.indexOf('=');
        if (eq <= 0) throw new UserException("--set " + override + ": expected key.path=value");
        String path = override.substring(0, eq).trim();
        String place = "--set " + override;
        // an empty value would silently mean "the default", which is rarely what was meant
        if (override.substring(eq + 1).isBlank())
            throw new UserException(place + ": no value after '='; give one (e.g. --set training.lr=0.01), or write null to use the default");
        JsonNode value = parse(new StringReader(override.substring(eq + 1)), place, new ConfigLocations(place), "");
        if (value == null) value = JsonNodeFactory.instance.nullNode();
        JsonNode current = root.at("/" + path.replace(".", "/").replaceAll("\\[(\\d+)]", "/$1"));
        if (value.isObject() && current.isObject())
            throw new UserException(place + ": a mapping would replace the whole '" + path + "' section of the file (every key not given "
                    + "would fall back to its default); set its keys one by one, e.g. --set " + path + "."
                    + (value.fieldNames().hasNext() ? value.fieldNames().next() : "key") + "=...");
        set(root, path, value, place, where);
    }

    /** The settings of one sweep parameter (ParamSpec's keys). */
    private static final java.util.Set<String> PARAMETER_SETTINGS = java.util.Set.of("type", "min", "max", "log", "values");

    /**
     * For a path under {@code sweep.parameters}, the index of {@code parts} where the parameter's own
     * (dotted) name ends: at a name already in the file, else before a trailing setting
     * ({@code sweep.parameters.training.lr.type}), else at the end; 0 for any other path.
     */
    private static int sweepParameterEnd(ObjectNode root, String[] parts) {
        if (parts.length < 3 || !parts[0].equals("sweep") || !parts[1].equals("parameters")) return 0;
        JsonNode existing = root.path("sweep").path("parameters");
        for (int end = parts.length; end > 2; end--)
            if (existing.has(String.join(".", java.util.Arrays.asList(parts).subList(2, end)))) return end;
        return parts.length > 3 && PARAMETER_SETTINGS.contains(parts[parts.length - 1]) ? parts.length - 1 : parts.length;
    }

    /** Sets the value at a dotted path such as {@code models[0].hidden}, creating mappings on the way. */
    public static void set(ObjectNode root, String path, JsonNode value, String place, ConfigLocations where) {
        List<Object> steps = new ArrayList<>();
        String[] parts = path.split("\\.", -1);
        int parameter = sweepParameterEnd(root, parts);
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p];
            if (p == 2 && parameter > 2) {
                // a sweep parameter's name is itself a dotted path (training.lr): one key of sweep.parameters
                steps.add(String.join(".", java.util.Arrays.asList(parts).subList(2, parameter)));
                p = parameter - 1;
                continue;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)((\\[\\d+])*)").matcher(part);
            if (!m.matches()) throw new UserException(place + ": bad key path '" + path + "' (expected e.g. training.lr or models[0].hidden)");
            steps.add(m.group(1));
            java.util.regex.Matcher idx = java.util.regex.Pattern.compile("\\[(\\d+)]").matcher(m.group(2));
            while (idx.find()) steps.add(Integer.parseInt(idx.group(1)));
        }
        JsonNode node = root;
        StringBuilder walked = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            Object s = steps.get(i);
            boolean last = i == steps.size() - 1;
            if (s instanceof String key) {
                if (!node.isObject()) throw new UserException(place + ": " + walked + " is not a mapping");
                walked.append(walked.length() == 0 ? "" : ".").append(key);
                if (last) ((ObjectNode) node).set(key, value);
                else {
                    JsonNode next = node.get(key);
                    if (next == null || next.isNull()) {
                        next = steps.get(i + 1) instanceof Integer ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode();
                        ((ObjectNode) node).set(key, next);
                        where.put(walked.toString(), place);      // an error about a key made here names the flag
                    }
                    node = next;
                }
            } else {
                int index = (Integer) s;
                if (!node.isArray() || index >= node.size())
                    throw new UserException(place + ": " + walked + " has no element [" + index + "]"
                            + (node.isArray() ? " (it has " + node.size() + ")" : ""));
                walked.append('[').append(index).append(']');
                if (last) ((ArrayNode) node).set(index, value);
                else node = node.get(index);
            }
        }
        where.put(walked.toString(), place);
    }
}
