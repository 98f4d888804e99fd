/* The compiled gram kernel: one text's n-grams cut, counted, looked up and scored for
 * every registered TF-IDF block in one call (see ``trustwatch.ml.features.GramIndex``).
 *
 * It computes exactly what the numpy path computes, in the same order, so the two give
 * bit-identical scores:
 *   - character grams: every window of ``lo..hi`` characters packed into one integer
 *     (``bits`` per character id, a length bit above them), looked up in the kernel's
 *     own table of the index's grams, and summed as numpy's ``_Table.find`` finds them:
 *     bucket hits by code, then stash hits by code (a rank per gram says which first);
 *   - word grams: the tokens of ``\w+|[^\w\s]`` (as ``re`` reads \w and \s), their
 *     bigrams, then the extra grams given, looked up (by their code points, no str made)
 *     in a snapshot of the index's vocabulary, summed in the order they first occur (as
 *     ``Counter`` keeps them);
 *   - scores: per block, sequential sums (``cumsum``) of tf^2 * idf^2 and tf * idf *
 *     weight over the found grams, then dot / max(sqrt(sq), 1e-300).
 * A call returns None where the numpy path would read tf from ``1 + log`` rather than the
 * table (more grams than the table holds) or where an id is past the matrix (a model being
 * loaded concurrently): the caller then takes the numpy path.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MULT ((uint64_t)0x9E3779B97F4A7C15ULL)
#define TINY 1e-300
#define STACK_BYTES 32768
#define MAX_BLOCKS 64
/* Raised with every change of the Python-facing signatures: features.py ignores a build
 * of another version (an editable install not rebuilt since a pull). */
#define KERNEL_VERSION 4

/* ---- shared: buffers and scoring ---------------------------------------------------- */

static int
get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return -1;
    }
    if (view->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: items of %zd bytes expected, got %zd", what,
                     itemsize, view->itemsize);
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

static void
release(Py_buffer *view)
{
    if (view->obj != NULL) {
        PyBuffer_Release(view);
        view->obj = NULL;
    }
}

/* Every block's score for found grams ``ids`` with counts ``counts`` (in summation order). */
static PyObject *
block_scores(const double *matrix, Py_ssize_t nblocks, const double *tf_table,
             const int32_t *ids, const int32_t *counts, Py_ssize_t m)
{
    double sq[MAX_BLOCKS], dot[MAX_BLOCKS];
    PyObject *out = PyTuple_New(nblocks);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t b = 0; b < nblocks; b++) {
        /* -0.0 + x == x for every x: the sum starts at the first product, as cumsum does. */
        sq[b] = -0.0;
        dot[b] = -0.0;
    }
    const Py_ssize_t width = 2 * nblocks;
    for (Py_ssize_t j = 0; j < m; j++) {
        const double *row = matrix + (Py_ssize_t)ids[j] * width;
        const double tf = tf_table[counts[j] - 1];
        const double tf2 = tf * tf;
        for (Py_ssize_t b = 0; b < nblocks; b++) {
            sq[b] += tf2 * row[b];
            dot[b] += tf * row[nblocks + b];
        }
    }
    for (Py_ssize_t b = 0; b < nblocks; b++) {
        double score = 0.0;
        if (m > 0) {
            double norm = sqrt(sq[b]);
            score = dot[b] / (norm > TINY ? norm : TINY);
        }
        PyObject *value = PyFloat_FromDouble(score);
        if (value == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, b, value);
    }
    return out;
}

/* (ids, counts) as two lists, for tests. */
static PyObject *
as_lists(const int32_t *ids, const int32_t *counts, Py_ssize_t m)
{
    PyObject *a = PyList_New(m), *c = PyList_New(m);
    if (a == NULL || c == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(c);
        return NULL;
    }
    for (Py_ssize_t j = 0; j < m; j++) {
        PyList_SET_ITEM(a, j, PyLong_FromLong(ids[j]));
        PyList_SET_ITEM(c, j, PyLong_FromLong(counts[j]));
    }
    return Py_BuildValue("(NN)", a, c);
}

