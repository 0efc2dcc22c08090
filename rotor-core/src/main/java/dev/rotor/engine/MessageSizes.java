package dev.rotor.engine;

import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;

/**
 * What a message holds in memory, as the engines' bounds count it: an estimate of its heap footprint, not a
 * measurement, that grows with everything a publisher chooses. Stateless.
 */
public final class MessageSizes {
    private MessageSizes() {
    }

    /**
     * Its payloads ({@code data}, the publisher's {@code info}) and its names at two bytes a character (what a
     * string holds at most); not the channel name, nor the objects around them.
     */
    public static long bytes(Message m) {
        long n = length(m.data()) + 2L * (m.uid().length() + chars(m.client()));
        if (m.info() != null) {
            n += 2L * (m.info().user().length() + m.info().client().length()) + length(m.info().defaultInfo())
                    + length(m.info().channelInfo());
        }
        return n;
    }

    private static int length(RawJson json) {
        return json == null ? 0 : json.length();
    }

    private static int chars(String s) {
        return s == null ? 0 : s.length();
    }
}
