package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.state.ContainerException;
import org.junit.jupiter.api.Test;

/** cgroupsPath "slice:prefix:name" → unit and cgroup path, as runc reads it with --systemd-cgroup. */
class SystemdUnitNameTest {

    @Test
    void slicePrefixNameIsAScopeInTheSlice() {
        SystemdUnitName n = SystemdUnitName.parse("machine.slice:libpod:abc", "id");
        assertEquals("machine.slice", n.slice());
        assertEquals("libpod-abc.scope", n.unit());
        assertEquals("/machine.slice/libpod-abc.scope", n.cgroupPath());
        assertTrue(n.isScope());
    }

    @Test
    void nestedSlicesAreExpandedAsSystemdNestsThem() {
        assertEquals("/a.slice/a-b.slice/a-b-c.slice", SystemdUnitName.expand("a-b-c.slice"));
        assertEquals("/", SystemdUnitName.expand("-.slice"));
        SystemdUnitName n = SystemdUnitName.parse("kubepods-burstable-pod12.slice:cri-containerd:x1", "id");
        assertEquals("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/cri-containerd-x1.scope", n.cgroupPath());
    }

    @Test
    void anEmptyPathIsCremaIdInSystemSlice() {
        SystemdUnitName n = SystemdUnitName.parse("", "c1");
        assertEquals("/system.slice/crema-c1.scope", n.cgroupPath());
        assertEquals("/system.slice/crema-c1.scope", SystemdUnitName.parse(null, "c1").cgroupPath());
    }

    @Test
    void anEmptySliceIsSystemSliceAndAnEmptyPrefixIsLeftOut() {
        assertEquals("/system.slice/docker-x.scope", SystemdUnitName.parse(":docker:x", "id").cgroupPath());
        assertEquals("/user.slice/x.scope", SystemdUnitName.parse("user.slice::x", "id").cgroupPath());
    }

    @Test
    void theRootSliceHoldsTheScopeAtTheTop() {
        assertEquals("/p-x.scope", SystemdUnitName.parse("-.slice:p:x", "id").cgroupPath());
    }

    @Test
    void aNameEndingInSliceIsASliceUnitOfItsOwn() {
        SystemdUnitName n = SystemdUnitName.parse("system.slice:p:my-box.slice", "id");
        assertEquals("my-box.slice", n.unit());
        assertEquals("/my.slice/my-box.slice", n.cgroupPath());
    }

    @Test
    void badPathsAreRefusedNamingTheField() {
        for (String bad : new String[] {"/a/b", "a:b", "a:b:c:d", "nosuffix:p:x", "a--b.slice:p:x", "-a.slice:p:x", "a-.slice:p:x",
                ".slice:p:x", "system.slice:p:", "system.slice:p:a/b"}) {
            var e = assertThrows(ContainerException.class, () -> SystemdUnitName.parse(bad, "id"), bad);
            assertTrue(e.getMessage().startsWith("linux.cgroupsPath: "), e.getMessage());
        }
    }
}
