package crema.cgroups;

import java.util.List;

/**
 * One device-cgroup rule, as both cgroup versions apply it: later rules win.
 *
 * @param type   'a' (any), 'b' (block) or 'c' (char)
 * @param major  the major number, or {@link #ANY}
 * @param minor  the minor number, or {@link #ANY}
 * @param access a non-empty subset of "rwm"
 */
public record DeviceRule(boolean allow, char type, long major, long minor, String access) {
    public static final long ANY = -1;

    /** Matches every access to every device: a rule before it can never decide. */
    boolean matchesAll() {
        return type == 'a' && major == ANY && minor == ANY && coversAllAccess();
    }

    private boolean coversAllAccess() {
        return access.indexOf('r') >= 0 && access.indexOf('w') >= 0 && access.indexOf('m') >= 0;
    }

    /**
     * The lines v1's devices.allow / devices.deny take. "a" alone means every
     * device with every access, so a narrower 'a' rule becomes a 'c' and a 'b' line.
     */
    List<String> v1Lines() {
        if (matchesAll()) return List.of("a");
        String numbers = number(major) + ":" + number(minor) + " " + access;
        if (type == 'a') return List.of("c " + numbers, "b " + numbers);
        return List.of(type + " " + numbers);
    }

    private static String number(long n) {
        return n == ANY ? "*" : Long.toString(n);
    }
}
