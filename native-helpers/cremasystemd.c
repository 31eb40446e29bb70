/*
 * libcremasystemd: the JNI library behind crema.sys.SystemdBus, loaded only
 * with --systemd-cgroup, so no other command pays for libsystemd.
 *
 * It talks to systemd's manager with libsystemd's sd-bus: connect (system
 * bus, else systemd's private socket), read its version, start a transient
 * unit and wait for its job, set unit properties, stop a unit and wait.
 * Properties come from Java as a flat byte record list (format below) that
 * this file turns into D-Bus "a(sv)" with sd-bus; the D-Bus protocol itself
 * is sd-bus's business. Each function returns 0 (or 1, see stopUnit) or
 * -errno, with the result or a one-line error in out[0].
 *
 * Property records, little-endian: name NUL, signature NUL, value:
 *   s: string NUL   b: 1 byte   u, i: 4 bytes   t, x: 8 bytes
 *   ay: u32 n, n bytes   au: u32 n, n u32   a(ss): u32 n, n (string NUL, string NUL)
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>
#include "jni-cstr.h"

#define NATIVE(name) Java_crema_sys_SdBusNative_##name
#define DEST "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"

static void set_out(JNIEnv *env, jobjectArray out, const char *text)
{
    jstring s = (*env)->NewStringUTF(env, text);
    if (s)
        (*env)->SetObjectArrayElement(env, out, 0, s);
}

/* "Name: message" of a D-Bus error, or strerror when the error carries none. */
static int fail(JNIEnv *env, jobjectArray out, const char *what, const sd_bus_error *e, int r)
{
    char msg[1024];
    if (e && sd_bus_error_is_set(e))
        snprintf(msg, sizeof msg, "%s: %s (%s)", what, e->message ? e->message : "", e->name);
    else
        snprintf(msg, sizeof msg, "%s: %s", what, strerror(r < 0 ? -r : r));
    set_out(env, out, msg);
    return r < 0 ? r : -EIO;
}

static uint64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int version(sd_bus *bus, sd_bus_error *e, char **v)
{
    return sd_bus_get_property_string(bus, DEST, PATH, MANAGER, "Version", e, v);
}

/* Connects and asks systemd its version: a bus without systemd behind it is no bus for us. */
static int try_connect(sd_bus **bus, const char *address, sd_bus_error *e, char **v)
{
    int r;
    if (address) {
        r = sd_bus_new(bus);
        if (r < 0)
            return r;
        r = sd_bus_set_address(*bus, address);
        if (r >= 0)
            r = sd_bus_start(*bus);
    } else {
        r = sd_bus_open_system(bus);
    }
    if (r >= 0)
        r = version(*bus, e, v);
    if (r < 0) {
        *bus = sd_bus_flush_close_unref(*bus);
    }
    return r;
}

/* out[0]: systemd's version, or why neither the system bus nor systemd's private socket answered. */
JNIEXPORT jlong JNICALL NATIVE(connect)(JNIEnv *env, jclass c, jint timeoutMs, jobjectArray out)
{
    sd_bus *bus = NULL;
    char *v = NULL;
    sd_bus_error e1 = SD_BUS_ERROR_NULL, e2 = SD_BUS_ERROR_NULL;
    int r1 = try_connect(&bus, NULL, &e1, &v);
    int r2 = 0;
    if (r1 < 0)
        r2 = try_connect(&bus, "unix:path=/run/systemd/private", &e2, &v);
    if (r1 < 0 && r2 < 0) {
        char msg[1024];
        snprintf(msg, sizeof msg, "system bus: %s; /run/systemd/private: %s",
                 sd_bus_error_is_set(&e1) ? e1.message : strerror(-r1),
                 sd_bus_error_is_set(&e2) ? e2.message : strerror(-r2));
        set_out(env, out, msg);
        sd_bus_error_free(&e1);
        sd_bus_error_free(&e2);
        return r2;
    }
    sd_bus_error_free(&e1);
    sd_bus_error_free(&e2);
    sd_bus_set_method_call_timeout(bus, (uint64_t)timeoutMs * 1000);
    set_out(env, out, v ? v : "");
    free(v);
    return (jlong)(intptr_t)bus;
}

