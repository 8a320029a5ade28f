/* sessionscope._speedups: the byte scans a cold list makes over every transcript, in C.
 *
 * utf8_valid(data, start=0, end=len)    True if data[start:end] is UTF-8 that Python's strict
 *                                       decoder accepts (no overlong form, no surrogate,
 *                                       nothing past U+10FFFF, no cut sequence).
 * object_lines(data, end=len)           How many lines data[:end] holds (each ending with a
 *                                       newline) if every one starts with "{" and ends with
 *                                       "}", else -1: the shape check of a buffer of JSON lines.
 * find(data, needle, start=0, end=len)  bytes.find, for the short needles the list's head and
 *                                       tail scans look for.
 * rfind(data, needle, start=0, end=len) bytes.rfind, likewise.
 *
 * Each gives exactly what its pure-Python equivalent in sessionscope/transcripts/scan.py gives
 * (used when this module is not built; tests/transcripts/test_scan.py compares the two on
 * hostile bytes). None keeps a reference to its arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr */
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Python's slice bounds: negative counts from the end, then clamped to [0, length]. */
static void
clamp(Py_ssize_t length, Py_ssize_t *start, Py_ssize_t *end)
{
    if (*end > length)
        *end = length;
    else if (*end < 0) {
        *end += length;
        if (*end < 0)
            *end = 0;
    }
    if (*start < 0) {
        *start += length;
        if (*start < 0)
            *start = 0;
    }
}

/* --- UTF-8 ------------------------------------------------------------------------------ */

static const unsigned char *
skip_ascii(const unsigned char *p, const unsigned char *end)
{
    /* Eight bytes at a time while none has its high bit set. */
    while (end - p >= 32) {
        uint64_t a, b, c, d;
        memcpy(&a, p, 8);
        memcpy(&b, p + 8, 8);
        memcpy(&c, p + 16, 8);
        memcpy(&d, p + 24, 8);
        if ((a | b | c | d) & UINT64_C(0x8080808080808080))
            break;
        p += 32;
    }
    while (end - p >= 8) {
        uint64_t a;
        memcpy(&a, p, 8);
        if (a & UINT64_C(0x8080808080808080))
            break;
        p += 8;
    }
    while (p < end && *p < 0x80)
        p++;
    return p;
}

/* The well-formed byte sequences of the Unicode standard (its table 3-7), which is what
 * CPython's strict UTF-8 decoder accepts. */