/* ---- character grams ---------------------------------------------------------------- */

/* A gram in the kernel's table: its packed code (0: an empty slot), and its rank << 32
 * | its id. */
typedef struct {
    uint64_t code, slot;
} Gram;

typedef struct {
    PyObject_HEAD
    Py_buffer amap, matrix, tf;
    Gram *table; /* open addressing, linear probing, at most half full */
    Py_ssize_t mask, rows, nblocks, ntf;
    int lo, hi, bits, key_bits;
    unsigned shift;
} CharScorer;

static void
CharScorer_dealloc(CharScorer *self)
{
    PyMem_Free(self->table);
    release(&self->amap);
    release(&self->matrix);
    release(&self->tf);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
CharScorer_init(CharScorer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"amap", "lo", "hi", "bits", "codes", "slots",
                             "matrix", "blocks", "tf", NULL};
    PyObject *amap, *codes_obj, *slots_obj, *matrix, *tf;
    Py_ssize_t nblocks;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OiiiOOOnO", kwlist, &amap, &self->lo,
                                     &self->hi, &self->bits, &codes_obj, &slots_obj, &matrix,
                                     &nblocks, &tf)) {
        return -1;
    }
    if (self->lo < 1 || self->hi < self->lo || self->bits < 1 ||
        self->hi * self->bits > 60 || nblocks < 0 || nblocks > MAX_BLOCKS ||
        self->table != NULL) {
        PyErr_SetString(PyExc_ValueError, "CharScorer: parameters out of range");
        return -1;
    }
    self->nblocks = nblocks;
    Py_buffer codes, slots;
    codes.obj = slots.obj = NULL;
    if (get_buffer(amap, &self->amap, 2, "amap") < 0 ||
        get_buffer(matrix, &self->matrix, 8, "matrix") < 0 ||
        get_buffer(tf, &self->tf, 8, "tf") < 0 ||
        get_buffer(codes_obj, &codes, 8, "codes") < 0 ||
        get_buffer(slots_obj, &slots, 8, "slots") < 0) {
        release(&codes);
        return -1;
    }
    const Py_ssize_t n = codes.len / 8;
    self->ntf = self->tf.len / 8;
    self->rows = nblocks ? self->matrix.len / 8 / (2 * nblocks) : 0;
    int fail = self->amap.len / 2 < 0x110000 || slots.len / 8 != n;
    Py_ssize_t size = 16;
    unsigned bits = 4;
    while (size < 2 * n) {
        size <<= 1;
        bits++;
    }
    if (!fail) {
        self->table = PyMem_Calloc((size_t)size, sizeof(Gram));
        fail = self->table == NULL;
    }
    self->mask = size - 1;
    self->shift = 64 - bits;
    uint64_t most = 0;
    const uint64_t *code = (const uint64_t *)codes.buf, *slot = (const uint64_t *)slots.buf;
    for (Py_ssize_t i = 0; i < n && !fail; i++) {
        if (code[i] == 0) {
            fail = 1;
            break;
        }
        Py_ssize_t at = (Py_ssize_t)((code[i] * MULT) >> self->shift);
        while (self->table[at].code != 0) {
            at = (at + 1) & self->mask;
        }
        self->table[at].code = code[i];
        self->table[at].slot = slot[i];
        most = (slot[i] >> 32) > most ? slot[i] >> 32 : most;
    }
    release(&codes);
    release(&slots);
    if (fail) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "CharScorer: arrays of inconsistent sizes");
        }
        return -1;
    }
    /* How many bits the ranks take: the sort's buckets split that range. */
    self->key_bits = 1;
    while (self->key_bits < 32 && (most >> self->key_bits)) {
        self->key_bits++;
    }
    return 0;
}

/* A found gram: its rank (its code's place among the table's, stash hits after every
 * bucket hit) and id. */
typedef struct {
    uint32_t key;
    int32_t id;
} Hit;

