package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.backend.NativeBackend;
import org.neurite.layers.Layer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "The CPU and its features, the backend, threads, versions, and the kernel each layer of the seed models runs.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Override
    public Integer call() throws IOException {
        var out = spec.commandLine().getOut();
        out.println("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available");
        out.println("Java: " + System.getProperty("java.vm.name") + " " + Runtime.version());
        out.println("Neurite: " + new Main.Version().getVersion()[0]);
        Backend backend = common.backend();
        out.println("Backend: " + backend.name() + (Backends.nativeAvailable() ? "" : " (the native library did not load)"));
        if (!backend.name().equals("native")) return 0;
        out.println("ISA: detected " + NativeBackend.detectedIsa() + ", used " + NativeBackend.maxIsa()
                + " (cap it with NEURITE_MAX_ISA=ref|avx2|avx512)");
        out.println("Native library: " + nativeLibrary());
        out.println("Kernels of the seed models' layers (batch 32):");
        kernels(out, ModelKind.CNN.build(new int[] {28, 28, 1}, 10, 0), backend);
        kernels(out, ModelKind.LSTM.build(new int[] {100}, 10, 10000), backend);
        return 0;
    }

    private void kernels(java.io.PrintWriter out, Sequential model, Backend backend) {
        try (model) {
            common.configure(model).build();
            int[] shape = model.inputShape();
            int[] batch = new int[shape.length + 1];
            batch[0] = 32;
            System.arraycopy(shape, 0, batch, 1, shape.length);
            List<Tensor> made = new ArrayList<>();
            Tensor x = backend.allocate(batch); // zeros: for word ids, id 0 everywhere, valid and masked
            made.add(x);
            for (Layer layer : model.layers()) {
                x = layer.forward(x, model.threads());
                made.add(x);
                out.printf("  %-14s %-22s -> %s%n", layer.name(), java.util.Arrays.toString(layer.outputShape()),
                        layer.producesView() ? "(no kernel: a view of its input)" : NativeBackend.lastKernel());
            }
            for (int i = made.size() - 1; i >= 0; i--) made.get(i).close();
        }
    }

    /** The CPU's name, with its family and model where the name alone is vague (e.g. "AMD EPYC, family 25 model 17"). */
    static String cpuModel() {
        String name = null, family = null, model = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                String value = line.substring(line.indexOf(':') + 1).trim();
                if (line.startsWith("model name") && name == null) name = value;
                else if (line.startsWith("cpu family") && family == null) family = value;
                else if (line.matches("model\\s*:.*") && model == null) model = value;
                if (line.isBlank()) break;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        if (name == null) return System.getProperty("os.arch");
        return family != null && model != null ? name + ", family " + family + " model " + model : name;
    }

    /** Where JavaCPP extracted and loaded libneurite from. */
    private static String nativeLibrary() {
        return org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet().stream()
                .filter(e -> e.getKey().contains("neurite") && !e.getKey().contains("jni")).map(java.util.Map.Entry::getValue)
                .findFirst().orElse("not loaded");
    }
}
