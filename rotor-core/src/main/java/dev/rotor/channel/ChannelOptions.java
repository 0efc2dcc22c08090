package dev.rotor.channel;

/**
 * Options of the top level or of one namespace (configuration.md §3.3–3.4). Immutable.
 * Namespaces do not inherit top-level options: an option absent from a namespace is false/0.
 */
public record ChannelOptions(
        boolean watch,
        boolean publish,
        boolean anonymous,
        boolean presence,
        boolean joinLeave,
        int historySize,
        int historyLifetime,
        boolean recover,
        boolean historyDropInactive) {

    /** Everything off. */
    public static final ChannelOptions NONE = new ChannelOptions(false, false, false, false, false, 0, 0, false, false);

    /** History is stored and readable only when both size and lifetime are positive. */
    public boolean historyEnabled() {
        return historySize > 0 && historyLifetime > 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().watch(watch).publish(publish).anonymous(anonymous).presence(presence)
                .joinLeave(joinLeave).historySize(historySize).historyLifetime(historyLifetime).recover(recover)
                .historyDropInactive(historyDropInactive);
    }

    /** Builder for {@link ChannelOptions}; not thread-safe. */
    public static final class Builder {
        private boolean watch;
        private boolean publish;
        private boolean anonymous;
        private boolean presence;
        private boolean joinLeave;
        private int historySize;
        private int historyLifetime;
        private boolean recover;
        private boolean historyDropInactive;

        public Builder watch(boolean v) { watch = v; return this; }
        public Builder publish(boolean v) { publish = v; return this; }
        public Builder anonymous(boolean v) { anonymous = v; return this; }
        public Builder presence(boolean v) { presence = v; return this; }
        public Builder joinLeave(boolean v) { joinLeave = v; return this; }
        public Builder historySize(int v) { historySize = v; return this; }
        public Builder historyLifetime(int v) { historyLifetime = v; return this; }
        public Builder recover(boolean v) { recover = v; return this; }
        public Builder historyDropInactive(boolean v) { historyDropInactive = v; return this; }

        public ChannelOptions build() {
            return new ChannelOptions(watch, publish, anonymous, presence, joinLeave, historySize, historyLifetime,
                    recover, historyDropInactive);
        }
    }
}
