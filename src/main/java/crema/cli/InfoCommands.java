package crema.cli;

import crema.lifecycle.Status;
import crema.spec.FeaturesJson;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.SmallJson;
import crema.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** `state`, `list`, `features`: read-only, no native calls, no locks (state files are replaced atomically). */
final class InfoCommands {

    int state(List<String> argv, Globals g) {
        String id = Args.parse(argv, Commands.STATE).id("state", 1, 1);
        StateStore store = new StateStore(g.root());
        StateStore.checkId(id);
        ContainerRecord r = store.load(id);
        g.out().println(json(List.of(r), store, false));
        return 0;
    }

    int list(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.LIST);
        StateStore store = new StateStore(g.root());
        List<ContainerRecord> records = new ArrayList<>();
        for (String id : store.ids()) {
            if (!Files.exists(store.dir(id).resolve(StateStore.STATE_FILE))) continue; // still being created
            try {
                records.add(store.load(id));
            } catch (ContainerException e) {
                // deleted meanwhile
            }
        }
        String format = a.get("format");
        if (a.has("quiet")) {
            for (ContainerRecord r : records) g.out().println(r.id());
        } else if (format.equals("json")) {
            g.out().println(json(records, store, true));
        } else if (format.equals("table")) {
            table(records, store, g);
        } else {
            throw new UsageException("invalid format option \"" + format + "\": must be table or json");
        }
        return 0;
    }

    int features(List<String> argv, Globals g) {
        Args.parse(argv, Commands.FEATURES).id("features", 0, 0);
        crema.spec.Features f = crema.plan.SupportedFeatures.current();
        // What checkpoint can do here is the kernel's word: criu check, run now.
        f = new crema.spec.Features(f.ociVersionMin(), f.ociVersionMax(), f.hooks(), f.mountOptions(), f.linux(),
                checkpointAnnotations(g), f.potentiallyUnsafeConfigAnnotations());
        g.out().println(new String(FeaturesJson.write(f), StandardCharsets.UTF_8));
        return 0;
    }

    /** Whether checkpoint works on this host and, when not, criu check's reason. */
    private static java.util.Map<String, String> checkpointAnnotations(Globals g) {
        java.util.Map<String, String> a = new java.util.TreeMap<>();
        String why;
        try {
            why = crema.criu.Criu.locate(g.criu()).checkFailure();
        } catch (ContainerException e) {
            why = e.getMessage();
        }
        a.put("io.crema.checkpoint.enabled", Boolean.toString(why == null));
        if (why != null) a.put("io.crema.checkpoint.unavailable", why);
        return a;
    }

    private static void table(List<ContainerRecord> records, StateStore store, Globals g) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
        for (ContainerRecord r : records) {
            Status s = Status.of(store, r);
            rows.add(new String[] {r.id(), Integer.toString(s == Status.STOPPED ? 0 : r.pid()), s.text(), r.bundle(),
                r.created(), r.owner()});
        }
        int[] width = new int[6];
        for (String[] row : rows) for (int i = 0; i < 6; i++) width[i] = Math.max(width[i], row[i].length());
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                line.append(row[i]);
                if (i < 5) line.append(" ".repeat(width[i] - row[i].length() + 3));
            }
            g.out().println(line.toString().stripTrailing());
        }
    }

    /** The OCI state (plus runc's rootfs, created, owner); an array for `list`. */
    private static String json(List<ContainerRecord> records, StateStore store, boolean array) {
        StringBuilder out = new StringBuilder();
        if (array) out.append('[');
        for (int i = 0; i < records.size(); i++) {
            ContainerRecord r = records.get(i);
            Status s = Status.of(store, r);
            SmallJson.ObjectWriter o = new SmallJson.ObjectWriter(0)
                    .field("ociVersion", r.ociVersion())
                    .field("id", r.id())
                    .field("pid", s == Status.STOPPED ? 0 : r.pid())
                    .field("status", s.text())
                    .field("bundle", r.bundle())
                    .field("rootfs", r.rootfs())
                    .field("created", r.created())
                    .field("owner", r.owner());
            if (!r.annotations().isEmpty()) o.field("annotations", r.annotations());
            if (i > 0) out.append(',');
            out.append(o);
        }
        if (array) out.append(']');
        return out.toString();
    }
}
