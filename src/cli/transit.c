/*
 * transit.c - `ward transit <subcommand>`: Vault's transit engine at
 * transit/ and Ward's nameless decrypt (POST /v1/ward/decrypt), one
 * subcommand per transit row of src/engine/ops.def.
 *
 * Table-driven, like the op table: g_subs says each subcommand's method,
 * path, argument, input and output; g_flags says which subcommands take a
 * flag and which request field it fills, so a request body is every field
 * whose flag was given and a subcommand refuses flags it does not use.
 *
 * Data in: encrypt, hash, hmac, sign and verify read raw bytes from stdin
 * (or -file) and send them base64-encoded; decrypt and rewrap take the
 * ciphertext from -ciphertext or stdin; restore, import and wrap-for read
 * text (a backup, a wrapped key, a PEM public key). Data out: one value
 * printed bare where a pipe wants it (ciphertext, signature, backup, ...),
 * decrypt's raw plaintext bytes, else a "Key  Value" table; -format=json
 * prints the server's answer.
 *
 * SECURITY: plaintext never comes from argv (ps, shell history): it is read
 * into a wiped buffer and sent by ward_client_transit_encrypt, which builds
 * the body without jansson; decrypted plaintext stays in libward's wiped
 * buffer until written. No error message echoes input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "cli_int.h"

#define INPUT_MAX (12u << 20) /* the server's largest ciphertext */
#define URL_MAX   512u
#define USAGE_MAX 3072u

enum sub {
    SUB_LIST,
    SUB_CREATE,
    SUB_READ,
    SUB_DELETE,
    SUB_CONFIG,
    SUB_ROTATE,
    SUB_TRIM,
    SUB_STATE,
    SUB_EXPORT,
    SUB_BACKUP,
    SUB_RESTORE,
    SUB_WRAPPING_KEY,
    SUB_IMPORT,
    SUB_WRAP_FOR,
    SUB_ENCRYPT,
    SUB_DECRYPT,
    SUB_REWRAP,
    SUB_DATAKEY,
    SUB_RANDOM,
    SUB_HASH,
    SUB_HMAC,
    SUB_SIGN,
    SUB_VERIFY,
    NUM_SUBS
};

#define S(x) (1u << SUB_##x)

enum out {
    OUT_TABLE, /* data (or its member field) as a table */
    OUT_LIST,  /* data.keys, one a line */
    OUT_FIELD, /* data's string member field, bare */
    OUT_DONE,  /* "Success! Key deleted." (or restored) */
    OUT_VALID, /* the table; exit 2 when data.valid is false */
    OUT_OWN,   /* encrypt and decrypt print their own */
};

enum input {
    IN_NONE,
    IN_RAW,  /* raw bytes, sent as base64 in field input */
    IN_TEXT, /* text, trailing white space dropped, sent as is */
};

struct sub_info {
    const char *name;
    const char *method;
    const char *path;     /* after /v1/transit/ */
    char arg;             /* NAME: 'R' required, 'O' optional, 'N' none */
    enum input input;     /* read from stdin or -file */
    const char *in_field; /* the request field the input goes in */
    enum out out;
    const char *out_field; /* OUT_FIELD: the answer's member printed; OUT_TABLE: NULL for data */
    const char *synopsis;
    const char *about;
    const char *example;
};

/* The flags' values: strings in str, booleans in on, by flag id. */
enum flag_id {
    FL_FORMAT,
    FL_TYPE,
    FL_AUTO_ROTATE,
    FL_OPS,
    FL_KEY_SIZE,
    FL_MIN_DEC,
    FL_MIN_ENC,
    FL_DELETION_ALLOWED,
    FL_MIN_AVAIL,
    FL_STATE,
    FL_VERSION,
    FL_KIND,
    FL_FILE,
    FL_CONTEXT,
    FL_KEY_VERSION,
    FL_CT_FORMAT,
    FL_CIPHERTEXT,
    FL_BITS,
    FL_BYTES,
    FL_ENCODING,
    FL_ALGORITHM,
    FL_HASH_ALG,
    FL_SIG_ALG,
    FL_MARSHALING,
    FL_SIGNATURE,
    FL_HMAC,
    FL_EXPORTABLE,
    FL_DERIVED,
    FL_CONVERGENT,
    FL_PLAINTEXT_BACKUP,
    FL_PRE_ACTIVE,
    FL_ALLOW_ROTATION,
    FL_NEW_VERSION,
    FL_FORCE,
    FL_MANAGED,
    FL_PREHASHED,
    NUM_FL
};

/* Every flag's value; a subcommand sees only those g_flags gives it. */
struct tflags {
    const char *str[NUM_FL]; /* FL_FORMAT: table|json, or encrypt's and random's own formats */
    bool on[NUM_FL];
};

/* How a given flag goes into the request body. */
enum jkind {
    J_NONE, /* not in the body (URL, input or output) */
    J_STR,
    J_TRUE, /* a bare boolean flag: true when given */
    J_INT,  /* digits */
    J_BOOL, /* "true" or "false" */
    J_LIST, /* "a,b,c" as a list of strings */
};

struct tflag {
    const char *name;
    enum ward_cli_flag_type type; /* BOOL or STR */
    enum flag_id id;
    uint32_t subs;
    const char *json;
    enum jkind kind;
};

