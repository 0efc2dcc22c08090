package dev.rotor.server.transport;

import dev.rotor.node.ClientSession;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Hands incoming protocol frames to a {@link ClientSession} strictly one at a time, in arrival order
 * (client-protocol.md §2.2): while a frame is processed asynchronously (an engine call), later frames wait.
 *
 * <p>Confined to one executor (the connection's event loop): {@link #offer} must be called there, and completions
 * hop back there. The pause and resume hooks let the adapter stop reading while frames wait.
 */
public final class FrameSequencer {
    private final ClientSession session;
    private final Executor loop;
    private final Runnable pause;
    private final Runnable resume;
    /** True while a frame is being processed asynchronously; only touched on {@link #loop}. */
    private boolean busy;
    /** Frames received while {@link #busy}; null until first needed (idle connections stay small). */
    private ArrayDeque<byte[]> backlog;

    /**
     * @param pause  called when a frame went asynchronous (e.g. stop reading the socket)
     * @param resume called when the backlog is empty again
     */
    public FrameSequencer(ClientSession session, Executor loop, Runnable pause, Runnable resume) {
        this.session = session;
        this.loop = loop;
        this.pause = pause;
        this.resume = resume;
    }

    /** Only on the loop. */
    public void offer(byte[] frame) {
        if (busy) {
            if (backlog == null) {
                backlog = new ArrayDeque<>(4);
            }
            backlog.add(frame);
            return;
        }
        process(frame);
    }

    /** True while a frame is in flight asynchronously (later frames wait). Only on the loop. */
    public boolean isBusy() {
        return busy;
    }

    private void process(byte[] first) {
        byte[] next = first;
        while (next != null) {
            CompletionStage<Void> done = session.handleFrame(next);
            if (!done.toCompletableFuture().isDone()) {
                busy = true;
                pause.run();
                done.whenComplete((v, e) -> loop.execute(() -> {
                    busy = false;
                    byte[] queued = backlog == null ? null : backlog.poll();
                    if (queued != null) {
                        process(queued);
                    }
                    if (!busy) {
                        resume.run();
                    }
                }));
                return;
            }
            next = backlog == null ? null : backlog.poll();
        }
    }
}
