package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model file's layers, output shapes and parameter counts.")
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(paramLabel = "FILE", description = "A model file.")
    Path file;

    @Override
    public Integer call() throws IOException {
        try (Loaded loaded = Loaded.open(file, common)) {
            var out = spec.commandLine().getOut();
            out.println(loaded.kind().id() + " (" + loaded.kind().description + "), trained on " + loaded.data().id()
                    + (loaded.vocabulary() != null ? ", vocabulary " + loaded.vocabulary().size() + ", " + loaded.length() + " words per e-mail" : ""));
            out.print(loaded.model().summary());
            if (loaded.model().isCompiled()) {
                out.println("Optimizer: " + loaded.model().optimizer().config() + ", steps taken: " + loaded.model().optimizer().iterations());
            }
        }
        return 0;
    }
}
