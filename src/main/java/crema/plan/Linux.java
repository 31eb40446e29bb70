package crema.plan;

/** Kernel constants the plan carries: clone, mount and mount_setattr flags, file types. */
public final class Linux {
    private Linux() {}

    public static final long CLONE_NEWTIME = 0x80L;
    public static final long CLONE_NEWNS = 0x20000L;
    public static final long CLONE_NEWCGROUP = 0x02000000L;
    public static final long CLONE_NEWUTS = 0x04000000L;
    public static final long CLONE_NEWIPC = 0x08000000L;
    public static final long CLONE_NEWUSER = 0x10000000L;
    public static final long CLONE_NEWPID = 0x20000000L;
    public static final long CLONE_NEWNET = 0x40000000L;

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_SYNCHRONOUS = 16;
    public static final long MS_REMOUNT = 32;
    public static final long MS_MANDLOCK = 64;
    public static final long MS_DIRSYNC = 128;
    public static final long MS_NOSYMFOLLOW = 256;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_UNBINDABLE = 1L << 17;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final long MS_SHARED = 1L << 20;
    public static final long MS_RELATIME = 1L << 21;
    public static final long MS_STRICTATIME = 1L << 24;
    public static final long MS_LAZYTIME = 1L << 25;

    public static final long MOUNT_ATTR_RDONLY = 0x1;
    public static final long MOUNT_ATTR_NOSUID = 0x2;
    public static final long MOUNT_ATTR_NODEV = 0x4;
    public static final long MOUNT_ATTR_NOEXEC = 0x8;
    public static final long MOUNT_ATTR__ATIME = 0x70;
    public static final long MOUNT_ATTR_RELATIME = 0x0;
    public static final long MOUNT_ATTR_NOATIME = 0x10;
    public static final long MOUNT_ATTR_STRICTATIME = 0x20;
    public static final long MOUNT_ATTR_NODIRATIME = 0x80;
    public static final long MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
}
