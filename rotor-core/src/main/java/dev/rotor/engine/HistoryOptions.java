package dev.rotor.engine;

import dev.rotor.channel.ChannelOptions;

/**
 * How a channel's history is kept. Immutable.
 *
 * @param size         entries kept (memory keeps exactly {@code size}; Redis may keep {@code size + 1})
 * @param lifetime     seconds the whole list lives after the last stored publish
 * @param dropInactive store only while the channel has subscribers or a recent-inactivity window is open
 */
public record HistoryOptions(int size, int lifetime, boolean dropInactive) {
    public static final HistoryOptions NONE = new HistoryOptions(0, 0, false);

    public static HistoryOptions of(ChannelOptions options) {
        return options.historyEnabled()
                ? new HistoryOptions(options.historySize(), options.historyLifetime(), options.historyDropInactive())
                : NONE;
    }

    public boolean enabled() {
        return size > 0 && lifetime > 0;
    }
}
