package crema.spec;

import java.util.List;

/** {@code linux.personality}: domain "LINUX" or "LINUX32". */
public record Personality(String domain, List<String> flags) {
}
