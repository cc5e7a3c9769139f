/* The C ceiling of Knutepunkt's design: what the same protocol shape costs in C with libzmq and no database.
 *
 * K DEALER clients (threads of this process, region k's events each) → one ROUTER server (a process of its own, so
 * that its CPU time is its own: one thread plus libzmq's I/O thread). A client sends batches of B events (one
 * message: an 8-byte first sequence number, then one frame per event) and keeps at most W unacknowledged, as a
 * Knutepunkt node does. The server takes every batch that is there, up to G events (a group, the hub's maxBatch),
 * appends each batch's events to one file (one write per batch, one event a line), calls fdatasync() once for
 * the group, and only then answers each client of the group with a cumulative ACK (the last sequence it holds).
 * Afterwards the file is read back: exactly N lines, N different event ids, or the run failed.
 *
 *   zmq_ceiling --samples DIR --dir TMPDIR --events N --clients K --window W --batch B --group G
 *
 * Prints one JSON object: rate, this process's CPU (the clients, getrusage) and the server's per event (its
 * /proc/PID/stat before the clients start, its rusage from wait4 once it has acknowledged the last event and exited). */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#define IDLE_LIMIT_MS 10000
#define RUN_LIMIT_S 600.0

static void write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write: %s", strerror(errno));
        data += n;
        length -= (size_t)n;
    }
}

/* ---- server (child process) ---- */

typedef struct {
    uint64_t settled; /* the last sequence stored of this client */
    int in_group;
} peer_t;

static int server_main(const char *path, int clients, size_t total, size_t group_limit, int report) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the driver */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fd < 0) fail("server: open %s: %s", path, strerror(errno));
    void *context = zmq_ctx_new();
    void *router = zmq_socket(context, ZMQ_ROUTER);
    int linger = 5000, hwm = 0;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_bind(router, "tcp://127.0.0.1:*") != 0) fail("server: bind: %s", zmq_strerror(errno));
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &size);
    write_all(report, endpoint, strlen(endpoint) + 1);
    close(report);

    peer_t peers[PEERS_MAX_CLIENTS] = {0};
    size_t stored = 0;
    buffer_t batch = {0};
    double deadline = now_seconds() + RUN_LIMIT_S;
    while (stored < total) {
        if (now_seconds() > deadline) fail("server: not done after %.0f s", RUN_LIMIT_S);
        zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
        int ready = zmq_poll(&item, 1, IDLE_LIMIT_MS);
        if (ready < 0 && zmq_errno() == EINTR) continue;
        if (ready <= 0) fail("server: nothing received for %d s (%zu of %zu stored)", IDLE_LIMIT_MS / 1000, stored,
                             total);
        /* A group: every batch that is there now, up to group_limit events. */
        size_t in_group = 0;
        while (in_group < group_limit) {
            zmq_msg_t frame;
            zmq_msg_init(&frame);
            if (zmq_msg_recv(&frame, router, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&frame);
                if (zmq_errno() == EAGAIN) break;
                fail("server: receive: %s", zmq_strerror(zmq_errno()));
            }
            /* routing id "cK" */
            const char *id = zmq_msg_data(&frame);
            if (zmq_msg_size(&frame) != 2 || id[0] != 'c' || id[1] < '0' || id[1] >= '0' + clients)
                fail("server: unknown routing id");
            peer_t *peer = &peers[id[1] - '0'];
            char client = id[1];
            int has_more = zmq_msg_more(&frame);
            zmq_msg_close(&frame);
            if (!has_more) fail("server: a batch without its sequence");
            zmq_msg_init(&frame); /* the rest of a message is there once its first frame is */
            if (zmq_msg_recv(&frame, router, 0) < 0) fail("server: receive: %s", zmq_strerror(zmq_errno()));
            uint64_t first;
            if (zmq_msg_size(&frame) != 8) fail("server: bad sequence frame");
            memcpy(&first, zmq_msg_data(&frame), 8);
            if (first != peer->settled + 1)
                fail("server: client %c sent %llu after %llu (lost or out of order)", client,
                     (unsigned long long)first, (unsigned long long)peer->settled);
            int more = zmq_msg_more(&frame);
            zmq_msg_close(&frame);
            size_t events = 0;
            batch.length = 0;
            while (more) {
                zmq_msg_init(&frame);
                if (zmq_msg_recv(&frame, router, 0) < 0) fail("server: receive: %s", zmq_strerror(zmq_errno()));
                buffer_append(&batch, zmq_msg_data(&frame), zmq_msg_size(&frame));
                buffer_append(&batch, "\n", 1);
                more = zmq_msg_more(&frame);
                zmq_msg_close(&frame);
                events++;
            }
            write_all(fd, batch.data, batch.length); /* the batch, appended */
            peer->settled += events;
            peer->in_group = 1;
            in_group += events;
        }
        if (in_group == 0) continue;
        if (fdatasync(fd) != 0) fail("server: fdatasync: %s", strerror(errno));
        stored += in_group;
        for (int k = 0; k < clients; k++) {
            if (!peers[k].in_group) continue;
            peers[k].in_group = 0;
            char id[2] = {'c', (char)('0' + k)};
            zmq_send(router, id, 2, ZMQ_SNDMORE);
            zmq_send(router, &peers[k].settled, 8, 0); /* ACK: everything through this sequence is stored */
        }
    }
    close(fd);
    zmq_close(router); /* lingers until the last ACKs are out */
    zmq_ctx_term(context);
    free(batch.data);
    return 0;
}

