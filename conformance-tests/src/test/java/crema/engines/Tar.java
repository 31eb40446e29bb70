package crema.engines;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A POSIX ustar archive built in memory, the same bytes for the same entries:
 * every entry owned by 0:0 with mtime 0, in the order added. Enough for the
 * engine suites' images (names up to 100 bytes, no prefix field).
 */
final class Tar {
    private static final int BLOCK = 512;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Tar directory(String name, int mode) {
        return entry(name.endsWith("/") ? name : name + "/", mode, '5', "", new byte[0]);
    }

    Tar file(String name, int mode, byte[] content) {
        return entry(name, mode, '0', "", content);
    }

    Tar file(String name, String content) {
        return file(name, 0644, content.getBytes(StandardCharsets.UTF_8));
    }

    Tar symlink(String name, String target) {
        return entry(name, 0777, '2', target, new byte[0]);
    }

    /** The archive: the entries and the two zero blocks that end it. */
    byte[] bytes() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(out.toByteArray());
        all.writeBytes(new byte[2 * BLOCK]);
        return all.toByteArray();
    }

    private Tar entry(String name, int mode, char type, String link, byte[] content) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, content.length);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, "root");
        put(h, 297, 32, "root");
        // the checksum is summed with its own field as spaces, then written as 6 octal digits, NUL, space
        for (int i = 148; i < 156; i++) h[i] = ' ';
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, 7, String.format("%06o", sum));
        out.writeBytes(h);
        out.writeBytes(content);
        int pad = (BLOCK - content.length % BLOCK) % BLOCK;
        out.writeBytes(new byte[pad]);
        return this;
    }

    private static void put(byte[] h, int at, int length, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length > length) throw new IllegalArgumentException("too long for a ustar field of " + length + ": " + value);
        System.arraycopy(b, 0, h, at, b.length);
    }

    private static void octal(byte[] h, int at, int length, long value) {
        put(h, at, length - 1, String.format("%0" + (length - 1) + "o", value));
    }
}
