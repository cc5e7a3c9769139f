/* Mosquitto, driven as Knutepunkt's ingest is: K publishers (one MQTT 3.1.1 connection and thread each, region
 * k's events on topic kp/REGION), QoS 1 publishes from libmosquitto in bursts of B with at most W unacknowledged per
 * publisher (the library's in-flight limit set to W too), counting PUBACKs.
 *
 * A QoS 1 message nobody subscribed to is acknowledged and dropped: the broker holds nothing. So that the broker
 * holds what it acknowledged, a subscriber with a persistent session (clean session off, QoS 1) subscribes first
 * and goes offline; every publish is queued for it, and with persistence on the queue is written to the broker's
 * database file (at exit and every autosave_interval, not before the PUBACK). The runner restarts the broker in
 * between, and the verify phase reconnects that session and counts what the broker still held.
 *
 *   mqtt_qos1 --phase subscribe --port P
 *   mqtt_qos1 --phase publish --port P --server-pid PID --samples DIR --events N --clients K --window W --batch B
 *   mqtt_qos1 --phase verify --port P --events N
 *
 * The publish phase prints one JSON object (rate, the driver's CPU from getrusage and the broker's from
 * /proc/PID/stat per message); verify prints what it received and exits 1 unless it is every event, once. */
#define _GNU_SOURCE
#include "common.h"

#include <mosquitto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_CLIENT "kp-peers-verify"
#define TOPIC_FILTER "kp/#"
#define IDLE_LIMIT_S 10.0
#define RUN_LIMIT_S 600.0

typedef struct {
    int connected, subscribed, connect_result;
    size_t acknowledged;
    /* verify */
    char *ids;
    size_t received, capacity;
} state_t;

static void on_connect(struct mosquitto *m, void *context, int result) {
    (void)m;
    state_t *s = context;
    s->connect_result = result;
    s->connected = result == 0 ? 1 : -1;
}

static void on_subscribe(struct mosquitto *m, void *context, int mid, int count, const int *granted) {
    (void)m;
    (void)mid;
    state_t *s = context;
    s->subscribed = count == 1 && granted[0] == 1 ? 1 : -1;
}

static void on_publish(struct mosquitto *m, void *context, int mid) {
    (void)m;
    (void)mid;
    ((state_t *)context)->acknowledged++;
}

static void on_message(struct mosquitto *m, void *context, const struct mosquitto_message *message) {
    (void)m;
    state_t *s = context;
    if (s->received == s->capacity) {
        s->capacity = s->capacity ? s->capacity * 2 : 65536;
        s->ids = realloc(s->ids, s->capacity * 36);
        if (!s->ids) fail("out of memory");
    }
    const char *payload = message->payload;
    if (message->payloadlen < 44 || memcmp(payload, "{\"id\":\"", 7) != 0) fail("verify: a message that is no event");
    memcpy(s->ids + s->received * 36, payload + 7, 36);
    s->received++;
}

/* Runs the client's network loop until `*flag` is set, at most `limit` seconds. */
static void loop_until(struct mosquitto *m, volatile int *flag, double limit, const char *what) {
    double deadline = now_seconds() + limit;
    while (*flag == 0) {
        if (now_seconds() > deadline) fail("MQTT: %s: nothing within %.0f s", what, limit);
        int rc = mosquitto_loop(m, 100, 1);
        if (rc != MOSQ_ERR_SUCCESS) fail("MQTT: %s: %s", what, mosquitto_strerror(rc));
    }
    if (*flag < 0) fail("MQTT: %s refused", what);
}

static struct mosquitto *client(const char *id, int clean, state_t *s, int port, int window) {
    struct mosquitto *m = mosquitto_new(id, clean, s);
    if (!m) fail("mosquitto_new failed");
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    if (window > 0) mosquitto_max_inflight_messages_set(m, (unsigned)window);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_message_callback_set(m, on_message);
    int rc = mosquitto_connect(m, "127.0.0.1", port, 60);
    if (rc != MOSQ_ERR_SUCCESS) fail("MQTT: cannot connect to 127.0.0.1:%d: %s", port, mosquitto_strerror(rc));
    loop_until(m, &s->connected, 10, "CONNACK");
    return m;
}