/* ---- clients (threads of the driver) ---- */

typedef struct {
    int index;
    const char *endpoint;
    size_t window, batch;
    payloads_t payloads;
    pthread_barrier_t *start;
    void *context;
    uint64_t settled;
} client_t;

static void *client_thread(void *argument) {
    client_t *c = argument;
    void *dealer = zmq_socket(c->context, ZMQ_DEALER);
    char id[2] = {'c', (char)('0' + c->index)};
    int linger = 0, hwm = 0;
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, id, 2);
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(dealer, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_connect(dealer, c->endpoint) != 0) fail("client: connect: %s", zmq_strerror(errno));
    pthread_barrier_wait(c->start);
    uint64_t total = c->payloads.count, next = 1;
    double deadline = now_seconds() + RUN_LIMIT_S;
    while (c->settled < total) {
        if (now_seconds() > deadline) fail("client %d: not done after %.0f s", c->index, RUN_LIMIT_S);
        while (next <= total && next - c->settled - 1 < c->window) {
            uint64_t room = c->batch;
            if (room > total - next + 1) room = total - next + 1;
            if (room > c->window - (next - c->settled - 1)) room = c->window - (next - c->settled - 1);
            zmq_send(dealer, &next, 8, ZMQ_SNDMORE);
            for (uint64_t i = 0; i < room; i++) {
                const payload_t *item = &c->payloads.items[next - 1 + i];
                zmq_send(dealer, item->data, item->length, i + 1 < room ? ZMQ_SNDMORE : 0);
            }
            next += room;
        }
        /* Every ACK there is, waiting only for the first. */
        zmq_pollitem_t poll = {dealer, 0, ZMQ_POLLIN, 0};
        int ready = zmq_poll(&poll, 1, IDLE_LIMIT_MS);
        if (ready < 0 && zmq_errno() == EINTR) continue;
        if (ready <= 0) fail("client %d: no ACK for %d s", c->index, IDLE_LIMIT_MS / 1000);
        uint64_t through;
        while (zmq_recv(dealer, &through, 8, ZMQ_DONTWAIT) == 8)
            if (through > c->settled) c->settled = through;
    }
    zmq_close(dealer);
    return NULL;
}

static int compare_lines(const void *a, const void *b) { return memcmp(a, b, 36); }

