package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.neurite.io.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model on MNIST or SpamAssassin and save it.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--model", required = true, description = "cnn, rowlstm, rowgru (MNIST) or lstm, gru, cnn1d (spam).")
    String model;

    @Option(names = "--data", required = true, description = "mnist or spam.")
    String data;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default ${DEFAULT-VALUE}; early stopping may end sooner).")
    int epochs;

    @Mixin
    TrainingOptions training;

    @Option(names = "--out", required = true, description = "The model file to write (safetensors).")
    Path out;

    @Override
    public Integer call() throws IOException {
        ModelKind kind = ModelKind.parse(model);
        DataName name = DataName.parse(data);
        kind.check(name);
        Checks.positive("--epochs", epochs);
        Workload w = training.load(kind, common);
        var out = spec.commandLine().getOut();
        Training.Result r = Training.run(kind, w, epochs, training.batch, training.seed, common, out);
        try (var m = r.model()) {
            ModelFile.save(m, this.out, true, w.metadata(kind));
        }
        out.printf("saved %s to %s (test accuracy %.4f)%n", kind.id(), this.out, r.test().get(org.neurite.train.Metric.ACCURACY));
        return 0;
    }
}
