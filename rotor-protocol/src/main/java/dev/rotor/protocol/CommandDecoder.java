package dev.rotor.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decodes a client frame or an API payload into commands, with v1's rules (client-protocol.md §2.1,
 * http-api.md §3.1): the first byte must literally be <code>{</code> or <code>[</code>; keys match case-insensitively;
 * {@code uid} and {@code method} must be strings (null leaves them empty, as in Go); unknown keys are ignored; any
 * malformed JSON, trailing garbage or wrongly typed field fails the whole frame. Thread-safe (stateless).
 */
public final class CommandDecoder {
    private CommandDecoder() {
    }

    /**
     * Decodes a frame.
     *
     * @throws ProtocolException {@code invalid message} on any violation, including an empty frame or {@code []}
     *                           (the caller decides whether an empty array is an error: the HTTP API accepts it)
     */
    public static List<Command> decode(byte[] frame, boolean allowEmptyArray) {
        if (frame.length == 0) {
            throw ProtocolException.invalid();
        }
        byte first = frame[0];
        if (first != '{' && first != '[') {
            throw ProtocolException.invalid();
        }
        try (JsonParser p = JsonCodec.FACTORY.createParser(frame)) {
            List<Command> commands;
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                commands = List.of(readCommand(p, frame));
            } else {
                commands = new ArrayList<>(4);
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == JsonToken.VALUE_NULL) {
                        // Go decodes a null array element into a zero command
                        commands.add(new Command("", "", null));
                    } else if (t == JsonToken.START_OBJECT) {
                        commands.add(readCommand(p, frame));
                    } else {
                        throw ProtocolException.invalid();
                    }
                }
            }
            if (p.nextToken() != null) {
                throw ProtocolException.invalid(); // trailing data after the top-level value
            }
            if (commands.isEmpty() && !allowEmptyArray) {
                throw ProtocolException.invalid();
            }
            return commands;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ProtocolException pe) {
                throw pe;
            }
            throw ProtocolException.invalid();
        }
    }

    /**
     * Decodes the deprecated form of a Redis API queue entry, an object whose {@code data} array holds the commands
     * (redis-engine.md §8), handing each command to {@code each} as it is read: the entry costs the commands the
     * caller keeps, never a tree of it (a tree of small elements costs some thirty times their bytes). As a tree
     * would: the last {@code data} key counts, an element that is an array gives the first command of it, as
     * {@link #decode} of that array would, and a null or scalar element is invalid.
     *
     * @param object a JSON object that {@link #decode} has read without error
     * @return false when the object has no {@code data} key, or its value is not an array
     * @throws ProtocolException {@code invalid message} for an element that is not a command
     */
    public static boolean decodeDataForm(byte[] object, Consumer<Command> each) {
        try {
            int dataKeys = 0;
            try (JsonParser p = JsonCodec.FACTORY.createParser(object)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw ProtocolException.invalid();
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    if (p.currentName().equals("data")) {
                        dataKeys++;
                    }
                    p.nextToken();
                    p.skipChildren();
                }
            }
            if (dataKeys == 0) {
                return false;
            }
            try (JsonParser p = JsonCodec.FACTORY.createParser(object)) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    boolean last = p.currentName().equals("data") && --dataKeys == 0;
                    JsonToken v = p.nextToken();
                    if (!last) {
                        p.skipChildren();
                        continue;
                    }
                    if (v != JsonToken.START_ARRAY) {
                        return false;
                    }
                    for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
                        if (t == JsonToken.START_OBJECT) {
                            each.accept(readCommand(p, object));
                        } else if (t == JsonToken.START_ARRAY) {
                            each.accept(decode(Params.rawValue(p, object).bytes(), false).get(0));
                        } else {
                            throw ProtocolException.invalid();
                        }
                    }
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ProtocolException pe) {
                throw pe;
            }
            throw ProtocolException.invalid();
        }
    }

    /** Reads one command object; the parser is positioned on its START_OBJECT. */
    private static Command readCommand(JsonParser p, byte[] src) throws IOException {
        String uid = "";
        String method = "";
        RawJson params = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equalsIgnoreCase("uid")) {
                uid = Params.stringOrKeep(p, v, uid);
            } else if (name.equalsIgnoreCase("method")) {
                method = Params.stringOrKeep(p, v, method);
            } else if (name.equalsIgnoreCase("params")) {
                params = Params.rawValue(p, src);
            } else {
                p.skipChildren();
            }
        }
        return new Command(uid, method, params);
    }
}