#define KEYSET  (S(CREATE) | S(IMPORT))
#define SIGNING (S(SIGN) | S(VERIFY))
#define FROMFILE                                                                            \
    (S(RESTORE) | S(IMPORT) | S(WRAP_FOR) | S(ENCRYPT) | S(DECRYPT) | S(REWRAP) | S(HASH) | \
     S(HMAC) | SIGNING)

static const struct tflag g_flags[] = {
    { "type", WARD_CLI_FLAG_STR, FL_TYPE, KEYSET, "type", J_STR },
    { "type", WARD_CLI_FLAG_STR, FL_TYPE, S(DATAKEY), NULL, J_NONE },
    { "exportable", WARD_CLI_FLAG_BOOL, FL_EXPORTABLE, KEYSET | S(CONFIG), "exportable", J_TRUE },
    { "derived", WARD_CLI_FLAG_BOOL, FL_DERIVED, KEYSET, "derived", J_TRUE },
    { "convergent", WARD_CLI_FLAG_BOOL, FL_CONVERGENT, KEYSET, "convergent_encryption", J_TRUE },
    { "allow-plaintext-backup", WARD_CLI_FLAG_BOOL, FL_PLAINTEXT_BACKUP, KEYSET | S(CONFIG),
      "allow_plaintext_backup", J_TRUE },
    { "auto-rotate-period", WARD_CLI_FLAG_STR, FL_AUTO_ROTATE, KEYSET | S(CONFIG),
      "auto_rotate_period", J_STR },
    { "allowed-operations", WARD_CLI_FLAG_STR, FL_OPS, KEYSET | S(CONFIG), "allowed_operations",
      J_LIST },
    { "key-size", WARD_CLI_FLAG_STR, FL_KEY_SIZE, S(CREATE), "key_size", J_INT },
    { "pre-active", WARD_CLI_FLAG_BOOL, FL_PRE_ACTIVE, S(CREATE) | S(ROTATE), "pre_active",
      J_TRUE },
    { "allow-rotation", WARD_CLI_FLAG_BOOL, FL_ALLOW_ROTATION, S(IMPORT), "allow_rotation",
      J_TRUE },
    { "version", WARD_CLI_FLAG_BOOL, FL_NEW_VERSION, S(IMPORT), NULL, J_NONE },
    { "min-decryption-version", WARD_CLI_FLAG_STR, FL_MIN_DEC, S(CONFIG), "min_decryption_version",
      J_INT },
    { "min-encryption-version", WARD_CLI_FLAG_STR, FL_MIN_ENC, S(CONFIG), "min_encryption_version",
      J_INT },
    { "deletion-allowed", WARD_CLI_FLAG_STR, FL_DELETION_ALLOWED, S(CONFIG), "deletion_allowed",
      J_BOOL },
    { "min-available-version", WARD_CLI_FLAG_STR, FL_MIN_AVAIL, S(TRIM), "min_available_version",
      J_INT },
    { "state", WARD_CLI_FLAG_STR, FL_STATE, S(STATE), "state", J_STR },
    { "version", WARD_CLI_FLAG_STR, FL_VERSION, S(STATE), "version", J_INT },
    { "version", WARD_CLI_FLAG_STR, FL_VERSION, S(EXPORT), NULL, J_NONE },
    { "kind", WARD_CLI_FLAG_STR, FL_KIND, S(EXPORT), NULL, J_NONE },
    { "file", WARD_CLI_FLAG_STR, FL_FILE, FROMFILE, NULL, J_NONE },
    { "plaintext-file", WARD_CLI_FLAG_STR, FL_FILE, S(ENCRYPT), NULL, J_NONE },
    { "force", WARD_CLI_FLAG_BOOL, FL_FORCE, S(RESTORE), "force", J_TRUE },
    { "context", WARD_CLI_FLAG_STR, FL_CONTEXT, S(ENCRYPT) | S(DECRYPT) | S(REWRAP) | S(DATAKEY),
      "context", J_STR },
    { "key-version", WARD_CLI_FLAG_STR, FL_KEY_VERSION,
      S(ENCRYPT) | S(DECRYPT) | S(REWRAP) | S(WRAP_FOR) | S(HMAC) | S(SIGN), "key_version", J_INT },
    { "ciphertext-format", WARD_CLI_FLAG_STR, FL_CT_FORMAT, S(ENCRYPT) | S(DATAKEY),
      "ciphertext_format", J_STR },
    { "ciphertext", WARD_CLI_FLAG_STR, FL_CIPHERTEXT, S(DECRYPT) | S(REWRAP), "ciphertext", J_STR },
    { "managed", WARD_CLI_FLAG_BOOL, FL_MANAGED, S(DECRYPT), NULL, J_NONE },
    { "bits", WARD_CLI_FLAG_STR, FL_BITS, S(DATAKEY), "bits", J_INT },
    { "bytes", WARD_CLI_FLAG_STR, FL_BYTES, S(RANDOM), "bytes", J_INT },
    { "encoding", WARD_CLI_FLAG_STR, FL_ENCODING, S(RANDOM) | S(HASH), "format", J_STR },
    { "algorithm", WARD_CLI_FLAG_STR, FL_ALGORITHM, S(HASH) | S(HMAC) | S(VERIFY), "algorithm",
      J_STR },
    { "hash-algorithm", WARD_CLI_FLAG_STR, FL_HASH_ALG, SIGNING, "hash_algorithm", J_STR },
    { "signature-algorithm", WARD_CLI_FLAG_STR, FL_SIG_ALG, SIGNING, "signature_algorithm", J_STR },
    { "marshaling-algorithm", WARD_CLI_FLAG_STR, FL_MARSHALING, SIGNING, "marshaling_algorithm",
      J_STR },
    { "prehashed", WARD_CLI_FLAG_BOOL, FL_PREHASHED, SIGNING, "prehashed", J_TRUE },
    { "signature", WARD_CLI_FLAG_STR, FL_SIGNATURE, S(VERIFY), "signature", J_STR },
    { "hmac", WARD_CLI_FLAG_STR, FL_HMAC, S(VERIFY), "hmac", J_STR },
};

