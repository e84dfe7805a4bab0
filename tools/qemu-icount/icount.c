/*
 * icount: a QEMU TCG plugin that counts executed guest instructions.
 *
 * Counts every executed instruction (total), optionally only those whose address lies in
 * [start, end) (e.g. one function, with the bounds taken from `nm -S` of the firmware), and
 * optionally per segment between two marker functions the firmware calls (`begin=`/`end=`:
 * the entry addresses of `icount_begin` and `icount_end`). Segments are reported in the order
 * they ran; the firmware prints a label for each, in the same order, so a script can pair them.
 *
 * Usage:
 *   qemu-system-arm ... -plugin ./libicount.so[,start=0x..,end=0x..][,begin=0x..,end_mark=0x..][,outfile=PATH]
 *
 * Arguments (all optional, numbers in C syntax: 0x.. or decimal):
 *   start=A, end=B     count instructions at addresses A <= pc < B as "range"
 *   begin=A, end_mark=B   segment markers: a segment runs from an execution of the instruction
 *                      at A to the next execution of the instruction at B
 *   outfile=PATH       write the report to PATH instead of stderr
 *
 * Report (printed at exit, one fact per line):
 *   icount total=N
 *   icount range start=0x.. end=0x.. insns=N         (if a range was given)
 *   icount segments=K                                (if markers were given)
 *   icount segment I insns=N                         (K lines, I = 0..K-1)
 *   icount marker_errors=N                           (begin while open, end while closed, overflow)
 *
 * Counting is per instruction: every translated instruction gets an inline 64-bit add, so the
 * numbers do not depend on how QEMU splits code into translation blocks. One caveat: under
 * -icount, an MMIO access in the middle of a block makes QEMU re-execute that instruction in a
 * new block, which may count it twice; keep device accesses out of measured segments (the
 * firmware's benchmarks do). With one vCPU (all Cortex-M boards) no locking is needed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_SEGMENTS 4096

static uint64_t total_insns;
static uint64_t range_insns;
static uint64_t range_start, range_end;
static bool have_range;

static uint64_t begin_addr, end_addr;
static bool have_markers;
static bool segment_open;
static uint64_t segment_start;
static uint64_t segments[MAX_SEGMENTS];
static size_t n_segments;
static uint64_t marker_errors;

static char outfile[4096];

static void on_begin(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index;
    (void)userdata;
    if (segment_open) {
        marker_errors++;
    }
    segment_open = true;
    segment_start = total_insns;
}

static void on_end(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index;
    (void)userdata;
    if (!segment_open) {
        marker_errors++;
        return;
    }
    segment_open = false;
    if (n_segments < MAX_SEGMENTS) {
        segments[n_segments++] = total_insns - segment_start;
    } else {
        marker_errors++;
    }
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (have_markers && pc == begin_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
        if (have_markers && pc == end_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total_insns, 1);
        if (have_range && pc >= range_start && pc < range_end) {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &range_insns, 1);
        }
    }
}

/* Appends printf-style text to a fixed report buffer; truncates rather than overflows. */
static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        *len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
    }
}

static void on_exit_report(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    size_t cap = 128 + 64 * (size_t)(MAX_SEGMENTS + 4);
    char *buf = malloc(cap);
    if (buf == NULL) {
        return;
    }
    size_t len = 0;
    buf[0] = '\0';
    appendf(buf, cap, &len, "icount total=%" PRIu64 "\n", total_insns);
    if (have_range) {
        appendf(buf, cap, &len, "icount range start=0x%" PRIx64 " end=0x%" PRIx64 " insns=%" PRIu64 "\n",
                range_start, range_end, range_insns);
    }
    if (have_markers) {
        if (segment_open) {
            marker_errors++;
        }
        appendf(buf, cap, &len, "icount segments=%zu\n", n_segments);
        for (size_t i = 0; i < n_segments; i++) {
            appendf(buf, cap, &len, "icount segment %zu insns=%" PRIu64 "\n", i, segments[i]);
        }
        appendf(buf, cap, &len, "icount marker_errors=%" PRIu64 "\n", marker_errors);
    }
    if (outfile[0] != '\0') {
        FILE *f = fopen(outfile, "w");
        if (f != NULL) {
            fputs(buf, f);
            fclose(f);
        } else {
            fprintf(stderr, "icount: cannot write %s: %s\n", outfile, strerror(errno));
            fputs(buf, stderr);
        }
    } else {
        /* Not qemu_plugin_outs: QEMU's log is silent unless run with -d plugin. */
        fputs(buf, stderr);
    }
    free(buf);
}

/* Parses an unsigned number (0x.. hex or decimal); returns false on junk. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0') {
        return false;
    }
    char *endp = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &endp, 0);
    if (errno != 0 || endp == NULL || *endp != '\0') {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static int arg_error(const char *what, const char *arg)
{
    fprintf(stderr, "icount: bad argument '%s': %s\n", arg, what);
    return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv)
{
    (void)info;
    bool have_start = false, have_end = false, have_begin = false, have_end_mark = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        if (eq == NULL) {
            return arg_error("expected key=value", arg);
        }
        size_t klen = (size_t)(eq - arg);
        const char *val = eq + 1;
        if (klen == 5 && strncmp(arg, "start", 5) == 0) {
            if (!parse_u64(val, &range_start)) return arg_error("not a number", arg);
            have_start = true;
        } else if (klen == 3 && strncmp(arg, "end", 3) == 0) {
            if (!parse_u64(val, &range_end)) return arg_error("not a number", arg);
            have_end = true;
        } else if (klen == 5 && strncmp(arg, "begin", 5) == 0) {
            if (!parse_u64(val, &begin_addr)) return arg_error("not a number", arg);
            have_begin = true;
        } else if (klen == 8 && strncmp(arg, "end_mark", 8) == 0) {
            if (!parse_u64(val, &end_addr)) return arg_error("not a number", arg);
            have_end_mark = true;
        } else if (klen == 7 && strncmp(arg, "outfile", 7) == 0) {
            if (strlen(val) >= sizeof outfile) return arg_error("path too long", arg);
            strcpy(outfile, val);
        } else {
            return arg_error("unknown key (start, end, begin, end_mark, outfile)", arg);
        }
    }
    if (have_start != have_end) {
        return arg_error("start= and end= go together", have_start ? "start" : "end");
    }
    if (have_start && range_end <= range_start) {
        return arg_error("end must be above start", "end");
    }
    if (have_begin != have_end_mark) {
        return arg_error("begin= and end_mark= go together", have_begin ? "begin" : "end_mark");
    }
    if (have_begin && begin_addr == end_addr) {
        return arg_error("begin and end_mark must differ", "end_mark");
    }
    have_range = have_start;
    have_markers = have_begin;
    /* Thumb function symbols carry bit 0 set; instruction addresses do not. */
    begin_addr &= ~(uint64_t)1;
    end_addr &= ~(uint64_t)1;

    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_exit_report, NULL);
    return 0;
}