int main(int argc, char **argv) {
    const char *samples = arg_string(argc, argv, "--samples", NULL);
    const char *dir = arg_string(argc, argv, "--dir", NULL);
    long events = arg_long(argc, argv, "--events", 200000);
    int clients = (int)arg_long(argc, argv, "--clients", 1);
    size_t window = (size_t)arg_long(argc, argv, "--window", 16384);
    size_t batch = (size_t)arg_long(argc, argv, "--batch", 256);
    size_t group = (size_t)arg_long(argc, argv, "--group", 8192);
    if (!samples || !dir || clients < 1 || clients > PEERS_MAX_CLIENTS || events < clients || window < 1 ||
        batch < 1 || group < 1)
        fail("usage: zmq_ceiling --samples DIR --dir TMPDIR --events N --clients 1..4 --window W --batch B "
             "--group G");
    size_t per_client = (size_t)events / (size_t)clients, total = per_client * (size_t)clients, bytes = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/ceiling-%d.log", dir, clients);

    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) fail("pipe: %s", strerror(errno));
    pid_t server = fork();
    if (server < 0) fail("fork: %s", strerror(errno));
    if (server == 0) {
        close(pipe_fds[0]);
        _exit(server_main(path, clients, total, group, pipe_fds[1]));
    }
    close(pipe_fds[1]);
    char endpoint[256] = {0};
    size_t got = 0;
    while (got < sizeof endpoint - 1) {
        ssize_t n = read(pipe_fds[0], endpoint + got, sizeof endpoint - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        if (memchr(endpoint, 0, got)) break;
    }
    close(pipe_fds[0]);
    if (got == 0) {
        kill(server, SIGKILL);
        waitpid(server, NULL, 0);
        fail("the server did not start");
    }

    void *context = zmq_ctx_new();
    client_t list[PEERS_MAX_CLIENTS];
    pthread_t threads[PEERS_MAX_CLIENTS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
    for (int k = 0; k < clients; k++) {
        client_t *c = &list[k];
        memset(c, 0, sizeof *c);
        c->index = k;
        c->endpoint = endpoint;
        c->window = window;
        c->batch = batch;
        c->start = &start;
        c->context = context;
        payloads_load(&c->payloads, samples, peers_regions[k], per_client, (uint64_t)(k + 1) * 1000003u);
        bytes += c->payloads.bytes;
    }
    for (int k = 0; k < clients; k++) pthread_create(&threads[k], NULL, client_thread, &list[k]);
    pthread_barrier_wait(&start);
    double server_before = proc_cpu_seconds(server), self_before = self_cpu_seconds(), began = now_seconds();
    for (int k = 0; k < clients; k++) pthread_join(threads[k], NULL);
    double elapsed = now_seconds() - began, self_after = self_cpu_seconds();
    /* The server exits once it has stored and acknowledged everything; its CPU time then is all it did. */
    int status = 0;
    struct rusage usage;
    if (wait4(server, &status, 0, &usage) != server || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("the server failed (status %d)", status);
    double server_after = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                          (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    if (server_before < 0) fail("cannot read /proc/%d/stat", (int)server);
    zmq_ctx_term(context);
    uint64_t acknowledged = 0;
    for (int k = 0; k < clients; k++) acknowledged += list[k].settled;

    /* What the file holds: one event a line, every id once. */
    FILE *f = fopen(path, "rb");
    if (!f) fail("cannot read %s", path);
    char *ids = malloc(total * 36 + 36), *line = NULL;
    size_t lines = 0, capacity = 0, malformed = 0;
    ssize_t length;
    while ((length = getline(&line, &capacity, f)) > 0) {
        if (length < 45 || memcmp(line, "{\"id\":\"", 7) != 0 || line[length - 1] != '\n') {
            malformed++;
            continue;
        }
        if (lines < total) memcpy(ids + lines * 36, line + 7, 36);
        lines++;
    }
    free(line);
    fclose(f);
    size_t duplicates = 0;
    if (lines <= total) {
        qsort(ids, lines, 36, compare_lines);
        for (size_t i = 1; i < lines; i++) duplicates += memcmp(ids + (i - 1) * 36, ids + i * 36, 36) == 0;
    }
    free(ids);
    unlink(path);
    double n = (double)total;
    printf("{\"clients\":%d,\"messages\":%zu,\"seconds\":%.6f,\"rate\":%.2f,\"window\":%zu,\"batch\":%zu,"
           "\"group_max\":%zu,\"payload_bytes_mean\":%.2f,\"driver_cpu_seconds\":%.3f,"
           "\"driver_cpu_us_per_message\":%.3f,\"server_cpu_seconds\":%.3f,\"server_cpu_us_per_message\":%.3f,"
           "\"acknowledged\":%llu,\"file_records\":%zu,\"malformed\":%zu,\"duplicated\":%zu,\"lost\":%zu}\n",
           clients, total, elapsed, n / elapsed, window, batch, group, (double)bytes / n, self_after - self_before,
           (self_after - self_before) / n * 1e6, server_after - server_before,
           (server_after - server_before) / n * 1e6, (unsigned long long)acknowledged, lines, malformed, duplicates,
           lines < total ? total - lines : 0);
    fflush(stdout);
    for (int k = 0; k < clients; k++) payloads_free(&list[k].payloads);
    if (acknowledged != total || lines != total || malformed || duplicates)
        fail("the file holds %zu records (%zu malformed, %zu duplicated), %llu acknowledged, sent %zu", lines,
             malformed, duplicates, (unsigned long long)acknowledged, total);
    return 0;
}
