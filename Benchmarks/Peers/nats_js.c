/* NATS JetStream, driven as Knutepunkt's ingest is: K publishers (one TCP connection and thread each, region k's
 * events), async publishes in batches of B with at most W unacknowledged per publisher, counting only the
 * publishes JetStream acknowledged as stored (its JSON PubAck with a stream sequence, not a duplicate, no error).
 *
 * A minimal client of the NATS text protocol (https://docs.nats.io/reference/reference-protocols/nats-protocol):
 * CONNECT with headers:true, SUB to an inbox, PUB or HPUB (with a Nats-Msg-Id header: the event's id) with a
 * reply subject per message in that inbox, PING/PONG. The stream is created and checked through the JetStream
 * API subjects ($JS.API.STREAM.CREATE/INFO/DELETE).
 *
 *   nats_js --port P --server-pid PID --samples DIR --events N --clients K --window W --batch B
 *           --stream NAME --dedupe 0|1
 *
 * Prints one JSON object: rate, the driver's own CPU (getrusage) and the server's CPU (/proc/PID/stat) per
 * message. Afterwards it checks that the stream holds exactly N messages (and, with dedupe, that publishing
 * already stored ids again stores nothing), and exits 1 otherwise. */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IDLE_LIMIT_MS 10000 /* no answer for this long: the run failed */
#define RUN_LIMIT_S 600.0

typedef struct {
    int fd;
    buffer_t in, out;
    int pongs;
} conn_t;

/* A message the server delivered: subject, headers (HMSG only) and body, all inside conn->in. */
typedef struct {
    const char *subject;
    size_t subject_length;
    const char *headers;
    size_t headers_length;
    const char *body;
    size_t body_length;
} message_t;

typedef void (*message_handler)(void *context, const message_t *message);

