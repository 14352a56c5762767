package org.neurite.train;

import java.util.List;
import org.neurite.Parameter;
import org.neurite.RowGradient;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.OptimizerStep;

/**
 * Updates a model's parameters from their gradients, one fused backend kernel per parameter,
 * with Keras' formulas and defaults. Gradients may be clipped first, as Keras' {@code
 * clipnorm} (each parameter's gradient to a norm), {@code global_clipnorm} (all of them
 * together) or {@code clipvalue} (each element): at most one of the three.
 */
public abstract class Optimizer {
    private static final String[] SLOTS = {"slot 0", "slot 1", "slot 2"};
    protected double learningRate;
    private double clipNorm, globalClipNorm, clipValue;
    private long iterations;
    private OptimizerStep step; // made at the first step, once the subclass' settings are set

    protected Optimizer(double learningRate) {
        learningRate(learningRate);
    }

    public double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate, e.g. from a schedule between epochs. */
    public Optimizer learningRate(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(name() + ": learning rate must be finite and >= 0, got " + learningRate);
        }
        this.learningRate = learningRate;
        return this;
    }

    /** Clips each parameter's gradient to this norm (Keras' {@code clipnorm}). */
    public Optimizer clipNorm(double norm) {
        this.clipNorm = checkClip("clipNorm", norm);
        return this;
    }

    /** Clips all gradients together to this norm (Keras' {@code global_clipnorm}). */
    public Optimizer globalClipNorm(double norm) {
        this.globalClipNorm = checkClip("globalClipNorm", norm);
        return this;
    }

    /** Clips each gradient element to [-value, value] (Keras' {@code clipvalue}). */
    public Optimizer clipValue(double value) {
        this.clipValue = checkClip("clipValue", value);
        return this;
    }

    private double checkClip(String what, double limit) {
        if (!(limit > 0) || Double.isInfinite(limit)) throw new IllegalArgumentException(name() + ": " + what + " must be > 0, got " + limit);
        int set = (clipNorm > 0 ? 1 : 0) + (globalClipNorm > 0 ? 1 : 0) + (clipValue > 0 ? 1 : 0);
        if (set > 0) throw new IllegalArgumentException(name() + ": set at most one of clipNorm, globalClipNorm and clipValue");
        return limit;
    }

    /** The steps taken so far (Keras' {@code optimizer.iterations}). */
    public long iterations() {
        return iterations;
    }

    /** Continues from a saved step count (a resumed training run). */
    public void iterations(long iterations) {
        if (iterations < 0) throw new IllegalArgumentException(name() + ": iterations must be >= 0, got " + iterations);
        this.iterations = iterations;
    }

    /** One step: updates every parameter in place from its gradient and marks it changed. */
    public void apply(List<Parameter> parameters, Backend backend, int threads) {
        if (step == null) step = newStep();
        prepare(step, ++iterations);
        step.clipValue((float) clipValue).gradientScale(1f);
        if (globalClipNorm > 0) {
            double squares = 0;
            for (int i = 0; i < parameters.size(); i++) squares += sumOfSquares(parameters.get(i), backend, threads);
            step.gradientScale(scale(globalClipNorm, squares));
        }
        for (int i = 0; i < parameters.size(); i++) { // no iterator: a step allocates nothing
            Parameter p = parameters.get(i);
            if (clipNorm > 0) step.gradientScale(scale(clipNorm, sumOfSquares(p, backend, threads)));
            Tensor slot0 = step.usesSlot(0) ? p.slot(SLOTS[0]) : null, slot1 = step.usesSlot(1) ? p.slot(SLOTS[1]) : null;
            Tensor slot2 = step.usesSlot(2) ? p.slot(SLOTS[2]) : null;
            RowGradient rows = p.rowGradient();
            if (rows != null) backend.optimizerUpdate(step, p.value(), rows, slot0, slot1, slot2, threads);
            else backend.optimizerUpdate(step, p.value(), p.gradient(), slot0, slot1, slot2, threads);
            p.changed();
        }
    }

    // The squared norm of p's gradient, from its rows where it has them.
    private static double sumOfSquares(Parameter p, Backend backend, int threads) {
        RowGradient rows = p.rowGradient();
        if (rows != null) return backend.sumOfSquares(rows.values(), (long) rows.count() * rows.width(), threads);
        Tensor gradient = p.gradient();
        return backend.sumOfSquares(gradient, gradient.size(), threads);
    }

    // Keras' clip_by_norm: g * limit / max(norm, limit).
    private static float scale(double limit, double squares) {
        double norm = Math.sqrt(squares);
        return (float) (limit / Math.max(norm, limit));
    }

    /**
     * The optimizer's settings in Keras' names ("learning_rate", "beta_1", ..., and the clip
     * limit set, if any), for model files; {@link #of} makes the optimizer back from them.
     */
    public final java.util.Map<String, Object> config() {
        java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("name", name());
        c.put("learning_rate", learningRate);
        hyperParameters(c);
        if (clipNorm > 0) c.put("clipnorm", clipNorm);
        if (globalClipNorm > 0) c.put("global_clipnorm", globalClipNorm);
        if (clipValue > 0) c.put("clipvalue", clipValue);
        return c;
    }

    /** Adds the settings besides the learning rate and clipping. */
    protected abstract void hyperParameters(java.util.Map<String, Object> config);

    /** An optimizer from its {@link #config()}; an unknown name or a missing setting throws {@link IllegalArgumentException}. */
    public static Optimizer of(java.util.Map<String, Object> c) {
        String name = String.valueOf(c.get("name"));
        double lr = number(c, "learning_rate", name);
        Optimizer o = switch (name) {
            case "sgd" -> new SGD(lr, number(c, "momentum", name), flag(c, "nesterov", name));
            case "adam" -> new Adam(lr, number(c, "beta_1", name), number(c, "beta_2", name), number(c, "epsilon", name));
            case "adamw" -> new AdamW(lr, number(c, "weight_decay", name), number(c, "beta_1", name), number(c, "beta_2", name),
                    number(c, "epsilon", name));
            case "rmsprop" -> new RMSprop(lr, number(c, "rho", name), number(c, "momentum", name), number(c, "epsilon", name),
                    flag(c, "centered", name));
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected sgd, adam, adamw or rmsprop");
        };
        if (c.containsKey("clipnorm")) o.clipNorm(number(c, "clipnorm", name));
        if (c.containsKey("global_clipnorm")) o.globalClipNorm(number(c, "global_clipnorm", name));
        if (c.containsKey("clipvalue")) o.clipValue(number(c, "clipvalue", name));
        return o;
    }

    private static double number(java.util.Map<String, Object> c, String key, String optimizer) {
        if (c.get(key) instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(optimizer + ": setting \"" + key + "\" must be a number, got " + c.get(key));
    }

    private static boolean flag(java.util.Map<String, Object> c, String key, String optimizer) {
        if (c.get(key) instanceof Boolean b) return b;
        throw new IllegalArgumentException(optimizer + ": setting \"" + key + "\" must be true or false, got " + c.get(key));
    }

    /** The step this optimizer's kernel takes, with its settings (beta, epsilon, ...). */
    protected abstract OptimizerStep newStep();

    /** Sets what changes from step to step in {@code step}, for step {@code t} (1 at the first step). */
    protected void prepare(OptimizerStep step, long t) {
        step.learningRate((float) learningRate);
    }

    /** Keras' name, e.g. "adam". */
    public abstract String name();

    static double checkUnit(String optimizer, String what, double value) {
        if (!(value >= 0 && value < 1)) throw new IllegalArgumentException(optimizer + ": " + what + " must be in [0, 1), got " + value);
        return value;
    }

    static double checkPositive(String optimizer, String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException(optimizer + ": " + what + " must be > 0, got " + value);
        return value;
    }
}