static void
insertion_sort(Hit *a, Py_ssize_t n)
{
    for (Py_ssize_t i = 1; i < n; i++) {
        Hit v = a[i];
        Py_ssize_t j = i;
        while (j > 0 && a[j - 1].key > v.key) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* Sorts hits by key (below 2 ** key_bits); the result is in ``a`` or ``tmp``, returned.
 * A text's found grams spread over the ranks (see ``_ranked_slots``), so one pass into
 * twice as many buckets as hits leaves one or two per bucket, which an insertion sort
 * then puts in order. */
static Hit *
sort_hits(Hit *a, Hit *tmp, Py_ssize_t n, int key_bits)
{
    if (n <= 16) {
        insertion_sort(a, n);
        return a;
    }
    int bucket_bits = 5;
    while (bucket_bits < 12 && ((Py_ssize_t)1 << bucket_bits) < 2 * n) {
        bucket_bits++;
    }
    const int shift = key_bits > bucket_bits ? key_bits - bucket_bits : 0;
    uint32_t starts[(1 << 12) + 1];
    const Py_ssize_t nb = (Py_ssize_t)1 << bucket_bits;
    memset(starts, 0, (size_t)(nb + 1) * sizeof(uint32_t));
    for (Py_ssize_t i = 0; i < n; i++) {
        starts[(a[i].key >> shift) + 1]++;
    }
    for (Py_ssize_t b = 1; b <= nb; b++) {
        starts[b] += starts[b - 1];
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        tmp[starts[a[i].key >> shift]++] = a[i];
    }
    insertion_sort(tmp, n); /* each hit moves within its bucket only */
    return tmp;
}

/* Scratch for one text of ``n`` characters and up to ``room`` windows. */
typedef struct {
    uint16_t *cids;   /* the characters' ids */
    uint64_t *codes;  /* every window's packed gram, repeats included */
    Hit *hits, *hits_tmp;
    int32_t *ids;     /* found grams' ids, in summation order */
    int32_t *counts;  /* and their counts */
} Scratch;

/* The text's found grams (ids and counts) in the numpy path's order: those found in
 * their bucket by code, then those found in the stash by code. Every window is looked
 * up, repeats too (a short text has few); sorting the hits by rank puts a gram's repeats
 * side by side, where they are counted. Returns how many, -1 on error (set), -2 where
 * the caller must take the numpy path. */
static Py_ssize_t
char_found(CharScorer *self, PyObject *text, Scratch *w)
{
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const uint16_t *amap = (const uint16_t *)self->amap.buf;
    uint16_t *cids = w->cids;
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *chars = (const Py_UCS1 *)data;
        for (Py_ssize_t i = 0; i < n; i++) {
            cids[i] = amap[chars[i]];
        }
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *chars = (const Py_UCS2 *)data;
        for (Py_ssize_t i = 0; i < n; i++) {
            cids[i] = amap[chars[i]];
        }
    } else {
        const Py_UCS4 *chars = (const Py_UCS4 *)data;
        for (Py_ssize_t i = 0; i < n; i++) {
            cids[i] = amap[chars[i]];
        }
    }
    const Gram *table = self->table;
    const unsigned shift = self->shift;
    const Py_ssize_t mask = self->mask;
    const int lo = self->lo, hi = self->hi, bits = self->bits;
    uint64_t *codes = w->codes;
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t code = 0;
        for (int k = 1; k <= hi && i + k <= n; k++) {
            const uint64_t cid = cids[i + k - 1];
            if (cid == 0) {
                break; /* no gram holds this character, nor any longer window over it */
            }
            code = (code << bits) | cid;
            if (k >= lo) {
                const uint64_t packed = code | ((uint64_t)1 << (bits * k));
                __builtin_prefetch(table + ((packed * MULT) >> shift));
                codes[m++] = packed;
            }
        }
    }
    const double *matrix = (const double *)self->matrix.buf;
    const Py_ssize_t width = 2 * self->nblocks;
    Hit *hits = w->hits;
    Py_ssize_t found = 0;
    for (Py_ssize_t j = 0; j < m; j++) {
        const uint64_t code = codes[j];
        Py_ssize_t at = (Py_ssize_t)((code * MULT) >> shift);
        while (table[at].code != code && table[at].code != 0) {
            at = (at + 1) & mask;
        }
        if (table[at].code == 0) {
            continue;
        }
        const uint64_t slot = table[at].slot;
        const int32_t id = (int32_t)(uint32_t)slot;
        if (id < 0 || id >= self->rows) {
            return -2;
        }
        /* The row the scores will read, fetched while the hits are sorted. */
        const double *row = matrix + (Py_ssize_t)id * width;
        __builtin_prefetch(row);
        __builtin_prefetch(row + width - 1);
        hits[found].key = (uint32_t)(slot >> 32);
        hits[found].id = id;
        found++;
    }
    const Hit *sorted = sort_hits(hits, w->hits_tmp, found, self->key_bits);
    Py_ssize_t d = 0;
    for (Py_ssize_t j = 0; j < found; j++) {
        if (d > 0 && w->ids[d - 1] == sorted[j].id) {
            w->counts[d - 1]++;
        } else {
            w->ids[d] = sorted[j].id;
            w->counts[d] = 1;
            d++;
        }
    }
    for (Py_ssize_t j = 0; j < d; j++) {
        if (w->counts[j] > self->ntf) {
            return -2;
        }
    }
    return d;
}

