package dev.rotor.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.Params;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Fuzzes what a {@code uni_sse} request brings from outside ({@link UniSseQuery#parse}): the request URI, with its
 * query string, and the {@code Last-Event-ID} header ({@link EventIds#decode}), given as the input's first line and
 * the rest (no second line: no header). A request parses or fails with {@link UniSseQuery.BadQueryException}; what
 * parses is an ASCII URI whose values decoded unaltered (no U+FFFD it did not escape), and it becomes a client frame
 * the core decodes to exactly one {@code connect} with the credentials and one {@code subscribe} per channel, with
 * recovery from each position when the header fitted; positions survive an id round trip. Regression inputs live in {@code UniSseQueryFuzzTestInputs/request/}; fuzzing runs through
 * {@code bin/fuzz} (docs/security.md, "Fuzzing").
 */
class UniSseQueryFuzzTest {
    private static final int MAX_CHANNELS = 8;

    @FuzzTest
    void request(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String uri = newline < 0 ? text : text.substring(0, newline);
        String lastEventId = newline < 0 ? null : text.substring(newline + 1);
        UniSseQuery query;
        try {
            query = UniSseQuery.parse(uri, lastEventId, MAX_CHANNELS);
        } catch (UniSseQuery.BadQueryException e) {
            assertThat(e.getMessage()).isNotEmpty();
            return;
        }
        // a URI that parses is ASCII, its escapes well-formed UTF-8: no value was altered while decoding
        assertThat(uri.chars().allMatch(c -> c < 0x80)).as("an ASCII URI").isTrue();
        assertThat(uri.toUpperCase(Locale.ROOT).contains("%EF%BF%BD")
                || !(query.user() + query.timestamp() + query.info() + query.token() + query.channels())
                        .contains("\ufffd")).as("no U+FFFD that the URI did not escape").isTrue();
        List<String> channels = query.channels();
        assertThat(channels).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_CHANNELS).doesNotHaveDuplicates()
                .doesNotContain("");

        List<Command> commands = CommandDecoder.decode(query.commands(), false);
        assertThat(commands).hasSize(channels.size() + 1);
        assertThat(commands.get(0).method()).isEqualTo("connect");
        assertThat(Params.connect(commands.get(0).params())).isEqualTo(new Params.Connect(query.user(),
                query.timestamp(), query.info(), query.token()));
        for (int i = 0; i < channels.size(); i++) {
            assertThat(commands.get(i + 1).method()).isEqualTo("subscribe");
            Params.Subscribe s = Params.subscribe(commands.get(i + 1).params());
            assertThat(s.channel()).isEqualTo(channels.get(i));
            assertThat(s.recover()).isEqualTo(query.positions() != null);
            assertThat(s.last()).isEqualTo(query.positions() == null ? "" : query.positions().get(i));
        }
        if (query.positions() != null) {
            String[] positions = query.positions().toArray(String[]::new);
            assertThat(EventIds.decode(EventIds.encode(positions), positions.length))
                    .as(Arrays.toString(positions)).containsExactly(positions);
        }
    }
}
