package org.neurite.tests;

import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Flatten;

/** Run in a fresh JVM by {@link BackendSelectionTest}: picks a backend as an application would and uses it. */
public final class BackendProbe {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("retry")) { // a bad setting fails every call, and its fix takes effect
            for (int i = 0; i < 2; i++) {
                try {
                    Backends.get();
                } catch (RuntimeException | Error e) {
                    System.out.println("call " + i + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            System.clearProperty(Backends.PROPERTY);
        }
        Backend backend = Backends.get();
        try (Sequential model = new Sequential(6, 6, 2).add(new Conv2D(4, 3, Activation.RELU)).add(new Flatten())
                .add(new Dense(3, Activation.SOFTMAX));
             Tensor x = Tensor.of(new float[72], 1, 6, 6, 2);
             Tensor y = model.predict(x)) {
            System.out.println("backend=" + backend.name() + " outputs=" + y.size());
        }
        if (backend.name().equals("native")) {
            // Only now may the native classes load.
            System.out.println("detected_isa=" + org.neurite.backend.NativeBackend.detectedIsa() + " max_isa="
                    + org.neurite.backend.NativeBackend.maxIsa());
        }
    }
}
