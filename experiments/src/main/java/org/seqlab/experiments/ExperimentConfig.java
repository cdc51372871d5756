package org.seqlab.experiments;

import org.seqlab.core.sample.SampleConfig;
import org.seqlab.core.FileNames;
import org.seqlab.core.FieldException;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.data.DataConfig;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An experiment file: data, the models to compare, one training budget for all of them, a seed and
 * what to sample. Bound strictly from YAML by {@link ConfigLoader}.
 *
 * @param name        output folder name under reports/ (default: the file name)
 * @param description one paragraph shown at the top of the report
 * @param data        the dataset and its split (section below)
 * @param models      the models to compare, each with a family and its options (required; sections below)
 * @param training    one training budget and optimiser for every model (section below); a model may
 *                    override the optimisation keys (lr, schedule, optimizer, clip, epochs, patience,
 *                    budgets, divergence_factor) under its own training key, e.g. a transformer
 *                    entry with training: {lr: 0.001}; the data-shaping
 *                    keys (batch_size, seq_len, batching, eval_batch_size) stay shared
 * @param modelTraining filled by the loader from each model's {@code training:} override (not a key to write)
 * @param samples     what to generate from every trained model (section below)
 * @param seed        seed of model initialisation, batch order and sampling (default 1234)
 * @param seeds       repeat every model once per seed (overrides seed); the report then shows
 *                    mean ± standard deviation and 95% intervals
 * @param sweep       what `seqlab sweep` searches (ignored by `seqlab run`; section below)
 * @param published   figures from the literature to read the results against, each with its source;
 *                    shown as rows of the report's tables (section below)
 */
public record ExperimentConfig(String name, String description, DataConfig data, List<ModelConfig> models,
                               TrainingConfig training, Long seed, List<Long> seeds, SampleConfig samples,
                               org.seqlab.experiments.sweep.SweepConfig sweep, List<Published> published,
                               List<TrainingConfig> modelTraining) {
    public ExperimentConfig {
        if (data == null) data = DataConfig.defaults();
        if (training == null) training = TrainingConfig.defaults();
        if (seed == null) seed = 1234L;
        if (samples == null) samples = SampleConfig.defaults();
        published = published == null ? List.of() : List.copyOf(published);
        if (seeds != null) {
            if (seeds.isEmpty()) throw new FieldException("seeds", "list at least one seed");
            if (new HashSet<>(seeds).size() != seeds.size()) throw new FieldException("seeds", "seeds must be distinct, got " + seeds);
            seeds = List.copyOf(seeds);
        }
        if (models == null || models.isEmpty()) throw new FieldException("models", "list at least one model");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            ModelConfig m = models.get(i);
            if (!names.add(m.name())) throw new FieldException("models", "two models are named '" + m.name()
                    + "'; give each a distinct name");
            if (!FileNames.safe(m.name()))
                throw new FieldException("models[" + i + "].name", "use letters, digits, '.', '_' and '-' only (it names files under runs/ and checkpoints/), got '" + m.name() + "'");
        }
        if (name != null && !FileNames.safe(name))
            throw new FieldException("name", "use letters, digits, '.', '_' and '-' only (it names a folder under reports/), got '" + name + "'");
        models = List.copyOf(models);
        if (modelTraining != null && modelTraining.size() != models.size())
            throw new FieldException("model_training", "not a key to write: give a model its own training under models[i].training");
        if (modelTraining != null) modelTraining = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(modelTraining));
    }

    /** The training options of model {@code i}: its own override merged over {@code training}, or {@code training}. */
    public TrainingConfig trainingOf(int i) {
        return modelTraining == null || modelTraining.get(i) == null ? training : modelTraining.get(i);
    }

    public TrainingConfig trainingOf(ModelConfig m) {
        return trainingOf(models.indexOf(m));
    }

    public ExperimentConfig withName(String n) {
        return new ExperimentConfig(n, description, data, models, training, seed, seeds, samples, sweep, published, modelTraining);
    }

    /** The seeds every model runs with: {@code seeds}, or just {@code seed}. */
    public List<Long> runSeeds() {
        return seeds != null ? seeds : List.of(seed);
    }
}
