package crema.spec;

import java.util.List;

/** {@code process.capabilities}; a set that is absent is null (not empty). */
public record Capabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient) {
}
