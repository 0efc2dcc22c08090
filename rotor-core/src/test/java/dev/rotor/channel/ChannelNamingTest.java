package dev.rotor.channel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChannelNamingTest {
    private final ChannelNaming n = ChannelNaming.DEFAULT;

    @Test
    void namespaceIsTextBeforeTheFirstBoundaryAfterOnePrivatePrefix() {
        assertThat(n.namespaceOf("a:b:c")).isEqualTo("a");
        assertThat(n.namespaceOf("$public:chat")).isEqualTo("public");
        assertThat(n.namespaceOf(":x")).isEmpty();
        assertThat(n.namespaceOf("news")).isEmpty();
        assertThat(n.namespaceOf("$$a:b")).isEqualTo("$a");
    }

    @Test
    void userLimitedChannelsListUsersAfterTheLastBoundary() {
        assertThat(n.userAllowed("dialog#42,43", "42")).isTrue();
        assertThat(n.userAllowed("dialog#42,43", "43")).isTrue();
        assertThat(n.userAllowed("dialog#42,43", "4")).isFalse();
        assertThat(n.userAllowed("a#b#42", "42")).isTrue();
        assertThat(n.userAllowed("dialog#42,", "")).isTrue();
        assertThat(n.userAllowed("news", "anyone")).isTrue();
    }

    @Test
    void clientLimitedChannelsNameTheClientAfterTheLastBoundary() {
        assertThat(n.clientAllowed("priv&abc", "abc")).isTrue();
        assertThat(n.clientAllowed("priv&abc", "abd")).isFalse();
        assertThat(n.clientAllowed("news", "x")).isTrue();
        // v1 compat: combining # and & cannot pass the # check, the user list includes the & suffix
        assertThat(n.userAllowed("x#42&abc", "42")).isFalse();
    }

    @Test
    void privateChannelsStartWithThePrefixAndAnEmptyPrefixMakesAllPrivate() {
        assertThat(n.isPrivate("$secret")).isTrue();
        assertThat(n.isPrivate("public")).isFalse();
        assertThat(new ChannelNaming("", ":", "#", ",", "&").isPrivate("anything")).isTrue();
    }
}
