package org.neurite.cli;

import static org.neurite.Activation.RELU;
import static org.neurite.Activation.SOFTMAX;

import java.util.Locale;
import org.neurite.Sequential;
import org.neurite.layers.Conv1D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Embedding;
import org.neurite.layers.Flatten;
import org.neurite.layers.GRU;
import org.neurite.layers.GlobalMaxPool1D;
import org.neurite.layers.LSTM;
import org.neurite.layers.MaxPool2D;

/** The models the command line trains, each for one data set: the seeds' CNN and RNN families. */
enum ModelKind {
    CNN(DataName.MNIST, "the seed CNN: Conv2D(32) > MaxPool > Conv2D(64) > MaxPool > Conv2D(64) > Dense(64) > Dense(10)"),
    ROWLSTM(DataName.MNIST, "LSTM(128) reading an image row by row > Dense(10)"),
    ROWGRU(DataName.MNIST, "GRU(128) reading an image row by row > Dense(10)"),
    LSTM(DataName.SPAM, "the seed RNN: Embedding(vocabulary, 64) > LSTM(64) > Dense(64) > Dense(2)"),
    GRU(DataName.SPAM, "Embedding(vocabulary, 64) > GRU(64) > Dense(64) > Dense(2)"),
    CNN1D(DataName.SPAM, "Embedding(vocabulary, 64) > Conv1D(128, 5) > GlobalMaxPool1D > Dense(64) > Dense(2)");

    final DataName data;
    final String description;

    ModelKind(DataName data, String description) {
        this.data = data;
        this.description = description;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the model reads MNIST images row by row (28 steps of 28 pixels) rather than as 28x28x1. */
    boolean readsRows() {
        return this == ROWLSTM || this == ROWGRU;
    }

    /** The untrained model for a workload's samples. */
    Sequential build(Workload w) {
        return build(w.inputShape(), w.classes(), w.vocabulary() == null ? 0 : w.vocabularySize());
    }

    /** The untrained model for samples of {@code in}, with {@code classes} outputs and, for text, word ids below {@code vocabulary}. */
    Sequential build(int[] in, int classes, int vocabulary) {
        Sequential m = new Sequential(in);
        return switch (this) {
            case CNN -> m.add(new Conv2D(32, 3, RELU)).add(new MaxPool2D(2)).add(new Conv2D(64, 3, RELU)).add(new MaxPool2D(2))
                    .add(new Conv2D(64, 3, RELU)).add(new Flatten()).add(new Dense(64, RELU)).add(new Dense(classes, SOFTMAX));
            case ROWLSTM -> m.add(new org.neurite.layers.LSTM(128)).add(new Dense(classes, SOFTMAX));
            case ROWGRU -> m.add(new org.neurite.layers.GRU(128)).add(new Dense(classes, SOFTMAX));
            case LSTM -> m.add(new Embedding(vocabulary, 64).maskZero(true)).add(new org.neurite.layers.LSTM(64))
                    .add(new Dense(64, RELU)).add(new Dense(classes, SOFTMAX));
            case GRU -> m.add(new Embedding(vocabulary, 64).maskZero(true)).add(new org.neurite.layers.GRU(64))
                    .add(new Dense(64, RELU)).add(new Dense(classes, SOFTMAX));
            case CNN1D -> m.add(new Embedding(vocabulary, 64)).add(new Conv1D(128, 5, RELU)).add(new GlobalMaxPool1D())
                    .add(new Dense(64, RELU)).add(new Dense(classes, SOFTMAX));
        };
    }

    static ModelKind parse(String name) {
        for (ModelKind k : values()) if (k.id().equals(name.toLowerCase(Locale.ROOT))) return k;
        throw new UsageException("unknown model '" + name + "'; expected one of cnn, rowlstm, rowgru, lstm, gru, cnn1d");
    }

    /** This model on that data, or a clear error for a wrong pairing. */
    void check(DataName given) {
        if (given != data) {
            throw new UsageException("model " + id() + " reads " + data.id() + " (" + (data == DataName.MNIST ? "images" : "text")
                    + "), not " + given.id() + "; use --data " + data.id());
        }
    }
}