static int
utf8_ok(const unsigned char *p, const unsigned char *end)
{
    while (p < end) {
        p = skip_ascii(p, end);
        if (p >= end)
            break;
        unsigned char c = *p;
        if (c < 0xC2)
            return 0; /* a continuation byte first, or an overlong two-byte form */
        if (c < 0xE0) {
            if (end - p < 2 || (p[1] & 0xC0) != 0x80)
                return 0;
            p += 2;
            continue;
        }
        if (c < 0xF0) {
            if (end - p < 3)
                return 0;
            unsigned char c1 = p[1];
            if (c == 0xE0 ? (c1 < 0xA0 || c1 > 0xBF)
                          : c == 0xED ? (c1 < 0x80 || c1 > 0x9F) : (c1 & 0xC0) != 0x80)
                return 0;
            if ((p[2] & 0xC0) != 0x80)
                return 0;
            p += 3;
            continue;
        }
        if (c < 0xF5) {
            if (end - p < 4)
                return 0;
            unsigned char c1 = p[1];
            if (c == 0xF0 ? (c1 < 0x90 || c1 > 0xBF)
                          : c == 0xF4 ? (c1 < 0x80 || c1 > 0x8F) : (c1 & 0xC0) != 0x80)
                return 0;
            if ((p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
                return 0;
            p += 4;
            continue;
        }
        return 0;
    }
    return 1;
}

static PyObject *
utf8_valid(PyObject *self, PyObject *args)
{
    Py_buffer data;
    Py_ssize_t start = 0, end = PY_SSIZE_T_MAX;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*|nn:utf8_valid", &data, &start, &end))
        return NULL;
    clamp(data.len, &start, &end);
    int ok = start >= end || utf8_ok((const unsigned char *)data.buf + start,
                                     (const unsigned char *)data.buf + end);
    PyBuffer_Release(&data);
    return PyBool_FromLong(ok);
}

/* --- lines that are objects ----------------------------------------------------------- */

static PyObject *
object_lines(PyObject *self, PyObject *args)
{
    Py_buffer data;
    Py_ssize_t start = 0, end = PY_SSIZE_T_MAX;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*|n:object_lines", &data, &end))
        return NULL;
    clamp(data.len, &start, &end);
    const unsigned char *p = data.buf, *stop = (const unsigned char *)data.buf + end;
    Py_ssize_t lines = 0;
    while (p < stop) {
        const unsigned char *newline = memchr(p, '\n', (size_t)(stop - p));
        if (!newline || newline - p < 2 || p[0] != '{' || newline[-1] != '}') {
            lines = -1;
            break;
        }
        lines++;
        p = newline + 1;
    }
    PyBuffer_Release(&data);
    return PyLong_FromSsize_t(lines);
}

/* --- find and rfind ----------------------------------------------------------------------- */

/* How often each byte turns up in real transcripts, on a log scale (255: the space, the most
 * frequent; 0: never seen), counted over a corpus of public Claude Code sessions. The search
 * looks for the needle's two rarest bytes first. Only the speed depends on it. */
static const unsigned char RANK[256] = {
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 100,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    255, 131, 234, 106,  82, 128, 104, 113, 179, 179, 138, 148, 206, 200, 197, 207,
    190, 193, 189, 181, 184, 181, 178, 177, 177, 176, 208, 101,  79, 172, 102,  62,
     81, 164, 156, 176, 166, 165, 162, 146, 149, 171, 136, 135, 152, 149, 156, 145,
    157, 133, 159, 176, 175, 162, 137, 151, 136, 135, 141, 135, 238, 135,   1, 180,
    143, 234, 189, 222, 217, 253, 205, 205, 207, 238, 145, 189, 219, 212, 246, 235,
    212, 149, 237, 238, 254, 211, 175, 181, 170, 181, 140, 170, 107, 170,  30,   0,
     82,   1,  45,   1,   1,   1, 160,   1,   1,   1,   1,   1,   1,   1,   1,   1,
      1,   1, 160,   4,  93,   1,   1,   1,   1,   1,   1,   1,  39,   1,   1,   1,
      1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
      1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
      0,   0,   1,   1,   0,   1,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0, 163,   1,   1,   1,   1,   1,   1,   1,   0,   0,   0,   0,   0,   1,
      1,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
};

static void
pick_pair(const unsigned char *needle, Py_ssize_t m, Py_ssize_t *first, Py_ssize_t *second)
{
    /* The places of the needle's rarest byte and of its next rarest other one (m >= 2). */
    Py_ssize_t a = 0;
    for (Py_ssize_t i = 1; i < m; i++)
        if (RANK[needle[i]] < RANK[needle[a]])
            a = i;
    Py_ssize_t b = a == 0 ? 1 : 0;
    for (Py_ssize_t i = 0; i < m; i++)
        if (i != a && RANK[needle[i]] < RANK[needle[b]])
            b = i;
    *first = a;
    *second = b;
}

static inline int
at_place(const unsigned char *h, Py_ssize_t place, const unsigned char *needle, Py_ssize_t m)
{
    return memcmp(h + place, needle, (size_t)m) == 0;
}

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__))
#define PAIRS 1
typedef unsigned char v16 __attribute__((vector_size(16)));
typedef signed char v16s __attribute__((vector_size(16)));

static inline uint64_t
pair_hits(const unsigned char *at1, const unsigned char *at2, v16 c1, v16 c2, uint64_t *high)
{
    /* Which of 16 places k have c1 at at1 + k and c2 at at2 + k: a byte 0xFF each, as two
     * words (the first eight places in the low word, the first place in its low byte). */
    v16 x, y;
    memcpy(&x, at1, 16);
    memcpy(&y, at2, 16);
    v16s both = (x == c1) & (y == c2);
    uint64_t low;
    memcpy(&low, &both, 8);
    memcpy(high, (const char *)&both + 8, 8);
    return low;
}
#endif

