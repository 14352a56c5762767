package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;

import java.util.Arrays;
import org.neurite.Tensor;

/** The embedding gather and the id mask in plain Java, the counterpart of {@code native/src/ref/embedding_f32_ref.cpp}. */
final class JavaEmbedding {
    private JavaEmbedding() {}

    static void embedding(int vocabulary, Tensor ids, Tensor table, Tensor output, int threads) {
        float[] id = read(ids);
        for (int i = 0; i < id.length; i++) {
            if (!(id[i] >= 0 && id[i] < vocabulary) || id[i] != Math.floor(id[i])) {
                throw new IllegalArgumentException("embedding: id " + id[i] + " at position " + i + " is not in [0, " + vocabulary + ")");
            }
        }
        float[] w = read(table), y = writable(output);
        int dim = table.dim(-1);
        for (int i = 0; i < id.length; i++) System.arraycopy(w, (int) id[i] * dim, y, i * dim, dim);
        commit(output, y);
    }

    static void embeddingBackward(Tensor ids, Tensor mask, Tensor dOutput, Tensor dTable) {
        float[] id = read(ids), m = mask == null ? null : read(mask), dy = read(dOutput), dw = writable(dTable);
        int dim = dTable.dim(-1);
        Arrays.fill(dw, 0f);
        for (int i = 0; i < id.length; i++) { // in position order, so repeated ids always sum alike
            if (m != null && m[i] == 0f) continue;
            int row = (int) id[i] * dim, at = i * dim;
            for (int k = 0; k < dim; k++) dw[row + k] += dy[at + k];
        }
        commit(dTable, dw);
    }

    static void nonZeroMask(Tensor ids, Tensor mask) {
        float[] id = read(ids), m = writable(mask);
        for (int i = 0; i < id.length; i++) m[i] = id[i] != 0f ? 1f : 0f;
        commit(mask, m);
    }

}
