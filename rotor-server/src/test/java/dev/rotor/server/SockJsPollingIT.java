package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.SockJsTestClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** jsonp and jsonp_send (SockJS 0.3.3): callback framing, form-encoded and raw bodies, errors. */
class SockJsPollingIT extends SockJsSupport {

    @Test
    void jsonpFramingWithFormAndRawSends() throws Exception {
        start(25);
        String url = sessionUrl();
        HttpResponse<String> open = get(url + "/jsonp?c=%63allback");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).isEqualTo("callback(\"o\");\r\n");
        assertThat(header(open, "Content-Type")).isEqualTo("application/javascript; charset=UTF-8");
        assertThat(header(open, "Cache-Control"))
                .isEqualTo("no-store, no-cache, no-transform, must-revalidate, max-age=0");

        String connect = SockJsTestClient.encode(connect("1", "u1"));
        HttpResponse<String> form = post(url + "/jsonp_send",
                "d=" + java.net.URLEncoder.encode(connect, java.nio.charset.StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).isEqualTo("ok");
        assertThat(header(form, "Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(get(url + "/jsonp?c=x").body()).startsWith("x(\"a[\\\"{\\\\\\\"uid\\\\\\\":\\\\\\\"1\\\\\\\","
                + "\\\\\\\"method\\\\\\\":\\\\\\\"connect\\\\\\\"").endsWith("\");\r\n");

        HttpResponse<String> raw = post(url + "/jsonp_send", "[\"{\\\"uid\\\":\\\"2\\\",\\\"method\\\":\\\"ping\\\"}\"]",
                "Content-Type", "text/plain");
        assertThat(raw.body()).isEqualTo("ok");
        assertThat(get(url + "/jsonp?c=x").body())
                .isEqualTo("x(\"a[\\\"{\\\\\\\"uid\\\\\\\":\\\\\\\"2\\\\\\\",\\\\\\\"method\\\\\\\":\\\\\\\"ping\\\\\\\"}\\\"]\");\r\n");
    }

    @Test
    void jsonpErrors() throws Exception {
        start(25);
        HttpResponse<String> missing = get(sessionUrl() + "/jsonp");
        assertThat(missing.statusCode()).isEqualTo(500);
        assertThat(missing.body()).isEqualTo("\"callback\" parameter required\n");
        assertThat(get(sessionUrl() + "/jsonp?c=a%3Bb").statusCode()).isEqualTo(500);

        String url = sessionUrl();
        assertThat(get(url + "/jsonp?c=x").body()).isEqualTo("x(\"o\");\r\n");
        HttpResponse<String> broken = post(url + "/jsonp_send", "d=%5B%22x",
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.body()).isEqualTo("Broken JSON encoding.\n");
        for (String empty : new String[] {"", "d=", "p=p"}) {
            HttpResponse<String> r = post(url + "/jsonp_send", empty, "Content-Type",
                    "application/x-www-form-urlencoded");
            assertThat(r.statusCode()).as(empty).isEqualTo(500);
            assertThat(r.body()).as(empty).isEqualTo("Payload expected.\n");
        }
    }
}
