package dev.rotor.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The v2 {@code Authorization: apikey} rule (rubycent-wire.md): two whitespace-separated parts, scheme any case. */
class ApiKeyTest {

    @Test
    void acceptsTheGemsHeaderAndSchemeInAnyCase() {
        assertThat(ApiKey.check("key", "apikey key")).isTrue();
        assertThat(ApiKey.check("key", "APIKey key")).isTrue();
        assertThat(ApiKey.check("key", " apikey \t key ")).isTrue();
    }

    @Test
    void rejectsOtherKeysSchemesAndShapes() {
        assertThat(ApiKey.check("key", "apikey other")).isFalse();
        assertThat(ApiKey.check("key", "apikey KEY")).isFalse();
        assertThat(ApiKey.check("key", "Bearer key")).isFalse();
        assertThat(ApiKey.check("key", "apikey key extra")).isFalse();
        assertThat(ApiKey.check("key", "apikey")).isFalse();
        assertThat(ApiKey.check("key", "")).isFalse();
        assertThat(ApiKey.check("key", null)).isFalse();
        assertThat(ApiKey.check("", "apikey ")).isFalse();
        assertThat(ApiKey.check("", "apikey x")).isFalse();
    }

    @Test
    void recognisesTheSchemeWhateverTheKey() {
        assertThat(ApiKey.isApiKeyHeader("apikey wrong")).isTrue();
        assertThat(ApiKey.isApiKeyHeader("ApiKey")).isTrue();
        assertThat(ApiKey.isApiKeyHeader("Basic dXNlcjpwYXNz")).isFalse();
        assertThat(ApiKey.isApiKeyHeader(null)).isFalse();
    }
}
