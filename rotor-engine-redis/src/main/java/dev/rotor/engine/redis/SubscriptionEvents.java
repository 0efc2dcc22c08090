package dev.rotor.engine.redis;

import java.util.Set;

/** What a {@link RedisBackend} tells the engine about its PUB/SUB subscriptions. Called on Lettuce threads. */
interface SubscriptionEvents {
    /**
     * The PUB/SUB connection that carries these always-on Redis channels dropped: what arrives on them from now on
     * may follow a gap (a single Redis: Lettuce subscribes again by itself and passes their messages on before
     * {@link #restored} is called).
     */
    void lost(Set<String> alwaysOn);

    /**
     * Subscriptions that were lost are back: the Rotor channels, and the always-on Redis channels. Called before any
     * message of a restored Rotor channel is handed on.
     */
    void restored(Set<String> channels, Set<String> alwaysOn);
}
