package dev.rotor.server;

/** Groups of endpoints that can be placed on a port (admin-and-web.md §1), in v1's log order. */
public enum Route {
    RAW_WEBSOCKET("raw websocket"),
    SOCKJS("SockJS"),
    API("API"),
    ADMIN("admin"),
    WEB("web"),
    PROMETHEUS("prometheus");

    private final String label;

    Route(String label) {
        this.label = label;
    }

    /** Name used in the "Start serving … endpoints" log line. */
    public String label() {
        return label;
    }
}
