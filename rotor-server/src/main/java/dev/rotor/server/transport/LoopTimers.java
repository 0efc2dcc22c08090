package dev.rotor.server.transport;

import dev.rotor.timer.TimerWheel;
import dev.rotor.timer.Timers;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@link TimerWheel} per event loop of a group, each driven by a single fixed-rate task on its loop, so the
 * per-connection timeouts (keepalive pings, read deadlines, stale and expiry closes, close deadlines, SockJS
 * heartbeats) cost one wheel entry each instead of a scheduled task, and run on the connection's own loop.
 *
 * <p>Thread-safe: the map is fixed at construction; each wheel is only touched on its loop. Created by the server
 * for its worker group and {@link #close() closed} on shutdown.
 */
public final class LoopTimers implements AutoCloseable {
    /** Wheel resolution: timeouts are whole seconds, so 100 ms is well inside their tolerance. */
    static final long TICK_MILLIS = 100;
    /** 512 × 100 ms ≈ 51 s per turn: the default 25 s ping interval and stale delay fit in one. */
    static final int BUCKETS = 512;

    private final Map<EventExecutor, Loop> loops = new IdentityHashMap<>();
    /** The drivers; cancelled by close. */
    private final List<ScheduledFuture<?>> drivers = new ArrayList<>();

    /** Creates and starts one wheel on every loop of {@code group}. */
    public LoopTimers(EventExecutorGroup group) {
        for (EventExecutor executor : group) {
            // the loop's own ticker: System.nanoTime in production, the frozen clock of an EmbeddedChannel in tests
            TimerWheel wheel = new TimerWheel(TICK_MILLIS, TimeUnit.MILLISECONDS, BUCKETS, executor.ticker()::nanoTime);
            loops.put(executor, new Loop(wheel, Timers.onWheel(wheel, executor, executor::inEventLoop)));
            drivers.add(executor.scheduleAtFixedRate(wheel::advance, TICK_MILLIS, TICK_MILLIS,
                    TimeUnit.MILLISECONDS));
        }
    }

    /** The wheel of {@code loop}; use it on that loop only. */
    public TimerWheel wheel(EventLoop loop) {
        return of(loop).wheel;
    }

    /** Thread-safe timers on the wheel of {@code loop}, for the core session of a connection on that loop. */
    public Timers timers(EventLoop loop) {
        return of(loop).timers;
    }

    private Loop of(EventLoop loop) {
        Loop l = loops.get(loop);
        if (l == null) {
            throw new IllegalArgumentException("event loop " + loop + " is not one of this server's");
        }
        return l;
    }

    /** Stops the drivers; pending timeouts never fire. */
    @Override
    public void close() {
        for (ScheduledFuture<?> driver : drivers) {
            driver.cancel(false);
        }
    }

    private record Loop(TimerWheel wheel, Timers timers) {
    }
}
