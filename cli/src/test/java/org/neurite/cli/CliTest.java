package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.Sequential;
import org.neurite.Tensor;

/** Every command on tiny data sets generated here: outputs, files, exit codes and argument errors. */
class CliTest {
    @TempDir
    static Path dir;
    static Path mnist, spam;
    // the first test digit's pixels (bytes), for predict
    static byte[] firstTestDigit;

    record Run(int code, String out, String err) {}

    static Run neurite(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void data() throws IOException {
        mnist = Files.createDirectories(dir.resolve("mnist"));
        Random random = new Random(1);
        for (String[] split : new String[][] {{"train", "200"}, {"t10k", "60"}}) {
            int n = Integer.parseInt(split[1]);
            ByteBuffer images = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
            ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            for (int i = 0; i < n; i++) {
                int digit = random.nextInt(10);
                labels.put((byte) digit);
                byte[] pixels = new byte[784];
                for (int r = 4; r < 24; r++) pixels[r * 28 + 2 + 2 * digit] = (byte) 255; // a bar whose column is the digit
                images.put(pixels);
                if (split[0].equals("t10k") && i == 0) firstTestDigit = pixels;
            }
            Files.write(mnist.resolve(split[0] + "-images-idx3-ubyte"), images.array());
            Files.write(mnist.resolve(split[0] + "-labels-idx1-ubyte"), labels.array());
        }
        spam = Files.createDirectories(dir.resolve("spam"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            boolean isSpam = i % 2 == 0;
            String group = isSpam ? "spam-1" : "easy-ham-1";
            String body = isSpam ? "buy cheap pills now offer " + i : "meeting notes for the project " + i;
            Files.createDirectories(spam.resolve(group));
            Files.writeString(spam.resolve(group + "/" + i + ".json"), "{\"id\": \"" + i + "\", \"group\": \"" + group
                    + "\", \"text\": \"Subject: x\\n\\n" + body + "\"}", StandardCharsets.UTF_8);
            names.add("\"" + group + "/" + i + ".txt\"");
        }
        Files.writeString(spam.resolve("file_list.json"), "[" + String.join(",", names) + "]");
    }

    private static double number(String text, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(text);
        assertTrue(m.find(), "no '" + pattern + "' in: " + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void trainEvaluatePredictAndSummaryAgreeOnADigitModel() throws IOException {
        Path model = dir.resolve("cnn.safetensors");
        Run train = neurite("train", "--model", "cnn", "--data", "mnist", "--mnist-dir", mnist.toString(), "--epochs", "2",
                "--out", model.toString(), "--quiet");
        assertEquals(0, train.code, train.err);
        double trained = number(train.out, "test accuracy ([0-9.]+)");
        Run evaluate = neurite("evaluate", "--model", model.toString(), "--mnist-dir", mnist.toString());
        assertEquals(0, evaluate.code, evaluate.err);
        assertEquals(trained, number(evaluate.out, "accuracy ([0-9.]+)"), 1e-4, "evaluate reads back what train measured");
        assertTrue(evaluate.out.contains("confusion matrix") && evaluate.out.contains("macro"), evaluate.out);

        // predict: a PGM and a PNG of the first test digit give the class the loaded model gives those pixels
        Path pgm = dir.resolve("digit.pgm"), png = dir.resolve("digit.png");
        ByteBuffer p5 = ByteBuffer.allocate(15 + 784).put("P5\n28 28\n255\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(pgm, Arrays.copyOf(p5.put(firstTestDigit).array(), p5.position()));
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 784; i++) image.getRaster().setSample(i % 28, i / 28, 0, firstTestDigit[i] & 0xFF);
        ImageIO.write(image, "png", png.toFile());
        String expected;
        try (Sequential loaded = Sequential.load(model); Tensor x = loaded.backend().allocate(1, 28, 28, 1)) {
            float[] pixels = new float[784];
            for (int i = 0; i < 784; i++) pixels[i] = (firstTestDigit[i] & 0xFF) / 255f;
            x.copyFrom(pixels);
            try (Tensor y = loaded.predict(x)) {
                float[] p = y.toArray();
                int best = 0;
                for (int c = 1; c < 10; c++) if (p[c] > p[best]) best = c;
                expected = best + " (" + String.format("%.4f", p[best]) + ")";
            }
        }
        Run predict = neurite("predict", "--model", model.toString(), pgm.toString(), png.toString());
        assertEquals(0, predict.code, predict.err);
        assertTrue(predict.out.contains(pgm + ": " + expected) && predict.out.contains(png + ": " + expected),
                "expected " + expected + " for both in: " + predict.out);

        Run summary = neurite("summary", model.toString());
        assertEquals(0, summary.code, summary.err);
        assertTrue(summary.out.contains("conv2d_2 (Conv2D)") && summary.out.contains("Total params: 93322")
                && summary.out.contains("adam"), summary.out);
    }

    @Test
    void aTextModelTrainsEvaluatesAndClassifiesLines() throws IOException {
        Path model = dir.resolve("lstm.safetensors");
        Run train = neurite("train", "--model", "lstm", "--data", "spam", "--spam-dir", spam.toString(), "--epochs", "3",
                "--vocabulary", "50", "--length", "8", "--out", model.toString(), "--threads", "1");
        assertEquals(0, train.code, train.err);
        assertTrue(train.out.contains("lstm spam epoch 1/3"), "plain progress lines when not on a terminal: " + train.out);
        Run evaluate = neurite("evaluate", "--model", model.toString(), "--spam-dir", spam.toString(), "--data", "spam");
        assertEquals(0, evaluate.code, evaluate.err);
        assertEquals(number(train.out, "test accuracy ([0-9.]+)"), number(evaluate.out, "accuracy ([0-9.]+)"), 1e-4);
        assertTrue(evaluate.out.contains("spam") && evaluate.out.contains("ham"), evaluate.out);
        Path lines = Files.writeString(dir.resolve("mails.txt"), "buy cheap pills now\nmeeting notes for the project\n");
        Run predict = neurite("predict", "--model", model.toString(), lines.toString());
        assertEquals(0, predict.code, predict.err);
        assertTrue(predict.out.contains("buy cheap pills now: ") && predict.out.contains("meeting notes for the project: "), predict.out);
        // Its random inputs are word ids of its own vocabulary (they were floats in [0, 1), which the Embedding refused).
        Run bench = neurite("bench", "--model", model.toString(), "--runs", "20");
        assertEquals(0, bench.code, bench.err);
        assertTrue(bench.out.contains("batch-1 latency median"), bench.out);
    }

    @Test
    void compareWritesTheReportAndEveryChart() throws IOException {
        Path out = dir.resolve("report");
        Run compare = neurite("compare", "--models", "cnn,rowgru,gru,cnn1d", "--epochs", "1", "--runs", "5", "--mnist-dir",
                mnist.toString(), "--spam-dir", spam.toString(), "--vocabulary", "50", "--length", "8", "--out", out.toString(), "--quiet");
        assertEquals(0, compare.code, compare.err);
        String report = Files.readString(out.resolve("report.md"));
        for (String model : List.of("| mnist | cnn |", "| mnist | rowgru |", "| spam | gru |", "| spam | cnn1d |")) {
            assertTrue(report.contains(model), model + " in " + report);
        }
        assertTrue(report.contains("## Reading") && report.contains("most accurate"), report);
        List<String> charts = new ArrayList<>(List.of("speed.png"));
        for (String m : List.of("cnn-mnist", "rowgru-mnist", "gru-spam", "cnn1d-spam")) {
            charts.add("curves-" + m + ".png");
            charts.add("confusion-" + m + ".png");
        }
        for (String chart : charts) {
            Path file = out.resolve(chart);
            assertTrue(Files.size(file) > 5000, chart + " is written and not empty");
            assertTrue(report.contains("(" + chart + ")"), chart + " is linked from the report");
            BufferedImage image = ImageIO.read(file.toFile());
            assertTrue(image.getWidth() >= 700 && image.getHeight() >= 500, chart + " is a readable PNG");
        }
    }

    @Test
    void infoAndBenchDescribeTheMachineAndTheSpeed() {
        Run info = neurite("info");
        assertEquals(0, info.code, info.err);
        assertTrue(info.out.contains("CPU: ") && info.out.contains("Backend: "), info.out);
        Run bench = neurite("bench", "--model", "seed-cnn", "--runs", "20");
        assertEquals(0, bench.code, bench.err);
        assertTrue(bench.out.matches("(?s).*latency median [0-9.]+ us, p90 [0-9.]+ us, p99 [0-9.]+ us; batch-32 throughput [0-9]+ samples/s.*"),
                bench.out);
    }

    @Test
    void userMistakesPrintOneLineAndExitTwo() {
        Path missing = dir.resolve("missing.safetensors");
        String[][] mistakes = {
                {"train", "--model", "cnn", "--data", "spam", "--out", "x"}, // wrong pairing
                {"train", "--model", "vgg", "--data", "mnist", "--out", "x"},
                {"train", "--model", "cnn", "--data", "mnist", "--epochs", "0", "--out", "x"},
                {"train", "--model", "cnn", "--data", "mnist", "--epochs", "many", "--out", "x"},
                {"train", "--model", "cnn", "--data", "mnist"}, // no --out
                {"train", "--model", "cnn", "--data", "mnist", "--mnist-dir", dir.resolve("nowhere").toString(), "--out", "x"},
                {"evaluate", "--model", missing.toString()},
                {"predict", "--model", missing.toString(), "a.png"},
                {"summary", missing.toString()},
                {"bench", "--backend", "gpu"},
                {"frobnicate"},
        };
        String[] expected = {"use --data mnist", "unknown model 'vgg'", "--epochs must be positive", "many", "--out",
                "no such file", "no such model file", "no such model file", "no such model file", "--backend must be native or java",
                "frobnicate"};
        for (int i = 0; i < mistakes.length; i++) {
            Run r = neurite(mistakes[i]);
            String line = String.join(" ", mistakes[i]);
            assertEquals(2, r.code, line + ": " + r.err);
            assertTrue(r.err.contains(expected[i]), line + ": expected '" + expected[i] + "' in: " + r.err);
            assertEquals(1, r.err.strip().lines().count(), line + ": one line, no stack trace: " + r.err);
        }
        for (String command : List.of("train", "evaluate", "predict", "summary", "info", "bench", "compare", "fetch")) {
            Run help = neurite(command, "--help");
            assertEquals(0, help.code, command);
            assertTrue(help.out.startsWith("Usage: neurite " + command), help.out);
        }
    }
}
