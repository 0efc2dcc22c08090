package dev.rotor.server;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.Executor;

/**
 * The worker event loops, whose queued tasks (the fan-out's flush tasks above all) give way to the loop's I/O
 * after {@value #TASK_QUANTUM_MS} ms. Netty 4.2's default lets a loop run its queued tasks for up to a second before
 * it looks at its sockets again, and under a steady fan-out the queue hardly ever runs dry: an API request that a
 * loop has not read yet, or a socket that became writable, then waited behind every publication already queued
 * (docs/benchmarks.md, "Event loops that return to their I/O"). Netty checks the time once per 64 tasks, so a
 * loop still runs at least 64 tasks at a time. Stateless.
 */
final class WorkerLoops {
    /** How long a loop runs queued tasks before it returns to its I/O (checked once per 64 tasks). */
    static final long TASK_QUANTUM_MS = 1;

    private WorkerLoops() {
    }

    /** A group of {@code loops} event loops on the transport of {@code io}. */
    static MultiThreadIoEventLoopGroup create(int loops, IoHandlerFactory io) {
        return new MultiThreadIoEventLoopGroup(loops, io) {
            @Override
            protected IoEventLoop newChild(Executor executor, IoHandlerFactory factory, Object... args) {
                return new Loop(this, executor, factory);
            }
        };
    }

    /** A loop with Netty's defaults but the quantum. */
    private static final class Loop extends SingleThreadIoEventLoop {
        Loop(IoEventLoopGroup parent, Executor executor, IoHandlerFactory io) {
            // the task queue's bound as Netty's default loop has it (io.netty.eventLoop.maxPendingTasks, unbounded
            // unless set), and tasks rejected once the loop is shut down
            super(parent, executor, io, DEFAULT_MAX_PENDING_TASKS, RejectedExecutionHandlers.reject(),
                    TASK_QUANTUM_MS);
        }
    }
}
