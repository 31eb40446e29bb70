package crema.sys;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** The file's bytes, or null when it does not exist (any other failure is thrown). */
    public static byte[] readIfExists(Path file) throws IOException {
        try {
            return read(file);
        } catch (FileNotFoundException e) {
            // java.io says "not found" for EACCES and EISDIR too: only a missing file is null (notExists:
            // a file behind a directory we may not enter is not known to be missing, say another user's state)
            if (Files.notExists(file)) return null;
            throw e;
        }
    }

    public static String readString(Path file) throws IOException {
        return new String(read(file), StandardCharsets.UTF_8);
    }

    /** The file's lines, without their '\n' (as Files.readAllLines). */
    public static List<String> readLines(Path file) throws IOException {
        String text = readString(file);
        List<String> lines = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            if (nl < 0) nl = text.length();
            lines.add(text.substring(from, nl));
            from = nl + 1;
        }
        return lines;
    }
}