#define NUM_FLAGS (sizeof(g_flags) / sizeof(g_flags[0]))

#define KEY_FLAGS                                                                              \
    "[-type=T] [-exportable] [-derived] [-convergent]\n"                                       \
    "       [-allow-plaintext-backup] [-auto-rotate-period=D] [-allowed-operations=a,b,...]\n" \
    "      "
#define SIGN_FLAGS                                              \
    "[-hash-algorithm=A] [-signature-algorithm=pss|pkcs1v15]\n" \
    "       [-marshaling-algorithm=asn1|jws] [-prehashed]"

static const struct sub_info g_subs[NUM_SUBS] = {
    [SUB_LIST] = { "list", "LIST", "keys", 'N', IN_NONE, NULL, OUT_LIST, NULL, "",
                   "Lists the key names, one a line.", "ward transit list" },
    [SUB_CREATE] = { "create", "POST", "keys", 'R', IN_NONE, NULL, OUT_TABLE, NULL,
                     KEY_FLAGS " [-key-size=N] [-pre-active] NAME",
                     "Creates key NAME and prints it. -type is a Vault key type (default\n"
                     "  aes256-gcm96; also chacha20-poly1305, ed25519, ecdsa-p256, rsa-2048,\n"
                     "  hmac, ...); -convergent needs -derived; -auto-rotate-period is a\n"
                     "  duration (24h; 0 never); -allowed-operations limits what the key does\n"
                     "  (encrypt,decrypt,sign,...); -key-size is for hmac keys.",
                     "ward transit create -type=ed25519 signer" },
    [SUB_READ] = { "read", "GET", "keys", 'R', IN_NONE, NULL, OUT_TABLE, NULL, "NAME",
                   "Prints key NAME: settings, versions and their states.",
                   "ward transit read orders" },
    [SUB_DELETE] = { "delete", "DELETE", "keys", 'R', IN_NONE, NULL, OUT_DONE, NULL, "NAME",
                     "Deletes key NAME and every version of it: refused (deletion_not_allowed)\n"
                     "  unless `ward transit config -deletion-allowed=true NAME` came first.",
                     "ward transit delete orders" },
    [SUB_CONFIG] = { "config", "POST", "keys", 'R', IN_NONE, NULL, OUT_TABLE, NULL,
                     "[-min-decryption-version=N] [-min-encryption-version=N]\n"
                     "       [-deletion-allowed=true|false] [-exportable] [-allow-plaintext-backup]\n"
                     "       [-auto-rotate-period=D] [-allowed-operations=a,b,...] NAME",
                     "Changes key NAME's settings and prints the key. exportable and\n"
                     "  allow-plaintext-backup can be turned on, never off.",
                     "ward transit config -deletion-allowed=true orders" },
    [SUB_ROTATE] = { "rotate", "POST", "keys", 'R', IN_NONE, NULL, OUT_TABLE, NULL,
                     "[-pre-active] NAME",
                     "Adds a version to key NAME; new encryptions use it. With -pre-active\n"
                     "  the version waits until `ward transit state -state=active`.",
                     "ward transit rotate orders" },
    [SUB_TRIM] = { "trim", "POST", "keys", 'R', IN_NONE, NULL, OUT_TABLE, NULL,
                   "-min-available-version=N NAME",
                   "Deletes key NAME's versions below N for good (not above the minimum\n"
                   "  decryption and encryption versions).",
                   "ward transit trim -min-available-version=3 orders" },
    [SUB_STATE] = { "state", "POST", "keys", 'R', IN_NONE, NULL, OUT_TABLE, NULL,
                    "-state=S [-version=N] NAME",
                    "Moves key NAME, or one version of it, to lifecycle state S: pre-active,\n"
                    "  active, deactivated, compromised or destroyed.",
                    "ward transit state -state=deactivated -version=1 orders" },
    [SUB_EXPORT] = { "export", "GET", "export", 'R', IN_NONE, NULL, OUT_TABLE, "keys",
                     "-kind=K [-version=N|latest] NAME",
                     "Prints the key material of key NAME, one row a version. K is\n"
                     "  encryption-key, signing-key, hmac-key (the key must be exportable) or\n"
                     "  public-key.",
                     "ward transit export -kind=public-key signer" },
    [SUB_BACKUP] = { "backup", "GET", "backup", 'R', IN_NONE, NULL, OUT_FIELD, "backup", "NAME",
                     "Prints a backup of key NAME (material included) as one base64 line; the\n"
                     "  key needs exportable and allow-plaintext-backup.",
                     "ward transit backup orders > orders.backup" },
    [SUB_RESTORE] = { "restore", "POST", "restore", 'O', IN_TEXT, "backup", OUT_DONE, NULL,
                      "[-file=PATH] [-force] [NAME]",
                      "Restores a backup read from stdin or -file, as NAME when given;\n"
                      "  -force replaces a key of that name or id.",
                      "ward transit restore -file=orders.backup" },
    [SUB_WRAPPING_KEY] = { "wrapping-key", "GET", "wrapping_key", 'N', IN_NONE, NULL, OUT_FIELD,
                           "public_key", "",
                           "Prints the server's RSA wrapping key (PEM), to wrap key material for\n"
                           "  `ward transit import`.",
                           "ward transit wrapping-key > wrapping.pem" },
    [SUB_IMPORT] = { "import", "POST", "keys", 'R', IN_TEXT, "ciphertext", OUT_TABLE, NULL,
                     "[-version] [-file=PATH]\n       " KEY_FLAGS " [-allow-rotation] NAME",
                     "Imports key material as key NAME (or, with -version, as a new version of\n"
                     "  it). Stdin or -file holds base64(RSA-OAEP-SHA256(wrapping key, AES key)\n"
                     "  || AES-KWP(AES key, material)), as Vault's BYOK.",
                     "ward transit import -type=aes256-gcm96 orders < wrapped.b64" },
    [SUB_WRAP_FOR] = { "wrap-for", "POST", "wrap-for", 'R', IN_TEXT, "public_key", OUT_TABLE, NULL,
                       "[-file=PATH] [-key-version=N] NAME",
                       "Prints exportable key NAME wrapped to the RSA or X25519 public key\n"
                       "  (PEM) read from stdin or -file.",
                       "ward transit wrap-for -file=peer.pem orders" },
    [SUB_ENCRYPT] = { "encrypt", "POST", "encrypt", 'R', IN_RAW, "plaintext", OUT_OWN, NULL,
                      "[-file=PATH] [-context=B64] [-ciphertext-format=managed|vault|raw]\n"
                      "       [-key-version=N] NAME",
                      "Encrypts the bytes of stdin (or -file) under key NAME, created if\n"
                      "  missing, and prints the ciphertext. -format=managed|vault|raw is short\n"
                      "  for -ciphertext-format. The plaintext is never taken from the command\n"
                      "  line. -context (base64) is for derived keys.",
                      "printf 'card 4111' | ward transit encrypt orders" },
    [SUB_DECRYPT] = { "decrypt", "POST", "decrypt", 'O', IN_TEXT, "ciphertext", OUT_OWN, NULL,
                      "[-ciphertext=CT | -file=PATH] [-context=B64] [-key-version=N]\n"
                      "       [-managed] [NAME]",
                      "Decrypts a ciphertext (-ciphertext, else stdin) and writes the raw\n"
                      "  plaintext to stdout. With NAME: that key's decrypt, any format. Without\n"
                      "  NAME, or with -managed: Ward's decrypt, which finds the key a ward:v1:\n"
                      "  ciphertext names.",
                      "ward transit decrypt -ciphertext=ward:v1:AQ... > card.txt" },
    [SUB_REWRAP] = { "rewrap", "POST", "rewrap", 'R', IN_TEXT, "ciphertext", OUT_FIELD,
                     "ciphertext",
                     "[-ciphertext=CT | -file=PATH] [-context=B64] [-key-version=N] NAME",
                     "Re-encrypts a ciphertext (-ciphertext, else stdin) under key NAME's\n"
                     "  current version and prints it; the plaintext stays in the server.",
                     "ward transit rewrap -ciphertext=ward:v1:AQ... orders" },
    [SUB_DATAKEY] = { "datakey", "POST", "datakey", 'R', IN_NONE, NULL, OUT_TABLE, NULL,
                      "-type=plaintext|wrapped [-bits=128|256|512] [-context=B64]\n"
                      "       [-ciphertext-format=F] NAME",
                      "Makes a random data key and prints it encrypted under key NAME; with\n"
                      "  -type=plaintext, also the key itself (base64).",
                      "ward transit datakey -type=plaintext orders" },
    [SUB_RANDOM] = { "random", "POST", "random", 'N', IN_NONE, NULL, OUT_FIELD, "random_bytes",
                     "[-bytes=N] [-encoding=base64|hex]",
                     "Prints N random bytes (default 32) from the server's generator.\n"
                     "  -format=hex|base64 is short for -encoding.",
                     "ward transit random -bytes=16 -format=hex" },
    [SUB_HASH] = { "hash", "POST", "hash", 'N', IN_RAW, "input", OUT_FIELD, "sum",
                   "[-algorithm=A] [-encoding=base64|hex] [-file=PATH]",
                   "Prints the hash of stdin's bytes. A: sha2-256 (default), sha2-224,\n"
                   "  sha2-384, sha2-512, sha3-224, sha3-256, sha3-384, sha3-512.",
                   "ward transit hash -algorithm=sha2-512 < file" },
    [SUB_HMAC] = { "hmac", "POST", "hmac", 'R', IN_RAW, "input", OUT_FIELD, "hmac",
                   "[-algorithm=A] [-key-version=N] [-file=PATH] NAME",
                   "Prints the HMAC (vault:vN:base64) of stdin's bytes under key NAME.",
                   "ward transit hmac orders < file" },
    [SUB_SIGN] = { "sign", "POST", "sign", 'R', IN_RAW, "input", OUT_FIELD, "signature",
                   SIGN_FLAGS " [-key-version=N]\n       [-file=PATH] NAME",
                   "Prints the signature of stdin's bytes by key NAME; with -prehashed,\n"
                   "  stdin holds the hash itself.",
                   "ward transit sign signer < file" },
    [SUB_VERIFY] = { "verify", "POST", "verify", 'R', IN_RAW, "input", OUT_VALID, NULL,
                     "(-signature=S | -hmac=H) [-algorithm=A]\n       " SIGN_FLAGS
                     "\n       [-file=PATH] NAME",
                     "Checks a signature or HMAC of stdin's bytes under key NAME. Exit 0 when\n"
                     "  valid, 2 when not, 1 on error.",
                     "ward transit verify -signature=vault:v1:MEU... signer < file" },
};

