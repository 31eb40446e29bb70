/*
 * libchelper: the small C library SubstrateVM's runtime links into every
 * native image (GraalVM 25.0.x). GraalVM builds it into its own distribution,
 * which crema does not use; Maven Central has the builder's jars only. So this
 * is crema's own version of it, holding what an image of crema links.
 *
 * Each function keeps the contract of its Java declaration in the svm jar
 * (com.oracle.svm.core: LibCHelper, amd64.AMD64LibCHelper,
 * posix.linux.LinuxLibCHelper, c.locale.LocaleCHelper,
 * posix.headers.CSunMiscSignal, posix.headers.Fcntl, posix.attach.AttachHelper,
 * posix.thread.PosixVMThreads, CodeSynchronizationOperations). Tested by
 * image/shim-test.c.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "amd64cpufeatures.h" /* generated from the svm jar: one char per CPU feature */
#include "svm_locale.h"

extern char **environ;

char **getEnviron(void)
{
    return environ;
}

/* x86 keeps instruction and data caches coherent: nothing to flush. */
void codeSynchronization_clearCache(long start, long size)
{
    (void)start;
    (void)size;
}

/* ---- open(2) and fprintf with fixed argument lists, callable without varargs ---- */

int openSII(const char *path, int flags, int mode)
{
    return open(path, flags, mode);
}

int openatISII(int dirfd, const char *path, int flags, int mode)
{
    return openat(dirfd, path, flags, mode);
}

int fprintfSD(FILE *stream, const char *format, const char *s, int d)
{
    return fprintf(stream, format, s, d);
}

/* ---- threads and memory (Linux) ---- */

int getThreadId(void)
{
    return (int)syscall(SYS_gettid);
}