static void disconnect(struct mosquitto *m) {
    mosquitto_disconnect(m);
    for (int i = 0; i < 10 && mosquitto_loop(m, 50, 1) == MOSQ_ERR_SUCCESS; i++) {
    }
    mosquitto_destroy(m);
}

typedef struct {
    int index, port;
    size_t window, batch;
    payloads_t payloads;
    pthread_barrier_t *start;
    size_t acknowledged;
    char topic[64];
} publisher_t;

static void *publisher_thread(void *argument) {
    publisher_t *p = argument;
    state_t s = {0};
    char id[32];
    snprintf(id, sizeof id, "kp-peers-pub-%d", p->index);
    struct mosquitto *m = client(id, 1, &s, p->port, (int)p->window);
    pthread_barrier_wait(p->start);
    size_t total = p->payloads.count, sent = 0, last = 0;
    double deadline = now_seconds() + RUN_LIMIT_S, last_progress = now_seconds();
    while (s.acknowledged < total) {
        double now = now_seconds();
        if (now > deadline) fail("MQTT publisher %d: not done after %.0f s", p->index, RUN_LIMIT_S);
        if (s.acknowledged != last) {
            last = s.acknowledged;
            last_progress = now;
        } else if (now - last_progress > IDLE_LIMIT_S) {
            fail("MQTT publisher %d: no PUBACK for %.0f s (%zu of %zu)", p->index, IDLE_LIMIT_S, s.acknowledged,
                 total);
        }
        for (size_t burst = 0; burst < p->batch && sent < total && sent - s.acknowledged < p->window; burst++) {
            const payload_t *item = &p->payloads.items[sent];
            int rc = mosquitto_publish(m, NULL, p->topic, (int)item->length, item->data, 1, false);
            if (rc != MOSQ_ERR_SUCCESS) fail("MQTT publish: %s", mosquitto_strerror(rc));
            sent++;
        }
        int more = sent < total && sent - s.acknowledged < p->window;
        int rc = mosquitto_loop(m, more ? 0 : 100, 1);
        if (rc != MOSQ_ERR_SUCCESS) fail("MQTT publisher %d: %s", p->index, mosquitto_strerror(rc));
    }
    p->acknowledged = s.acknowledged;
    disconnect(m);
    return NULL;
}

