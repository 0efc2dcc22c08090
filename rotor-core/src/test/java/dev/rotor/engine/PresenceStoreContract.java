package dev.rotor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.RawJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@link PresenceStore} contract: add, overwrite, remove, copies on read, empty presence for unknown channels.
 * Expiry is engine-specific (memory never expires, Redis after {@code expireSeconds}) and is not tested here.
 * Not thread-safe (one instance per test).
 */
public abstract class PresenceStoreContract extends EngineContractSupport {
    /** Long enough that no engine expires an entry during a test. */
    private static final int EXPIRE = 600;

    private PresenceStore store() {
        return engine.presenceStore();
    }

    private Map<String, ClientInfo> presence(String channel) {
        return join(store().presence(channel));
    }

    private void add(String channel, ClientInfo info) {
        join(store().addPresence(channel, info.client(), info, EXPIRE));
    }

    private void remove(String channel, String clientId) {
        join(store().removePresence(channel, clientId));
    }

    @Test
    void unknownChannelHasEmptyPresence() {
        assertThat(presence("nobody-here")).isEmpty();
    }

    @Test
    void addedClientIsPresentWithItsInfo() {
        ClientInfo alice = clientInfo("alice", "c-1");

        add("room", alice);

        assertThat(presence("room")).containsExactly(entry("c-1", alice));
    }

    @Test
    void infoWithDefaultAndChannelInfoIsKeptIntact() {
        ClientInfo full = new ClientInfo("u", "c-9", RawJson.of("{\"a\": [1, 2]}"), RawJson.of("\"channel\""));

        add("$private", full);

        ClientInfo read = presence("$private").get("c-9");
        assertThat(read).isEqualTo(full);
        assertThat(read.defaultInfo()).isEqualTo(full.defaultInfo());
        assertThat(read.channelInfo()).isEqualTo(full.channelInfo());
    }

    @Test
    void anonymousClientWithoutInfoIsPresent() {
        ClientInfo anonymous = new ClientInfo("", "c-0", null, null);

        add("room", anonymous);

        assertThat(presence("room")).containsExactly(entry("c-0", anonymous));
    }

    @Test
    void addingTheSameClientAgainOverwritesItsInfo() {
        add("room", new ClientInfo("alice", "c-1", RawJson.of("{\"v\":1}"), null));
        ClientInfo refreshed = new ClientInfo("alice", "c-1", RawJson.of("{\"v\":2}"), null);

        add("room", refreshed);

        assertThat(presence("room")).containsExactly(entry("c-1", refreshed));
    }

    @Test
    void severalClientsOfOneUserAreSeparateEntries() {
        ClientInfo tab1 = clientInfo("alice", "c-1");
        ClientInfo tab2 = clientInfo("alice", "c-2");

        add("room", tab1);
        add("room", tab2);

        assertThat(presence("room")).containsOnly(entry("c-1", tab1), entry("c-2", tab2));
    }

    @Test
    void removeDeletesOnlyThatClient() {
        ClientInfo alice = clientInfo("alice", "c-1");
        ClientInfo bob = clientInfo("bob", "c-2");
        add("room", alice);
        add("room", bob);

        remove("room", "c-1");

        assertThat(presence("room")).containsExactly(entry("c-2", bob));
    }

    @Test
    void removingTheLastClientLeavesEmptyPresenceAndTheChannelCanBeReused() {
        ClientInfo alice = clientInfo("alice", "c-1");
        add("room", alice);

        remove("room", "c-1");
        assertThat(presence("room")).isEmpty();

        add("room", alice);
        assertThat(presence("room")).containsExactly(entry("c-1", alice));
    }

    @Test
    void removingAMissingEntrySucceeds() {
        add("room", clientInfo("alice", "c-1"));

        remove("room", "not-there");
        remove("unknown-channel", "c-1");

        assertThat(presence("room")).containsOnlyKeys("c-1");
        assertThat(presence("unknown-channel")).isEmpty();
    }

    @Test
    void channelsHaveIndependentPresence() {
        ClientInfo alice = clientInfo("alice", "c-1");
        ClientInfo bob = clientInfo("bob", "c-2");

        add("a", alice);
        add("b", bob);
        remove("a", "c-2");

        assertThat(presence("a")).containsExactly(entry("c-1", alice));
        assertThat(presence("b")).containsExactly(entry("c-2", bob));
    }

    @Test
    void presenceIsASnapshotCopy() {
        ClientInfo alice = clientInfo("alice", "c-1");
        add("room", alice);
        Map<String, ClientInfo> snapshot = presence("room");

        add("room", clientInfo("bob", "c-2"));
        remove("room", "c-1");
        assertThat(snapshot).containsExactly(entry("c-1", alice));

        try {
            snapshot.clear(); // an unmodifiable snapshot is fine too
        } catch (UnsupportedOperationException unmodifiable) {
            // nothing to check: the caller could not change it
        }
        assertThat(presence("room")).containsOnlyKeys("c-2");
    }

    @Test
    void anIllFormedChannelClientOrUserIsRefusedNotAltered() {
        ClientInfo alice = clientInfo("alice", "c-1");

        assertRefused(store().addPresence(LONE_SURROGATE, "c-1", alice, EXPIRE));
        assertRefused(store().addPresence("room", "c-\ud800", new ClientInfo("alice", "c-\ud800", null, null), EXPIRE));
        assertRefused(store().addPresence("room", "c-2", new ClientInfo("\udfff", "c-2", null, null), EXPIRE));
        assertRefused(store().removePresence(LONE_SURROGATE, "c-1"));
        assertRefused(store().removePresence("room", "c-\ud800"));
        assertRefused(store().presence(LONE_SURROGATE));

        assertThat(presence(ALIAS_OF_LONE_SURROGATE)).isEmpty();
        assertThat(presence("room")).isEmpty();
    }

    @Test
    void lookAlikeChannelsHaveSeparatePresence() {
        ClientInfo alice = clientInfo("alice", "c-1");
        ClientInfo bob = clientInfo("bob", "c-2");

        add(ALIAS_OF_LONE_SURROGATE, alice);
        add("pub:\ufffd", bob);

        assertThat(presence(ALIAS_OF_LONE_SURROGATE)).containsExactly(entry("c-1", alice));
        assertThat(presence("pub:\ufffd")).containsExactly(entry("c-2", bob));
    }

    @Test
    void presenceDoesNotDependOnBrokerSubscription() {
        ClientInfo alice = clientInfo("alice", "c-1");

        add("unsubscribed", alice);

        assertThat(join(engine.broker().channels())).doesNotContain("unsubscribed");
        assertThat(presence("unsubscribed")).containsExactly(entry("c-1", alice));
    }
}
