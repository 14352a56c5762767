package org.neurite.cli;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.neurite.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify 28x28 digit images (PNG or PGM, white on black as in MNIST) or text lines (one e-mail body per line; - reads stdin).")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--model", required = true, description = "A model file written by neurite train.")
    Path file;

    @Parameters(paramLabel = "INPUT", arity = "1..*", description = "Image files for digit models; text files (or -) for spam models.")
    List<String> inputs;

    @Override
    public Integer call() throws IOException {
        try (Loaded loaded = Loaded.open(file, common)) {
            List<String> names = new ArrayList<>();
            List<float[]> samples = new ArrayList<>();
            if (loaded.data() == DataName.MNIST) {
                for (String input : inputs) {
                    names.add(input);
                    samples.add(image(Path.of(input)));
                }
            } else {
                for (String input : inputs) {
                    List<String> lines = input.equals("-")
                            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList()
                            : Files.readAllLines(existing(Path.of(input)), StandardCharsets.UTF_8);
                    for (String line : lines) {
                        if (line.isBlank()) continue;
                        names.add(line.length() > 60 ? line.substring(0, 57) + "..." : line);
                        int[] ids = loaded.vocabulary().encode(line, loaded.length());
                        float[] x = new float[ids.length];
                        for (int i = 0; i < ids.length; i++) x[i] = ids[i];
                        samples.add(x);
                    }
                }
            }
            if (samples.isEmpty()) throw new UsageException("nothing to classify in " + inputs);
            List<String> classes = loaded.data() == DataName.MNIST ? List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9") : List.of("ham", "spam");
            int[] in = loaded.model().inputShape();
            int[] shape = new int[in.length + 1];
            shape[0] = samples.size();
            System.arraycopy(in, 0, shape, 1, in.length);
            int size = samples.get(0).length;
            float[] all = new float[samples.size() * size];
            for (int i = 0; i < samples.size(); i++) System.arraycopy(samples.get(i), 0, all, i * size, size);
            var out = spec.commandLine().getOut();
            try (Tensor x = loaded.model().backend().allocate(shape).copyFrom(all); Tensor p = loaded.model().predict(x)) {
                float[] probabilities = p.toArray();
                int k = probabilities.length / samples.size();
                for (int i = 0; i < samples.size(); i++) {
                    int best = 0;
                    for (int c = 1; c < k; c++) if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
                    out.printf("%s: %s (%.4f)%n", names.get(i), classes.get(best), probabilities[i * k + best]);
                }
            }
        }
        return 0;
    }

    private static Path existing(Path p) {
        if (!Files.isRegularFile(p)) throw new UsageException(p + ": no such file");
        return p;
    }

    /** A 28x28 image as MNIST pixels in [0, 1]: grey levels (colour by luminance) over the maximum value. */
    static float[] image(Path p) throws IOException {
        existing(p);
        byte[] bytes = Files.readAllBytes(p);
        if (bytes.length >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '2')) return Pgm.read(p, bytes);
        BufferedImage img = ImageIO.read(p.toFile());
        if (img == null) throw new UsageException(p + ": not a PNG or PGM image");
        if (img.getWidth() != 28 || img.getHeight() != 28) {
            throw new UsageException(p + ": expected a 28x28 image, got " + img.getWidth() + "x" + img.getHeight());
        }
        float[] x = new float[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int c = 0; c < 28; c++) {
                int rgb = img.getRGB(c, y);
                double grey = 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
                x[y * 28 + c] = (float) (grey / 255);
            }
        }
        return x;
    }
}