static int top_usage(FILE *f, int code)
{
    (void)fputs("Usage: ward transit <subcommand> [options] [NAME]\n\n"
                "  Vault's transit engine: named keys that never leave the server.\n\n"
                "Subcommands:\n",
                f);
    for (size_t i = 0; i < NUM_SUBS; i++) {
        (void)fprintf(f, "  %s\n", g_subs[i].name);
    }
    (void)fputs("\nRun `ward transit <subcommand> -h` for its flags.\n\n"
                "Example:\n  $ ward transit create orders\n"
                "  $ printf 'card 4111' | ward transit encrypt orders\n"
                "  $ ward transit decrypt -ciphertext=ward:v1:AQ...\n",
                f);
    return code;
}

static void make_usage(char *out, size_t cap, enum sub s)
{
    const struct sub_info *i = &g_subs[s];

    (void)snprintf(out, cap,
                   "Usage: ward transit %s %s\n\n  %s\n\n" WARD_CLI_COMMON_HELP
                   "\nExample:\n  $ %s\n",
                   i->name, i->synopsis, i->about, i->example);
}

/* make_flags fills out with the common flags and those of s; returns how many. */
static size_t make_flags(struct ward_cli_flag *out, struct tflags *f, struct ward_cli_common *c,
                         enum sub s)
{
    size_t n = 0;

