package org.neurite.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.Parameter;
import org.neurite.Sequential;
import org.neurite.backend.Backend;
import org.neurite.layers.Dropout;
import org.neurite.layers.Layer;
import org.neurite.layers.LayerConfig;
import org.neurite.train.Loss;
import org.neurite.train.Metric;
import org.neurite.train.Optimizer;

/**
 * A model in one safetensors file: each weight as the tensor "layer/weight" (Keras layout, so
 * any safetensors reader opens them), the architecture as JSON in the metadata's "config", and
 * optionally the training state in "training" (optimizer settings and step count, loss,
 * metrics, dropout steps) with the optimizer's slots as "optimizer/layer/weight/slot", so a
 * resumed run continues bitwise where it stopped.
 */
public final class ModelFile {
    static final String FORMAT = "neurite-sequential-1";

    private ModelFile() {}

    public static void save(Sequential model, Path path, boolean withTrainingState) throws IOException {
        save(model, path, withTrainingState, Map.of());
    }

    /**
     * As {@link #save(Sequential, Path, boolean)}, with more metadata entries for the
     * application (e.g. the vocabulary a text model reads with); {@link #metadata} gives them back.
     */
    public static void save(Sequential model, Path path, boolean withTrainingState, Map<String, String> extraMetadata)
            throws IOException {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        JsonObject config = new JsonObject();
        config.add("input_shape", new Gson().toJsonTree(model.inputShape()));
        config.addProperty("seed", model.seed());
        JsonArray layers = new JsonArray();
        for (Layer layer : model.layers()) layers.add(LayerConfig.of(layer));
        config.add("layers", layers);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.putAll(extraMetadata);
        metadata.put("format", FORMAT);
        metadata.put("config", config.toString());
        boolean training = withTrainingState && model.isCompiled();
        for (Map.Entry<String, Parameter> e : named(model).entrySet()) {
            Parameter p = e.getValue();
            shapes.put(e.getKey(), p.shape());
            values.put(e.getKey(), p.get());
            if (!training) continue;
            for (String slot : p.slotNames()) {
                String name = "optimizer/" + e.getKey() + "/" + slot.replace(' ', '_');
                shapes.put(name, p.shape());
                values.put(name, p.slot(slot).toArray());
            }
        }
        if (training) {
            JsonObject state = new JsonObject();
            Optimizer optimizer = model.optimizer();
            state.add("optimizer", new Gson().toJsonTree(optimizer.config()));
            state.addProperty("iterations", optimizer.iterations());
            state.addProperty("loss", model.loss().name());
            state.addProperty("from_logits", model.loss().isFromLogits());
            JsonArray metrics = new JsonArray();
            for (Metric m : model.metrics()) metrics.add(m.key());
            state.add("metrics", metrics);
            JsonObject dropout = new JsonObject();
            for (Layer layer : model.layers()) if (layer instanceof Dropout d) dropout.addProperty(d.name(), d.trainingSteps());
            state.add("dropout_steps", dropout);
            metadata.put("training", state.toString());
        }
        Safetensors.write(path, metadata, shapes, values);
    }

    /** The metadata of a model file, the application's entries included. */
    public static Map<String, String> metadata(Path path) throws IOException {
        return Safetensors.read(path).metadata();
    }

    /** Reads a model written by {@link #save}, on {@code backend} (null: the default one), with its training state if it has one. */
    public static Sequential load(Path path, Backend backend) throws IOException {
        Safetensors file = Safetensors.read(path);
        String format = file.metadata().get("format");
        if (!FORMAT.equals(format)) throw new IOException(path + ": not a Neurite model (format '" + format + "', expected " + FORMAT + ")");
        Sequential model;
        try {
            JsonObject config = json(path, file.metadata().get("config"), "config");
            int[] inputShape = new Gson().fromJson(config.get("input_shape"), int[].class);
            model = new Sequential(inputShape).seed(config.get("seed").getAsLong());
            if (backend != null) model.backend(backend);
            for (JsonElement layer : config.get("layers").getAsJsonArray()) model.add(LayerConfig.layer(layer.getAsJsonObject()));
            model.build();
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException | UnsupportedOperationException
                 | JsonParseException e) {
            throw new IOException(path + ": bad model config: " + e.getMessage(), e);
        }
        try {
            Map<String, Parameter> params = named(model);
            for (Map.Entry<String, Parameter> e : params.entrySet()) e.getValue().set(tensor(path, file, e.getKey(), e.getValue()));
            String training = file.metadata().get("training");
            if (training != null) restoreTraining(path, file, model, params, json(path, training, "training"));
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            if (e instanceof IOException io) throw io;
            throw new IOException(path + ": bad training state: " + e.getMessage(), e);
        }
    }

    private static void restoreTraining(Path path, Safetensors file, Sequential model, Map<String, Parameter> params,
                                        JsonObject state) throws IOException {
        Map<String, Object> optimizerConfig = new Gson().fromJson(state.get("optimizer"), new TypeToken<Map<String, Object>>() {}.getType());
        Optimizer optimizer = Optimizer.of(optimizerConfig);
        optimizer.iterations(state.get("iterations").getAsLong());
        Loss loss = Loss.of(state.get("loss").getAsString());
        if (state.get("from_logits").getAsBoolean()) loss = loss.fromLogits();
        List<Metric> metrics = new ArrayList<>();
        for (JsonElement m : state.get("metrics").getAsJsonArray()) metrics.add(Metric.valueOf(m.getAsString().toUpperCase(java.util.Locale.ROOT)));
        model.compile(optimizer, loss, metrics.toArray(Metric[]::new));
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String prefix = "optimizer/" + e.getKey() + "/";
            for (String name : file.names()) {
                if (!name.startsWith(prefix)) continue;
                String slot = name.substring(prefix.length()).replace('_', ' ');
                e.getValue().slot(slot).copyFrom(tensor(path, file, name, e.getValue()));
            }
        }
        JsonObject dropout = state.getAsJsonObject("dropout_steps");
        for (Layer layer : model.layers()) {
            if (layer instanceof Dropout d && dropout.has(d.name())) d.trainingSteps(dropout.get(d.name()).getAsLong());
        }
    }

    private static float[] tensor(Path path, Safetensors file, String name, Parameter p) throws IOException {
        if (!file.names().contains(name)) throw new IOException(path + ": the weight '" + name + "' " + Arrays.toString(p.shape()) + " is missing");
        if (!Arrays.equals(file.shape(name), p.shape())) {
            throw new IOException(path + ": the weight '" + name + "' has shape " + Arrays.toString(file.shape(name)) + ", the model expects "
                    + Arrays.toString(p.shape()));
        }
        return file.values(name);
    }

    private static JsonObject json(Path path, String text, String key) throws IOException {
        if (text == null) throw new IOException(path + ": the metadata lacks \"" + key + "\"");
        try {
            return Json.parse(text).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(path + ": metadata \"" + key + "\" is not a JSON object", e);
        }
    }

    /** Each parameter under "layer/weight" (spaces as underscores; a repeated name within a layer numbered from _1). */
    static Map<String, Parameter> named(Sequential model) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        for (Layer layer : model.layers()) {
            Map<String, Integer> seen = new HashMap<>();
            for (Parameter p : layer.parameters()) {
                String base = layer.name() + "/" + p.name().replace(' ', '_');
                int n = seen.merge(base, 1, Integer::sum);
                named.put(n == 1 ? base : base + "_" + (n - 1), p);
            }
        }
        return named;
    }
}
