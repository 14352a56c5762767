package org.neurite.train;

import java.util.function.BiFunction;
import org.neurite.Sequential;

/** Sets the optimizer's learning rate at each epoch's start from (epoch, current rate), as Keras' LearningRateScheduler. */
public final class LearningRateScheduler implements Callback {
    private final BiFunction<Integer, Double, Double> schedule;

    public LearningRateScheduler(BiFunction<Integer, Double, Double> schedule) {
        this.schedule = schedule;
    }

    @Override
    public void onEpochBegin(Sequential model, int epoch) {
        Optimizer optimizer = model.optimizer();
        optimizer.learningRate(schedule.apply(epoch, optimizer.learningRate()));
    }
}
