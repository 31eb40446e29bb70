/*
 * crema: the launcher. Execs the JVM on crema's jar with the flags that
 * measured best (DESIGN.md, Performance), so `crema` is one process.
 *
 * It also tells the JVM which fds >= 3 the caller really passed
 * (_CREMA_INHERITED_FDS), so `--preserve-fds N` can refuse an fd number the
 * JVM itself opened later: no JVM fd may reach a container.
 * The install tree is found from the launcher's own path: <prefix>/bin/crema
 * runs <prefix>/lib/crema/crema.jar on <prefix>/lib/crema/jdk (a link to the
 * JDK 25 it was built with).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <limits.h>

static void record_inherited_fds(void)
{
    char list[4096] = "";
    size_t used = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    int self = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd < 3 || fd == self)
            continue;
        int n = snprintf(list + used, sizeof list - used, "%s%d", used ? "," : "", fd);
        if (n < 0 || (size_t)n >= sizeof list - used)
            break;
        used += (size_t)n;
    }
    closedir(d);
    setenv("_CREMA_INHERITED_FDS", list, 1);
}

/* The command word: the first argument that is neither a global flag nor a global flag's value (cli/Main). */
static const char *command_of(int argc, char **argv)
{
    static const char *const with_value[] = {"root", "log", "log-format", "criu", "rootless"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-')
            return a;
        while (*a == '-')
            a++;
        if (strchr(a, '='))
            continue;
        for (size_t v = 0; v < sizeof with_value / sizeof with_value[0]; v++)
            if (strcmp(a, with_value[v]) == 0) {
                i++;
                break;
            }
    }
    return "";
}

/* start, kill, state, delete, list and --version have their own small AOT cache (scripts/stage-install). */
static int lean_command(const char *c)
{
    return !*c || !strcmp(c, "start") || !strcmp(c, "kill") || !strcmp(c, "state") || !strcmp(c, "delete") ||
           !strcmp(c, "list");
}

static char *join(const char *a, const char *b)
{
    char *s;
    return asprintf(&s, "%s%s", a, b) < 0 ? NULL : s;
}

int main(int argc, char **argv)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        perror("crema: readlink /proc/self/exe");
        return 1;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;                      /* <prefix>/bin */
    char *libdir = join(exe, "/../lib/crema");
    char *java = join(libdir, "/jdk/bin/java");
    char *cache = join(libdir, lean_command(command_of(argc, argv)) ? "/crema-lean.aot" : "/crema.aot");
    if (cache && access(cache, R_OK) != 0)
        cache = join(libdir, "/crema.aot");
    const char *flags[] = {
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
        join("-XX:AOTCache=", cache),
        "-Djdk.reflect.useNativeAccessorOnly=true",
        "-Xlog:disable", "-Xlog:all=warning:stderr",
        join("-Dcrema.libdir=", libdir), "-jar", join(libdir, "/crema.jar"),
    };
    size_t nflags = sizeof flags / sizeof flags[0];
    /* Without its cache (a build that skipped training) the JVM still runs, only slower. */
    if (access(flags[3] + strlen("-XX:AOTCache="), R_OK) != 0)
        flags[3] = "-Xshare:auto";
    char **args = calloc(nflags + (size_t)argc + 1, sizeof(char *));
    if (!args || !java)
        return 1;
    size_t i = 0;
    args[i++] = java;
    for (size_t f = 0; f < nflags; f++)
        args[i++] = (char *)flags[f];
    for (int a = 1; a < argc; a++)
        args[i++] = argv[a];
    record_inherited_fds();
    execv(java, args);
    fprintf(stderr, "crema: cannot run the JVM %s: %m\n", java);
    return 1;
}