static Py_ssize_t
find_in(const unsigned char *h, Py_ssize_t n, const unsigned char *needle, Py_ssize_t m)
{
    /* The place of the first needle in h[0:n], or -1. */
    if (m == 0)
        return 0;
    if (m > n)
        return -1;
    if (m == 1) {
        const unsigned char *hit = memchr(h, needle[0], (size_t)n);
        return hit ? hit - h : -1;
    }
    Py_ssize_t i1, i2;
    pick_pair(needle, m, &i1, &i2);
    const unsigned char b1 = needle[i1], b2 = needle[i2];
    const Py_ssize_t last = n - m; /* the last place a needle can start */
    Py_ssize_t place = 0;
#ifdef PAIRS
    const v16 c1 = (v16){0} + b1, c2 = (v16){0} + b2;
    for (; place + 15 <= last; place += 16) {
        uint64_t high, low = pair_hits(h + place + i1, h + place + i2, c1, c2, &high);
        for (int half = 0; half < 2; half++) {
            uint64_t bits = half ? high : low;
            while (bits) {
                int byte = __builtin_ctzll(bits) >> 3;
                Py_ssize_t k = place + half * 8 + byte;
                if (at_place(h, k, needle, m))
                    return k;
                bits &= ~(UINT64_C(0xFF) << (byte * 8));
            }
        }
    }
#endif
    while (place <= last) {
        /* The rarest byte, where it can be part of a needle at `place` or later. */
        const unsigned char *hit = memchr(h + place + i1, b1, (size_t)(last - place + 1));
        if (!hit)
            return -1;
        Py_ssize_t k = (hit - h) - i1;
        if (h[k + i2] == b2 && at_place(h, k, needle, m))
            return k;
        place = k + 1;
    }
    return -1;
}

static Py_ssize_t
rfind_in(const unsigned char *h, Py_ssize_t n, const unsigned char *needle, Py_ssize_t m)
{
    /* The place of the last needle in h[0:n], or -1. */
    if (m == 0)
        return n;
    if (m > n)
        return -1;
    Py_ssize_t i1 = 0, i2 = 0;
    if (m > 1)
        pick_pair(needle, m, &i1, &i2);
    const unsigned char b1 = needle[i1], b2 = needle[i2];
    Py_ssize_t top = n - m; /* the last place still possible */
#ifdef PAIRS
    const v16 c1 = (v16){0} + b1, c2 = (v16){0} + b2;
    for (; top >= 15; top -= 16) {
        Py_ssize_t base = top - 15; /* places base .. top */
        uint64_t high, low = pair_hits(h + base + i1, h + base + i2, c1, c2, &high);
        for (int half = 1; half >= 0; half--) {
            uint64_t bits = half ? high : low;
            while (bits) {
                int byte = (63 - __builtin_clzll(bits)) >> 3;
                Py_ssize_t k = base + half * 8 + byte;
                if (at_place(h, k, needle, m))
                    return k;
                bits &= ~(UINT64_C(0xFF) << (byte * 8));
            }
        }
    }
#endif
    while (top >= 0) {
        const unsigned char *hit = NULL;
#if defined(__GLIBC__)
        hit = memrchr(h + i1, b1, (size_t)(top + 1));
#else
        for (Py_ssize_t k = top; k >= 0; k--) {
            if (h[k + i1] == b1) {
                hit = h + k + i1;
                break;
            }
        }
#endif
        if (!hit)
            return -1;
        Py_ssize_t k = (hit - h) - i1;
        if (h[k + i2] == b2 && at_place(h, k, needle, m))
            return k;
        top = k - 1;
    }
    return -1;
}

static PyObject *
search(PyObject *args, int reverse)
{
    Py_buffer data, needle;
    Py_ssize_t start = 0, end = PY_SSIZE_T_MAX;
    if (!PyArg_ParseTuple(args, reverse ? "y*y*|nn:rfind" : "y*y*|nn:find", &data, &needle,
                          &start, &end))
        return NULL;
    clamp(data.len, &start, &end);
    Py_ssize_t found = -1;
    if (start <= end) {
        const unsigned char *h = (const unsigned char *)data.buf + start;
        found = reverse ? rfind_in(h, end - start, needle.buf, needle.len)
                        : find_in(h, end - start, needle.buf, needle.len);
        if (found >= 0)
            found += start;
    }
    PyBuffer_Release(&needle);
    PyBuffer_Release(&data);
    return PyLong_FromSsize_t(found);
}

static PyObject *
find(PyObject *self, PyObject *args)
{
    (void)self;
    return search(args, 0);
}

static PyObject *
rfind(PyObject *self, PyObject *args)
{
    (void)self;
    return search(args, 1);
}

static PyMethodDef methods[] = {
    {"utf8_valid", utf8_valid, METH_VARARGS,
     "utf8_valid(data, start=0, end=len) -> bool: data[start:end] decodes as strict UTF-8."},
    {"object_lines", object_lines, METH_VARARGS,
     "object_lines(data, end=len) -> int: how many lines (each ending with a newline), if "
     "every one starts with '{' and ends with '}', else -1."},
    {"find", find, METH_VARARGS, "find(data, needle, start=0, end=len) -> int: as bytes.find."},
    {"rfind", rfind, METH_VARARGS,
     "rfind(data, needle, start=0, end=len) -> int: as bytes.rfind."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "sessionscope._speedups",
    "Byte scans of the cold list in C (see sessionscope/transcripts/scan.py).",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
