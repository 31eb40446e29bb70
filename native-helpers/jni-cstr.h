/* Shared by crema's JNI libraries (cremasys.c, cremasystemd.c). */
#ifndef CREMA_JNI_CSTR_H
#define CREMA_JNI_CSTR_H
#include <jni.h>
#include <stdlib.h>

/* A NUL-terminated copy of a Java byte[]; NULL on allocation failure. */
static inline char *cstr(JNIEnv *env, jbyteArray arr)
{
    jsize n = (*env)->GetArrayLength(env, arr);
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    (*env)->GetByteArrayRegion(env, arr, 0, n, (jbyte *)s);
    s[n] = 0;
    return s;
}
#endif
