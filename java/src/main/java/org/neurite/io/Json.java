package org.neurite.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;

/** Strict JSON (RFC 8259): files we read are refused if malformed, where Gson's default parser would guess. */
public final class Json {
    private static final Gson STRICT = new GsonBuilder().setStrictness(Strictness.STRICT).create();

    private Json() {}

    /** The document in {@code text}; throws {@link JsonParseException} if it is not exactly one valid JSON value. */
    public static JsonElement parse(String text) {
        JsonElement e = STRICT.fromJson(text, JsonElement.class);
        if (e == null) throw new JsonParseException("empty document");
        return e;
    }
}
