/* The compiled gram kernel: one text's n-grams cut, counted, looked up and scored for
 * every registered TF-IDF block in one call (see ``trustwatch.ml.features.GramIndex``).
 *
 * It computes exactly what the numpy path computes, in the same order, so the two give
 * bit-identical scores. Grams are summed in the order they first occur:
 *   - character grams: every window of ``lo..hi`` characters packed into one integer
 *     (``bits`` per character id, a length bit above them), by start then length, counted
 *     in a small hash set, looked up in the bucketed hash table (``_Table``);
 *   - word grams: the tokens of ``\w+|[^\w\s]`` (as ``re`` reads \w and \s), their
 *     bigrams, then the extra grams given, looked up in the index's dict;
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

#define SLOTS 8
#define FLAG ((uint64_t)1 << 63)
#define MULT ((uint64_t)0x9E3779B97F4A7C15ULL)
#define TINY 1e-300
#define STACK_BYTES 32768
#define MAX_BLOCKS 64

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

typedef struct {
    PyObject_HEAD
    Py_buffer amap, keys, ids, stash, stash_ids, matrix, tf;
    Py_ssize_t nbuckets, nstash, rows, nblocks, ntf;
    int lo, hi, bits;
    unsigned shift;
} CharScorer;

static void
CharScorer_dealloc(CharScorer *self)
{
    release(&self->amap);
    release(&self->keys);
    release(&self->ids);
    release(&self->stash);
    release(&self->stash_ids);
    release(&self->matrix);
    release(&self->tf);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
CharScorer_init(CharScorer *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"amap", "lo", "hi", "bits", "keys", "ids", "shift",
                             "stash", "stash_ids", "matrix", "blocks", "tf", NULL};
    PyObject *amap, *keys, *ids, *stash, *stash_ids, *matrix, *tf;
    unsigned int shift;
    Py_ssize_t nblocks;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OiiiOOIOOOnO", kwlist, &amap, &self->lo,
                                     &self->hi, &self->bits, &keys, &ids, &shift, &stash,
                                     &stash_ids, &matrix, &nblocks, &tf)) {
        return -1;
    }
    if (self->lo < 1 || self->hi < self->lo || self->bits < 1 ||
        self->hi * self->bits > 60 || shift < 1 || shift > 63 || nblocks < 0 ||
        nblocks > MAX_BLOCKS) {
        PyErr_SetString(PyExc_ValueError, "CharScorer: parameters out of range");
        return -1;
    }
    self->shift = shift;
    self->nblocks = nblocks;
    if (get_buffer(amap, &self->amap, 2, "amap") < 0 ||
        get_buffer(keys, &self->keys, 8, "keys") < 0 ||
        get_buffer(ids, &self->ids, 4, "ids") < 0 ||
        get_buffer(stash, &self->stash, 8, "stash") < 0 ||
        get_buffer(stash_ids, &self->stash_ids, 4, "stash_ids") < 0 ||
        get_buffer(matrix, &self->matrix, 8, "matrix") < 0 ||
        get_buffer(tf, &self->tf, 8, "tf") < 0) {
        return -1;
    }
    Py_ssize_t nkeys = self->keys.len / 8;
    self->nbuckets = nkeys / SLOTS;
    self->nstash = self->stash.len / 8;
    self->ntf = self->tf.len / 8;
    self->rows = nblocks ? self->matrix.len / 8 / (2 * nblocks) : 0;
    if (self->amap.len / 2 < 0x110000 || nkeys % SLOTS || self->ids.len / 4 != nkeys ||
        self->stash_ids.len / 4 != self->nstash ||
        self->nbuckets != ((Py_ssize_t)1 << (64 - shift))) {
        PyErr_SetString(PyExc_ValueError, "CharScorer: arrays of inconsistent sizes");
        return -1;
    }
    return 0;
}

/* Scratch for one text of up to ``room`` windows: its codes, and a hash set over them. */
typedef struct {
    uint64_t *codes;  /* distinct codes, first occurrence first */
    int32_t *counts;  /* their counts */
    int32_t *ids;     /* found grams' ids, in the same order */
    int32_t *found_counts;
    uint64_t *slots;  /* open addressing over codes: 0 = empty (no code is 0) */
    int32_t *where;   /* the distinct position of each slot's code */
    Py_ssize_t mask;
} Scratch;

/* The text's found grams (ids and counts) in the order they first occur, as the numpy
 * path gives them. Returns how many, -1 on error (set), -2 where the caller must take
 * the numpy path. */
