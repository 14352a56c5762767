package org.neurite.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word ids as Keras' {@code TextVectorization} gives them with its defaults: text is
 * lower-cased, stripped of ASCII punctuation and split on whitespace; id 0 is padding, 1 the
 * unknown word, and 2 on the most frequent training words (ties in alphabetical order), up to
 * {@code size} ids in all. Sequences are cut or padded with 0 at their end to a fixed length.
 */
public final class Vocabulary {
    public static final int PAD = 0, UNKNOWN = 1;
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private final List<String> words;
    private final Map<String, Integer> ids = new HashMap<>();

    private Vocabulary(List<String> words) {
        this.words = List.copyOf(words);
        for (int i = 0; i < words.size(); i++) ids.put(words.get(i), i + 2);
    }

    /** The {@code size - 2} most frequent words of {@code texts}, after padding and the unknown word. */
    public static Vocabulary build(Collection<String> texts, int size) {
        if (size < 2) throw new IllegalArgumentException("a vocabulary holds at least padding and the unknown word: size " + size);
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) for (String w : tokens(text)) counts.merge(w, 1, Integer::sum);
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(counts.entrySet());
        ranked.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        List<String> words = new ArrayList<>();
        for (int i = 0; i < Math.min(size - 2, ranked.size()); i++) words.add(ranked.get(i).getKey());
        return new Vocabulary(words);
    }

    /** A vocabulary of these words, ids from 2 on in this order (as {@link #words()} gave them). */
    public static Vocabulary of(List<String> words) {
        if (new java.util.HashSet<>(words).size() != words.size()) throw new IllegalArgumentException("a vocabulary lists each word once");
        return new Vocabulary(words);
    }

    /** Keras' default standardisation and split: lower case, ASCII punctuation removed, whitespace-separated. */
    public static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (Character.isWhitespace(c)) {
                if (word.length() > 0) tokens.add(word.toString());
                word.setLength(0);
            } else if (PUNCTUATION.indexOf(c) < 0) {
                word.append(c);
            }
        }
        if (word.length() > 0) tokens.add(word.toString());
        return tokens;
    }

    /** Ids in all, padding and unknown included (an Embedding's input dimension). */
    public int size() {
        return words.size() + 2;
    }

    public int id(String word) {
        return ids.getOrDefault(word, UNKNOWN);
    }

    public String word(int id) {
        if (id == PAD) return "";
        if (id == UNKNOWN) return "[UNK]";
        return words.get(id - 2);
    }

    /** The first {@code length} word ids of {@code text}, padded with 0 at the end. */
    public int[] encode(String text, int length) {
        int[] out = new int[length];
        int t = 0;
        for (String w : tokens(text)) {
            if (t == length) break;
            out[t++] = id(w);
        }
        return out;
    }

    /** The words by id from 2 on. */
    public List<String> words() {
        return words;
    }
}