typedef enum { WANT_SCORES, WANT_FEATURES } Want;

static PyObject *
char_run(CharScorer *self, PyObject *text, Want want)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return NULL;
    }
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const Py_ssize_t room = n * (self->hi - self->lo + 1) + 1;
    /* per window: a code (8), two hits, an id and a count (4 each); per character: 2 */
    const size_t bytes = (size_t)room * (8 + 2 * sizeof(Hit) + 2 * 4) + (size_t)n * 2 + 8;
    char stack[STACK_BYTES];
    char *mem = stack;
    void *heap = NULL;
    if (bytes > sizeof(stack)) {
        heap = PyMem_Malloc(bytes);
        if (heap == NULL) {
            return PyErr_NoMemory();
        }
        mem = (char *)heap;
    }
    Scratch w;
    w.codes = (uint64_t *)mem;
    w.hits = (Hit *)(w.codes + room);
    w.hits_tmp = w.hits + room;
    w.ids = (int32_t *)(w.hits_tmp + room);
    w.counts = w.ids + room;
    w.cids = (uint16_t *)(w.counts + room);
    PyObject *out = NULL;
    Py_ssize_t m = char_found(self, text, &w);
    if (m == -2) {
        out = Py_NewRef(Py_None);
    } else if (m >= 0) {
        out = want == WANT_SCORES
                  ? block_scores((const double *)self->matrix.buf, self->nblocks,
                                 (const double *)self->tf.buf, w.ids, w.counts, m)
                  : as_lists(w.ids, w.counts, m);
    }
    PyMem_Free(heap);
    return out;
}

static PyObject *
CharScorer_scores(CharScorer *self, PyObject *text)
{
    return char_run(self, text, WANT_SCORES);
}

static PyObject *
CharScorer_features(CharScorer *self, PyObject *text)
{
    return char_run(self, text, WANT_FEATURES);
}

