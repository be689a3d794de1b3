/*
 * ldap.h - Ward's LDAP client for the ldap auth method: who is this user,
 * does this password bind as them, and which groups are they in.
 *
 * Keeper-side. Two halves behind one header:
 *   ldap.c         pure text work (no I/O; unit-tested and fuzzed): RFC 4515
 *                  filter escaping, RFC 4514 DN escaping, Vault's
 *                  userfilter/groupfilter templates ({{.Username}},
 *                  {{.UserAttr}}, {{.UserDN}}), the checks of configured
 *                  attribute names and filters.
 *   ldap_check.c   the checks of a configuration before it is stored.
 *   ldap_client.c  the one part that talks to a server, through OpenLDAP's
 *                  libldap: connect (each url in turn), StartTLS, service
 *                  bind, user search, user bind, group search.
 *
 * A login (ward_ldap_login), as Vault's ldap method does it:
 *   1. connect to the first url that answers (each may spend an equal
 *      share of the time left); StartTLS if configured;
 *   2. find the user's DN: with discoverdn or a binddn, bind as binddn (or
 *      anonymously with discoverdn alone) and search userdn for userfilter,
 *      which must match exactly one entry (if not, a decoy bind as a DN
 *      no entry has, so an unknown name costs what a wrong password
 *      costs); else with upndomain bind as
 *      "<username>@<upndomain>"; else "<userattr>=<username>,<userdn>";
 *   3. bind as that DN with the password;
 *   4. search groupdn for groupfilter (as binddn if configured, else as the
 *      user) and read groupattr of each entry; a value that is a DN gives
 *      its first CN (Vault's behaviour for memberOf).
 *
 * SECURITY: an empty password is refused before anything is sent (an LDAP
 * simple bind with a DN and no password is an "unauthenticated bind" that
 * many servers accept: it would log anyone in). A password is never sent
 * in clear: ldap:// without StartTLS is refused unless the configuration
 * says insecure_tls. Every user-supplied value reaches a filter only
 * through ward_ldap_escape_filter and a DN only through
 * ward_ldap_escape_dn. Referrals are never chased (they would send the
 * password to another server). Every network step is bounded by one
 * deadline (timeout_ms from the start of the login), so an unreachable or
 * silent server fails with WARD_E_LDAP_UNREACHABLE, never a hang. No
 * message (why) carries a password or the bind password.
 *
 * THREADS: every function is reentrant; each login has its own libldap
 * handle and TLS context, and nothing is shared (libldap's own global
 * initialization runs once, under pthread_once). The process must ignore
 * SIGPIPE (ward server does): a server that closes mid-request is then an
 * error, not the end of the process.
 */
#ifndef WARD_AUTH_LDAP_H
#define WARD_AUTH_LDAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define WARD_LDAP_MAX_NAME      256  /* bytes of a user or group name */
#define WARD_LDAP_MAX_DN        1024 /* bytes of a configured or built DN */
#define WARD_LDAP_MAX_FILTER    2048 /* bytes of a rendered filter */
#define WARD_LDAP_MAX_ATTR      64   /* bytes of an attribute name */
#define WARD_LDAP_MAX_URL_LIST  1024 /* bytes of the url setting */
#define WARD_LDAP_MAX_URLS      8
#define WARD_LDAP_MAX_URL       511 /* bytes of one url */
#define WARD_LDAP_MAX_GROUPS    64  /* groups of one user that are kept */
#define WARD_LDAP_MAX_PASSWORD  1024
#define WARD_LDAP_MAX_CERT      (64u << 10) /* bytes of the CA PEM */
#define WARD_LDAP_TIMEOUT_MIN_S 1
#define WARD_LDAP_TIMEOUT_MAX_S 60
#define WARD_LDAP_TIMEOUT_DEF_S 10 /* Vault's 90 s holds a request thread too long */

/* Vault's defaults. */
#define WARD_LDAP_DEFAULT_USERATTR   "cn"
#define WARD_LDAP_DEFAULT_USERFILTER "({{.UserAttr}}={{.Username}})"
#define WARD_LDAP_DEFAULT_GROUPFILTER \
    "(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))"
#define WARD_LDAP_DEFAULT_GROUPATTR "cn"

/* ---- pure text (ldap.c) ---- */

/*
 * ward_ldap_escape_filter writes in (in_len bytes, any bytes) as an RFC
 * 4515 assertion value into out: '*', '(', ')', '\', NUL and every byte
 * outside printable ASCII become "\xx" (lower-case hex). WARD_OK, or
 * WARD_E_TOO_LARGE if out (cap bytes, NUL included) is too small.
 */
WARD_MUST_CHECK ward_err ward_ldap_escape_filter(char *out, size_t cap, const uint8_t *in,
                                                 size_t in_len);

/*
 * ward_ldap_escape_dn writes in as an RFC 4514 attribute value into out:
 * '"', '+', ',', ';', '<', '=', '>', '\' get a backslash, as do a leading
 * '#' or ' ' and a trailing ' '; NUL, control bytes and bytes >= 0x80 become
 * "\xx". WARD_OK, WARD_E_TOO_LARGE.
 */
WARD_MUST_CHECK ward_err ward_ldap_escape_dn(char *out, size_t cap, const uint8_t *in,
                                             size_t in_len);

/* The values a filter template may name; NULL stands for "". Raw, unescaped. */
struct ward_ldap_vars {
    const char *username;  /* {{.Username}}: filter-escaped when rendered */
    const char *user_attr; /* {{.UserAttr}}: inserted as is (a checked attribute name) */
    const char *user_dn;   /* {{.UserDN}}: filter-escaped when rendered */
};

