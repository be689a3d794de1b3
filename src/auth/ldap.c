/*
 * ldap.c - the pure half of the LDAP client (ldap.h): escaping and filter
 * templates. No I/O, no libldap: everything here is unit-tested and fuzzed
 * (tests/fuzz/fuzz_ldap_filter.c).
 *
 * SECURITY: these are what stand between a user name typed at login and
 * the directory's query language. A name like "*)(uid=*))(|(uid=*" must
 * reach the server as a literal value, never as filter syntax: every
 * variable a template names is escaped when rendered, and the template
 * itself comes only from the (authenticated) configuration.
 */
#include "ldap.h"

#include <string.h>

static const char g_hex[] = "0123456789abcdef";

/* put_hex appends "\xx" for byte b at *n (room checked by the caller). */
static void put_hex(char *out, size_t *n, uint8_t b)
{
    out[(*n)++] = '\\';
    out[(*n)++] = g_hex[b >> 4];
    out[(*n)++] = g_hex[b & 0x0f];
}

ward_err ward_ldap_escape_filter(char *out, size_t cap, const uint8_t *in, size_t in_len)
{
    size_t n = 0;

    if (cap == 0) {
        return WARD_E_TOO_LARGE;
    }
    out[0] = '\0';
    for (size_t i = 0; i < in_len; i++) {
        uint8_t b = in[i];
        /* RFC 4515 3: '*', '(', ')', '\' and NUL must be escaped; the rest of
         * what is not printable ASCII is escaped too, so the filter stays text */
        bool esc = b == '*' || b == '(' || b == ')' || b == '\\' || b < 0x20 || b > 0x7e;

        if (cap - n < (esc ? 4u : 2u)) {
            out[0] = '\0';
            return WARD_E_TOO_LARGE;
        }
        if (esc) {
            put_hex(out, &n, b);
        } else {
            out[n++] = (char)b;
        }
    }
    out[n] = '\0';
    return WARD_OK;
}

/* dn_special: a byte RFC 4514 2.4 escapes with a backslash anywhere in a value. */
static bool dn_special(uint8_t b)
{
    return b == '"' || b == '+' || b == ',' || b == ';' || b == '<' || b == '=' || b == '>' ||
           b == '\\';
}

/* dn_pair: b needs "\\b" here: a special anywhere, '#' or ' ' first, ' ' last. */
static bool dn_pair(uint8_t b, bool first, bool last)
{
    return dn_special(b) || (first && (b == '#' || b == ' ')) || (last && b == ' ');
}

ward_err ward_ldap_escape_dn(char *out, size_t cap, const uint8_t *in, size_t in_len)
{
    size_t n = 0;

    if (cap == 0) {
        return WARD_E_TOO_LARGE;
    }
    out[0] = '\0';
    for (size_t i = 0; i < in_len; i++) {
        uint8_t b = in[i];
        bool hex = b < 0x20 || b > 0x7e;
        bool pair = !hex && dn_pair(b, i == 0, i + 1 == in_len);

        if (cap - n < (hex ? 4u : pair ? 3u : 2u)) {
            out[0] = '\0';
            return WARD_E_TOO_LARGE;
        }
        if (hex) {
            put_hex(out, &n, b);
        } else {
            if (pair) {
                out[n++] = '\\';
            }
            out[n++] = (char)b;
        }
    }
    out[n] = '\0';
    return WARD_OK;
}

/* append copies len bytes of s to out at *n; WARD_E_TOO_LARGE if no room for them and a NUL. */
static ward_err append(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
    if (cap - *n <= len) {
        return WARD_E_TOO_LARGE;
    }
    memcpy(out + *n, s, len);
    *n += len;
    out[*n] = '\0';
    return WARD_OK;
}

/* append_escaped appends s filter-escaped. */
static ward_err append_escaped(char *out, size_t cap, size_t *n, const char *s)
{
    ward_err err;

    s = s != NULL ? s : "";
    if ((err = ward_ldap_escape_filter(out + *n, cap - *n, (const uint8_t *)s, strlen(s))) !=
        WARD_OK) {
        return err;
    }
    *n += strlen(out + *n);
    return WARD_OK;
}

/*
 * variable reads one "{{ .Name }}" at t (which starts with "{{"): *used is
 * how many bytes it spans, *which 0 Username, 1 UserAttr, 2 UserDN.
 */
static ward_err variable(const char *t, size_t *used, int *which, const char **why)
{
    static const char *const names[] = { "Username", "UserAttr", "UserDN" };
    size_t i = 2;
    size_t start;

    while (t[i] == ' ') {
        i++;
    }
    if (t[i] != '.') {
        *why = "a template may use only {{.Username}}, {{.UserAttr}} and {{.UserDN}}";
        return WARD_E_INVALID;
    }
    start = ++i;
    while ((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')) {
        i++;
    }
    for (*which = 0; *which < 3; (*which)++) {
        if (strlen(names[*which]) == i - start &&
            memcmp(t + start, names[*which], i - start) == 0) {
            break;
        }
    }
    while (t[i] == ' ') {
        i++;
    }
    if (*which == 3 || t[i] != '}' || t[i + 1] != '}') {
        *why = "a template may use only {{.Username}}, {{.UserAttr}} and {{.UserDN}}";
        return WARD_E_INVALID;
    }
    *used = i + 2;
    return WARD_OK;
}

static bool is_hex(char ch);

/*
 * literal_ok: every '\' of a template's literal text starts a "\xx" escape
 * inside that text, so no escape can reach into the value that follows.
 */
static bool literal_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
                return false;
            }
            i += 2;
        }
    }
    return true;
}

