/*
 * Tests of the native image's C shims (libchelper.c, jvm.c and the generated
 * aborting stubs), run by `make check`: each contract the image relies on.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "amd64cpufeatures.h"
#include "svm_locale.h"

/* libchelper.c */
void determineCPUFeatures(CPUFeatures *f);
int checkCPUFeatures(const unsigned char *required);
int getThreadId(void);
long getThreadUserTimeSlow(int tid);
char *SVM_FindJavaTZmd(const char *mappings, int length);
int cSunMiscSignal_open(void);
int cSunMiscSignal_close(void);
int cSunMiscSignal_awaitSemaphore(void);
int cSunMiscSignal_checkPendingSignal(void);
int cSunMiscSignal_signalRangeCheck(int sig);
void *cSunMiscSignal_signalHandlerFunctionPointer(void);
int JNI_OnLoad_zip(void *vm, void *reserved);
/* jvm.c and its generated stubs */
int jio_snprintf(char *buf, size_t size, const char *format, ...);
int JVM_FindSignal(const char *name);
long long JVM_GetNanoTimeAdjustment(void *env, void *ignored, long long offset_secs);
int JVM_ActiveProcessorCount(void);
void *JVM_RawMonitorCreate(void);
int JVM_RawMonitorEnter(void *m);
void JVM_RawMonitorExit(void *m);
void JVM_RawMonitorDestroy(void *m);
void JVM_IHashCode(void);

static int passed, failed;

static void check(int ok, const char *what, ...)
{
    va_list args;
    va_start(args, what);
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL: ");
        vfprintf(stderr, what, args);
        fputc('\n', stderr);
    }
    va_end(args);
}

/* A mask as the image stores it: 0xff everywhere, 0xfe (~1) at each required feature. */
static void require(unsigned char *mask, size_t offset)
{
    mask[offset] = (unsigned char)~1u;
}

static void cpu_features(void)
{
    CPUFeatures f;
    memset(&f, 0x55, sizeof f);
    determineCPUFeatures(&f);
    check(f.fCX8 == 1 && f.fCMOV == 1 && f.fSSE2 == 1, "x86-64 baseline features are reported");
    check(f.fAVX512F == 0, "AVX-512 is never reported");
    const unsigned char *bytes = (const unsigned char *)&f;
    int only_flags = 1;
    for (size_t i = 0; i < sizeof f; i++)
        only_flags &= bytes[i] <= 1;
    check(only_flags, "every field is 0 or 1");

    unsigned char mask[sizeof(CPUFeatures)];
    memset(mask, 0xff, sizeof mask);
    check(checkCPUFeatures(mask) == 0, "nothing required: accepted");
    require(mask, offsetof(CPUFeatures, fSSE2));
    require(mask, offsetof(CPUFeatures, fCMOV));
    check(checkCPUFeatures(mask) == 0, "the baseline required: accepted");
    require(mask, offsetof(CPUFeatures, fAVX512F));
    check(checkCPUFeatures(mask) == -1, "AVX-512 required: refused");
}

static void threads_and_time_zone(void)
{
    check(getThreadId() == getpid(), "the main thread's id is the pid");
    volatile unsigned long spin = 0;
    for (clock_t end = clock() + CLOCKS_PER_SEC / 20; clock() < end;)
        spin++;
    check(getThreadUserTimeSlow(getThreadId()) >= 0, "thread user time is known");
    check(getThreadUserTimeSlow(-5) == -1, "an unknown thread has none");

    setenv("TZ", ":Europe/Paris", 1);
    char *tz = SVM_FindJavaTZmd(NULL, 0);
    check(tz && !strcmp(tz, "Europe/Paris"), "TZ gives the zone (got %s)", tz);
    free(tz);
    unsetenv("TZ");
    tz = SVM_FindJavaTZmd(NULL, 0);
    check(tz && *tz, "without TZ some zone is found (got %s)", tz);
    free(tz);
}

