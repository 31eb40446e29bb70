package crema.spec;

import java.util.List;

/** {@code hooks.<phase>[i]}; timeout is in seconds, null when absent, greater than zero when present. */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
}
