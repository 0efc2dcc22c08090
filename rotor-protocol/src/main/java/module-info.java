/**
 * The Centrifugo v1 wire model, shared by the server and the SDKs. One package, exported to everyone; Jackson is
 * re-exported because {@code TreeDecoding} reads Jackson trees.
 */
module dev.rotor.protocol {
    requires transitive com.fasterxml.jackson.databind;

    exports dev.rotor.protocol;
}