static PyMethodDef CharScorer_methods[] = {
    {"scores", (PyCFunction)CharScorer_scores, METH_O,
     "Every block's score for a prepared text (a tuple), or None: take the numpy path."},
    {"features", (PyCFunction)CharScorer_features, METH_O,
     "The found grams' ids and counts, in summation order (lists), or None."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CharScorerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "trustwatch.ml._grams.CharScorer",
    .tp_basicsize = sizeof(CharScorer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Character n-gram scores of one GramIndex snapshot (table and matrix).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)CharScorer_init,
    .tp_dealloc = (destructor)CharScorer_dealloc,
    .tp_methods = CharScorer_methods,
};

/* ---- word grams --------------------------------------------------------------------- */

/* A vocabulary entry: the hash of its gram's code points, its id, and where its length and
 * code points sit in the arena (0: an empty slot). */
typedef struct {
    uint64_t hash;
    uint32_t id, at;
} Entry;

typedef struct {
    PyObject_HEAD
    Entry *table;
    uint32_t *arena; /* per gram: its length, then its code points */
    Py_ssize_t mask;
    Py_buffer matrix, tf;
    Py_ssize_t rows, nblocks, ntf;
} GramScorer;

/* A gram as up to three pieces of str (a bigram: word, " ", word). */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t start, len;
} Piece;

static inline uint64_t
hash_step(uint64_t h, Py_UCS4 ch)
{
    return (h ^ ch) * 0x100000001b3ULL; /* FNV-1a over code points */
}

static uint64_t
hash_pieces(const Piece *pieces, int n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int p = 0; p < n; p++) {
        for (Py_ssize_t i = 0; i < pieces[p].len; i++) {
            h = hash_step(h, PyUnicode_READ(pieces[p].kind, pieces[p].data, pieces[p].start + i));
        }
    }
    h ^= h >> 29;
    h *= MULT;
    return (h ^ (h >> 32)) | 1; /* never 0 */
}

/* The gram's id, -1 when the vocabulary does not hold it. */
static int64_t
vocab_find(const GramScorer *self, const Piece *pieces, int n)
{
    Py_ssize_t len = 0;
    for (int p = 0; p < n; p++) {
        len += pieces[p].len;
    }
    const uint64_t h = hash_pieces(pieces, n);
    for (Py_ssize_t at = (Py_ssize_t)(h >> 20) & self->mask;; at = (at + 1) & self->mask) {
        const Entry *e = &self->table[at];
        if (e->at == 0) {
            return -1;
        }
        if (e->hash != h || self->arena[e->at] != (uint32_t)len) {
            continue;
        }
        const uint32_t *cp = self->arena + e->at + 1;
        int same = 1;
        for (int p = 0; p < n && same; p++) {
            for (Py_ssize_t i = 0; i < pieces[p].len; i++) {
                if (*cp++ != PyUnicode_READ(pieces[p].kind, pieces[p].data, pieces[p].start + i)) {
                    same = 0;
                    break;
                }
            }
        }
        if (same) {
            return e->id;
        }
    }
}

