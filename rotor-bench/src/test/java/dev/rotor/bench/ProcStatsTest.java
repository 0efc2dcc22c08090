package dev.rotor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
    @Test
    void cpuTicksAreUserPlusSystemEvenWhenTheCommandHasSpacesAndParens() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 40 0 100 0 0";
        assertThat(ProcStats.parseCpuTicks(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void rssIsReadFromVmRss() {
        String status = "Name:\tjava\nVmPeak:\t 900 kB\nVmRSS:\t  123456 kB\nThreads:\t30\n";
        assertThat(ProcStats.parseRssKb(status)).isEqualTo(123456);
        assertThatThrownBy(() -> ProcStats.parseRssKb("Name:\tjava\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void schedstatGivesNanosecondsOnTheCpu() {
        assertThat(ProcStats.parseSchedstatNanos("2374910 0 1\n")).isEqualTo(2374910);
        assertThatThrownBy(() -> ProcStats.parseSchedstatNanos("")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void threadCpuCountsEveryThreadToTheNanosecond() throws Exception {
        ProcStats self = new ProcStats(ProcessHandle.current().pid());
        long before = self.threadCpuNanos();
        Thread busy = new Thread(() -> {
            long until = System.nanoTime() + 30_000_000;
            long x = 0;
            while (System.nanoTime() < until) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            assertThat(x).isNotNegative();
        });
        busy.start();
        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        long during = self.threadCpuNanos(); // the busy thread is alive and counted here
        busy.join();
        assertThat(before).isGreaterThan(0);
        assertThat(during - before).as("a thread spinning for up to 5 ms of its 30 ms, and this one").isPositive();
        assertThat(during % 10_000_000).as("not a whole number of 10 ms ticks").isNotZero();
        assertThat(new ProcStats(0).threadCpuNanos()).isEqualTo(-1);
    }

    @Test
    void samplesThisProcessLikeAServer() {
        ProcStats self = new ProcStats(ProcessHandle.current().pid());
        assertThat(self.rssBytes()).isGreaterThan(1 << 20);
        assertThat(self.cpuNanos()).isGreaterThan(0);
        assertThat(new ProcStats(0).rssBytes()).isEqualTo(-1);
        assertThat(new ProcStats(0).enabled()).isFalse();
        long pid = ProcessHandle.current().pid();
        ProcStats twice = new ProcStats(pid, pid);
        assertThat(twice.pid()).isEqualTo(pid);
        assertThat(twice.rssBytes()).as("summed over both pids").isGreaterThan(self.rssBytes() * 3 / 2);
        assertThat(new ProcStats(pid, 0).cpuNanos()).as("one pid not local: nothing sampled").isEqualTo(-1);
        assertThat(ProcStats.loadAverage()).isGreaterThanOrEqualTo(0);
        assertThat(ProcStats.openFileLimit()).isGreaterThan(0);
    }
}
