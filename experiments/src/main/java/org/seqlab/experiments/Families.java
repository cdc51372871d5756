package org.seqlab.experiments;

import org.seqlab.core.ModelFamily;
import org.seqlab.core.UserException;
import org.seqlab.lstm.Dl4jLstmFamily;
import org.seqlab.rnn.HandRolledFamily;
import org.seqlab.transformer.TransformerFamily;

import java.util.List;

/** The registry of model families: adding a family is one module plus one line here. */
public final class Families {
    private Families() {}

    public static final List<ModelFamily> ALL = List.of(
            new HandRolledFamily(),
            new Dl4jLstmFamily(),
            new TransformerFamily()
    );

    public static ModelFamily get(String key) {
        for (ModelFamily f : ALL) if (f.key().equals(key)) return f;
        throw new UserException("unknown model family '" + key + "' (known: " + keys() + ")");
    }

    public static String keys() {
        return String.join(", ", ALL.stream().map(ModelFamily::key).toList());
    }
}
