package crema.spec;

/** {@code process.ioPriority}; {@code klass} is the JSON field "class" (IOPRIO_CLASS_RT, _BE, _IDLE). */
public record IoPriority(String klass, int priority) {
}
