package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;

import java.util.Arrays;
import org.neurite.RowGradient;
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

    /** The positions sorted by (id, position) make each id's group, summed in position order, as the native kernel. */
    static void embeddingBackward(int vocabulary, Tensor ids, Tensor mask, Tensor dOutput, RowGradient dTable) {
        float[] id = checkedIds(vocabulary, ids);
        boolean ints = ids.holdsIds();
        float[] m = mask == null ? null : read(mask), dy = read(dOutput), dw = writable(dTable.values());
        float[] rows = writable(dTable.rows());
        int dim = dTable.width(), hits = 0;
        long[] order = new long[id.length]; // id in the high half, position in the low one
        for (int i = 0; i < id.length; i++) {
            if (m == null || m[i] != 0f) order[hits++] = (long) idAt(id, i, ints) << 32 | i;
        }
        Arrays.sort(order, 0, hits);
        int count = 0;
        for (int h = 0; h < hits; h++) {
            int row = (int) (order[h] >>> 32), at = (int) order[h] * dim;
            if (h == 0 || row != (int) (order[h - 1] >>> 32)) {
                rows[count] = Float.intBitsToFloat(row);
                System.arraycopy(dy, at, dw, count++ * dim, dim);
            } else {
                for (int k = 0, to = (count - 1) * dim; k < dim; k++) dw[to + k] += dy[at + k];
            }
        }
        commit(dTable.rows(), rows);
        commit(dTable.values(), dw);
        dTable.count(count);
    }

    static void nonZeroMask(Tensor ids, Tensor mask) {
        float[] id = read(ids), m = writable(mask);
        boolean ints = ids.holdsIds();
        for (int i = 0; i < id.length; i++) m[i] = (ints ? Float.floatToRawIntBits(id[i]) != 0 : id[i] != 0f) ? 1f : 0f;
        commit(mask, m);
    }

}
