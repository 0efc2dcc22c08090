/**
 * The Redis engine: the only module that sees the Redis client (Lettuce). It compiles as a module so that javac
 * checks it reads only what {@code dev.rotor.core} exports.
 */
module dev.rotor.engine.redis {
    requires transitive dev.rotor.core;
    requires lettuce.core;
    // the timer of Lettuce's client resources (WriteDeadline)
    requires io.netty.common;
    requires org.slf4j;

    exports dev.rotor.engine.redis;
}
