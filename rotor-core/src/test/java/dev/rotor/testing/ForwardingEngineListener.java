package dev.rotor.testing;

import dev.rotor.engine.EngineListener;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import java.util.Set;

/** Forwards everything to a delegate; tests override what they need (to hold a delivery, for instance). */
public class ForwardingEngineListener implements EngineListener {
    private final EngineListener delegate;

    public ForwardingEngineListener(EngineListener delegate) {
        this.delegate = delegate;
    }

    @Override
    public void onMessage(Message message) {
        delegate.onMessage(message);
    }

    @Override
    public void onJoin(String channel, ClientInfo info) {
        delegate.onJoin(channel, info);
    }

    @Override
    public void onLeave(String channel, ClientInfo info) {
        delegate.onLeave(channel, info);
    }

    @Override
    public void onControl(ControlMessage message) {
        delegate.onControl(message);
    }

    @Override
    public void onAdmin(ControlMessage message) {
        delegate.onAdmin(message);
    }

    @Override
    public void onSubscriptionsLost(Set<String> channels) {
        delegate.onSubscriptionsLost(channels);
    }
}
