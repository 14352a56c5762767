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
        float[] id = checkedIds(vocabulary, ids);
        boolean ints = ids.holdsIds();
        float[] w = read(table), y = writable(output);
        int dim = table.dim(-1);
        for (int i = 0; i < id.length; i++) System.arraycopy(w, idAt(id, i, ints) * dim, y, i * dim, dim);
        commit(output, y);
    }

    /** Id i of an ids tensor's storage: int32 bits, or a float holding a whole number. */
    private static int idAt(float[] raw, int i, boolean ints) {
        return ints ? Float.floatToRawIntBits(raw[i]) : (int) raw[i];
    }

    /** The ids' storage, each id checked to be a whole number in [0, vocabulary), as nrt_embedding_forward checks them. */
    private static float[] checkedIds(int vocabulary, Tensor ids) {
        float[] raw = read(ids);
        boolean ints = ids.holdsIds();
        for (int i = 0; i < raw.length; i++) {
            int id = idAt(raw, i, ints);
            boolean valid = ints ? id >= 0 && id < vocabulary : raw[i] >= 0 && raw[i] < vocabulary && raw[i] == Math.floor(raw[i]);
            if (!valid) {
                throw new IllegalArgumentException("embedding: id " + (ints ? Integer.toString(id) : Float.toString(raw[i]))
                        + " at position " + i + " is not in [0, " + vocabulary + ")");
            }
        }
        return raw;
    }

    static void embeddingBackward(int vocabulary, Tensor ids, Tensor mask, Tensor dOutput, Tensor dTable) {
        float[] id = checkedIds(vocabulary, ids);
        boolean ints = ids.holdsIds();
        float[] m = mask == null ? null : read(mask), dy = read(dOutput), dw = writable(dTable);
        int dim = dTable.dim(-1);
        Arrays.fill(dw, 0f);
        for (int i = 0; i < id.length; i++) { // in position order, so repeated ids always sum alike
            if (m != null && m[i] == 0f) continue;
            int row = idAt(id, i, ints) * dim, at = i * dim;
            for (int k = 0; k < dim; k++) dw[row + k] += dy[at + k];
        }
        commit(dTable, dw);
    }

    static void nonZeroMask(Tensor ids, Tensor mask) {
        float[] id = read(ids), m = writable(mask);
        boolean ints = ids.holdsIds();
        for (int i = 0; i < id.length; i++) m[i] = (ints ? Float.floatToRawIntBits(id[i]) != 0 : id[i] != 0f) ? 1f : 0f;
        commit(mask, m);
    }

}
