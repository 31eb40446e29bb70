package crema.plan;

import crema.plan.LaunchPlan.NamespaceJoin;
import java.util.List;

/**
 * A plan for `exec`: a process that joins a running container instead of
 * building one. crema-init opens root (the container init's
 * /proc/PID/root) before it joins the namespaces, then chroots into it.
 *
 * @param joins every namespace of the container init that is not crema's own, user first
 */
public record ExecPlan(List<NamespaceJoin> joins, String root, ProcessPlan process) {}