static Py_ssize_t
char_found(CharScorer *self, PyObject *text, Scratch *w)
{
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const uint16_t *amap = (const uint16_t *)self->amap.buf;
    const int lo = self->lo, hi = self->hi, bits = self->bits;
    memset(w->slots, 0, (size_t)(w->mask + 1) * sizeof(uint64_t));
    Py_ssize_t d = 0;
    /* Windows in the numpy path's order: by start, then by length. */
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t code = 0;
        for (int k = 1; k <= hi && i + k <= n; k++) {
            uint64_t cid = amap[PyUnicode_READ(kind, data, i + k - 1)];
            if (cid == 0) {
                break; /* no gram holds this character, nor any longer window over it */
            }
            code = (code << bits) | cid;
            if (k < lo) {
                continue;
            }
            const uint64_t packed = code | ((uint64_t)1 << (bits * k));
            Py_ssize_t h = (Py_ssize_t)((packed * MULT) >> 32) & w->mask;
            for (;;) {
                const uint64_t there = w->slots[h];
                if (there == packed) {
                    w->counts[w->where[h]]++;
                    break;
                }
                if (there == 0) {
                    w->slots[h] = packed;
                    w->where[h] = (int32_t)d;
                    w->codes[d] = packed;
                    w->counts[d] = 1;
                    d++;
                    break;
                }
                h = (h + 1) & w->mask;
            }
        }
    }
    const uint64_t *keys = (const uint64_t *)self->keys.buf;
    const int32_t *table_ids = (const int32_t *)self->ids.buf;
    const unsigned shift = self->shift;
    for (Py_ssize_t j = 0; j < d; j++) {
        __builtin_prefetch(keys + (((w->codes[j] * MULT) >> shift) << 3));
    }
    const uint64_t *stash = (const uint64_t *)self->stash.buf;
    const int32_t *stash_ids = (const int32_t *)self->stash_ids.buf;
    const Py_ssize_t ns = self->nstash;
    Py_ssize_t found = 0;
    for (Py_ssize_t j = 0; j < d; j++) {
        const uint64_t code = w->codes[j];
        const uint64_t home = (code * MULT) >> shift;
        const uint64_t *bucket = keys + (home << 3);
        int32_t id = -1;
        for (int s = 0; s < SLOTS; s++) {
            if (bucket[s] == code) {
                id = table_ids[(home << 3) | (uint64_t)s];
                break;
            }
        }
        if (id < 0 && bucket[SLOTS - 1] == FLAG) {
            Py_ssize_t a = 0, b = ns;
            while (a < b) {
                Py_ssize_t mid = a + (b - a) / 2;
                if (stash[mid] < code) {
                    a = mid + 1;
                } else {
                    b = mid;
                }
            }
            if (a < ns && stash[a] == code) {
                id = stash_ids[a];
            }
        }
        if (id >= 0) {
            if (id >= self->rows || w->counts[j] > self->ntf) {
                return -2;
            }
            w->ids[found] = id;
            w->found_counts[found] = w->counts[j];
            found++;
        }
    }
    return found;
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
    Py_ssize_t size = 64;
    while (size < 2 * room) {
        size <<= 1;
    }
    /* codes, slots: 8 bytes; counts, ids, found counts, where: 4 bytes */
    const size_t bytes = (size_t)room * (8 + 3 * 4) + (size_t)size * (8 + 4);
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
    w.slots = (uint64_t *)mem;
    w.codes = w.slots + size;
    w.where = (int32_t *)(w.codes + room);
    w.counts = w.where + size;
    w.ids = w.counts + room;
    w.found_counts = w.ids + room;
    w.mask = size - 1;
    PyObject *out = NULL;
    Py_ssize_t m = char_found(self, text, &w);
    if (m == -2) {
        out = Py_NewRef(Py_None);
    } else if (m >= 0) {
        out = want == WANT_SCORES
                  ? block_scores((const double *)self->matrix.buf, self->nblocks,
                                 (const double *)self->tf.buf, w.ids, w.found_counts, m)
                  : as_lists(w.ids, w.found_counts, m);
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

typedef struct {
    PyObject_HEAD
    PyObject *vocab; /* gram -> id */
    Py_buffer matrix, tf;
    Py_ssize_t rows, nblocks, ntf;
} GramScorer;

static void
GramScorer_dealloc(GramScorer *self)
{
    Py_XDECREF(self->vocab);
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
    if (nblocks < 0 || nblocks > MAX_BLOCKS) {
        PyErr_SetString(PyExc_ValueError, "GramScorer: too many blocks");
        return -1;
    }
    if (get_buffer(matrix, &self->matrix, 8, "matrix") < 0 ||
        get_buffer(tf, &self->tf, 8, "tf") < 0) {
        return -1;
    }
    Py_XSETREF(self->vocab, Py_NewRef(vocab));
    self->nblocks = nblocks;
    self->ntf = self->tf.len / 8;
    self->rows = nblocks ? self->matrix.len / 8 / (2 * nblocks) : 0;
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

/* Look ``gram`` up (stealing the reference) and tally it; 0, -1 on error, -2: numpy path. */
static int
tally_gram(GramScorer *self, Tally *t, PyObject *gram)
{
    if (gram == NULL) {
        return -1;
    }
    PyObject *found = PyDict_GetItemWithError(self->vocab, gram);
    Py_DECREF(gram);
    if (found == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    Py_ssize_t id = PyLong_AsSsize_t(found);
    if (id == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (id < 0 || id >= self->rows) {
        return -2;
    }
    tally_add(t, (int32_t)id);
    return 0;
}

static PyObject *
bigram(PyObject *a, PyObject *b)
{
    Py_ssize_t la = PyUnicode_GET_LENGTH(a), lb = PyUnicode_GET_LENGTH(b);
    Py_UCS4 ma = PyUnicode_MAX_CHAR_VALUE(a), mb = PyUnicode_MAX_CHAR_VALUE(b);
    PyObject *out = PyUnicode_New(la + 1 + lb, ma > mb ? ma : mb);
    if (out == NULL) {
        return NULL;
    }
    PyUnicode_CopyCharacters(out, 0, a, 0, la);
    PyUnicode_WRITE(PyUnicode_KIND(out), PyUnicode_DATA(out), la, ' ');
    PyUnicode_CopyCharacters(out, la + 1, b, 0, lb);
    return out;
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
    /* Token spans and the tokens as str: at most one token per character. */
    Py_ssize_t stack_spans[2 * 512];
    PyObject *stack_tokens[512];
    Py_ssize_t *spans = stack_spans;
    PyObject **tokens = stack_tokens;
    void *heap_spans = NULL;
    if (n > 512) {
        heap_spans = PyMem_Malloc((size_t)n * (2 * sizeof(Py_ssize_t) + sizeof(PyObject *)));
        if (heap_spans == NULL) {
            return PyErr_NoMemory();
        }
        spans = (Py_ssize_t *)heap_spans;
        tokens = (PyObject **)(spans + 2 * n);
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
    const Py_ssize_t total = (ntok ? 2 * ntok - 1 : 0) + nextra;
    PyObject *out = NULL;
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
    int rc = 0;
    Py_ssize_t made = 0;
    for (; made < ntok; made++) {
        PyObject *token = PyUnicode_Substring(text, spans[2 * made], spans[2 * made + 1]);
        if (token == NULL) {
            rc = -1;
            break;
        }
        tokens[made] = token;
    }
    for (Py_ssize_t k = 0; k < made && rc == 0; k++) {
        rc = tally_gram(self, &t, Py_NewRef(tokens[k]));
    }
    for (Py_ssize_t k = 0; k + 1 < made && rc == 0; k++) {
        rc = tally_gram(self, &t, bigram(tokens[k], tokens[k + 1]));
    }
    for (Py_ssize_t k = 0; k < made; k++) {
        Py_DECREF(tokens[k]);
    }
    for (Py_ssize_t k = 0; k < nextra && rc == 0; k++) {
        PyObject *gram = PyList_GET_ITEM(extra, k);
        if (!PyUnicode_Check(gram)) {
            PyErr_SetString(PyExc_TypeError, "extra grams must be str");
            rc = -1;
            break;
        }
        rc = tally_gram(self, &t, Py_NewRef(gram));
    }
    if (rc == -2) {
        out = Py_NewRef(Py_None);
    } else if (rc == 0) {
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

/* ---- module ------------------------------------------------------------------------- */

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "trustwatch.ml._grams",
    "The compiled gram kernel (optional): trustwatch.ml.features falls back to numpy.", -1,
    NULL,
};

PyMODINIT_FUNC
PyInit__grams(void)
{
    if (PyType_Ready(&CharScorerType) < 0 || PyType_Ready(&GramScorerType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "CharScorer", (PyObject *)&CharScorerType) < 0 ||
        PyModule_AddObjectRef(m, "GramScorer", (PyObject *)&GramScorerType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
