package crema.sys;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads a small file (state.json, /proc/pid/stat, a cgroup file) with java.io.
 * Not java.nio.file.Files: NIO's first channel read loads libnet and probes
 * for IPv6 (/proc/net/if_inet6), ~1.4 ms that state, kill and start pay for nothing.
 */
public final class SmallFile {
    private SmallFile() {}

    /** The file's bytes; FileNotFoundException when it is missing or unreadable. */
    public static byte[] read(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toString())) {
            return in.readAllBytes();
        }
    }

    public static String readString(Path file) throws IOException {
        return new String(read(file), StandardCharsets.UTF_8);
    }
}