/* User CPU time of thread tid in nanoseconds, from field 14 (utime) of its stat; -1 if unknown. */
long getThreadUserTimeSlow(int tid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    if (!p)
        return -1;
    unsigned long utime;
    /* after ") ": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu", &utime) != 1)
        return -1;
    return (long)(utime * (1000000000UL / (unsigned long)sysconf(_SC_CLK_TCK)));
}

void *mremapP(void *old, size_t old_size, size_t new_size, int flags, void *new_address)
{
    return mremap(old, old_size, new_size, flags, new_address);
}

/* ---- time zone: the zone id TimeZone.getDefault() starts from ---- */

/* A malloc'ed zone id: $TZ, else the zoneinfo name /etc/localtime links to, else /etc/timezone, else UTC. */
char *SVM_FindJavaTZmd(const char *mappings, int length)
{
    (void)mappings;
    (void)length;
    const char *tz = getenv("TZ");
    if (tz && *tz)
        return strdup(*tz == ':' ? tz + 1 : tz);
    char buf[PATH_MAX];
    ssize_t n = readlink("/etc/localtime", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        char *zone = strstr(buf, "zoneinfo/");
        if (zone)
            return strdup(zone + strlen("zoneinfo/"));
    }
    FILE *f = fopen("/etc/timezone", "re");
    if (f) {
        char *line = fgets(buf, sizeof buf, f);
        fclose(f);
        if (line) {
            line[strcspn(line, " \t\r\n")] = 0;
            if (*line)
                return strdup(line);
        }
    }
    return strdup("UTC");
}

/* ---- locale: user.language, user.country, ... from the C library's locale ---- */

static svm_locale_props_t locale_props;

/* Splits "ll_CC.codeset@modifier" of one category; C and POSIX read as en_US, as the JDK reads them. */
static int parse_locale(int category, char **language, char **script, char **country, char **variant)
{
    const char *name = setlocale(category, NULL);
    if (!name || !strcmp(name, "C") || !strcmp(name, "POSIX"))
        name = "en_US";
    char *s = strdup(name);
    if (!s)
        return -1;
    char *modifier = strchr(s, '@');
    if (modifier)
        *modifier++ = 0;
    char *codeset = strchr(s, '.');
    if (codeset)
        *codeset = 0;
    char *territory = strchr(s, '_');
    if (territory)
        *territory++ = 0;
    *language = strdup(s);
    if (territory && *territory)
        *country = strdup(territory);
    if (modifier && !strcmp(modifier, "latin"))
        *script = strdup("Latn");
    else if (modifier && !strcmp(modifier, "cyrillic"))
        *script = strdup("Cyrl");
    else if (modifier && *modifier)
        *variant = strdup(modifier);
    free(s);
    return *language ? 0 : -1;
}

int svm_initialize_locale(void)
{
    setlocale(LC_ALL, "");
    svm_locale_props_t *p = &locale_props;
    if (parse_locale(LC_MESSAGES, &p->display_language, &p->display_script, &p->display_country,
                     &p->display_variant) != 0 ||
        parse_locale(LC_CTYPE, &p->format_language, &p->format_script, &p->format_country, &p->format_variant) != 0)
        return SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY;
    return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}

svm_locale_props_t *svm_get_locale(void)
{
    return &locale_props;
}

/*
 * ---- sun.misc.Signal: the handler counts a signal and posts a semaphore;
 * the image's dispatch thread waits on it and takes the pending signals ----
 */
#define SIGNALS 65

static atomic_int signal_owner;
static atomic_long signal_pending[SIGNALS];
static sem_t signal_posted;

/* 0 when this caller owns the dispatch, 1 when another already does, -1 on error. */
int cSunMiscSignal_open(void)
{
    int free_slot = 0;
    if (!atomic_compare_exchange_strong(&signal_owner, &free_slot, 1))
        return 1;
    for (int i = 0; i < SIGNALS; i++)
        atomic_store(&signal_pending[i], 0);
    if (sem_init(&signal_posted, 0, 0) != 0) {
        atomic_store(&signal_owner, 0);
        return -1;
    }
    return 0;
}

int cSunMiscSignal_close(void)
{
    if (sem_destroy(&signal_posted) != 0)
        return -1;
    atomic_store(&signal_owner, 0);
    return 0;
}

int cSunMiscSignal_awaitSemaphore(void)
{
    int r;
    while ((r = sem_wait(&signal_posted)) != 0 && errno == EINTR)
        ;
    return r;
}

int cSunMiscSignal_signalSemaphore(void)
{
    return sem_post(&signal_posted);
}

int cSunMiscSignal_signalRangeCheck(int sig)
{
    return sig > 0 && sig < SIGNALS;
}

/* One pending signal, its count taken down by one; -1 when none is pending. */
int cSunMiscSignal_checkPendingSignal(void)
{
    for (int sig = 1; sig < SIGNALS; sig++) {
        long n = atomic_load(&signal_pending[sig]);
        while (n > 0)
            if (atomic_compare_exchange_weak(&signal_pending[sig], &n, n - 1))
                return sig;
    }
    return -1;
}

static void count_signal(int sig)
{
    int saved = errno;
    if (sig > 0 && sig < SIGNALS) {
        atomic_fetch_add(&signal_pending[sig], 1);
        sem_post(&signal_posted); /* async-signal-safe */
    }
    errno = saved;
}

void *cSunMiscSignal_signalHandlerFunctionPointer(void)
{
    return (void *)count_signal;
}

/* ---- the attach API (jcmd and friends): not offered ---- */

void svm_attach_startup(const char *path)
{
    (void)path;
}

void svm_attach_listener_cleanup(int socket, const char *path)
{
    (void)socket;
    (void)path;
}

int svm_attach_check_socket_file(const char *path)
{
    (void)path;
    return 0;
}

int svm_attach_is_init_trigger(const char *path)
{
    (void)path;
    return 0;
}

int svm_attach_create_listener(const char *path)
{
    (void)path;
    return -1;
}

int svm_attach_wait_for_request(int socket)
{
    (void)socket;
    return -1;
}

void svm_attach_shutdown_socket(int socket)
{
    (void)socket;
}

/*
 * ---- CPU features (x86-64) ----
 * Only features crema's image may use are reported: the x86-64 levels v1 to
 * v3 and a few more. AVX-512 and newer stay off, so an image never relies on
 * them; a feature left off only costs speed.
 */
#define BIT(reg, n) (((reg) >> (n)) & 1u)

/* The OS saves the register state in mask (XCR0), so AVX code may run. */
static int os_saves(unsigned ecx1, unsigned mask)
{
    if (!BIT(ecx1, 27)) /* OSXSAVE: xgetbv is allowed */
        return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & mask) == mask;
}

