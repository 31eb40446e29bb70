/*
 * libreporterchelper: the two JNI functions the native-image builder's
 * progress reporter (com.oracle.svm.hosted.ProgressReporterCHelper in the svm
 * jar) loads from <java.home>/lib/svm/builder/lib; used at build time only.
 */
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* The builder's peak RSS in bytes, -1 if unknown. */
JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass c)
{
    struct rusage usage;
    return getrusage(RUSAGE_SELF, &usage) == 0 ? (jlong)usage.ru_maxrss * 1024 : -1;
}

/* The terminal's width, 80 when stdout is none. */
JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env,
                                                                                                   jclass c)
{
    struct winsize w;
    return ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0 ? w.ws_col : 80;
}
