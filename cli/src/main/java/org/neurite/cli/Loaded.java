package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.neurite.Sequential;
import org.neurite.data.Vocabulary;
import org.neurite.io.ModelFile;

/** A model file the train command wrote, with what it says about its data. */
record Loaded(Sequential model, ModelKind kind, DataName data, Vocabulary vocabulary, int length) implements AutoCloseable {
    static Loaded open(Path file, Common common) throws IOException {
        if (!Files.isRegularFile(file)) throw new UsageException(file + ": no such model file");
        Map<String, String> meta = ModelFile.metadata(file);
        String kind = meta.get(Workload.META_MODEL), data = meta.get(Workload.META_DATA);
        if (kind == null || data == null) throw new UsageException(file + ": not written by neurite train (no model and data entries)");
        Sequential model = Sequential.load(file, common.backend());
        if (common.threads != null) {
            Checks.positive("--threads", common.threads);
            model.threads(common.threads);
        }
        String length = meta.get(Workload.META_LENGTH);
        return new Loaded(model, ModelKind.parse(kind), DataName.parse(data), Workload.vocabularyOf(meta),
                length == null ? 0 : Integer.parseInt(length));
    }

    /** The test split as this model reads it. */
    Workload workload(Common common, int limit) {
        return data == DataName.MNIST ? Workload.mnist(kind, common.mnistDir, limit)
                : Workload.spam(common.spamDir, vocabulary.size(), length, limit, vocabulary);
    }

    @Override
    public void close() {
        model.close();
    }
}
