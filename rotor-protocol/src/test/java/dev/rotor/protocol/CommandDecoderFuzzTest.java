package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Fuzzes the decoding of client frames and API bodies ({@link CommandDecoder}) and of every method's params
 * ({@link Params}): hostile bytes either decode or fail with {@link ProtocolException}, and what decodes survives a
 * round trip. Regression inputs live in {@code CommandDecoderFuzzTestInputs/<method>/}; fuzzing runs through
 * {@code bin/fuzz} (docs/security.md, "Fuzzing").
 */
class CommandDecoderFuzzTest {
    /** Every params decoder a method name selects, client and API side. */
    private static final List<Function<RawJson, ?>> PARAMS = List.of(Params::connect, Params::subscribe,
            Params::channelOnly, Params::publish, Params::ping, Params::apiPublish, Params::apiBroadcast,
            Params::apiUnsubscribe, Params::apiDisconnect, Params::adminConnect, Params::tokenClaims);

    /**
     * A client frame or API body: decodes to commands or fails with {@code invalid message}; the decoded commands
     * re-encode to a frame that decodes to the same commands; each params value decodes with every method's rules
     * or fails with {@code invalid message}, and raw values it keeps ({@code data}, {@code info}) are one JSON value.
     */
    @FuzzTest
    void frame(byte[] frame) {
        List<Command> commands;
        try {
            commands = CommandDecoder.decode(frame, true);
        } catch (ProtocolException e) {
            assertThat(e.error()).isEqualTo(ProtocolError.INVALID_MESSAGE);
            return;
        }
        if (commands.isEmpty()) {
            assertThat(invalid(() -> CommandDecoder.decode(frame, false))).isTrue(); // a client frame needs one
        }
        assertThat(CommandDecoder.decode(encode(commands), true)).isEqualTo(normalized(commands));
        for (Command c : commands) {
            if (c.params() != null) {
                assertThat(JsonCodec.isValid(c.params().bytes())).isTrue();
                assertThat(JsonCodec.isValid(c.params().compacted())).isTrue();
            }
            for (Function<RawJson, ?> decoder : PARAMS) {
                Object params;
                try {
                    params = decoder.apply(c.params());
                } catch (ProtocolException e) {
                    assertThat(e.error()).isEqualTo(ProtocolError.INVALID_MESSAGE);
                    continue;
                }
                assertRawValuesAreJson(params);
            }
        }
    }

    /**
     * A Redis API queue entry in the deprecated {@code {"data":[…]}} form: {@link CommandDecoder#decodeDataForm},
     * which reads it as a stream, finds what the tree reading it replaced found (the last {@code data} array, each
     * element re-encoded and decoded as a frame), or fails where that failed, with {@code invalid message}.
     */
    @FuzzTest
    void dataForm(byte[] entry) {
        try {
            if (CommandDecoder.decode(entry, false).size() != 1 || entry[0] != '{') {
                return;
            }
        } catch (ProtocolException e) {
            return; // the consumer reads this form only from an object that decodes
        }
        if (treeRefuses(entry)) {
            return; // a tree decodes every string, where the stream, as decode, checks only those it reads
        }
        List<Command> streamed = new ArrayList<>();
        boolean found;
        try {
            found = CommandDecoder.decodeDataForm(entry, streamed::add);
        } catch (ProtocolException e) {
            assertThat(e.error()).isEqualTo(ProtocolError.INVALID_MESSAGE);
            assertThat(invalid(() -> fromTree(entry))).as("the tree reading fails too").isTrue();
            return;
        }
        List<Command> tree = fromTree(entry);
        assertThat(found).isEqualTo(tree != null);
        if (found) {
            assertThat(values(streamed)).isEqualTo(values(tree));
        }
    }

    private static boolean treeRefuses(byte[] entry) {
        try {
            new ObjectMapper().readTree(entry);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The reading {@code decodeDataForm} replaced; null without a {@code data} array. */
    private static List<Command> fromTree(byte[] entry) {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode data;
        try {
            data = mapper.readTree(entry).get("data");
        } catch (IOException e) {
            throw new AssertionError("decode accepted what a tree refuses", e);
        }
        if (data == null || !data.isArray()) {
            return null;
        }
        List<Command> out = new ArrayList<>();
        for (JsonNode item : data) {
            try {
                out.add(CommandDecoder.decode(mapper.writeValueAsBytes(item), false).get(0));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /**
     * The commands with their params as JSON values: the tree re-encoded them (escapes and all), the stream keeps them
     * as written.
     */
    private static List<Object> values(List<Command> commands) {
        ObjectMapper mapper = new ObjectMapper();
        return commands.stream().<Object>map(c -> {
            try {
                return List.of(c.uid(), c.method(), c.params() == null ? "-" : mapper.readTree(c.params().bytes()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private static boolean invalid(Runnable r) {
        try {
            r.run();
            return false;
        } catch (ProtocolException e) {
            return true;
        }
    }

    private static void assertRawValuesAreJson(Object params) {
        for (var component : params.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(params);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (value instanceof RawJson raw) {
                assertThat(JsonCodec.isValid(raw.bytes())).as(component.getName()).isTrue();
            }
        }
    }

    /** The commands as a JSON array of {@code {"uid":..,"method":..,"params":..}} objects. */
    private static byte[] encode(List<Command> commands) {
        JsonWriter w = new JsonWriter(64);
        w.raw('[');
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            if (i > 0) {
                w.raw(',');
            }
            w.raw('{').key("uid").string(c.uid()).raw(',').key("method").string(c.method());
            if (c.params() != null) {
                w.raw(',').key("params").raw(c.params().bytes());
            }
            w.raw('}');
        }
        return w.raw(']').toByteArray();
    }

    /** What {@link JsonWriter#string} keeps of a string: a lone surrogate becomes U+FFFD, as in Go. */
    private static List<Command> normalized(List<Command> commands) {
        return commands.stream()
                .map(c -> new Command(wellFormed(c.uid()), wellFormed(c.method()), c.params()))
                .toList();
    }

    private static String wellFormed(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '\ufffd' : c);
            }
        }
        return sb.toString();
    }
}
