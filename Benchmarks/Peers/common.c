#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const peers_regions[PEERS_MAX_CLIENTS] = {"NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"};

void fail(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "FAILED: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    exit(1);
}

static uint64_t splitmix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A version-7 UUID (RFC 9562) at `ms` milliseconds since 1970, lower-case, 36 characters, no NUL. */
static void uuid7(char *out, uint64_t ms, uint64_t *random) {
    uint8_t b[16];
    uint64_t r1 = splitmix(random), r2 = splitmix(random);
    for (int i = 0; i < 6; i++) b[i] = (uint8_t)(ms >> (40 - 8 * i));
    b[6] = (uint8_t)(0x70 | ((r1 >> 8) & 0x0F));
    b[7] = (uint8_t)r1;
    b[8] = (uint8_t)(0x80 | ((r1 >> 16) & 0x3F));
    for (int i = 9; i < 16; i++) b[i] = (uint8_t)(r2 >> (8 * (i - 9)));
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
}

void payloads_load(payloads_t *out, const char *dir, const char *region, size_t count, uint64_t salt) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sample-%s.jsonl", dir, region);
    FILE *f = fopen(path, "rb");
    if (!f) fail("cannot open %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, mem);
    fclose(f);
    fclose(mem);
    /* The sample's lines. */
    size_t samples = 0;
    for (size_t i = 0; i < size; i++) samples += text[i] == '\n';
    if (samples == 0) fail("%s holds no events", path);
    payload_t *sample = calloc(samples, sizeof *sample);
    size_t k = 0, start = 0;
    for (size_t i = 0; i < size && k < samples; i++) {
        if (text[i] != '\n') continue;
        sample[k].data = text + start;
        sample[k].length = i - start;
        if (sample[k].length < 50 || memcmp(sample[k].data, "{\"id\":\"", 7) != 0 || sample[k].data[43] != '"')
            fail("%s line %zu is not a canonical event (id first)", path, k + 1);
        k++;
        start = i + 1;
    }
    samples = k;
    /* Cycled to `count`, each a copy with its own id. */
    size_t bytes = 0;
    for (size_t i = 0; i < count; i++) bytes += sample[i % samples].length;
    out->storage = malloc(bytes ? bytes : 1);
    out->items = calloc(count ? count : 1, sizeof *out->items);
    if (!out->storage || !out->items) fail("out of memory for %zu payloads", count);
    out->count = count;
    out->bytes = bytes;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms0 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    uint64_t random = salt ^ ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid();
    char *p = out->storage;
    for (size_t i = 0; i < count; i++) {
        const payload_t *s = &sample[i % samples];
        memcpy(p, s->data, s->length);
        uuid7(p + 7, ms0 + i, &random);
        out->items[i].data = p;
        out->items[i].length = s->length;
        p += s->length;
    }
    free(sample);
    free(text);
}

void payloads_free(payloads_t *p) {
    free(p->items);
    free(p->storage);
    memset(p, 0, sizeof *p);
}

double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double self_cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           (double)u.ru_stime.tv_usec / 1e6;
}

double proc_cpu_seconds(pid_t pid) {
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = 0;
    /* After the command name in parentheses: state (field 3) … utime (14), stime (15). */
    char *p = strrchr(text, ')');
    if (!p) return -1;
    p++;
    unsigned long long utime = 0, stime = 0;
    if (sscanf(p, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

double proc_cpu_settled(pid_t pid, double limit) {
    double last = proc_cpu_seconds(pid);
    for (double waited = 0; waited < limit; waited += 0.25) {
        struct timespec pause = {0, 250 * 1000 * 1000};
        nanosleep(&pause, NULL);
        double now = proc_cpu_seconds(pid);
        if (now == last) break;
        last = now;
    }
    return last;
}

const char *arg_string(int argc, char **argv, const char *name, const char *fallback) {
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) return argv[i + 1];
    return fallback;
}

long arg_long(int argc, char **argv, const char *name, long fallback) {
    const char *text = arg_string(argc, argv, name, NULL);
    if (!text) return fallback;
    char *end;
    long value = strtol(text, &end, 10);
    if (*end != 0) fail("%s: not a number: %s", name, text);
    return value;
}

void buffer_reserve(buffer_t *b, size_t extra) {
    if (b->length + extra <= b->capacity) return;
    size_t capacity = b->capacity ? b->capacity : 4096;
    while (capacity < b->length + extra) capacity *= 2;
    b->data = realloc(b->data, capacity);
    if (!b->data) fail("out of memory (%zu bytes)", capacity);
    b->capacity = capacity;
}

void buffer_append(buffer_t *b, const void *data, size_t length) {
    buffer_reserve(b, length);
    memcpy(b->data + b->length, data, length);
    b->length += length;
}

void buffer_printf(buffer_t *b, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(NULL, 0, format, args);
    va_end(args);
    buffer_reserve(b, (size_t)n + 1);
    va_start(args, format);
    vsnprintf(b->data + b->length, (size_t)n + 1, format, args);
    va_end(args);
    b->length += (size_t)n;
}

void buffer_consume(buffer_t *b, size_t length) {
    if (length >= b->length) {
        b->length = 0;
        return;
    }
    memmove(b->data, b->data + length, b->length - length);
    b->length -= length;
}

static int compare_ids(const void *a, const void *b) { return memcmp(a, b, 36); }

size_t count_duplicate_ids(char *ids, size_t count, size_t stride) {
    if (stride != 36) fail("count_duplicate_ids: stride must be 36");
    qsort(ids, count, stride, compare_ids);
    size_t duplicates = 0;
    for (size_t i = 1; i < count; i++)
        if (memcmp(ids + (i - 1) * stride, ids + i * stride, 36) == 0) duplicates++;
    return duplicates;
}