void determineCPUFeatures(CPUFeatures *f)
{
    unsigned a, b, c, d;
    memset(f, 0, sizeof *f);
    unsigned max = __get_cpuid_max(0, NULL);
    if (max < 1)
        return;
    __cpuid(1, a, b, c, d);
    f->fTSC = BIT(d, 4);
    f->fCX8 = BIT(d, 8);
    f->fCMOV = BIT(d, 15);
    f->fFLUSH = BIT(d, 19);
    f->fMMX = BIT(d, 23);
    f->fFXSR = BIT(d, 24);
    f->fSSE = BIT(d, 25);
    f->fSSE2 = BIT(d, 26);
    f->fSSE3 = BIT(c, 0);
    f->fCLMUL = BIT(c, 1);
    f->fSSSE3 = BIT(c, 9);
    f->fSSE4_1 = BIT(c, 19);
    f->fSSE4_2 = BIT(c, 20);
    f->fPOPCNT = BIT(c, 23);
    f->fAES = BIT(c, 25);
    f->fHV = BIT(c, 31);
    int avx = BIT(c, 28) && os_saves(c, 0x6); /* XMM and YMM state */
    f->fAVX = avx;
    f->fVZEROUPPER = avx;
    f->fFMA = avx && BIT(c, 12);
    f->fF16C = avx && BIT(c, 29);
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f->fBMI1 = BIT(b, 3);
        f->fAVX2 = avx && BIT(b, 5);
        f->fBMI2 = BIT(b, 8);
        f->fERMS = BIT(b, 9);
        f->fADX = BIT(b, 19);
        f->fFLUSHOPT = BIT(b, 23);
        f->fCLWB = BIT(b, 24);
        f->fSHA = BIT(b, 29);
        f->fFSRM = BIT(d, 4);
    }
    unsigned ext = __get_cpuid_max(0x80000000, NULL);
    if (ext >= 0x80000001) {
        __cpuid(0x80000001, a, b, c, d);
        f->fLZCNT = BIT(c, 5);
        f->fSSE4A = BIT(c, 6);
        f->fAMD_3DNOW_PREFETCH = BIT(c, 8);
        f->fRDTSCP = BIT(d, 27);
    }
    if (ext >= 0x80000007) {
        __cpuid(0x80000007, a, b, c, d);
        f->fTSCINV_BIT = BIT(d, 8);
        f->fTSCINV = BIT(d, 8);
    }
}

/*
 * The image's required features come as a CPUFeatures-shaped mask, each byte
 * stored negated: 0xfe for a required feature, 0xff otherwise. 0 when this
 * CPU has them all, -1 when not.
 */
int checkCPUFeatures(const unsigned char *required)
{
    CPUFeatures have;
    determineCPUFeatures(&have);
    const unsigned char *h = (const unsigned char *)&have;
    for (size_t i = 0; i < sizeof have; i++)
        if ((unsigned char)(h[i] | required[i]) != 0xff)
            return -1;
    return 0;
}

int checkCPUFeaturesOrExit(const unsigned char *required, const char *message)
{
    if (checkCPUFeatures(required) != 0) {
        fprintf(stderr, "%s\n", message);
        exit(1);
    }
    return 0;
}

/*
 * ---- the JDK's JNI libraries ----
 * The image takes libjava, libnio, libnet and libzip for static libraries
 * and calls JNI_OnLoad_<name> for each. They are the JDK's shared ones
 * (already loaded: the executable needs them), so each call goes to that
 * library's JNI_OnLoad. A built-in library must report JNI 1.8 at least.
 */
#define JNI_VERSION_1_8 0x00010008

static int jdk_library_onload(const char *soname, void *vm, void *reserved)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);
    if (!lib)
        return JNI_VERSION_1_8;
    int (*onload)(void *, void *) = (int (*)(void *, void *))dlsym(lib, "JNI_OnLoad");
    /* dlsym also searches the library's dependencies: take only its own (libzip has none) */
    Dl_info where;
    if (onload && (!dladdr((void *)onload, &where) || !where.dli_fname || !strstr(where.dli_fname, soname)))
        onload = NULL;
    int version = onload ? onload(vm, reserved) : JNI_VERSION_1_8;
    dlclose(lib);
    return version > 0 && version < JNI_VERSION_1_8 ? JNI_VERSION_1_8 : version;
}

int JNI_OnLoad_java(void *vm, void *reserved)
{
    return jdk_library_onload("libjava.so", vm, reserved);
}

int JNI_OnLoad_nio(void *vm, void *reserved)
{
    return jdk_library_onload("libnio.so", vm, reserved);
}

int JNI_OnLoad_net(void *vm, void *reserved)
{
    return jdk_library_onload("libnet.so", vm, reserved);
}

int JNI_OnLoad_zip(void *vm, void *reserved)
{
    return jdk_library_onload("libzip.so", vm, reserved);
}