/*
 * ward_ldap_template renders tmpl (Vault's Go-template subset: "{{.Name}}"
 * with optional spaces inside the braces, Name one of Username, UserAttr,
 * UserDN) into out. WARD_OK; WARD_E_INVALID for any other "{{" or an
 * unclosed one (*why says which); WARD_E_TOO_LARGE if out is too small.
 */
WARD_MUST_CHECK ward_err ward_ldap_template(char *out, size_t cap, const char *tmpl,
                                            const struct ward_ldap_vars *v, const char **why);

/*
 * ward_ldap_filter_ok: filter is one parenthesised RFC 4515 filter as far
 * as structure goes: starts with '(', parentheses balance (a "\xx" escape
 * is skipped), nothing after the last ')', no NUL or control byte. The
 * server checks the rest.
 */
bool ward_ldap_filter_ok(const char *filter);

/*
 * ward_ldap_template_ok checks a configured template: it renders, and the
 * result (with sample values) passes ward_ldap_filter_ok. false with *why.
 */
bool ward_ldap_template_ok(const char *tmpl, const char **why);

/* ward_ldap_attr_ok: attr is an RFC 4512 descr (letter, then letters, digits, '-') or numeric OID.
 */
bool ward_ldap_attr_ok(const char *attr);

/*
 * ward_ldap_name_fold writes name for matching Ward's group and user
 * records: ASCII lower case unless case_sensitive (Vault's
 * case_sensitive_names). false if it does not fit (cap bytes).
 */
bool ward_ldap_name_fold(char *out, size_t cap, const char *name, bool case_sensitive);

/*
 * ward_ldap_next_url copies the next url of a comma- (or space-) separated
 * list into out (cap bytes; a longer url is cut, so the caller checks its
 * length against WARD_LDAP_MAX_URL) and advances *list; false at the end.
 */
bool ward_ldap_next_url(char *out, size_t cap, const char **list);

/* ---- the client (ldap_client.c, ldap_check.c) ---- */

/* One configuration, borrowed for a call. Strings NULL or "" mean unset. */
struct ward_ldap_params {
    const char *url;         /* "ldap://a:389,ldaps://b" tried in order */
    bool starttls;           /* StartTLS on ldap:// urls */
    bool insecure_tls;       /* skip certificate checks; allows ldap:// in clear */
    uint16_t tls_min;        /* TLS version as on the wire (0x0303 TLS 1.2, the floor; 0 = it) */
    uint16_t tls_max;        /* 0 = the library's highest */
    const char *certificate; /* CA certificates, PEM; unset: the system's (ldap.conf) */
    const char *binddn;
    const uint8_t *bindpass; /* service password (borrowed; never copied into a message) */
    size_t bindpass_len;
    const char *userdn;
    const char *userattr;   /* unset: "cn" */
    const char *userfilter; /* unset: Vault's default */
    const char *upndomain;
    bool discoverdn;
    const char *groupdn; /* unset: no group search */
    const char *groupfilter;
    const char *groupattr;
    int64_t timeout_ms; /* the whole login, every url and step together */
};

/* What a successful login found. Owned; ward_ldap_result_cleanup frees. */
struct ward_ldap_result {
    char user_dn[WARD_LDAP_MAX_DN + 1];
    size_t num_groups;
    char *groups[WARD_LDAP_MAX_GROUPS]; /* group names as the directory spells them */
    bool groups_truncated;              /* more than WARD_LDAP_MAX_GROUPS were found */
};

void ward_ldap_result_cleanup(struct ward_ldap_result *r);

/*
 * ward_ldap_params_check validates p as a configuration (urls parse and use
 * ldap or ldaps, at most WARD_LDAP_MAX_URLS; ldap:// without starttls only
 * with insecure_tls; the certificate is PEM X.509; attribute names, DNs
 * and templates are well formed; timeout within bounds). WARD_OK or
 * WARD_E_INVALID with *why (static text).
 */
WARD_MUST_CHECK ward_err ward_ldap_params_check(const struct ward_ldap_params *p, const char **why);

/* One login's credentials, borrowed. */
struct ward_ldap_creds {
    const char *username; /* as typed: it goes to the directory escaped */
    const uint8_t *password;
    size_t password_len;
};

/*
 * ward_ldap_login authenticates c's username with its password against the
 * directory p describes and fills *out (user DN, group names). WARD_OK;
 * WARD_E_PERMISSION for anything that means "not this user with this
 * password" (empty password, no such user, several entries, bind refused);
 * WARD_E_LDAP_UNREACHABLE (no url connected, or the deadline passed),
 * WARD_E_LDAP_TLS, WARD_E_LDAP_ERROR (service bind or search refused),
 * WARD_E_INVALID (configuration), WARD_E_NOMEM. why (why_cap bytes) gets a
 * secret-free detail on failure. out is cleaned up on failure.
 */
WARD_MUST_CHECK ward_err ward_ldap_login(struct ward_ldap_result *out,
                                         const struct ward_ldap_params *p,
                                         const struct ward_ldap_creds *c, char *why,
                                         size_t why_cap);

/*
 * ward_ldap_group_name writes the group name a groupattr value stands for:
 * a value that parses as a DN gives the value of its first CN
 * (case-insensitive type), any other value itself. false if it does not
 * fit in cap bytes (or is empty).
 */
bool ward_ldap_group_name(char *out, size_t cap, const char *value, size_t value_len);

#endif