static void locale(void)
{
    setenv("LC_ALL", "C", 1);
    check(svm_initialize_locale() == SVM_LOCALE_INITIALIZATION_SUCCEEDED, "locale initialized");
    svm_locale_props_t *p = svm_get_locale();
    check(!strcmp(p->format_language, "en") && p->format_country && !strcmp(p->format_country, "US") &&
              !strcmp(p->display_language, "en"),
          "the C locale reads as en_US");
}

static void signals(void)
{
    check(cSunMiscSignal_open() == 0, "signal dispatch opened");
    check(cSunMiscSignal_open() == 1, "a second open finds it taken");
    check(cSunMiscSignal_signalRangeCheck(SIGUSR1) && !cSunMiscSignal_signalRangeCheck(0) &&
              !cSunMiscSignal_signalRangeCheck(65),
          "signal range");
    struct sigaction sa = {0};
    sa.sa_handler = (void (*)(int))cSunMiscSignal_signalHandlerFunctionPointer();
    sigaction(SIGUSR1, &sa, NULL);
    check(cSunMiscSignal_checkPendingSignal() == -1, "nothing pending at first");
    raise(SIGUSR1);
    raise(SIGUSR1);
    check(cSunMiscSignal_awaitSemaphore() == 0, "the handler posted the semaphore");
    check(cSunMiscSignal_checkPendingSignal() == SIGUSR1, "first SIGUSR1 pending");
    check(cSunMiscSignal_checkPendingSignal() == SIGUSR1, "second SIGUSR1 pending");
    check(cSunMiscSignal_checkPendingSignal() == -1, "then none");
    signal(SIGUSR1, SIG_DFL);
    check(cSunMiscSignal_close() == 0, "signal dispatch closed");
}

static void jvm(void)
{
    char buf[8];
    check(jio_snprintf(buf, sizeof buf, "%s", "abc") == 3 && !strcmp(buf, "abc"), "jio_snprintf fits");
    check(jio_snprintf(buf, sizeof buf, "%s", "abcdefghij") == -1 && strlen(buf) == 7, "jio_snprintf truncates, says -1");
    check(JVM_FindSignal("TERM") == SIGTERM && JVM_FindSignal("WINCH") == SIGWINCH && JVM_FindSignal("NOPE") == -1,
          "signal names");
    long long now = (long long)time(NULL);
    long long adj = JVM_GetNanoTimeAdjustment(NULL, NULL, now - 10);
    check(adj >= 9000000000LL && adj <= 12000000000LL, "nano time adjustment near 10 s (got %lld)", adj);
    check(JVM_GetNanoTimeAdjustment(NULL, NULL, now + (1LL << 33)) == -1, "an offset too far: -1");
    check(JVM_ActiveProcessorCount() >= 1, "processor count");
    void *m = JVM_RawMonitorCreate();
    check(m && JVM_RawMonitorEnter(m) == 0 && JVM_RawMonitorEnter(m) == 0, "raw monitors are recursive");
    JVM_RawMonitorExit(m);
    JVM_RawMonitorExit(m);
    JVM_RawMonitorDestroy(m);
    check(JNI_OnLoad_zip(NULL, NULL) == 0x00010008, "a JDK library not loaded reports JNI 1.8");

    int out[2];
    if (pipe(out) != 0)
        return;
    pid_t child = fork();
    if (child == 0) {
        dup2(out[1], 2);
        JVM_IHashCode();
        _exit(0);
    }
    close(out[1]);
    char msg[256] = "";
    ssize_t n = read(out[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = 0;
    close(out[0]);
    int status;
    waitpid(child, &status, 0);
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strstr(msg, "JVM_IHashCode is not implemented"),
          "an unimplemented libjvm function aborts and names itself (%s)", msg);
}

int main(void)
{
    cpu_features();
    threads_and_time_zone();
    locale();
    signals();
    jvm();
    printf("image shim-test: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