static void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* Writes what conn->out holds without blocking; returns 0, or -1 on a broken connection. */
static int conn_write(conn_t *c) {
    while (c->out.length > 0) {
        ssize_t n = send(c->fd, c->out.data, c->out.length, MSG_NOSIGNAL);
        if (n > 0) {
            buffer_consume(&c->out, (size_t)n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n < 0 && errno == EINTR) continue;
        return -1;
    }
    return 0;
}

/* Reads what is there without blocking (at most 4 MiB at a time); returns bytes read, -1 on close or error. */
static ssize_t conn_read(conn_t *c) {
    ssize_t total = 0;
    while (total < (4 << 20)) {
        buffer_reserve(&c->in, 256 * 1024);
        ssize_t n = recv(c->fd, c->in.data + c->in.length, c->in.capacity - c->in.length, 0);
        if (n > 0) {
            c->in.length += (size_t)n;
            total += n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return total;
        if (n < 0 && errno == EINTR) continue;
        return total > 0 ? total : -1;
    }
    return total;
}

static const char *find_crlf(const char *p, size_t length) {
    for (size_t i = 0; i + 1 < length; i++)
        if (p[i] == '\r' && p[i + 1] == '\n') return p + i;
    return NULL;
}

/* Handles every complete protocol line (and message) in conn->in: PING (answered), PONG, +OK, INFO, -ERR (fatal),
 * MSG and HMSG (to `handler`). */
static void conn_process(conn_t *c, message_handler handler, void *context) {
    size_t at = 0;
    for (;;) {
        const char *line = c->in.data + at;
        size_t available = c->in.length - at;
        const char *end = find_crlf(line, available);
        if (!end) break;
        size_t line_length = (size_t)(end - line);
        if (line_length >= 4 && (memcmp(line, "MSG ", 4) == 0 || memcmp(line, "HMSG ", 5) == 0)) {
            int with_headers = line[0] == 'H';
            /* MSG <subject> <sid> [reply] <#bytes> / HMSG <subject> <sid> [reply] <#header bytes> <#total bytes> */
            char head[1024];
            if (line_length >= sizeof head) fail("NATS: control line too long");
            memcpy(head, line, line_length);
            head[line_length] = 0;
            char *tokens[6];
            int count = 0;
            for (char *save, *t = strtok_r(head, " \t", &save); t && count < 6; t = strtok_r(NULL, " \t", &save))
                tokens[count++] = t;
            int expected = with_headers ? 5 : 4;
            if (count != expected && count != expected + 1) fail("NATS: cannot read \"%.*s\"", (int)line_length, line);
            size_t header_bytes = with_headers ? strtoul(tokens[count - 2], NULL, 10) : 0;
            size_t total_bytes = strtoul(tokens[count - 1], NULL, 10);
            if (header_bytes > total_bytes) fail("NATS: header longer than message");
            size_t need = line_length + 2 + total_bytes + 2;
            if (available < need) break; /* the rest of the message is still coming */
            message_t m;
            m.subject = line + (tokens[1] - head);
            m.subject_length = strlen(tokens[1]);
            m.headers = end + 2;
            m.headers_length = header_bytes;
            m.body = end + 2 + header_bytes;
            m.body_length = total_bytes - header_bytes;
            handler(context, &m);
            at += need;
            continue;
        }
        if (line_length == 4 && memcmp(line, "PING", 4) == 0) {
            buffer_append(&c->out, "PONG\r\n", 6);
        } else if (line_length == 4 && memcmp(line, "PONG", 4) == 0) {
            c->pongs++;
        } else if (line_length >= 4 && memcmp(line, "-ERR", 4) == 0) {
            fail("NATS server: %.*s", (int)line_length, line);
        } /* +OK, INFO: nothing to do */
        at += line_length + 2;
    }
    buffer_consume(&c->in, at);
}

/* One round of I/O: writes what is queued, waits up to `timeout_ms` for input, reads and handles it. Returns
 * the number of bytes read (0 on timeout). */
static ssize_t conn_pump(conn_t *c, int timeout_ms, message_handler handler, void *context) {
    if (conn_write(c) < 0) fail("NATS: connection lost while writing");
    struct pollfd p = {c->fd, POLLIN | (c->out.length ? POLLOUT : 0), 0};
    int ready = poll(&p, 1, timeout_ms);
    if (ready < 0 && errno != EINTR) fail("poll: %s", strerror(errno));
    ssize_t got = 0;
    if (ready > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
        got = conn_read(c);
        if (got < 0) fail("NATS: connection closed by the server");
        conn_process(c, handler, context);
    }
    if (ready > 0 && (p.revents & POLLOUT) && conn_write(c) < 0) fail("NATS: connection lost while writing");
    return got;
}

static void ignore_message(void *context, const message_t *m) {
    (void)context;
    (void)m;
}

/* Connects to 127.0.0.1:port, sends CONNECT (headers on) and waits for the PONG of its PING. */
static void conn_open(conn_t *c, int port) {
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0)
        fail("cannot connect to NATS at 127.0.0.1:%d: %s", port, strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_nonblocking(c->fd);
    buffer_printf(&c->out,
                  "CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"headers\":true,"
                  "\"no_responders\":true,\"lang\":\"c\",\"version\":\"knutepunkt-peers\",\"protocol\":1,"
                  "\"name\":\"knutepunkt-peers\"}\r\nPING\r\n");
    double deadline = now_seconds() + 10;
    while (c->pongs == 0) {
        if (now_seconds() > deadline) fail("NATS: no PONG within 10 s of CONNECT");
        conn_pump(c, 200, ignore_message, NULL);
    }
}

static void conn_close(conn_t *c) {
    close(c->fd);
    free(c->in.data);
    free(c->out.data);
}

/* A request on the control connection: publish `body` to `subject`, wait for the one answer. */
typedef struct {
    const char *inbox;
    buffer_t answer;
    int answered;
} request_t;

static void request_handler(void *context, const message_t *m) {
    request_t *r = context;
    if (m->subject_length == strlen(r->inbox) && memcmp(m->subject, r->inbox, m->subject_length) == 0) {
        r->answer.length = 0;
        buffer_append(&r->answer, m->body, m->body_length);
        buffer_append(&r->answer, "", 1);
        if (m->headers_length > 0 && m->body_length == 0) {
            /* A status-only answer, such as 503 (no responders). */
            r->answer.length = 0;
            buffer_printf(&r->answer, "{\"error\":\"%.*s\"}", (int)m->headers_length - 4, m->headers);
            buffer_append(&r->answer, "", 1);
        }
        r->answered = 1;
    }
}

static char *request(conn_t *c, const char *subject, const char *body) {
    static unsigned counter;
    char inbox[128];
    snprintf(inbox, sizeof inbox, "_INBOX.kpctl.%d.%u", (int)getpid(), ++counter);
    request_t r = {.inbox = inbox};
    buffer_printf(&c->out, "SUB %s 9%u\r\nPUB %s %s %zu\r\n%s\r\n", inbox, counter, subject, inbox, strlen(body),
                  body);
    double deadline = now_seconds() + 10;
    while (!r.answered) {
        if (now_seconds() > deadline) fail("NATS: no answer to %s within 10 s", subject);
        conn_pump(c, 200, request_handler, &r);
    }
    buffer_printf(&c->out, "UNSUB 9%u\r\n", counter);
    return r.answer.data;
}

/* The number after "key": in `json`, searching from `from`; -1 if absent. */
static long long json_number(const char *json, const char *from, const char *key) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *p = strstr(from ? from : json, pattern);
    if (!p) return -1;
    return strtoll(p + strlen(pattern), NULL, 10);
}

/* ---- one publisher ---- */

typedef struct {
    int index, port, dedupe;
    size_t window, batch;
    const char *subject;
    payloads_t payloads;
    pthread_barrier_t *start;
    /* results */
    size_t stored, duplicates, errors, answered, twice;
    char first_error[256];
    unsigned char *seen;
    char inbox[96];
    size_t inbox_length;
} publisher_t;

/* JetStream's PubAck says "duplicate": true (with or without the space) for an id it already stored. */
static int is_duplicate(const char *body, size_t length) {
    const char *p = memmem(body, length, "\"duplicate\":", 12);
    if (!p) return 0;
    p += 12;
    while (p < body + length && *p == ' ') p++;
    return (size_t)(body + length - p) >= 4 && memcmp(p, "true", 4) == 0;
}

static void publisher_handler(void *context, const message_t *m) {
    publisher_t *p = context;
    if (m->subject_length <= p->inbox_length || memcmp(m->subject, p->inbox, p->inbox_length) != 0) return;
    size_t index = strtoull(m->subject + p->inbox_length, NULL, 10);
    if (index >= p->payloads.count) {
        p->errors++;
        return;
    }
    if (p->seen[index]) {
        p->twice++;
        return;
    }
    p->seen[index] = 1;
    p->answered++;
    const char *body = m->body;
    size_t length = m->body_length;
    int is_error = memmem(body, length, "\"error\"", 7) != NULL || (length == 0 && m->headers_length > 0);
    if (is_error) {
        if (p->errors++ == 0)
            snprintf(p->first_error, sizeof p->first_error, "%.*s", (int)(length ? length : m->headers_length),
                     length ? body : m->headers);
    } else if (is_duplicate(body, length)) {
        p->duplicates++;
    } else if (memmem(body, length, "\"seq\":", 6) != NULL) {
        p->stored++;
    } else if (p->errors++ == 0) {
        snprintf(p->first_error, sizeof p->first_error, "%.*s", (int)length, body);
    }
}

static void encode_publish(buffer_t *out, const publisher_t *p, size_t index) {
    const payload_t *item = &p->payloads.items[index];
    if (p->dedupe) {
        /* HPUB <subject> <reply> <#header bytes> <#total bytes> */
        static const char prefix[] = "NATS/1.0\r\nNats-Msg-Id: ";
        size_t header_bytes = sizeof prefix - 1 + 36 + 4;
        buffer_printf(out, "HPUB %s %s%zu %zu %zu\r\n%s", p->subject, p->inbox, index, header_bytes,
                      header_bytes + item->length, prefix);
        buffer_append(out, payload_id(item), 36);
        buffer_append(out, "\r\n\r\n", 4);
    } else {
        buffer_printf(out, "PUB %s %s%zu %zu\r\n", p->subject, p->inbox, index, item->length);
    }
    buffer_append(out, item->data, item->length);
    buffer_append(out, "\r\n", 2);
}

/* Publishes every payload, keeping at most `window` unanswered, until each has its answer. */
static void publisher_run(publisher_t *p) {
    conn_t c;
    conn_open(&c, p->port);
    snprintf(p->inbox, sizeof p->inbox, "_INBOX.kp%d.%d.", (int)getpid(), p->index);
    p->inbox_length = strlen(p->inbox);
    p->seen = calloc(p->payloads.count ? p->payloads.count : 1, 1);
    buffer_printf(&c.out, "SUB %s* 1\r\nPING\r\n", p->inbox);
    double deadline = now_seconds() + 10;
    while (c.pongs < 2) { /* the subscription is in place once the PING after it is answered */
        if (now_seconds() > deadline) fail("NATS: no PONG after SUB");
        conn_pump(&c, 200, ignore_message, NULL);
    }
    if (p->start) pthread_barrier_wait(p->start);
    size_t total = p->payloads.count, next = 0;
    double run_deadline = now_seconds() + RUN_LIMIT_S, last_progress = now_seconds();
    while (p->answered < total) {
        double now = now_seconds();
        if (now > run_deadline) fail("NATS publisher %d: not done after %.0f s", p->index, RUN_LIMIT_S);
        if (now - last_progress > IDLE_LIMIT_MS / 1000.0)
            fail("NATS publisher %d: no answer for %d s (%zu of %zu answered)", p->index, IDLE_LIMIT_MS / 1000,
                 p->answered, total);
        size_t outstanding = next - p->answered;
        if (c.out.length == 0 && next < total && outstanding < p->window) {
            size_t room = p->window - outstanding;
            if (room > p->batch) room = p->batch;
            if (room > total - next) room = total - next;
            for (size_t i = 0; i < room; i++) encode_publish(&c.out, p, next + i);
            next += room;
        }
        int more = c.out.length == 0 && next < total && next - p->answered < p->window;
        size_t before = p->answered;
        conn_pump(&c, more ? 0 : 200, publisher_handler, p);
        if (p->answered != before) last_progress = now_seconds();
    }
    conn_close(&c);
}

static void *publisher_thread(void *argument) {
    publisher_run(argument);
    return NULL;
}

int main(int argc, char **argv) {
    int port = (int)arg_long(argc, argv, "--port", 0);
    pid_t server = (pid_t)arg_long(argc, argv, "--server-pid", 0);
    const char *samples = arg_string(argc, argv, "--samples", NULL);
    long events = arg_long(argc, argv, "--events", 200000);
    int clients = (int)arg_long(argc, argv, "--clients", 1);
    size_t window = (size_t)arg_long(argc, argv, "--window", 16384);
    size_t batch = (size_t)arg_long(argc, argv, "--batch", 256);
    const char *stream = arg_string(argc, argv, "--stream", "KP");
    int dedupe = (int)arg_long(argc, argv, "--dedupe", 1);
    if (!port || !server || !samples || clients < 1 || clients > PEERS_MAX_CLIENTS || events < clients ||
        window < 1 || batch < 1)
        fail("usage: nats_js --port P --server-pid PID --samples DIR --events N --clients 1..4 --window W "
             "--batch B --stream NAME --dedupe 0|1");

    conn_t control;
    conn_open(&control, port);
    char subjects[128], body[1024];
    snprintf(subjects, sizeof subjects, "kp.%s", stream);
    /* duplicate_window in nanoseconds: 2 minutes, JetStream's default, stated so the dedupe window is explicit. */
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"subjects\":[\"%s.>\"],\"retention\":\"limits\",\"storage\":\"file\","
             "\"discard\":\"old\",\"num_replicas\":1,\"duplicate_window\":120000000000}",
             stream, subjects);
    char subject[256];
    snprintf(subject, sizeof subject, "$JS.API.STREAM.CREATE.%s", stream);
    char *answer = request(&control, subject, body);
    if (strstr(answer, "\"error\"")) fail("creating stream %s: %s", stream, answer);
    free(answer);

    publisher_t publishers[PEERS_MAX_CLIENTS];
    pthread_t threads[PEERS_MAX_CLIENTS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
    char publish_subjects[PEERS_MAX_CLIENTS][200];
    size_t per_client = (size_t)events / (size_t)clients, bytes = 0, total = per_client * (size_t)clients;
    for (int k = 0; k < clients; k++) {
        publisher_t *p = &publishers[k];
        memset(p, 0, sizeof *p);
        p->index = k;
        p->port = port;
        p->dedupe = dedupe;
        p->window = window;
        p->batch = batch;
        snprintf(publish_subjects[k], sizeof publish_subjects[k], "%s.%s", subjects, peers_regions[k]);
        p->subject = publish_subjects[k];
        p->start = &start;
        payloads_load(&p->payloads, samples, peers_regions[k], per_client, (uint64_t)(k + 1) * 1000003u);
        bytes += p->payloads.bytes;
    }
    for (int k = 0; k < clients; k++) pthread_create(&threads[k], NULL, publisher_thread, &publishers[k]);
    pthread_barrier_wait(&start); /* every publisher connected and subscribed */
    double server_before = proc_cpu_seconds(server), self_before = self_cpu_seconds(), began = now_seconds();
    for (int k = 0; k < clients; k++) pthread_join(threads[k], NULL);
    double elapsed = now_seconds() - began, self_after = self_cpu_seconds();
    double server_after = proc_cpu_settled(server, 2.0);
    if (server_before < 0 || server_after < 0) fail("cannot read /proc/%d/stat", (int)server);

    size_t stored = 0, duplicates = 0, errors = 0, twice = 0;
    for (int k = 0; k < clients; k++) {
        stored += publishers[k].stored;
        duplicates += publishers[k].duplicates;
        errors += publishers[k].errors;
        twice += publishers[k].twice;
        if (publishers[k].errors) fprintf(stderr, "publisher %d: %s\n", k, publishers[k].first_error);
    }

    /* What the stream holds. */
    snprintf(subject, sizeof subject, "$JS.API.STREAM.INFO.%s", stream);
    answer = request(&control, subject, "");
    const char *state = strstr(answer, "\"state\":");
    long long held = state ? json_number(answer, state, "messages") : -1;
    free(answer);

    /* With dedupe: the first events again, same ids; JetStream must answer "duplicate" and store nothing. */
    size_t recheck = 0, recheck_duplicates = 0;
    long long held_after = held;
    if (dedupe) {
        publisher_t again = publishers[0];
        again.start = NULL;
        again.stored = again.duplicates = again.errors = again.answered = again.twice = 0;
        again.payloads.count = per_client < 1000 ? per_client : 1000;
        again.index = 90;
        publisher_run(&again);
        recheck = again.payloads.count;
        recheck_duplicates = again.duplicates;
        free(again.seen);
        answer = request(&control, subject, "");
        state = strstr(answer, "\"state\":");
        held_after = state ? json_number(answer, state, "messages") : -1;
        free(answer);
    }
    snprintf(subject, sizeof subject, "$JS.API.STREAM.DELETE.%s", stream);
    free(request(&control, subject, ""));
    conn_close(&control);

    double n = (double)total;
    printf("{\"clients\":%d,\"messages\":%zu,\"seconds\":%.6f,\"rate\":%.2f,\"window\":%zu,\"batch\":%zu,"
           "\"payload_bytes_mean\":%.2f,\"driver_cpu_seconds\":%.3f,\"driver_cpu_us_per_message\":%.3f,"
           "\"server_cpu_seconds\":%.3f,\"server_cpu_us_per_message\":%.3f,\"acknowledged\":%zu,"
           "\"stream_messages\":%lld,\"duplicates_answered\":%zu,\"errors\":%zu,\"answered_twice\":%zu,"
           "\"dedupe\":%s,\"dedupe_recheck\":%zu,\"dedupe_recheck_duplicates\":%zu,"
           "\"stream_messages_after_recheck\":%lld}\n",
           clients, total, elapsed, n / elapsed, window, batch, (double)bytes / n, self_after - self_before,
           (self_after - self_before) / n * 1e6, server_after - server_before,
           (server_after - server_before) / n * 1e6, stored, held, duplicates, errors, twice,
           dedupe ? "true" : "false", recheck, recheck_duplicates, held_after);
    fflush(stdout);
    if (stored != total || held != (long long)total || errors || twice || duplicates)
        fail("JetStream acknowledged %zu as stored and holds %lld, sent %zu (errors %zu, duplicates %zu)", stored,
             held, total, errors, duplicates);
    if (dedupe && (recheck_duplicates != recheck || held_after != held))
        fail("dedupe: %zu of %zu republished ids answered duplicate, stream %lld → %lld", recheck_duplicates,
             recheck, held, held_after);
    for (int k = 0; k < clients; k++) {
        free(publishers[k].seen);
        payloads_free(&publishers[k].payloads);
    }
    return 0;
}
