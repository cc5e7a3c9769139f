/* What the peer drivers share: the payloads, the clock, CPU time, arguments and the JSON line each prints.
 *
 * Every driver sends the same payloads as Knutepunkt's ingest benchmark (Benchmarks/KnutepunktBench/Ingest.swift):
 * the sample activities of one region per client (Benchmarks/Peers/payloads.py), cycled to the count and each
 * given a fresh version-7 id, all encoded before the clock starts. Client k sends region k's events
 * (NO-SOROST, NO-VEST, NO-MIDT, NO-NORD), as synthetic node k does. */
#ifndef PEERS_COMMON_H
#define PEERS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define PEERS_MAX_CLIENTS 4

extern const char *const peers_regions[PEERS_MAX_CLIENTS];

typedef struct {
    const char *data; /* not NUL-terminated */
    size_t length;
} payload_t;

typedef struct {
    payload_t *items;
    size_t count;
    char *storage;
    size_t bytes;
} payloads_t;

/* The first `count` events of `region` from DIR/sample-REGION.jsonl, cycled, each with a fresh time-ordered id
 * (1 ms apart from now, random bits from `salt`). Exits with a message on any problem. */
void payloads_load(payloads_t *out, const char *dir, const char *region, size_t count, uint64_t salt);
void payloads_free(payloads_t *p);
/* The 36 characters of the event's id (inside the payload). */
static inline const char *payload_id(const payload_t *p) { return p->data + 7; }

double now_seconds(void);
/* User + system CPU seconds of this process (getrusage RUSAGE_SELF). */
double self_cpu_seconds(void);
/* User + system CPU seconds of process `pid` (/proc/PID/stat utime + stime, all its threads); -1 if unreadable. */
double proc_cpu_seconds(pid_t pid);
/* Waits until process `pid` stops using CPU (two readings 250 ms apart equal), at most `limit` seconds, and returns
 * its CPU seconds then: what it still does for the messages it acknowledged (flushes) is counted. */
double proc_cpu_settled(pid_t pid, double limit);

/* Command line: --name value pairs. */
const char *arg_string(int argc, char **argv, const char *name, const char *fallback);
long arg_long(int argc, char **argv, const char *name, long fallback);

_Noreturn void fail(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* A growing byte buffer. */
typedef struct {
    char *data;
    size_t length, capacity;
} buffer_t;
void buffer_reserve(buffer_t *b, size_t extra);
void buffer_append(buffer_t *b, const void *data, size_t length);
void buffer_printf(buffer_t *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
void buffer_consume(buffer_t *b, size_t length);

/* Checks that the `count` ids (36 characters each, `stride` bytes apart) are all different. Returns the number
 * of duplicates. Sorts them in place. */
size_t count_duplicate_ids(char *ids, size_t count, size_t stride);

#endif
