/*
 * ldap_client.c - the half of the LDAP client that talks to a server
 * (ldap.h), through OpenLDAP's libldap (Debian builds it with GnuTLS).
 *
 * Every operation is asynchronous and waited for with ldap_result and the
 * time left before the login's deadline, so no step can outlast it; the
 * connect is bounded by LDAP_OPT_NETWORK_TIMEOUT set to the same time
 * left, and LDAP_OPT_TIMEOUT bounds whatever libldap waits for inside
 * (the StartTLS handshake). The TLS context is made per handle
 * (LDAP_OPT_X_TLS_NEWCTX), never the library's global one, so two mounts'
 * CAs never mix.
 *
 * The configured CA: libldap's GnuTLS backend takes in-memory CAs only as
 * one DER certificate (LDAP_OPT_X_TLS_CACERT), and a PEM may hold several;
 * so the PEM goes to a private temporary file (mkstemp: 0600, O_EXCL) that
 * lives only while the handle's TLS context loads it, then is unlinked. A
 * CA certificate is public; the file only has to be ours while read.
 */
#include "ldap.h"

#include <errno.h>
#include <lber.h>
#include <ldap.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openldap.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"

/* One login's connection and its deadline. */
struct session {
    LDAP *ld;
    const struct ward_ldap_params *p;
    int64_t deadline_ms; /* CLOCK_MONOTONIC */
    char *why;
    size_t why_cap;
};

/*
 * g_init: libldap initializes its global options (reading ldap.conf) and
 * its TLS library on first use without a lock of its own; warm_up does
 * both once (pthread_once) before any login makes a handle.
 */
static pthread_once_t g_init = PTHREAD_ONCE_INIT;

