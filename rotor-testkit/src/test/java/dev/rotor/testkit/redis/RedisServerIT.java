package dev.rotor.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher against the real redis-server binary: ready on PING, stop/kill/restart on the same port, cleanup. */
class RedisServerIT {

    @Test
    void startedServerAnswersPingWithoutPersistence() {
        try (RedisServer server = RedisServer.start()) {
            assertThat(server.command("PING")).startsWith("+PONG");
            assertThat(server.command("CONFIG", "GET", "appendonly")).contains("no");
            assertThat(server.command("CONFIG", "GET", "save")).contains("save");
        }
    }

    @Test
    void killedServerRestartsOnTheSamePortEmpty() {
        try (RedisServer server = RedisServer.start()) {
            int port = server.port();
            server.command("SET", "k", "v");

            server.kill();
            assertThat(server.running()).isFalse();
            assertThatThrownBy(() -> server.command("PING")).isInstanceOf(UncheckedIOException.class);

            server.restart();
            assertThat(server.port()).isEqualTo(port);
            assertThat(server.command("PING")).startsWith("+PONG");
            assertThat(server.command("GET", "k")).startsWith("$-1");
        }
    }

    @Test
    void stoppedServerRestarts() {
        try (RedisServer server = RedisServer.start()) {
            server.stop();
            assertThat(server.running()).isFalse();
            server.restart();
            assertThat(server.command("PING")).startsWith("+PONG");
        }
    }

    @Test
    void extraArgumentsReachTheServer() {
        try (RedisServer server = RedisServer.start(List.of("--requirepass", "s3cret"))) {
            assertThat(server.command("GET", "x")).startsWith("-NOAUTH");
        }
    }

    @Test
    void closeRemovesTheProcessAndItsDirectory() {
        RedisServer server = RedisServer.start();
        Path dir = server.dir();
        server.close();
        assertThat(server.running()).isFalse();
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void missingBinaryFailsWithTheInstallCommand() {
        assertThatThrownBy(() -> RedisServer.requireBinary("rotor.test.none", "/nonexistent/redis-server",
                "redis-server")).hasMessageContaining("apt-get install redis-server");
    }

    @Test
    void sentinelKnowsItsMaster() {
        try (RedisServer master = RedisServer.start();
             RedisServer sentinel = RedisServer.startSentinel("mymaster", master.port())) {
            assertThat(sentinel.command("SENTINEL", "get-master-addr-by-name", "mymaster"))
                    .contains("127.0.0.1", Integer.toString(master.port()));
        }
    }
}
