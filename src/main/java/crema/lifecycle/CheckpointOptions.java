package crema.lifecycle;

import java.nio.file.Path;

/**
 * What `checkpoint` and `restore` were asked, as runc's flags name it.
 *
 * @param imagePath         CRIU's images (checkpoint: made if missing)
 * @param workPath          CRIU's logs and work files (default: the image path)
 * @param parentPath        a pre-dump's images, relative to imagePath or absolute (null: none)
 * @param manageCgroupsMode soft, full, strict or ignore (null: CRIU's default, soft)
 * @param emptyNs           a namespace CRIU makes empty instead of dumping ("network"; null: none)
 * @param pageServer        ADDRESS:PORT of a page server to send pages to; with lazyPages, where the dump serves them
 *                          (null: none)
 * @param lazyPages         dump: keep the memory and serve it from pageServer until a lazy restore has it all;
 *                          restore: fault the pages in from criu lazy-pages (userfaultfd)
 * @param statusFd          an fd of crema's that CRIU writes a NUL to once it serves the lazy pages (-1: none)
 */
public record CheckpointOptions(
        String criu,
        Path imagePath,
        Path workPath,
        Path parentPath,
        boolean leaveRunning,
        boolean preDump,
        boolean tcpEstablished,
        boolean extUnixSk,
        boolean shellJob,
        boolean fileLocks,
        boolean autoDedup,
        String manageCgroupsMode,
        String emptyNs,
        String pageServer,
        boolean lazyPages,
        int statusFd) {

    /** runc's --manage-cgroups-mode values, as CRIU's --manage-cgroups takes them. */
    static String cgroupsMode(String mode) {
        if (mode == null || mode.isEmpty()) return null;
        return switch (mode) {
            case "soft", "full", "strict", "ignore" -> mode;
            default -> throw new crema.state.ContainerException(
                    "--manage-cgroups-mode: invalid value \"" + mode + "\": must be soft, full, strict or ignore");
        };
    }

    /** The page server's address and port, split at the last colon (an IPv6 address has its own). */
    String[] pageServerAddress() {
        int colon = pageServer.lastIndexOf(':');
        if (colon <= 0) throw new crema.state.ContainerException("--page-server: must be ADDRESS:PORT, not \"" + pageServer + "\"");
        return new String[] {pageServer.substring(0, colon), pageServer.substring(colon + 1)};
    }

    /** The images' working dir: --work-path, or the image path as runc has it. */
    Path work() {
        return workPath != null ? workPath : imagePath;
    }
}