JNIEXPORT void JNICALL NATIVE(close)(JNIEnv *env, jclass c, jlong h)
{
    sd_bus_flush_close_unref((sd_bus *)(intptr_t)h);
}

/* A bounds-checked reader of the property records. */
struct reader {
    const uint8_t *p, *end;
};

static const char *take_str(struct reader *r)
{
    const uint8_t *nul = memchr(r->p, 0, (size_t)(r->end - r->p));
    if (!nul)
        return NULL;
    const char *s = (const char *)r->p;
    r->p = nul + 1;
    return s;
}

static int take(struct reader *r, void *dst, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return -EINVAL;
    memcpy(dst, r->p, n); /* x86-64 and the format are both little-endian */
    r->p += n;
    return 0;
}

static int append_value(sd_bus_message *m, const char *sig, struct reader *r)
{
    uint32_t n, u32;
    uint64_t u64;
    if (!strcmp(sig, "s")) {
        const char *s = take_str(r);
        return s ? sd_bus_message_append_basic(m, 's', s) : -EINVAL;
    }
    if (!strcmp(sig, "b")) {
        uint8_t b;
        if (take(r, &b, 1) < 0)
            return -EINVAL;
        int v = b != 0;
        return sd_bus_message_append_basic(m, 'b', &v);
    }
    if (!strcmp(sig, "u") || !strcmp(sig, "i"))
        return take(r, &u32, 4) < 0 ? -EINVAL : sd_bus_message_append_basic(m, sig[0], &u32);
    if (!strcmp(sig, "t") || !strcmp(sig, "x"))
        return take(r, &u64, 8) < 0 ? -EINVAL : sd_bus_message_append_basic(m, sig[0], &u64);
    if (take(r, &n, 4) < 0)
        return -EINVAL;
    if (!strcmp(sig, "ay")) {
        if ((size_t)(r->end - r->p) < n)
            return -EINVAL;
        int rc = sd_bus_message_append_array(m, 'y', r->p, n);
        r->p += n;
        return rc;
    }
    int rc;
    if (!strcmp(sig, "au")) {
        if ((rc = sd_bus_message_open_container(m, 'a', "u")) < 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (take(r, &u32, 4) < 0)
                return -EINVAL;
            if ((rc = sd_bus_message_append_basic(m, 'u', &u32)) < 0)
                return rc;
        }
        return sd_bus_message_close_container(m);
    }
    if (!strcmp(sig, "a(ss)")) {
        if ((rc = sd_bus_message_open_container(m, 'a', "(ss)")) < 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            const char *first = take_str(r);
            const char *second = first ? take_str(r) : NULL;
            if (!second)
                return -EINVAL;
            if ((rc = sd_bus_message_append(m, "(ss)", first, second)) < 0)
                return rc;
        }
        return sd_bus_message_close_container(m);
    }
    return -EINVAL;
}

/* The records as "a(sv)"; *bad names the property that could not be appended. */
static int append_properties(sd_bus_message *m, const uint8_t *buf, size_t len, const char **bad)
{
    struct reader r = {buf, buf + len};
    int rc = sd_bus_message_open_container(m, 'a', "(sv)");
    while (rc >= 0 && r.p < r.end) {
        const char *name = take_str(&r);
        const char *sig = name ? take_str(&r) : NULL;
        if (!sig)
            return -EINVAL;
        *bad = name;
        if ((rc = sd_bus_message_open_container(m, 'r', "sv")) < 0 || (rc = sd_bus_message_append_basic(m, 's', name)) < 0
            || (rc = sd_bus_message_open_container(m, 'v', sig)) < 0 || (rc = append_value(m, sig, &r)) < 0
            || (rc = sd_bus_message_close_container(m)) < 0 || (rc = sd_bus_message_close_container(m)) < 0)
            return rc;
    }
    *bad = NULL;
    return rc < 0 ? rc : sd_bus_message_close_container(m);
}