static void warm_up(void)
{
    LDAP *ld = NULL;
    int zero = 0;

    if (ldap_initialize(&ld, "ldap://127.0.0.1") == LDAP_SUCCESS) {
        (void)ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero); /* no traffic */
        (void)ldap_unbind_ext_s(ld, NULL, NULL);
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* say writes the failure detail (secret-free by construction of every caller). */
__attribute__((format(printf, 2, 3))) static void say(struct session *s, const char *fmt, ...)
{
    va_list ap;

    if (s->why_cap == 0) {
        return;
    }
    va_start(ap, fmt);
    (void)vsnprintf(s->why, s->why_cap, fmt, ap);
    va_end(ap);
}

static bool set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* time_left fills tv with what is left of the deadline; false once it passed. */
static bool time_left(const struct session *s, struct timeval *tv)
{
    int64_t left = s->deadline_ms - mono_ms();

    if (left <= 0) {
        return false;
    }
    tv->tv_sec = (time_t)(left / 1000);
    tv->tv_usec = (suseconds_t)((left % 1000) * 1000);
    return true;
}

/* arm sets the handle's network and operation timeouts to the time left. */
static ward_err arm(struct session *s)
{
    struct timeval tv;

    if (!time_left(s, &tv)) {
        say(s, "no LDAP answer within request_timeout");
        return WARD_E_LDAP_UNREACHABLE;
    }
    if (ldap_set_option(s->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
        ldap_set_option(s->ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS) {
        return WARD_E_INTERNAL;
    }
    return WARD_OK;
}

/* net_err: the libldap codes that mean the server is gone or silent. */
static bool net_err(int rc)
{
    return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR ||
           rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY || rc == LDAP_TIMELIMIT_EXCEEDED;
}

/* handle_err is the handle's last result code. */
static int handle_err(LDAP *ld)
{
    int rc = LDAP_OTHER;

    (void)ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
    return rc;
}

/*
 * wait_result waits for the whole answer to msgid until the deadline; on
 * WARD_OK *res holds it and *code its result code. A timeout abandons the
 * operation: WARD_E_LDAP_UNREACHABLE.
 */
static ward_err wait_result(struct session *s, int msgid, LDAPMessage **res, int *code,
                            const char *step)
{
    struct timeval tv;
    int rc;

    *res = NULL;
    *code = LDAP_OTHER;
    if (!time_left(s, &tv)) {
        rc = 0;
    } else {
        rc = ldap_result(s->ld, msgid, LDAP_MSG_ALL, &tv, res);
    }
    if (rc == 0) {
        (void)ldap_abandon_ext(s->ld, msgid, NULL, NULL);
        say(s, "%s: no LDAP answer within request_timeout", step);
        return WARD_E_LDAP_UNREACHABLE;
    }
    if (rc < 0) {
        rc = handle_err(s->ld);
        say(s, "%s: %s", step, ldap_err2string(rc));
        return rc == LDAP_NO_MEMORY ? WARD_E_NOMEM : WARD_E_LDAP_UNREACHABLE;
    }
    if (ldap_parse_result(s->ld, *res, code, NULL, NULL, NULL, NULL, 0) != LDAP_SUCCESS) {
        say(s, "%s: the LDAP answer did not parse", step);
        return WARD_E_LDAP_ERROR;
    }
    return WARD_OK;
}

/* ---- TLS ---- */

/* write_all writes len bytes to fd. */
static bool write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        p += w;
        len -= (size_t)w;
    }
    return true;
}

/* load_ca gives the handle's TLS context the configured CA PEM (see the file comment). */
static ward_err load_ca(struct session *s, const char *pem)
{
    char path[] = "/tmp/ward-ldap-ca-XXXXXX";
    int zero = 0;
    int fd;
    int rc;

    if ((fd = mkstemp(path)) < 0) {
        say(s, "cannot create the CA's temporary file");
        return WARD_E_SYS;
    }
    if (!write_all(fd, pem, strlen(pem))) {
        (void)close(fd);
        (void)unlink(path);
        say(s, "cannot write the CA's temporary file");
        return WARD_E_SYS;
    }
    (void)close(fd);
    rc = ldap_set_option(s->ld, LDAP_OPT_X_TLS_CACERTFILE, path);
    if (rc == LDAP_OPT_SUCCESS) {
        rc = ldap_set_option(s->ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
    }
    (void)unlink(path); /* the context has read it (or failed to) */
    if (rc != LDAP_OPT_SUCCESS) {
        say(s, "the configured certificate could not be loaded as a CA");
        return WARD_E_LDAP_TLS;
    }
    return WARD_OK;
}

/* tls_setup makes the handle's own TLS context: verification as configured, TLS 1.2 at least. */
static ward_err tls_setup(struct session *s)
{
    int req = s->p->insecure_tls ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
    int min = s->p->tls_min > LDAP_OPT_X_TLS_PROTOCOL_TLS1_2 ? s->p->tls_min
                                                             : LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
    int max = s->p->tls_max;
    int zero = 0;

    if (ldap_set_option(s->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &req) != LDAP_OPT_SUCCESS ||
        ldap_set_option(s->ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min) != LDAP_OPT_SUCCESS ||
        (max != 0 &&
         ldap_set_option(s->ld, LDAP_OPT_X_TLS_PROTOCOL_MAX, &max) != LDAP_OPT_SUCCESS)) {
        say(s, "TLS options refused by libldap");
        return WARD_E_LDAP_TLS;
    }
    if (set(s->p->certificate) && !s->p->insecure_tls) {
        return load_ca(s, s->p->certificate);
    }
    if (ldap_set_option(s->ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS) {
        say(s, "TLS context could not be made");
        return WARD_E_LDAP_TLS;
    }
    return WARD_OK;
}

/* tls_result maps the result of a TLS handshake (ldap_install_tls). */
static ward_err tls_result(struct session *s, const char *url, int rc)
{
    if (rc == LDAP_SUCCESS) {
        return WARD_OK;
    }
    if (rc == LDAP_TIMEOUT) {
        say(s, "%s: the TLS handshake did not finish within request_timeout", url);
        return WARD_E_LDAP_UNREACHABLE;
    }
    say(s, "%s: TLS handshake failed (certificate not trusted, or wrong name?): %s", url,
        ldap_err2string(rc));
    return WARD_E_LDAP_TLS;
}

/* start_tls runs StartTLS (RFC 4511 4.14) and the handshake. */
static ward_err start_tls(struct session *s, const char *url)
{
    LDAPMessage *res = NULL;
    int msgid = -1;
    int code = LDAP_OTHER;
    int rc;
    ward_err err;

    if ((rc = ldap_start_tls(s->ld, NULL, NULL, &msgid)) != LDAP_SUCCESS) {
        say(s, "%s: StartTLS: %s", url, ldap_err2string(rc));
        return net_err(rc) ? WARD_E_LDAP_UNREACHABLE : WARD_E_LDAP_TLS;
    }
    err = wait_result(s, msgid, &res, &code, "StartTLS");
    (void)ldap_msgfree(res);
    if (err != WARD_OK) {
        return err;
    }
    if (code != LDAP_SUCCESS) {
        say(s, "%s: the server refused StartTLS: %s", url, ldap_err2string(code));
        return WARD_E_LDAP_TLS;
    }
    if ((err = arm(s)) != WARD_OK) {
        return err;
    }
    return tls_result(s, url, ldap_install_tls(s->ld));
}

/* ---- connecting ---- */

static bool is_ldaps(const char *url)
{
    return strncasecmp(url, "ldaps://", 8) == 0;
}

/* fd_wait waits until fd is writable (a connect finished) or the deadline passes. */
static bool fd_wait(const struct session *s, int fd)
{
    struct timeval tv;
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int rc;

    do {
        if (!time_left(s, &tv)) {
            return false;
        }
        rc = poll(&pfd, 1, (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000 + 1));
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}

/*
 * try_addr connects one address before the deadline. The socket stays
 * non-blocking: libldap in CONNECT_ASYNC mode expects that, and polls it
 * with the time left before every read, the TLS handshake's included.
 */
static int try_addr(const struct session *s, const struct addrinfo *a)
{
    int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    int soerr = 0;
    socklen_t len = sizeof(soerr);

    if (fd < 0) {
        return -1;
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 &&
        (errno != EINPROGRESS || !fd_wait(s, fd) ||
         getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0)) {
        (void)close(fd);
        return -1;
    }
    /* requests are small: no Nagle delay (libldap sets the same on its own sockets) */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/*
 * tcp_connect opens the TCP connection of lud itself, each address in turn
 * until the deadline, so a refused or silent server is told apart from a
 * TLS failure after it (libldap says "can't contact" for both) and the
 * connect obeys the deadline exactly. Name resolution is the system's.
 */
static ward_err tcp_connect(struct session *s, const LDAPURLDesc *lud, bool ldaps, int *out_fd)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *ai = NULL;
    char port[16];
    int fd = -1;

    (void)snprintf(port, sizeof(port), "%d",
                   lud->lud_port > 0 ? lud->lud_port
                   : ldaps           ? LDAPS_PORT
                                     : LDAP_PORT);
    if (getaddrinfo(lud->lud_host, port, &hints, &ai) != 0) {
        say(s, "ldap%s://%s:%s: the host name does not resolve", ldaps ? "s" : "", lud->lud_host,
            port);
        return WARD_E_LDAP_UNREACHABLE;
    }
    for (const struct addrinfo *a = ai; a != NULL && fd < 0; a = a->ai_next) {
        fd = try_addr(s, a);
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        say(s, "ldap%s://%s:%s: connection refused or timed out", ldaps ? "s" : "", lud->lud_host,
            port);
        return WARD_E_LDAP_UNREACHABLE;
    }
    *out_fd = fd;
    return WARD_OK;
}

/* handle_options sets what every handle gets, then its TLS context if it will use TLS. */
static ward_err handle_options(struct session *s, bool tls)
{
    int v3 = LDAP_VERSION3;
    ward_err err;

    /*
     * SECURITY: no referrals: chasing one would rebind (the password)
     * elsewhere. CONNECT_ASYNC: libldap 2.5 bounds a TLS handshake by the
     * network timeout only in async mode (otherwise it spins).
     */
    if (ldap_set_option(s->ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
        ldap_set_option(s->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
        ldap_set_option(s->ld, LDAP_OPT_CONNECT_ASYNC, LDAP_OPT_ON) != LDAP_OPT_SUCCESS) {
        return WARD_E_INTERNAL;
    }
    if ((err = arm(s)) != WARD_OK) {
        return err;
    }
    return tls ? tls_setup(s) : WARD_OK;
}

/* ldaps_handshake runs TLS at once on an ldaps:// connection. */
static ward_err ldaps_handshake(struct session *s, const char *url)
{
    int rc = ldap_install_tls(s->ld);

    return tls_result(s, url, rc);
}

/* open_url connects s to url (TLS as configured); s->ld is NULL on failure. */
static ward_err open_url(struct session *s, const char *url)
{
    LDAPURLDesc *lud = NULL;
    bool ldaps;
    int fd = -1;
    int rc;
    ward_err err;

    if (ldap_url_parse(url, &lud) != LDAP_URL_SUCCESS || !set(lud->lud_host)) {
        ldap_free_urldesc(lud);
        say(s, "%s: not an LDAP url with a host", url);
        return WARD_E_INVALID;
    }
    ldaps = strcasecmp(lud->lud_scheme, "ldaps") == 0;
    err = tcp_connect(s, lud, ldaps, &fd);
    ldap_free_urldesc(lud);
    if (err != WARD_OK) {
        return err;
    }
    if ((rc = ldap_init_fd(fd, LDAP_PROTO_TCP, url, &s->ld)) != LDAP_SUCCESS) {
        (void)close(fd);
        s->ld = NULL;
        say(s, "%s: %s", url, ldap_err2string(rc));
        return rc == LDAP_NO_MEMORY ? WARD_E_NOMEM : WARD_E_INTERNAL;
    }
    if ((err = handle_options(s, ldaps || s->p->starttls)) == WARD_OK) {
        err = ldaps ? ldaps_handshake(s, url) : s->p->starttls ? start_tls(s, url) : WARD_OK;
    }
    if (err != WARD_OK) {
        (void)ldap_unbind_ext_s(s->ld, NULL, NULL); /* closes fd */
        s->ld = NULL;
    }
    return err;
}

/* count_urls counts the urls of the list (at most WARD_LDAP_MAX_URLS). */
static size_t count_urls(const char *list)
{
    char url[WARD_LDAP_MAX_URL + 1];
    size_t n = 0;

    while (n < WARD_LDAP_MAX_URLS && ward_ldap_next_url(url, sizeof(url), &list)) {
        n++;
    }
    return n;
}

/*
 * connect_any tries each url in order until one connects (Vault's order);
 * the last failure wins. Each url may spend an equal share of the time
 * left (the last one all of it), so a silent first server still leaves
 * time for the next; the whole deadline applies again once connected.
 */
static ward_err connect_any(struct session *s)
{
    const char *list = s->p->url;
    char url[WARD_LDAP_MAX_URL + 1];
    int64_t deadline = s->deadline_ms;
    size_t total = count_urls(list);
    ward_err err = WARD_E_INVALID;

    for (size_t n = 0; n < total && ward_ldap_next_url(url, sizeof(url), &list); n++) {
        if (!s->p->starttls && !s->p->insecure_tls && !is_ldaps(url)) {
            /* SECURITY: a password never crosses the network in clear */
            say(s, "%s: ldap:// without starttls is refused (set starttls)", url);
            err = WARD_E_INVALID;
            continue;
        }
        s->deadline_ms = mono_ms() + (deadline - mono_ms()) / (int64_t)(total - n);
        err = open_url(s, url);
        s->deadline_ms = deadline;
        if (err == WARD_OK && (err = arm(s)) != WARD_OK) {
            (void)ldap_unbind_ext_s(s->ld, NULL, NULL);
            s->ld = NULL;
        }
        if (err == WARD_OK) {
            return err;
        }
        if (err == WARD_E_NOMEM) {
            return err;
        }
    }
    if (total == 0) {
        say(s, "no url configured");
    }
    return err;
}

/* ---- operations ---- */

/* simple_bind binds as dn (NULL: anonymous) with pw; *code is the server's answer. */
static ward_err simple_bind(struct session *s, const char *dn, const uint8_t *pw, size_t pw_len,
                            int *code)
{
    struct berval cred = { (ber_len_t)pw_len, (char *)(uintptr_t)pw };
    LDAPMessage *res = NULL;
    int msgid = -1;
    int rc;
    ward_err err;

    *code = LDAP_OTHER;
    if ((rc = ldap_sasl_bind(s->ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid)) !=
        LDAP_SUCCESS) {
        say(s, "bind: %s", ldap_err2string(rc));
        return net_err(rc) ? WARD_E_LDAP_UNREACHABLE : WARD_E_LDAP_ERROR;
    }
    err = wait_result(s, msgid, &res, code, "bind");
    (void)ldap_msgfree(res);
    return err;
}

/* service_bind binds as binddn (anonymously if there is none: discoverdn alone). */
static ward_err service_bind(struct session *s)
{
    int code = LDAP_OTHER;
    ward_err err;

    if (set(s->p->binddn)) {
        err = simple_bind(s, s->p->binddn, s->p->bindpass, s->p->bindpass_len, &code);
    } else {
        err = simple_bind(s, NULL, NULL, 0, &code);
    }
    if (err == WARD_OK && code != LDAP_SUCCESS) {
        say(s, "the service bind%s was refused: %s", set(s->p->binddn) ? " as binddn" : "",
            ldap_err2string(code));
        err = net_err(code) ? WARD_E_LDAP_UNREACHABLE : WARD_E_LDAP_ERROR;
    }
    return err;
}

/* One subtree search: where, what, which attribute, how many entries at most. */
struct query {
    const char *base;
    const char *filter;
    const char *attr;
    int size_limit;
};

/* search runs q; *res (free with ldap_msgfree) and *code on WARD_OK. */
static ward_err search(struct session *s, LDAPMessage **res, int *code, const struct query *q)
{
    char *attrs[2] = { (char *)(uintptr_t)q->attr, NULL };
    struct timeval tv;
    int msgid = -1;
    int rc;

    *res = NULL;
    if (!time_left(s, &tv)) {
        say(s, "search: no LDAP answer within request_timeout");
        return WARD_E_LDAP_UNREACHABLE;
    }
    if ((rc = ldap_search_ext(s->ld, q->base, LDAP_SCOPE_SUBTREE, q->filter, attrs, 0, NULL, NULL,
                              &tv, q->size_limit, &msgid)) != LDAP_SUCCESS) {
        say(s, "search: %s", ldap_err2string(rc));
        return net_err(rc) ? WARD_E_LDAP_UNREACHABLE : WARD_E_LDAP_ERROR;
    }
    return wait_result(s, msgid, res, code, "search");
}

/*
 * find_one searches base for filter and copies the DN of its one entry to
 * out. No entry or several: WARD_E_PERMISSION (not this user); a refused
 * search: WARD_E_LDAP_ERROR.
 */
static ward_err find_one(struct session *s, char out[WARD_LDAP_MAX_DN + 1], const char *base,
                         const char *filter)
{
    const struct query q = { base, filter, LDAP_NO_ATTRS, 2 };
    LDAPMessage *res = NULL;
    LDAPMessage *e;
    char *dn = NULL;
    int code = LDAP_OTHER;
    ward_err err;

    out[0] = '\0';
    if ((err = search(s, &res, &code, &q)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_PERMISSION;
    if (code == LDAP_SIZELIMIT_EXCEEDED || ldap_count_entries(s->ld, res) > 1) {
        say(s, "the user search matched several entries");
        goto out;
    }
    if (code != LDAP_SUCCESS) {
        say(s, "the user search was refused: %s", ldap_err2string(code));
        err = net_err(code) ? WARD_E_LDAP_UNREACHABLE : WARD_E_LDAP_ERROR;
        goto out;
    }
    if ((e = ldap_first_entry(s->ld, res)) == NULL || (dn = ldap_get_dn(s->ld, e)) == NULL ||
        dn[0] == '\0' || strlen(dn) > WARD_LDAP_MAX_DN) {
        say(s, "no such user");
        goto out;
    }
    memcpy(out, dn, strlen(dn) + 1);
    err = WARD_OK;
out:
    ldap_memfree(dn);
    (void)ldap_msgfree(res);
    return err;
}

/* user_filter renders userfilter for username. */
static ward_err user_filter(struct session *s, char out[WARD_LDAP_MAX_FILTER + 1],
                            const char *username)
{
    const struct ward_ldap_vars v = {
        username, set(s->p->userattr) ? s->p->userattr : WARD_LDAP_DEFAULT_USERATTR, NULL
    };
    const char *why = NULL;
    const char *t = set(s->p->userfilter) ? s->p->userfilter : WARD_LDAP_DEFAULT_USERFILTER;

    if (ward_ldap_template(out, WARD_LDAP_MAX_FILTER + 1, t, &v, &why) != WARD_OK) {
        say(s, "userfilter: %s", why);
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

/*
 * decoy_bind binds once as a DN no entry has (a fixed password): a name
 * the search did not find then costs the round trip a wrong password
 * costs, so the answer's time does not tell which names exist. Its result
 * is not used; the login is refused either way.
 */
static void decoy_bind(struct session *s)
{
    static const uint8_t pw[] = "ward-decoy";
    char dn[WARD_LDAP_MAX_DN + 64];
    int code = LDAP_OTHER;
    int w = snprintf(dn, sizeof(dn), "cn=ward-no-such-user,%s", s->p->userdn);

    if (w > 0 && (size_t)w < sizeof(dn)) {
        (void)simple_bind(s, dn, pw, sizeof(pw) - 1, &code);
    }
}

/* bind_dn finds the DN the user binds as (ldap.h, step 2). */
static ward_err bind_dn(struct session *s, char out[WARD_LDAP_MAX_DN + 1], const char *username)
{
    char esc[WARD_LDAP_MAX_NAME * 3 + 1];
    char filter[WARD_LDAP_MAX_FILTER + 1];
    int w;
    ward_err err;

    if (s->p->discoverdn || set(s->p->binddn)) {
        if ((err = service_bind(s)) != WARD_OK ||
            (err = user_filter(s, filter, username)) != WARD_OK) {
            return err;
        }
        if ((err = find_one(s, out, s->p->userdn, filter)) == WARD_E_PERMISSION) {
            decoy_bind(s);
        }
        return err;
    }
    if (ward_ldap_escape_dn(esc, sizeof(esc), (const uint8_t *)username, strlen(username)) !=
        WARD_OK) {
        return WARD_E_PERMISSION;
    }
    if (set(s->p->upndomain)) {
        w = snprintf(out, WARD_LDAP_MAX_DN + 1, "%s@%s", esc, s->p->upndomain);
    } else {
        w = snprintf(out, WARD_LDAP_MAX_DN + 1, "%s=%s,%s",
                     set(s->p->userattr) ? s->p->userattr : WARD_LDAP_DEFAULT_USERATTR, esc,
                     s->p->userdn);
    }
    return w > 0 && w <= WARD_LDAP_MAX_DN ? WARD_OK : WARD_E_PERMISSION;
}

/* upn_user_dn finds the entry of a user who bound by UPN (Vault: userPrincipalName search). */
static ward_err upn_user_dn(struct session *s, char out[WARD_LDAP_MAX_DN + 1], const char *upn)
{
    char esc[WARD_LDAP_MAX_DN * 3 + 1];
    char filter[WARD_LDAP_MAX_FILTER + 1];
    int w;

    if (ward_ldap_escape_filter(esc, sizeof(esc), (const uint8_t *)upn, strlen(upn)) != WARD_OK) {
        return WARD_E_PERMISSION;
    }
    w = snprintf(filter, sizeof(filter), "(userPrincipalName=%s)", esc);
    if (w <= 0 || (size_t)w >= sizeof(filter)) {
        return WARD_E_PERMISSION;
    }
    return find_one(s, out, s->p->userdn, filter);
}

static bool add_group(struct ward_ldap_result *r, const char *name)
{
    for (size_t i = 0; i < r->num_groups; i++) {
        if (strcmp(r->groups[i], name) == 0) {
            return true;
        }
    }
    if (r->num_groups == WARD_LDAP_MAX_GROUPS) {
        r->groups_truncated = true; /* fewer groups: fewer policies, never more */
        return true;
    }
    if ((r->groups[r->num_groups] = ward_strdup(name)) == NULL) {
        return false;
    }
    r->num_groups++;
    return true;
}

/* entry_groups adds the group names of one entry's groupattr values. */
static ward_err entry_groups(struct session *s, struct ward_ldap_result *r, LDAPMessage *e,
                             const char *attr)
{
    struct berval **vals = ldap_get_values_len(s->ld, e, attr);
    char name[WARD_LDAP_MAX_NAME + 1];
    ward_err err = WARD_OK;

    for (size_t i = 0; vals != NULL && vals[i] != NULL && err == WARD_OK; i++) {
        if (ward_ldap_group_name(name, sizeof(name), vals[i]->bv_val, vals[i]->bv_len) &&
            !add_group(r, name)) {
            err = WARD_E_NOMEM;
        }
    }
    ldap_value_free_len(vals);
    return err;
}

/* read_groups runs the group search (ldap.h, step 4). */
static ward_err read_groups(struct session *s, struct ward_ldap_result *r, const char *username)
{
    const char *attr = set(s->p->groupattr) ? s->p->groupattr : WARD_LDAP_DEFAULT_GROUPATTR;
    const struct ward_ldap_vars v = {
        username, set(s->p->userattr) ? s->p->userattr : WARD_LDAP_DEFAULT_USERATTR, r->user_dn
    };
    char filter[WARD_LDAP_MAX_FILTER + 1];
    struct query q = { s->p->groupdn, NULL, attr, WARD_LDAP_MAX_GROUPS * 4 };
    const char *why = NULL;
    LDAPMessage *res = NULL;
    int code = LDAP_OTHER;
    ward_err err;

    if (!set(s->p->groupdn)) {
        return WARD_OK;
    }
    if (ward_ldap_template(filter, sizeof(filter),
                           set(s->p->groupfilter) ? s->p->groupfilter
                                                  : WARD_LDAP_DEFAULT_GROUPFILTER,
                           &v, &why) != WARD_OK) {
        say(s, "groupfilter: %s", why);
        return WARD_E_INVALID;
    }
    if (set(s->p->binddn) && (err = service_bind(s)) != WARD_OK) {
        return err;
    }
    q.filter = filter;
    if ((err = search(s, &res, &code, &q)) != WARD_OK) {
        goto out;
    }
    if (code != LDAP_SUCCESS && code != LDAP_SIZELIMIT_EXCEEDED) {
        say(s, "the group search was refused: %s", ldap_err2string(code));
        err = net_err(code) ? WARD_E_LDAP_UNREACHABLE : WARD_E_LDAP_ERROR;
        goto out;
    }
    r->groups_truncated = code == LDAP_SIZELIMIT_EXCEEDED;
    for (LDAPMessage *e = ldap_first_entry(s->ld, res); e != NULL && err == WARD_OK;
         e = ldap_next_entry(s->ld, e)) {
        err = entry_groups(s, r, e, attr);
    }
out:
    (void)ldap_msgfree(res);
    return err;
}

/* authenticate runs steps 2-4 of ldap.h on a connected session. */
static ward_err authenticate(struct session *s, struct ward_ldap_result *r,
                             const struct ward_ldap_creds *c)
{
    int code = LDAP_OTHER;
    ward_err err;

    if ((err = bind_dn(s, r->user_dn, c->username)) != WARD_OK) {
        return err;
    }
    if ((err = simple_bind(s, r->user_dn, c->password, c->password_len, &code)) != WARD_OK) {
        return err;
    }
    if (code != LDAP_SUCCESS) {
        say(s, "the user's bind was refused: %s", ldap_err2string(code));
        return net_err(code) ? WARD_E_LDAP_UNREACHABLE : WARD_E_PERMISSION;
    }
    if (set(s->p->upndomain) && !s->p->discoverdn && !set(s->p->binddn)) {
        char upn[WARD_LDAP_MAX_DN + 1];

        memcpy(upn, r->user_dn, sizeof(upn));
        if ((err = upn_user_dn(s, r->user_dn, upn)) != WARD_OK) {
            return err == WARD_E_PERMISSION ? WARD_E_LDAP_ERROR : err;
        }
    }
    return read_groups(s, r, c->username);
}

void ward_ldap_result_cleanup(struct ward_ldap_result *r)
{
    for (size_t i = 0; i < r->num_groups; i++) {
        ward_free(r->groups[i]);
    }
    memset(r, 0, sizeof(*r));
}

ward_err ward_ldap_login(struct ward_ldap_result *out, const struct ward_ldap_params *p,
                         const struct ward_ldap_creds *c, char *why, size_t why_cap)
{
    struct session s = { .p = p, .why = why, .why_cap = why_cap };
    int64_t timeout = p->timeout_ms > 0 ? p->timeout_ms : WARD_LDAP_TIMEOUT_DEF_S * 1000;
    ward_err err;

    memset(out, 0, sizeof(*out));
    if (why_cap > 0) {
        why[0] = '\0';
    }
    (void)pthread_once(&g_init, warm_up);
    /* SECURITY: the unauthenticated-bind trap: refused before any traffic */
    if (c->password_len == 0 || c->password_len > WARD_LDAP_MAX_PASSWORD ||
        c->username[0] == '\0' || strlen(c->username) > WARD_LDAP_MAX_NAME) {
        say(&s, "an empty password or user name is refused");
        return WARD_E_PERMISSION;
    }
    s.deadline_ms =
        mono_ms() +
        (timeout < WARD_LDAP_TIMEOUT_MAX_S * 1000 ? timeout : WARD_LDAP_TIMEOUT_MAX_S * 1000);
    if ((err = connect_any(&s)) == WARD_OK) {
        err = authenticate(&s, out, c);
        (void)ldap_unbind_ext_s(s.ld, NULL, NULL);
    }
    if (err != WARD_OK) {
        ward_ldap_result_cleanup(out);
    }
    return err;
}

/* first_cn copies the value of dn's first CN (case-insensitive type) into out; false if none fits.
 */
static bool first_cn(char *out, size_t cap, LDAPDN dn)
{
    for (size_t i = 0; dn[i] != NULL; i++) {
        for (size_t j = 0; dn[i][j] != NULL; j++) {
            const LDAPAVA *ava = dn[i][j];
            const struct berval *v = &ava->la_value;

            if (ava->la_attr.bv_len != 2 || strncasecmp(ava->la_attr.bv_val, "cn", 2) != 0 ||
                (ava->la_flags & LDAP_AVA_BINARY) != 0) {
                continue;
            }
            if (v->bv_len == 0 || v->bv_len >= cap || memchr(v->bv_val, '\0', v->bv_len) != NULL) {
                return false;
            }
            memcpy(out, v->bv_val, v->bv_len);
            out[v->bv_len] = '\0';
            return true;
        }
    }
    return false;
}

bool ward_ldap_group_name(char *out, size_t cap, const char *value, size_t value_len)
{
    char text[WARD_LDAP_MAX_DN + 1];
    LDAPDN dn = NULL;
    bool ok = false;

    if (cap == 0 || value_len == 0 || value_len > WARD_LDAP_MAX_DN ||
        memchr(value, '\0', value_len) != NULL) {
        return false;
    }
    memcpy(text, value, value_len);
    text[value_len] = '\0';
    if (ldap_str2dn(text, &dn, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS && dn != NULL) {
        ok = first_cn(out, cap, dn);
    }
    ldap_dnfree(dn);
    if (ok) {
        return true;
    }
    if (value_len >= cap) {
        return false;
    }
    memcpy(out, text, value_len + 1);
    return true;
}