static void
GramScorer_dealloc(GramScorer *self)
{
    PyMem_Free(self->table);
    PyMem_Free(self->arena);
    release(&self->matrix);
    release(&self->tf);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
GramScorer_init(GramScorer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"vocab", "matrix", "blocks", "tf", NULL};
    PyObject *vocab, *matrix, *tf;
    Py_ssize_t nblocks;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OnO", kwlist, &PyDict_Type, &vocab,
                                     &matrix, &nblocks, &tf)) {
        return -1;
    }
    if (nblocks < 0 || nblocks > MAX_BLOCKS || self->table != NULL) {
        PyErr_SetString(PyExc_ValueError, "GramScorer: too many blocks, or made twice");
        return -1;
    }
    if (get_buffer(matrix, &self->matrix, 8, "matrix") < 0 ||
        get_buffer(tf, &self->tf, 8, "tf") < 0) {
        return -1;
    }
    self->nblocks = nblocks;
    self->ntf = self->tf.len / 8;
    self->rows = nblocks ? self->matrix.len / 8 / (2 * nblocks) : 0;
    /* A snapshot of the vocabulary: a later gram comes with a new scorer. */
    Py_ssize_t pos = 0, chars = 1, count = 0;
    PyObject *key, *value;
    while (PyDict_Next(vocab, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyLong_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "GramScorer: vocab maps str to int");
            return -1;
        }
        chars += 1 + PyUnicode_GET_LENGTH(key);
        count++;
    }
    Py_ssize_t size = 16;
    while (size < 2 * count) {
        size <<= 1;
    }
    if (chars >= ((Py_ssize_t)1 << 32)) {
        PyErr_SetString(PyExc_ValueError, "GramScorer: vocabulary too large");
        return -1;
    }
    self->table = PyMem_Calloc((size_t)size, sizeof(Entry));
    self->arena = PyMem_Malloc((size_t)chars * sizeof(uint32_t));
    if (self->table == NULL || self->arena == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->mask = size - 1;
    Py_ssize_t used = 1;
    pos = 0;
    while (PyDict_Next(vocab, &pos, &key, &value)) {
        const Py_ssize_t id = PyLong_AsSsize_t(value);
        if (id < 0 || id > INT32_MAX) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ValueError, "GramScorer: ids must fit 31 bits");
            }
            return -1;
        }
        Piece piece = {PyUnicode_KIND(key), PyUnicode_DATA(key), 0, PyUnicode_GET_LENGTH(key)};
        const uint64_t h = hash_pieces(&piece, 1);
        Py_ssize_t at = (Py_ssize_t)(h >> 20) & self->mask;
        while (self->table[at].at != 0) {
            at = (at + 1) & self->mask;
        }
        self->table[at].hash = h;
        self->table[at].id = (uint32_t)id;
        self->table[at].at = (uint32_t)used;
        self->arena[used++] = (uint32_t)piece.len;
        for (Py_ssize_t i = 0; i < piece.len; i++) {
            self->arena[used++] = PyUnicode_READ(piece.kind, piece.data, i);
        }
    }
    return 0;
}

static inline int
is_word(Py_UCS4 ch)
{
    return Py_UNICODE_ISALNUM(ch) || ch == '_';
}

/* Counts per distinct id, in first-occurrence order. */
typedef struct {
    int32_t *ids, *counts, *table; /* table: open addressing over positions, -1 empty */
    Py_ssize_t n, mask;
} Tally;

static void
tally_add(Tally *t, int32_t id)
{
    Py_ssize_t h = ((uint64_t)(uint32_t)id * MULT) >> 32 & t->mask;
    for (;;) {
        int32_t at = t->table[h];
        if (at < 0) {
            t->table[h] = (int32_t)t->n;
            t->ids[t->n] = id;
            t->counts[t->n] = 1;
            t->n++;
            return;
        }
        if (t->ids[at] == id) {
            t->counts[at]++;
            return;
        }
        h = (h + 1) & t->mask;
    }
}

/* Look the gram up and tally it: 0, or -2 where the numpy path must answer. */
static int
tally_pieces(GramScorer *self, Tally *t, const Piece *pieces, int n)
{
    const int64_t id = vocab_find(self, pieces, n);
    if (id < 0) {
        return 0;
    }
    if (id >= self->rows) {
        return -2;
    }
    tally_add(t, (int32_t)id);
    return 0;
}