    out[n++] = (struct ward_cli_flag){ "address", WARD_CLI_FLAG_STR, &c->address };
    out[n++] = (struct ward_cli_flag){ "ca-cert", WARD_CLI_FLAG_STR, &c->ca_cert };
    out[n++] = (struct ward_cli_flag){ "format", WARD_CLI_FLAG_STR, &f->str[FL_FORMAT] };
    for (size_t i = 0; i < NUM_FLAGS; i++) {
        if (g_flags[i].subs & (1u << s)) {
            out[n++] = (struct ward_cli_flag){ g_flags[i].name, g_flags[i].type,
                                               g_flags[i].type == WARD_CLI_FLAG_BOOL
                                                   ? (void *)&f->on[g_flags[i].id]
                                                   : (void *)&f->str[g_flags[i].id] };
        }
    }
    return n;
}

static bool one_of(const char *s, const char *const *list)
{
    for (; s != NULL && *list != NULL; list++) {
        if (strcmp(s, *list) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * split_format: -format is table|json for every command; for encrypt and
 * datakey it may also name the ciphertext format, for random and hash the
 * encoding: the short forms of those flags.
 */
static void split_format(struct ward_cli_cmd *cmd, struct tflags *f, enum sub s)
{
    static const char *const ct_formats[] = { "managed", "vault", "raw", NULL };
    static const char *const encodings[] = { "hex", "base64", NULL };

    if ((s == SUB_ENCRYPT || s == SUB_DATAKEY) && one_of(f->str[FL_FORMAT], ct_formats)) {
        f->str[FL_CT_FORMAT] = f->str[FL_FORMAT];
    } else if ((s == SUB_RANDOM || s == SUB_HASH) && one_of(f->str[FL_FORMAT], encodings)) {
        f->str[FL_ENCODING] = f->str[FL_FORMAT];
    } else {
        cmd->common.format = f->str[FL_FORMAT];
    }
}

/* digits is true for 1..9 decimal digits (a version, a size). */
static bool digits(const char *s)
{
    size_t n = strspn(s, "0123456789");

    return n > 0 && n <= 9 && s[n] == '\0';
}

static json_t *list_json(const char *csv)
{
    json_t *a = json_array();
    const char *p = csv;

    while (a != NULL && *p != '\0') {
        size_t n = strcspn(p, ",");

        (void)json_array_append_new(a, json_stringn(p, n));
        p += p[n] == ',' ? n + 1 : n;
    }
    return a;
}

/* flag_json is flag d's value as its request field; NULL with *why when malformed. */
static json_t *flag_json(const struct tflag *d, const struct tflags *f, const char **why)
{
    const char *v = f->str[d->id];

    *why = NULL;
    switch (d->kind) {
    case J_TRUE:
        return json_true();
    case J_INT:
        *why = digits(v) ? NULL : "a number";
        return *why == NULL ? json_integer(strtol(v, NULL, 10)) : NULL;
    case J_BOOL:
        *why = one_of(v, (const char *const[]){ "true", "false", NULL }) ? NULL : "true or false";
        return *why == NULL ? json_boolean(strcmp(v, "true") == 0) : NULL;
    case J_LIST:
        return list_json(v);
    default:
        return json_string(v);
    }
}

static bool flag_given(const struct tflag *d, const struct tflags *f)
{
    return d->type == WARD_CLI_FLAG_BOOL ? f->on[d->id] : f->str[d->id] != NULL;
}

/* make_body puts every given flag of s that has a request field into *out. */
static bool make_body(json_t **out, const struct tflags *f, enum sub s, char *why, size_t why_cap)
{
    json_t *body = json_object();

    (void)snprintf(why, why_cap, "out of memory");
    for (size_t i = 0; i < NUM_FLAGS && body != NULL; i++) {
        const struct tflag *d = &g_flags[i];
        const char *bad = NULL;

        if (!(d->subs & (1u << s)) || d->kind == J_NONE || !flag_given(d, f)) {
            continue;
        }
        if (json_object_set_new(body, d->json, flag_json(d, f, &bad)) != 0) {
            (void)snprintf(why, why_cap, "-%s must be %s", d->name, bad ? bad : "text");
            json_decref(body);
            return false;
        }
    }
    *out = body;
    return body != NULL;
}

/* name_ok: a key name as the server's routes take it (no escapes there). */
static bool name_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-");

    return n > 0 && n <= 128 && s[n] == '\0' && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* url_middle is what stands between the path and NAME: export's kind, datakey's type. */
static const char *url_middle(enum sub s, const struct tflags *f, const char **why)
{
    static const char *const kinds[] = { "encryption-key", "signing-key", "hmac-key", "public-key",
                                         NULL };
    static const char *const types[] = { "plaintext", "wrapped", NULL };

    *why = NULL;
    if (s == SUB_EXPORT) {
        *why = one_of(f->str[FL_KIND], kinds)
                   ? NULL
                   : "-kind must be encryption-key, signing-key, hmac-key or "
                     "public-key";
        return f->str[FL_KIND];
    }
    if (s == SUB_DATAKEY) {
        *why = one_of(f->str[FL_TYPE], types) ? NULL : "-type must be plaintext or wrapped";
        return f->str[FL_TYPE];
    }
    return NULL;
}

/* make_url: /v1/transit/PATH[/MIDDLE][/NAME][/SUFFIX]; NULL or a reason it cannot be made. */
static const char *make_url(char *out, enum sub s, const struct tflags *f, const char *name)
{
    const struct sub_info *i = &g_subs[s];
    const char *why = NULL;
    const char *mid = url_middle(s, f, &why);
    const char *suffix = NULL;

    if (why != NULL) {
        return why;
    }
    if (s == SUB_CONFIG || s == SUB_ROTATE || s == SUB_TRIM || s == SUB_STATE) {
        suffix = i->name;
    } else if (s == SUB_IMPORT) {
        suffix = f->on[FL_NEW_VERSION] ? "import_version" : "import";
    } else if (s == SUB_EXPORT && f->str[FL_VERSION] != NULL) {
        suffix = f->str[FL_VERSION];
        if (strcmp(suffix, "latest") != 0 && !digits(suffix)) {
            return "-version must be a number or latest";
        }
    }
    (void)snprintf(out, URL_MAX, "/v1/transit/%s%s%s%s%s%s%s", i->path, mid ? "/" : "",
                   mid ? mid : "", name ? "/" : "", name ? name : "", suffix ? "/" : "",
                   suffix ? suffix : "");
    return NULL;
}

/* check_name checks NAME against what s takes. */
static const char *check_name(const struct ward_cli_cmd *cmd, enum sub s)
{
    char arg = g_subs[s].arg;
    const char *name = cmd->parse.num_args > 0 ? cmd->parse.args[0] : NULL;

    if (cmd->parse.num_args > 1) {
        return "too many arguments (flags go before NAME)";
    }
    if (arg == 'R' && name == NULL) {
        return "NAME is required";
    }
    if (arg == 'N' && name != NULL) {
        return "this subcommand takes no NAME";
    }
    return name == NULL || name_ok(name) ? NULL : "a key name is 1 to 128 of A-Z a-z 0-9 _ . @ -";
}

/* check_flags checks the flags s cannot do without, or not together. */
static const char *check_flags(enum sub s, const struct tflags *f, bool has_name)
{
    const char *const *v = f->str;

    if (s == SUB_TRIM && v[FL_MIN_AVAIL] == NULL) {
        return "-min-available-version=N is required";
    }
    if (s == SUB_STATE && v[FL_STATE] == NULL) {
        return "-state=S is required";
    }
    if (s == SUB_VERIFY && (v[FL_SIGNATURE] == NULL) == (v[FL_HMAC] == NULL)) {
        return "give one of -signature or -hmac";
    }
    if (v[FL_KEY_VERSION] != NULL && !digits(v[FL_KEY_VERSION])) {
        return "-key-version must be a number";
    }
    return s == SUB_DECRYPT && f->on[FL_MANAGED] && has_name ? "-managed decrypts without a NAME"
                                                             : NULL;
}

/*
 * get_input reads s's input (stdin or -file) into in, NUL-terminated: raw
 * bytes, or text without its trailing white space. Returns
 * WARD_CLI_CONTINUE or an exit code; the message names no input byte.
 */
static int get_input(struct ward_cli_cmd *cmd, struct ward_buf *in, enum sub s, const char *file)
{
    ward_err err = ward_cli_read_all(in, cmd->ctx->in_fd, file);

    if (err == WARD_OK && g_subs[s].input == IN_TEXT) {
        while (in->len > 0 && strchr(" \t\r\n", in->data[in->len - 1]) != NULL) {
            in->len--;
        }
    }
    if (err == WARD_OK) {
        err = ward_buf_terminate(in);
    }
    if (err != WARD_OK) {
        (void)fprintf(cmd->ctx->err, "Error: cannot read the input from %s: %s (code: %s)\n",
                      file != NULL ? "-file" : "stdin",
                      err == WARD_E_TOO_LARGE ? "larger than 12 MiB" : ward_err_str(err),
                      ward_err_name(err));
        return WARD_CLI_EXIT_ERROR;
    }
    return WARD_CLI_CONTINUE;
}

/* input_json is the read input as its request field's value. */
static json_t *input_json(enum sub s, const struct ward_buf *in)
{
    size_t n = ward_base64_encoded_len(in->len);
    char *text = NULL;
    json_t *j = NULL;

    if (g_subs[s].input == IN_TEXT) {
        return json_stringn(in->len > 0 ? (const char *)in->data : "", in->len);
    }
    if ((text = ward_alloc(n + 1)) != NULL &&
        ward_base64_encode(text, n + 1, in->len > 0 ? in->data : NULL, in->len) == WARD_OK) {
        j = json_stringn(text, n);
    }
    ward_free_wipe(text, n + 1);
    return j;
}

/* print_field prints data's string member name bare, with one final newline. */
static int print_field(FILE *f, const json_t *data, const char *name)
{
    const char *v = json_string_value(json_object_get(data, name));
    size_t n = v != NULL ? strlen(v) : 0;

    if (v == NULL) {
        return -1;
    }
    return fprintf(f, "%s%s", v, n > 0 && v[n - 1] == '\n' ? "" : "\n") < 0 ? -1 : 0;
}

/* print_answer prints the table-format output of s from the answer's data. */
static int print_answer(struct ward_cli_cmd *cmd, enum sub s, const json_t *data)
{
    const struct sub_info *i = &g_subs[s];
    FILE *out = cmd->ctx->out;

    switch (i->out) {
    case OUT_DONE:
        return fprintf(out, "Success! Key %s.\n", s == SUB_DELETE ? "deleted" : "restored") < 0 ? -1
                                                                                                : 0;
    case OUT_LIST:
        return ward_cli_print_keys(out, data);
    case OUT_FIELD:
        return print_field(out, data, i->out_field);
    default:
        data = i->out_field != NULL ? json_object_get(data, i->out_field) : data;
        return json_is_object(data) ? ward_cli_print_object(out, data) : -1;
    }
}

/* show prints the answer in resp; verify's exit code says whether it was valid. */
static int show(struct ward_cli_cmd *cmd, enum sub s, const struct ward_client_resp *resp)
{
    json_t *root = resp->body_len > 0 ? json_loads(resp->body, 0, NULL) : NULL;
    const json_t *data = json_object_get(root, "data");
    int rc = WARD_CLI_EXIT_OK;

    if (cmd->json) {
        rc = resp->body_len > 0 ? ward_cli_print_json(cmd) : WARD_CLI_EXIT_OK;
    } else if (print_answer(cmd, s, data) != 0) {
        (void)fprintf(cmd->ctx->err, "Error: unexpected response from the server (code: %s)\n",
                      ward_err_name(WARD_E_BAD_ENCODING));
        rc = WARD_CLI_EXIT_ERROR;
    }
    if (rc == WARD_CLI_EXIT_OK && s == SUB_VERIFY &&
        !json_is_true(json_object_get(data, "valid"))) {
        rc = WARD_CLI_EXIT_USAGE; /* as `ward status` when sealed: a well-formed "no" */
    }
    json_decref(root);
    return rc;
}

/* request runs every subcommand but encrypt and decrypt: one JSON call. */
static int request(struct ward_cli_cmd *cmd, enum sub s, const struct tflags *f, const char *name)
{
    const struct sub_info *i = &g_subs[s];
    struct ward_client_resp resp = { 0 };
    char url[URL_MAX];
    char why[96];
    const char *bad;
    json_t *body = NULL;
    struct ward_buf in;
    ward_err err;
    int rc = WARD_CLI_CONTINUE;

    ward_buf_init(&in, INPUT_MAX);
    if ((bad = make_url(url, s, f, name)) != NULL || !make_body(&body, f, s, why, sizeof(why))) {
        rc = ward_cli_usage_error(cmd, bad != NULL ? bad : why);
        goto out;
    }
    if (i->input != IN_NONE && !(s == SUB_REWRAP && f->str[FL_CIPHERTEXT] != NULL)) {
        if ((rc = get_input(cmd, &in, s, f->str[FL_FILE])) != WARD_CLI_CONTINUE) {
            goto out;
        }
        if (json_object_set_new(body, i->in_field, input_json(s, &in)) != 0) {
            rc = ward_cli_usage_error(cmd, "the input is not UTF-8 text");
            goto out;
        }
    }
    err = ward_cli_request_json(cmd, &resp, i->method, url,
                                strcmp(i->method, "POST") == 0 ? body : NULL);
    rc = err == WARD_OK ? show(cmd, s, &resp) : ward_cli_cmd_fail(cmd, err);
out:
    ward_client_resp_cleanup(&resp);
    json_decref(body);
    ward_buf_cleanup(&in);
    return rc;
}

/* print_result prints encrypt's ciphertext, or decrypt's raw plaintext bytes. */
static int print_result(FILE *out, const struct ward_client_transit_result *r, bool enc)
{
    if (enc) {
        return fprintf(out, "%s\n", r->ciphertext) < 0 ? WARD_CLI_EXIT_ERROR : WARD_CLI_EXIT_OK;
    }
    return fwrite(r->plaintext, 1, r->plaintext_len, out) == r->plaintext_len ? WARD_CLI_EXIT_OK
                                                                              : WARD_CLI_EXIT_ERROR;
}

/*
 * data_call runs encrypt, and decrypt (the named key's, or Ward's when name
 * is NULL), through libward's typed calls, which keep the plaintext off
 * jansson.
 */
static int data_call(struct ward_cli_cmd *cmd, enum sub s, const struct tflags *f, const char *name)
{
    struct ward_client_transit_req req = { .key_name = name,
                                           .context = f->str[FL_CONTEXT],
                                           .format = f->str[FL_CT_FORMAT] };
    struct ward_client_transit_result res = { 0 };
    bool enc = s == SUB_ENCRYPT;
    struct ward_buf in;
    ward_err err;
    int rc = WARD_CLI_CONTINUE;

    ward_buf_init(&in, INPUT_MAX);
    if (enc || f->str[FL_CIPHERTEXT] == NULL) {
        rc = get_input(cmd, &in, s, f->str[FL_FILE]);
    }
    if (rc == WARD_CLI_CONTINUE) {
        req.key_version = f->str[FL_KEY_VERSION] != NULL
                              ? (uint32_t)strtoul(f->str[FL_KEY_VERSION], NULL, 10)
                              : 0;
        req.plaintext = in.data;
        req.plaintext_len = in.len;
        req.ciphertext =
            f->str[FL_CIPHERTEXT] != NULL ? f->str[FL_CIPHERTEXT] : (const char *)in.data;
        err = enc ? ward_client_transit_encrypt(cmd->client, &res, &req)
                  : ward_client_transit_decrypt(cmd->client, &res, &req);
        rc = err != WARD_OK ? ward_cli_cmd_fail(cmd, err)
             : cmd->json    ? ward_cli_print_json(cmd)
                            : print_result(cmd->ctx->out, &res, enc);
    }
    ward_client_transit_result_cleanup(&res);
    ward_buf_cleanup(&in);
    return rc;
}

static int find_sub(const char *name)
{
    for (int i = 0; i < NUM_SUBS; i++) {
        if (strcmp(g_subs[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

int ward_cli_transit(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx };
    struct ward_cli_flag flags[3 + NUM_FLAGS];
    struct tflags f = { 0 };
    char usage[USAGE_MAX];
    const char *why;
    const char *name;
    int s;
    int rc;

    if (argc < 2 || ward_cli_is_help(argv[1])) {
        return top_usage(argc < 2 ? ctx->err : ctx->out,
                         argc < 2 ? WARD_CLI_EXIT_USAGE : WARD_CLI_EXIT_OK);
    }
    if ((s = find_sub(argv[1])) < 0) {
        (void)fputs("Error: unknown transit subcommand\n\n", ctx->err);
        return top_usage(ctx->err, WARD_CLI_EXIT_USAGE);
    }
    argc--; /* argv[0] becomes the subcommand */
    argv++;
    make_usage(usage, sizeof(usage), (enum sub)s);
    cmd.usage = usage;
    cmd.parse.flags = flags;
    cmd.parse.num_flags = make_flags(flags, &f, &cmd.common, (enum sub)s);
    /* flags first, then NAME: begin sees the flags only */
    if (ward_cli_parse_flags(&cmd.parse, argc, argv) != WARD_OK) {
        return ward_cli_usage_error(&cmd, cmd.parse.error);
    }
    split_format(&cmd, &f, (enum sub)s);
    if ((rc = ward_cli_cmd_begin(&cmd, argc - cmd.parse.num_args, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if (ward_cli_parse_flags(&cmd.parse, argc, argv) != WARD_OK) {
        return ward_cli_cmd_end(&cmd, ward_cli_usage_error(&cmd, cmd.parse.error));
    }
    why = check_name(&cmd, (enum sub)s);
    if (why == NULL) {
        why = check_flags((enum sub)s, &f, cmd.parse.num_args > 0);
    }
    if (why != NULL) {
        return ward_cli_cmd_end(&cmd, ward_cli_usage_error(&cmd, why));
    }
    name = cmd.parse.num_args > 0 ? cmd.parse.args[0] : NULL;
    rc = g_subs[s].out == OUT_OWN ? data_call(&cmd, (enum sub)s, &f, name)
                                  : request(&cmd, (enum sub)s, &f, name);
    return ward_cli_cmd_end(&cmd, rc);
}
