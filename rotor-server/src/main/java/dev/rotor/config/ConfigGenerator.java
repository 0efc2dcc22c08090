package dev.rotor.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * Writes the minimal configuration file of {@code genconfig}: only a random UUID v4 {@code secret}, mode 0644,
 * then validated like {@code checkconfig} (configuration.md §5.3). Stateless.
 */
public final class ConfigGenerator {

    private ConfigGenerator() {
    }

    /**
     * Generates a config file with a fresh secret.
     *
     * @return the generated secret
     * @throws ConfigException with v1's messages when the file exists or the extension is not supported, or when
     *                         the file cannot be written or does not validate (the file is then removed)
     */
    public static String generate(Path file) {
        if (Files.exists(file)) {
            throw new ConfigException("output config file already exists: " + file);
        }
        ConfigFormat format = ConfigFormat.of(file)
                .orElseThrow(() -> new ConfigException(ConfigFormat.SUPPORTED_EXTENSIONS_MESSAGE));
        String secret = UUID.randomUUID().toString();
        try {
            // CREATE_NEW: never overwrite a file that appeared since the check above.
            Files.writeString(file, format.template(secret), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException("output config file already exists: " + file);
        } catch (IOException e) {
            throw new ConfigException("Unable to write config file " + file + ": " + e, e);
        }
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the platform default mode is the best we can do.
        }
        try {
            ConfigLoader.check(file);
        } catch (ConfigException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the validation error is the one worth reporting
            }
            throw e;
        }
        return secret;
    }
}