static PyObject *
gram_run(GramScorer *self, PyObject *args, Want want)
{
    PyObject *text, *extra;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyList_Type, &extra)) {
        return NULL;
    }
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    /* Token spans: at most one token per character. */
    Py_ssize_t stack_spans[2 * 512];
    Py_ssize_t *spans = stack_spans;
    void *heap_spans = NULL;
    if (n > 512) {
        heap_spans = PyMem_Malloc((size_t)n * 2 * sizeof(Py_ssize_t));
        if (heap_spans == NULL) {
            return PyErr_NoMemory();
        }
        spans = (Py_ssize_t *)heap_spans;
    }
    Py_ssize_t ntok = 0;
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (is_word(ch)) {
            Py_ssize_t start = i;
            do {
                i++;
            } while (i < n && is_word(PyUnicode_READ(kind, data, i)));
            spans[2 * ntok] = start;
            spans[2 * ntok + 1] = i;
            ntok++;
        } else {
            if (!Py_UNICODE_ISSPACE(ch)) {
                spans[2 * ntok] = i;
                spans[2 * ntok + 1] = i + 1;
                ntok++;
            }
            i++;
        }
    }
    const Py_ssize_t nextra = PyList_GET_SIZE(extra);
    for (Py_ssize_t k = 0; k < nextra; k++) {
        if (!PyUnicode_Check(PyList_GET_ITEM(extra, k))) {
            PyMem_Free(heap_spans);
            PyErr_SetString(PyExc_TypeError, "extra grams must be str");
            return NULL;
        }
    }
    const Py_ssize_t total = (ntok ? 2 * ntok - 1 : 0) + nextra;
    if (total > self->ntf) {
        PyMem_Free(heap_spans);
        return Py_NewRef(Py_None);
    }
    Py_ssize_t size = 16;
    while (size < 2 * total) {
        size <<= 1;
    }
    void *heap = PyMem_Malloc((size_t)(2 * total + size + 2) * sizeof(int32_t));
    if (heap == NULL) {
        PyMem_Free(heap_spans);
        return PyErr_NoMemory();
    }
    Tally t = {(int32_t *)heap, (int32_t *)heap + total + 1, (int32_t *)heap + 2 * total + 2,
               0, size - 1};
    memset(t.table, 0xff, (size_t)size * sizeof(int32_t));
    static const Py_UCS1 space = ' ';
    int rc = 0;
    for (Py_ssize_t k = 0; k < ntok && rc == 0; k++) {
        Piece word = {kind, data, spans[2 * k], spans[2 * k + 1] - spans[2 * k]};
        rc = tally_pieces(self, &t, &word, 1);
    }
    for (Py_ssize_t k = 0; k + 1 < ntok && rc == 0; k++) {
        Piece pair[3] = {
            {kind, data, spans[2 * k], spans[2 * k + 1] - spans[2 * k]},
            {PyUnicode_1BYTE_KIND, &space, 0, 1},
            {kind, data, spans[2 * k + 2], spans[2 * k + 3] - spans[2 * k + 2]},
        };
        rc = tally_pieces(self, &t, pair, 3);
    }
    for (Py_ssize_t k = 0; k < nextra && rc == 0; k++) {
        PyObject *gram = PyList_GET_ITEM(extra, k);
        Piece whole = {PyUnicode_KIND(gram), PyUnicode_DATA(gram), 0,
                       PyUnicode_GET_LENGTH(gram)};
        rc = tally_pieces(self, &t, &whole, 1);
    }
    PyObject *out;
    if (rc == -2) {
        out = Py_NewRef(Py_None);
    } else {
        out = want == WANT_SCORES
                  ? block_scores((const double *)self->matrix.buf, self->nblocks,
                                 (const double *)self->tf.buf, t.ids, t.counts, t.n)
                  : as_lists(t.ids, t.counts, t.n);
    }
    PyMem_Free(heap);
    PyMem_Free(heap_spans);
    return out;
}

static PyObject *
GramScorer_scores(GramScorer *self, PyObject *args)
{
    return gram_run(self, args, WANT_SCORES);
}

static PyObject *
GramScorer_features(GramScorer *self, PyObject *args)
{
    return gram_run(self, args, WANT_FEATURES);
}

static PyMethodDef GramScorer_methods[] = {
    {"scores", (PyCFunction)GramScorer_scores, METH_VARARGS,
     "scores(text, extra): every block's score for the word grams of text plus the extra "
     "grams (a tuple), or None: take the numpy path."},
    {"features", (PyCFunction)GramScorer_features, METH_VARARGS,
     "features(text, extra): the found grams' ids and counts in summation order, or None."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject GramScorerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "trustwatch.ml._grams.GramScorer",
    .tp_basicsize = sizeof(GramScorer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Word n-gram scores of one GramIndex snapshot (vocabulary and matrix).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)GramScorer_init,
    .tp_dealloc = (destructor)GramScorer_dealloc,
    .tp_methods = GramScorer_methods,
};

/* ---- shape counts ------------------------------------------------------------------- */

/* "__caps0__".."__caps3__", "__digits0__".., "__len0__"..: made once. */
static PyObject *CAPS[4], *DIGITS[4], *LENGTHS[6];

static Py_ssize_t
count_digits(PyObject *text)
{
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t found = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        found += Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, i)) != 0;
    }
    return found;
}

