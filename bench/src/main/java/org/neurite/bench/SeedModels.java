package org.neurite.bench;

import static org.neurite.Activation.RELU;
import static org.neurite.Activation.SOFTMAX;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Embedding;
import org.neurite.layers.Flatten;
import org.neurite.layers.LSTM;
import org.neurite.layers.MaxPool2D;

/** The seed models of the project, as a user writes them. */
public final class SeedModels {
    private SeedModels() {}

    /** The Keras MNIST CNN: 28x28x1 in, 10 class probabilities out. */
    public static Sequential cnn() {
        return new Sequential(28, 28, 1)
                .add(new Conv2D(32, 3, RELU))
                .add(new MaxPool2D(2))
                .add(new Conv2D(64, 3, RELU))
                .add(new MaxPool2D(2))
                .add(new Conv2D(64, 3, RELU))
                .add(new Flatten())
                .add(new Dense(64, RELU))
                .add(new Dense(10, SOFTMAX));
    }

    /** The Keras text RNN: 100 word ids in (0 = padding), 10 class probabilities out. */
    public static Sequential rnn() {
        return new Sequential(100)
                .add(new Embedding(10000, 64).maskZero(true))
                .add(new LSTM(64))
                .add(new Dense(64, RELU))
                .add(new Dense(10, SOFTMAX));
    }

    /** Input for {@link #cnn()}: {@code batch} images, NHWC, of pixels in [0, 1). */
    public static float[] images(Random random, int batch) {
        float[] images = new float[batch * 28 * 28];
        for (int i = 0; i < images.length; i++) images[i] = random.nextFloat();
        return images;
    }

    /** Input for {@link #rnn()}: {@code batch} sequences of 100 word ids in [1, 10000), so none is padding. */
    public static float[] wordIds(Random random, int batch) {
        float[] ids = new float[batch * 100];
        for (int i = 0; i < ids.length; i++) ids[i] = 1 + random.nextInt(9999);
        return ids;
    }
}