int main(int argc, char **argv) {
    const char *phase = arg_string(argc, argv, "--phase", "");
    int port = (int)arg_long(argc, argv, "--port", 0);
    long events = arg_long(argc, argv, "--events", 200000);
    if (!port) fail("--port is required");
    mosquitto_lib_init();

    if (strcmp(phase, "subscribe") == 0) {
        state_t s = {0};
        struct mosquitto *m = client(VERIFY_CLIENT, 0, &s, port, 0);
        int rc = mosquitto_subscribe(m, NULL, TOPIC_FILTER, 1);
        if (rc != MOSQ_ERR_SUCCESS) fail("MQTT subscribe: %s", mosquitto_strerror(rc));
        loop_until(m, &s.subscribed, 10, "SUBACK");
        disconnect(m);
        mosquitto_lib_cleanup();
        return 0;
    }

    if (strcmp(phase, "verify") == 0) {
        state_t s = {0};
        struct mosquitto *m = client(VERIFY_CLIENT, 0, &s, port, 0);
        double deadline = now_seconds() + RUN_LIMIT_S, last_progress = now_seconds();
        size_t last = 0;
        /* Until every event came, then half a second more for any duplicate still on its way. */
        while (now_seconds() < deadline) {
            int rc = mosquitto_loop(m, 100, 1);
            if (rc != MOSQ_ERR_SUCCESS) fail("MQTT verify: %s", mosquitto_strerror(rc));
            if (s.received != last) {
                last = s.received;
                last_progress = now_seconds();
            }
            double idle = now_seconds() - last_progress;
            if (s.received >= (size_t)events && idle > 0.5) break;
            if (idle > IDLE_LIMIT_S) break;
        }
        disconnect(m);
        size_t duplicates = count_duplicate_ids(s.ids, s.received, 36);
        size_t distinct = s.received - duplicates;
        printf("{\"received\":%zu,\"distinct\":%zu,\"duplicates\":%zu}\n", s.received, distinct, duplicates);
        fflush(stdout);
        mosquitto_lib_cleanup();
        if (distinct != (size_t)events)
            fail("the broker held %zu distinct events of %ld after its restart", distinct, events);
        return 0;
    }

    if (strcmp(phase, "publish") != 0) fail("--phase subscribe|publish|verify");
    pid_t server = (pid_t)arg_long(argc, argv, "--server-pid", 0);
    const char *samples = arg_string(argc, argv, "--samples", NULL);
    int clients = (int)arg_long(argc, argv, "--clients", 1);
    size_t window = (size_t)arg_long(argc, argv, "--window", 16384);
    size_t batch = (size_t)arg_long(argc, argv, "--batch", 256);
    if (!server || !samples || clients < 1 || clients > PEERS_MAX_CLIENTS || events < clients || window < 1 ||
        window > 65535 || batch < 1)
        fail("usage: mqtt_qos1 --phase publish --port P --server-pid PID --samples DIR --events N --clients 1..4 "
             "--window 1..65535 --batch B");
    publisher_t publishers[PEERS_MAX_CLIENTS];
    pthread_t threads[PEERS_MAX_CLIENTS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
    size_t per_client = (size_t)events / (size_t)clients, total = per_client * (size_t)clients, bytes = 0;
    for (int k = 0; k < clients; k++) {
        publisher_t *p = &publishers[k];
        memset(p, 0, sizeof *p);
        p->index = k;
        p->port = port;
        p->window = window;
        p->batch = batch;
        p->start = &start;
        snprintf(p->topic, sizeof p->topic, "kp/%s", peers_regions[k]);
        payloads_load(&p->payloads, samples, peers_regions[k], per_client, (uint64_t)(k + 1) * 1000003u);
        bytes += p->payloads.bytes;
    }
    for (int k = 0; k < clients; k++) pthread_create(&threads[k], NULL, publisher_thread, &publishers[k]);
    pthread_barrier_wait(&start); /* every publisher connected */
    double server_before = proc_cpu_seconds(server), self_before = self_cpu_seconds(), began = now_seconds();
    for (int k = 0; k < clients; k++) pthread_join(threads[k], NULL);
    double elapsed = now_seconds() - began, self_after = self_cpu_seconds();
    double server_after = proc_cpu_settled(server, 2.0);
    if (server_before < 0 || server_after < 0) fail("cannot read /proc/%d/stat", (int)server);
    size_t acknowledged = 0;
    for (int k = 0; k < clients; k++) acknowledged += publishers[k].acknowledged;
    double n = (double)total;
    printf("{\"clients\":%d,\"messages\":%zu,\"seconds\":%.6f,\"rate\":%.2f,\"window\":%zu,\"batch\":%zu,"
           "\"payload_bytes_mean\":%.2f,\"driver_cpu_seconds\":%.3f,\"driver_cpu_us_per_message\":%.3f,"
           "\"server_cpu_seconds\":%.3f,\"server_cpu_us_per_message\":%.3f,\"acknowledged\":%zu}\n",
           clients, total, elapsed, n / elapsed, window, batch, (double)bytes / n, self_after - self_before,
           (self_after - self_before) / n * 1e6, server_after - server_before,
           (server_after - server_before) / n * 1e6, acknowledged);
    fflush(stdout);
    for (int k = 0; k < clients; k++) payloads_free(&publishers[k].payloads);
    mosquitto_lib_cleanup();
    if (acknowledged != total) fail("%zu PUBACKs for %zu publishes", acknowledged, total);
    return 0;
}
