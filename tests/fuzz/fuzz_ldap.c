/*
 * fuzz_ldap.c - the ldap auth method's text work on arbitrary bytes: the
 * user name (outside input: a login path) through RFC 4515 filter and RFC
 * 4514 DN escaping and Vault's filter templates; the configured template,
 * filter and url list parsers; the group name taken from a directory's
 * attribute value (src/auth/ldap.h).
 *
 * Input: a template, a NUL, then the user name (any bytes, NUL included).
 *
 * Properties: no crash or sanitizer report; an escaped value holds no
 * filter or DN metacharacter outside an escape and unescapes to the input
 * byte for byte; a template that renders to a well-formed filter for a
 * plain name renders to a well-formed filter with the same parentheses for
 * any name (no name can change a filter's structure); group names and
 * urls stay within their buffers.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "auth/ldap.h"

#define MAX_IN 600

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1; /* our escapes are lower-case */
}

/* unescape decodes "\xx" (and, for DNs, "\c") into out; -1 on a malformed escape. */
static long unescape(uint8_t *out, const char *in, bool dn)
{
    size_t n = 0;

    for (size_t i = 0; in[i] != '\0'; i++) {
        if (in[i] != '\\') {
            out[n++] = (uint8_t)in[i];
            continue;
        }
        if (hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            out[n++] = (uint8_t)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
        } else if (dn && in[i + 1] != '\0') {
            out[n++] = (uint8_t)in[++i];
        } else {
            return -1;
        }
    }
    return (long)n;
}

static void check_filter_escape(const uint8_t *name, size_t len)
{
    char esc[MAX_IN * 3 + 1];
    uint8_t back[MAX_IN];

    if (ward_ldap_escape_filter(esc, sizeof(esc), name, len) != WARD_OK) {
        abort(); /* 3 bytes per byte always fit */
    }
    for (const char *p = esc; *p != '\0'; p++) {
        if (*p == '\\') {
            p += 2;
        } else if (*p == '*' || *p == '(' || *p == ')' || (uint8_t)*p < 0x20 ||
                   (uint8_t)*p > 0x7e) {
            abort();
        }
    }
    if (unescape(back, esc, false) != (long)len || memcmp(back, name, len) != 0) {
        abort();
    }
}

static void check_dn_escape(const uint8_t *name, size_t len)
{
    char esc[MAX_IN * 3 + 1];
    uint8_t back[MAX_IN];
    size_t n;

    if (ward_ldap_escape_dn(esc, sizeof(esc), name, len) != WARD_OK) {
        abort();
    }
    n = strlen(esc);
    for (size_t i = 0; i < n; i++) {
        if (esc[i] == '\\') {
            i += hexval(esc[i + 1]) >= 0 && hexval(esc[i + 2]) >= 0 ? 2 : 1;
        } else if (strchr("\"+,;<=>", esc[i]) != NULL || (uint8_t)esc[i] < 0x20 ||
                   (uint8_t)esc[i] > 0x7e) {
            abort();
        }
    }
    if (n > 0 &&
        (esc[0] == ' ' || esc[0] == '#' || (esc[n - 1] == ' ' && (n < 2 || esc[n - 2] != '\\')))) {
        abort();
    }
    if (unescape(back, esc, true) != (long)len || memcmp(back, name, len) != 0) {
        abort();
    }
}

/* parens writes the unescaped '(' and ')' of a filter, in order. */
static void parens(char *out, const char *f)
{
    for (; *f != '\0'; f++) {
        if (*f == '\\' && f[1] != '\0' && f[2] != '\0') {
            f += 2;
        } else if (*f == '(' || *f == ')') {
            *out++ = *f;
        }
    }
    *out = '\0';
}

static void check_template(const char *tmpl, const char *name)
{
    static char plain[WARD_LDAP_MAX_FILTER + 1];
    static char any[WARD_LDAP_MAX_FILTER + 1];
    static char p1[WARD_LDAP_MAX_FILTER + 1];
    static char p2[WARD_LDAP_MAX_FILTER + 1];
    const struct ward_ldap_vars v1 = { "u", "uid", "cn=u,dc=x" };
    const struct ward_ldap_vars v2 = { name, "uid", name };
    const char *why = NULL;

    (void)ward_ldap_template_ok(tmpl, &why);
    if (ward_ldap_template(plain, sizeof(plain), tmpl, &v1, &why) != WARD_OK ||
        !ward_ldap_filter_ok(plain)) {
        return;
    }
    if (ward_ldap_template(any, sizeof(any), tmpl, &v2, &why) != WARD_OK) {
        return; /* too long: refused, never truncated */
    }
    /* SECURITY: the name is data: same structure, still one filter */
    parens(p1, plain);
    parens(p2, any);
    if (strcmp(p1, p2) != 0 || !ward_ldap_filter_ok(any)) {
        abort();
    }
}

static void check_others(const uint8_t *data, size_t size, const char *text)
{
    char out[WARD_LDAP_MAX_NAME + 1];
    char url[WARD_LDAP_MAX_URL + 1];
    const char *list = text;
    size_t n = 0;

    if (ward_ldap_group_name(out, sizeof(out), (const char *)data, size) &&
        strlen(out) > WARD_LDAP_MAX_NAME) {
        abort();
    }
    (void)ward_ldap_filter_ok(text);
    (void)ward_ldap_attr_ok(text);
    while (ward_ldap_next_url(url, sizeof(url), &list)) {
        if (strlen(url) > WARD_LDAP_MAX_URL || ++n > strlen(text)) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char tmpl[MAX_IN + 1];
    static char name[MAX_IN + 1];
    const uint8_t *nul;
    size_t tlen;

    if (size > MAX_IN) {
        return 0;
    }
    nul = memchr(data, '\0', size);
    tlen = nul != NULL ? (size_t)(nul - data) : size;
    memcpy(tmpl, data, tlen);
    tmpl[tlen] = '\0';
    data += nul != NULL ? tlen + 1 : size;
    size -= nul != NULL ? tlen + 1 : size;
    check_filter_escape(data, size);
    check_dn_escape(data, size);
    memcpy(name, data, size);
    name[size] = '\0'; /* as a C string: up to its first NUL */
    check_template(tmpl, name);
    check_others(data, size, tmpl);
    return 0;
}