/* render_var appends variable which (see variable()) of v at *n. */
static ward_err render_var(char *out, size_t cap, size_t *n, int which,
                           const struct ward_ldap_vars *v)
{
    if (which == 1) {
        const char *a = v->user_attr != NULL ? v->user_attr : "";

        return append(out, cap, n, a, strlen(a));
    }
    return append_escaped(out, cap, n, which == 0 ? v->username : v->user_dn);
}

/* render_step renders the literal text up to the next variable, then that variable. */
static ward_err render_step(char *out, size_t cap, size_t *n, const char **tmpl,
                            const struct ward_ldap_vars *v, const char **why)
{
    const char *open = strstr(*tmpl, "{{");
    size_t lit = open != NULL ? (size_t)(open - *tmpl) : strlen(*tmpl);
    size_t used = 0;
    int which = 0;
    ward_err err;

    if (!literal_ok(*tmpl, lit)) {
        *why = "a '\\' in a template must start a \\xx escape";
        return WARD_E_INVALID;
    }
    if ((err = append(out, cap, n, *tmpl, lit)) != WARD_OK) {
        return err;
    }
    if (open == NULL) {
        *tmpl += lit;
        return WARD_OK;
    }
    if ((err = variable(open, &used, &which, why)) != WARD_OK) {
        return err;
    }
    *tmpl = open + used;
    return render_var(out, cap, n, which, v);
}

ward_err ward_ldap_template(char *out, size_t cap, const char *tmpl, const struct ward_ldap_vars *v,
                            const char **why)
{
    size_t n = 0;
    ward_err err = WARD_OK;

    *why = NULL;
    if (cap == 0) {
        return WARD_E_TOO_LARGE;
    }
    out[0] = '\0';
    while (*tmpl != '\0' && err == WARD_OK) {
        err = render_step(out, cap, &n, &tmpl, v, why);
    }
    if (err != WARD_OK) {
        out[0] = '\0';
        *why = *why != NULL ? *why : "the rendered filter is too long";
    }
    return err;
}

static bool is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

bool ward_ldap_filter_ok(const char *filter)
{
    size_t depth = 0;

    if (filter[0] != '(') {
        return false;
    }
    for (const char *p = filter; *p != '\0'; p++) {
        uint8_t b = (uint8_t)*p;

        if (b < 0x20 || b == 0x7f || (depth == 0 && p != filter)) {
            return false; /* a control byte, or text after the closing ')' */
        }
        if (b == '\\') {
            if (!is_hex(p[1]) || !is_hex(p[2])) {
                return false;
            }
            p += 2;
        } else if (b == '(') {
            depth++;
        } else if (b == ')') {
            if (depth == 0) {
                return false;
            }
            depth--;
        }
    }
    return depth == 0;
}

bool ward_ldap_template_ok(const char *tmpl, const char **why)
{
    static const struct ward_ldap_vars sample = { "user", "cn", "cn=user,dc=example,dc=com" };
    char out[WARD_LDAP_MAX_FILTER + 1];

    if (ward_ldap_template(out, sizeof(out), tmpl, &sample, why) != WARD_OK) {
        return false;
    }
    if (!ward_ldap_filter_ok(out)) {
        *why = "a filter must be one parenthesised LDAP filter (RFC 4515)";
        return false;
    }
    return true;
}

static bool is_alpha(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* numeric_oid: number *("." number), no empty component. */
static bool numeric_oid(const char *s)
{
    bool digit = false;

    for (; *s != '\0'; s++) {
        if (is_digit(*s)) {
            digit = true;
        } else if (*s == '.' && digit) {
            digit = false;
        } else {
            return false;
        }
    }
    return digit;
}

bool ward_ldap_attr_ok(const char *attr)
{
    size_t n = strlen(attr);

    if (n == 0 || n > WARD_LDAP_MAX_ATTR) {
        return false;
    }
    if (is_digit(attr[0])) {
        return numeric_oid(attr);
    }
    if (!is_alpha(attr[0])) {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (!is_alpha(attr[i]) && !is_digit(attr[i]) && attr[i] != '-') {
            return false;
        }
    }
    return true;
}

bool ward_ldap_name_fold(char *out, size_t cap, const char *name, bool case_sensitive)
{
    size_t n = strlen(name);

    if (n >= cap) {
        return false;
    }
    memcpy(out, name, n + 1);
    for (size_t i = 0; i < n && !case_sensitive; i++) {
        if (out[i] >= 'A' && out[i] <= 'Z') {
            out[i] = (char)(out[i] | 0x20); /* ASCII upper to lower case */
        }
    }
    return true;
}

bool ward_ldap_next_url(char *out, size_t cap, const char **list)
{
    const char *l = *list;
    size_t n;

    while (*l == ',' || *l == ' ') {
        l++;
    }
    if (*l == '\0' || cap == 0) {
        return false;
    }
    n = strcspn(l, ", ");
    n = n < cap ? n : cap - 1;
    memcpy(out, l, n);
    out[n] = '\0';
    *list = l + strcspn(l, ", ");
    return true;
}