static int
bucket(double value, const double *edges, int n)
{
    int b = 0;
    for (int i = 0; i < n; i++) {
        b += value >= edges[i];
    }
    return b;
}

/* shape(original, spelled, seen) -> (seen digits, spelled digits, caps token, digits
 * token, length token): what ``shape_tokens`` counts, as str.isdigit, str.isalpha and
 * str.isupper count (the same Py_UNICODE_IS* tests), and the same float arithmetic. */
static PyObject *
shape(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1]) ||
        !PyUnicode_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "shape(original, spelled, seen) takes three str");
        return NULL;
    }
    PyObject *original = args[0], *spelled = args[1], *seen = args[2];
    const Py_ssize_t seen_digits = count_digits(seen);
    const Py_ssize_t spelled_digits = count_digits(spelled);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(original);
    const int kind = PyUnicode_KIND(original);
    const void *data = PyUnicode_DATA(original);
    Py_ssize_t letters = 0, upper = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        letters += Py_UNICODE_ISALPHA(ch) != 0;
        upper += Py_UNICODE_ISUPPER(ch) != 0;
    }
    static const double caps_edges[] = {0.1, 0.3, 0.6};
    static const double digit_edges[] = {0.02, 0.08, 0.2};
    static const double length_edges[] = {20, 60, 120, 200, 500};
    const double caps = (double)upper / (double)(letters ? letters : 1);
    const Py_ssize_t seen_len = PyUnicode_GET_LENGTH(seen);
    const Py_ssize_t spelled_len = PyUnicode_GET_LENGTH(spelled);
    const double a = (double)seen_digits / (double)(seen_len > 1 ? seen_len : 1);
    const double b = (double)spelled_digits / (double)(spelled_len > 1 ? spelled_len : 1);
    const double share = b > a ? b : a;
    return Py_BuildValue("(nnOOO)", seen_digits, spelled_digits,
                         CAPS[bucket(caps, caps_edges, 3)],
                         DIGITS[bucket(share, digit_edges, 3)],
                         LENGTHS[bucket((double)n, length_edges, 5)]);
}

static PyMethodDef module_methods[] = {
    {"shape", (PyCFunction)(void (*)(void))shape, METH_FASTCALL,
     "shape(original, spelled, seen): digit counts and the caps, digits and length "
     "tokens of shape_tokens."},
    {NULL, NULL, 0, NULL},
};

static int
make_tokens(void)
{
    for (int i = 0; i < 4; i++) {
        CAPS[i] = PyUnicode_FromFormat("__caps%d__", i);
        DIGITS[i] = PyUnicode_FromFormat("__digits%d__", i);
        if (CAPS[i] == NULL || DIGITS[i] == NULL) {
            return -1;
        }
    }
    for (int i = 0; i < 6; i++) {
        LENGTHS[i] = PyUnicode_FromFormat("__len%d__", i);
        if (LENGTHS[i] == NULL) {
            return -1;
        }
    }
    return 0;
}

/* ---- module ------------------------------------------------------------------------- */

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "trustwatch.ml._grams",
    "The compiled gram kernel (optional): trustwatch.ml.features falls back to numpy.", -1,
    module_methods,
};

PyMODINIT_FUNC
PyInit__grams(void)
{
    if (PyType_Ready(&CharScorerType) < 0 || PyType_Ready(&GramScorerType) < 0 ||
        make_tokens() < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "VERSION", KERNEL_VERSION) < 0 ||
        PyModule_AddObjectRef(m, "CharScorer", (PyObject *)&CharScorerType) < 0 ||
        PyModule_AddObjectRef(m, "GramScorer", (PyObject *)&GramScorerType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
