/**
 * The Centrifugo v1 wire model, shared by the server and the SDKs. One package, exported to everyone; Jackson is
 * re-exported because {@code TreeDecoding} reads Jackson trees.
 */
module dev.rotor.protocol {
    requires transitive com.fasterxml.jackson.databind;
    // BoundedBody only, which only the SDKs use (they run with the JDK's HTTP client anyway)
    requires static java.net.http;

    exports dev.rotor.protocol;
}
