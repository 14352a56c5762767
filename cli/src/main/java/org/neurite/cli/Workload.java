package org.neurite.cli;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.data.DataCache;
import org.neurite.data.Dataset;
import org.neurite.data.Mnist;
import org.neurite.data.SpamAssassin;
import org.neurite.data.Vocabulary;

/**
 * A data set as a model reads it: training and test samples, the classes, and for text the
 * vocabulary and sequence length, which a model file keeps in its metadata so that evaluate
 * and predict read text exactly as training did.
 */
record Workload(DataName data, Dataset train, Dataset test, int classes, Vocabulary vocabulary, int length,
                List<String> classNames) {
    static final String META_MODEL = "neurite.cli.model", META_DATA = "neurite.cli.data",
            META_VOCABULARY = "neurite.cli.vocabulary", META_LENGTH = "neurite.cli.sequence_length";

    int[] inputShape() {
        return train.inputShape();
    }

    int vocabularySize() {
        return vocabulary.size();
    }

    /** MNIST for {@code model} (images or rows), from {@code dir} (null: fetched into the cache), the first {@code limit} training samples (0: all). */
    static Workload mnist(ModelKind model, Path dir, int limit) {
        try {
            Path d = dir != null ? dir : DataCache.mnist();
            Mnist train = Mnist.train(d), test = Mnist.test(d);
            if (limit > 0) {
                train = train.first(Math.min(limit, train.size()));
                test = test.first(Math.min(Math.max(limit / 6, 1), test.size()));
            }
            return new Workload(DataName.MNIST, model.readsRows() ? train.rows() : train.images(),
                    model.readsRows() ? test.rows() : test.images(), Mnist.CLASSES, null, 0,
                    List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        } catch (IOException e) {
            throw new UsageException("MNIST: " + e.getMessage(), e);
        }
    }

    /** SpamAssassin as word ids: a vocabulary of {@code vocabularySize} built on the training split, unless one is given (a trained model's). */
    static Workload spam(Path dir, int vocabularySize, int length, int limit, Vocabulary given) {
        try {
            SpamAssassin corpus = SpamAssassin.read(dir != null ? dir : DataCache.spamAssassin());
            // The package lists its messages group by group (ham, then spam): mixed here, with a fixed seed, so
            // that a validation split taken from the end (as Keras takes it) holds both classes.
            List<SpamAssassin.Message> train = new java.util.ArrayList<>(corpus.train()), test = corpus.test();
            java.util.Collections.shuffle(train, new java.util.Random(20261201));
            if (limit > 0) { // evenly spread: the package lists its messages group by group, ham first
                train = spread(train, limit);
                test = spread(test, Math.max(limit / 4, 1));
            }
            Vocabulary vocabulary = given != null ? given
                    : Vocabulary.build(train.stream().map(SpamAssassin.Message::body).toList(), vocabularySize);
            return new Workload(DataName.SPAM, SpamAssassin.sequences(train, vocabulary, length),
                    SpamAssassin.sequences(test, vocabulary, length), 2, vocabulary, length, List.of("ham", "spam"));
        } catch (IOException e) {
            throw new UsageException("SpamAssassin: " + e.getMessage(), e);
        }
    }

    private static <T> List<T> spread(List<T> all, int count) {
        if (count >= all.size()) return all;
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> all.get((int) ((long) i * all.size() / count))).toList();
    }

    /** What a model file keeps about its data. */
    Map<String, String> metadata(ModelKind model) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_MODEL, model.id());
        m.put(META_DATA, data.id());
        if (vocabulary != null) {
            m.put(META_VOCABULARY, new Gson().toJson(vocabulary.words()));
            m.put(META_LENGTH, Integer.toString(length));
        }
        return m;
    }

    /** The vocabulary a model file keeps (null for image models). */
    static Vocabulary vocabularyOf(Map<String, String> metadata) {
        String words = metadata.get(META_VOCABULARY);
        if (words == null) return null;
        return Vocabulary.of(List.of(new Gson().fromJson(words, String[].class)));
    }
}
