package crema.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire format of native-helpers/PLAN.md, read back record by record. */
class PlanEncoderTest {

    record Rec(int tag, ByteBuffer body) {
        String str() {
            int n = body.getInt();
            byte[] b = new byte[n];
            body.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    static List<Rec> records(byte[] plan) {
        ByteBuffer b = ByteBuffer.wrap(plan).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(PlanEncoder.MAGIC, b.getInt());
        assertEquals(PlanEncoder.VERSION, b.getShort());
        assertEquals(0, b.getShort());
        assertEquals(plan.length, b.getInt());
        List<Rec> recs = new ArrayList<>();
        while (b.hasRemaining()) {
            int tag = b.getShort() & 0xffff;
            int len = b.getInt();
            ByteBuffer body = b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
            b.position(b.position() + len);
            recs.add(new Rec(tag, body));
        }
        return recs;
    }

    @Test
    void recordsFollowThePlanInOrder() {
        LaunchPlan plan = PlanBuilderTest.plan(PlanBuilderTest.BASE);
        List<Rec> recs = records(PlanEncoder.encode(plan));
        List<Integer> tags = recs.stream().map(Rec::tag).toList();
        assertEquals(PlanEncoder.CLONE_FLAGS, tags.get(0));
        assertEquals(PlanEncoder.NS_JOIN, tags.get(1));
        assertEquals(plan.mounts().size(), tags.stream().filter(t -> t == PlanEncoder.MOUNT).count());
        assertEquals(plan.devices().size(), tags.stream().filter(t -> t == PlanEncoder.DEVICE).count());
        assertEquals(PlanEncoder.PRESERVE_FDS, tags.get(tags.size() - 1));

        assertEquals(plan.cloneFlags(), recs.get(0).body().getLong());
        Rec join = recs.get(1);
        assertEquals((int) Linux.CLONE_NEWNET, join.body().getInt());
        assertEquals("/proc/42/ns/net", join.str());
    }

    @Test
    void aMountRecordCarriesEveryField() {
        LaunchPlan plan = PlanBuilderTest.plan(PlanBuilderTest.BASE);
        Rec m = records(PlanEncoder.encode(plan)).stream().filter(r -> r.tag() == PlanEncoder.MOUNT).skip(2).findFirst().orElseThrow();
        ByteBuffer b = m.body();
        assertEquals(1, b.getInt()); // bind
        assertEquals(0, b.getInt()); // a directory
        assertEquals(Linux.MS_BIND | Linux.MS_REC | Linux.MS_RDONLY, b.getLong());
        assertEquals(Linux.MS_PRIVATE | Linux.MS_REC, b.getLong());
        assertEquals(0, b.getLong());
        assertEquals(0, b.getLong());
        assertEquals("/bundles/b1/host-data", m.str());
        assertEquals("/data", m.str());
        assertEquals("", m.str());
        assertEquals("", m.str());
        assertEquals("", m.str()); // uid_map: not idmapped
        assertEquals("", m.str());
        assertEquals(0, b.remaining());
    }

    @Test
    void userCapsAndRlimitsAreFixedSize() {
        LaunchPlan plan = PlanBuilderTest.plan(PlanBuilderTest.BASE);
        for (Rec r : records(PlanEncoder.encode(plan))) {
            switch (r.tag()) {
                case PlanEncoder.USER -> assertEquals(16, r.body().remaining());
                case PlanEncoder.CAPS -> assertEquals(40, r.body().remaining());
                case PlanEncoder.RLIMIT -> assertEquals(20, r.body().remaining());
                case PlanEncoder.ADDITIONAL_GIDS -> assertEquals(4 + 8, r.body().remaining());
                default -> {}
            }
        }
    }

    @Test
    void anExecPlanJoinsAndHasNoRootfsRecords() {
        LaunchPlan container = PlanBuilderTest.plan(PlanBuilderTest.BASE);
        ExecPlan exec = new ExecPlan(List.of(new LaunchPlan.NamespaceJoin(Linux.CLONE_NEWUSER, "/proc/7/ns/user"),
                new LaunchPlan.NamespaceJoin(Linux.CLONE_NEWNS, "/proc/7/ns/mnt")), "/proc/7/root", container.process());
        List<Rec> recs = records(PlanEncoder.encodeExec(exec));
        List<Integer> tags = recs.stream().map(Rec::tag).toList();
        assertEquals(List.of(PlanEncoder.CLONE_FLAGS, PlanEncoder.NS_JOIN, PlanEncoder.NS_JOIN, PlanEncoder.EXEC_ROOT),
                tags.subList(0, 4));
        assertEquals(0, recs.get(0).body().getLong());
        assertEquals("/proc/7/root", recs.get(3).str());
        for (int t : List.of(PlanEncoder.ROOTFS, PlanEncoder.MOUNT, PlanEncoder.DEVICE, PlanEncoder.HOSTNAME,
                PlanEncoder.FIFO_DIR, PlanEncoder.MASKED_PATH)) {
            assertEquals(false, tags.contains(t), "tag " + t);
        }
        // the process records are the container plan's own
        List<Integer> containerTags = records(PlanEncoder.encode(container)).stream().map(Rec::tag).toList();
        assertEquals(containerTags.subList(containerTags.indexOf(PlanEncoder.ARG), containerTags.size()),
                tags.subList(4, tags.size()));
    }
}
