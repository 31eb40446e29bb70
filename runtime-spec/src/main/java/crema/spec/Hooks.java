package crema.spec;

import java.util.List;

/** {@code hooks}: lifecycle hooks by phase (prestart is deprecated by the spec but still honoured). */
public record Hooks(
        List<Hook> prestart,
        List<Hook> createRuntime,
        List<Hook> createContainer,
        List<Hook> startContainer,
        List<Hook> poststart,
        List<Hook> poststop) {
}