struct job_wait {
    char *job;
    int done;
    char result[64];
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
    struct job_wait *w = userdata;
    uint32_t id;
    const char *path, *unit, *result;
    if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0 || !w->job)
        return 0;
    if (!strcmp(path, w->job)) {
        w->done = 1;
        snprintf(w->result, sizeof w->result, "%s", result);
    }
    return 0;
}

/*
 * Sends a manager call that queues a job (its reply is the job's path) and
 * waits for JobRemoved of that job, at most timeoutMs. The signal match is
 * added before the call, so a job that ends at once is not missed.
 */
static int call_and_wait(JNIEnv *env, sd_bus *bus, sd_bus_message *m, jint timeoutMs, jobjectArray out, const char *what,
                         sd_bus_error *e)
{
    sd_bus_slot *slot = NULL;
    sd_bus_message *reply = NULL;
    struct job_wait w = {0};
    int r = sd_bus_match_signal(bus, &slot, DEST, PATH, MANAGER, "JobRemoved", on_job_removed, &w);
    if (r < 0)
        return fail(env, out, "subscribe to JobRemoved", NULL, r);
    sd_bus_call_method(bus, DEST, PATH, MANAGER, "Subscribe", NULL, NULL, ""); /* already subscribed is fine */
    uint64_t deadline = now_usec() + (uint64_t)timeoutMs * 1000;
    r = sd_bus_call(bus, m, (uint64_t)timeoutMs * 1000, e, &reply);
    if (r < 0) {
        sd_bus_slot_unref(slot);
        /* a D-Bus error is the caller's to word (NoSuchUnit is an answer); a failed call is worded here */
        return sd_bus_error_is_set(e) ? r : fail(env, out, what, NULL, r);
    }
    const char *job;
    r = sd_bus_message_read(reply, "o", &job);
    if (r >= 0)
        w.job = strdup(job);
    sd_bus_message_unref(reply);
    if (r < 0 || !w.job) {
        sd_bus_slot_unref(slot);
        return fail(env, out, what, NULL, r < 0 ? r : -ENOMEM);
    }
    while (!w.done) {
        r = sd_bus_process(bus, NULL);
        if (r < 0)
            break;
        if (r > 0)
            continue;
        uint64_t now = now_usec();
        if (now >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        r = sd_bus_wait(bus, deadline - now);
        if (r < 0 && r != -EINTR)
            break;
    }
    sd_bus_slot_unref(slot);
    char msg[512];
    if (!w.done) {
        snprintf(msg, sizeof msg, "%s: job %s did not finish within %d ms%s%s", what, w.job, (int)timeoutMs,
                 r == -ETIMEDOUT ? "" : ": ", r == -ETIMEDOUT ? "" : strerror(-r));
        free(w.job);
        set_out(env, out, msg);
        return -ETIMEDOUT;
    }
    free(w.job);
    if (strcmp(w.result, "done")) {
        snprintf(msg, sizeof msg, "%s: job %s", what, w.result);
        set_out(env, out, msg);
        return -EIO;
    }
    set_out(env, out, "done");
    return 0;
}

/*
 * A manager call on a unit with properties: StartTransientUnit(name,
 * "replace", props, ...) or SetUnitProperties(name, runtime, props). *m and
 * *name are the caller's to free, also on failure.
 */
static int unit_call(JNIEnv *env, sd_bus *bus, const char *method, jbyteArray jname, jbyteArray jprops, jobjectArray out,
                     sd_bus_message **m, char **name)
{
    *name = cstr(env, jname);
    jsize len = (*env)->GetArrayLength(env, jprops);
    uint8_t *props = malloc((size_t)len + 1);
    if (!*name || !props) {
        free(props);
        return fail(env, out, method, NULL, -ENOMEM);
    }
    (*env)->GetByteArrayRegion(env, jprops, 0, len, (jbyte *)props);
    const char *bad = NULL;
    int start = !strcmp(method, "StartTransientUnit");
    int r = sd_bus_message_new_method_call(bus, m, DEST, PATH, MANAGER, method);
    if (r >= 0)
        r = start ? sd_bus_message_append(*m, "ss", *name, "replace") : sd_bus_message_append(*m, "sb", *name, 1);
    if (r >= 0)
        r = append_properties(*m, props, (size_t)len, &bad);
    if (r < 0) {
        char what[256];
        snprintf(what, sizeof what, "%s: property %s", method, bad ? bad : "?");
        r = fail(env, out, what, NULL, r);
    }
    free(props);
    return r;
}

JNIEXPORT jint JNICALL NATIVE(startTransientUnit)(JNIEnv *env, jclass c, jlong h, jbyteArray jname, jbyteArray jprops,
                                                  jint timeoutMs, jobjectArray out)
{
    sd_bus *bus = (sd_bus *)(intptr_t)h;
    sd_bus_message *m = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    char *name = NULL;
    int r = unit_call(env, bus, "StartTransientUnit", jname, jprops, out, &m, &name);
    if (r >= 0) {
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
            r = fail(env, out, "StartTransientUnit", NULL, r);
    }
    if (r >= 0) {
        r = call_and_wait(env, bus, m, timeoutMs, out, "StartTransientUnit", &e);
        if (r < 0 && sd_bus_error_is_set(&e))
            r = fail(env, out, "StartTransientUnit", &e, r);
    }
    sd_bus_error_free(&e);
    sd_bus_message_unref(m);
    free(name);
    return r;
}

JNIEXPORT jint JNICALL NATIVE(setUnitProperties)(JNIEnv *env, jclass c, jlong h, jbyteArray jname, jbyteArray jprops,
                                                 jobjectArray out)
{
    sd_bus *bus = (sd_bus *)(intptr_t)h;
    sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    char *name = NULL;
    int r = unit_call(env, bus, "SetUnitProperties", jname, jprops, out, &m, &name);
    if (r >= 0) {
        r = sd_bus_call(bus, m, 0, &e, &reply);
        r = r < 0 ? fail(env, out, "SetUnitProperties", &e, r) : 0;
    }
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    sd_bus_message_unref(m);
    free(name);
    return r;
}

/* Stops a unit and waits for the job; 1 when there was no such unit (gone already). Clears a failed state after. */
JNIEXPORT jint JNICALL NATIVE(stopUnit)(JNIEnv *env, jclass c, jlong h, jbyteArray jname, jint timeoutMs, jobjectArray out)
{
    sd_bus *bus = (sd_bus *)(intptr_t)h;
    sd_bus_message *m = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    char *name = cstr(env, jname);
    if (!name)
        return fail(env, out, "StopUnit", NULL, -ENOMEM);
    int r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "StopUnit");
    if (r >= 0)
        r = sd_bus_message_append(m, "ss", name, "replace");
    if (r < 0) {
        r = fail(env, out, "StopUnit", NULL, r);
    } else {
        r = call_and_wait(env, bus, m, timeoutMs, out, "StopUnit", &e);
        if (r < 0 && sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
            r = 1;
        else if (r < 0 && sd_bus_error_is_set(&e))
            r = fail(env, out, "StopUnit", &e, r);
    }
    sd_bus_error_free(&e);
    sd_bus_message_unref(m);
    /* a scope whose processes were killed may be left "failed": forget it, as runc does */
    sd_bus_call_method(bus, DEST, PATH, MANAGER, "ResetFailedUnit", NULL, NULL, "s", name);
    free(name);
    return r;
}
