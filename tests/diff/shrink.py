"""Shrinking a failing case to a minimal reproducer (run-diff.py).

`Reducer` is delta debugging over a set of items, batched: every round
proposes many candidates at once (removing each chunk of the kept items at
granularities 2, 4, 8... down to single items, as the round's budget
allows), one call judges them all (the harness runs them in one kemu per
accelerator), and the candidate that keeps the fewest items while still
failing becomes the new current set.  The union of all the round's
removals that failed alone is proposed first in the next round, which
settles scattered irrelevant items in a round or two.  It is done when a
round that tried every single removal found none that still fails: the
result is then 1-minimal (no one item can go), relative to `normalize`,
which may drop items that need a removed one or refuse a candidate.

`CaseShrink` applies it to a case in two phases, which alternate:
 1. instructions (sequences only, Case.insns from forms_seq.py): items are
    instructions; a candidate is laid out by forms_seq.layout(), which
    fixes RIP-relative displacements and Jcc offsets, recomputes the
    compared flags and refuses a subset in which a kept instruction reads a
    flag its removed CMP or fix-up had defined (such a mismatch would be
    the generator's, not the interpreter's);
 2. initial state: items are the parts that differ from curated.py's base
    state (each GPR, RFLAGS, each 8 bytes of the data buffer, FCW, FSW,
    FTW, MXCSR, each ST and XMM register); an item removed is reset to the
    base value.  What is left is what the failure needs, and the case can
    be written as a curated entry (`curated_entry`).
A pass of one phase runs its Reducer to the end on the case the other left;
the phases alternate (instructions first) until a pass removes nothing: the
case is then 1-minimal in both (a fixpoint).  An instruction that only a
removed part of the state needed (a MOV that loaded the value the base
state has) goes in the pass after.  Each phase has at most max_rounds
rounds over all its passes.

The predicate is the harness's.  For a mismatch: the candidate still
mismatches (the two accelerators' hashes differ).  Only hashes are
affordable per candidate (full records cost a KVM exit per byte), so it
cannot insist on the same differing fields; the report compares the shrunk
case's fields with the original's and says when they changed.  x87_trans
mismatches skip phase 2: a changed input could leave only a last-bit
difference, which is no failure.  For a case that makes kemu fail
(`CrashTest`): kemu still fails on it the same way.
"""
import copy
import struct

import curated
import forms_seq
from gen import ARITH, DATA_SIZE, REGS64

DEFAULT_BUDGET = 256        # candidates per round, shared by the cases being shrunk
MIN_BUDGET = 24             # per case and round, however many are shrunk
DEFAULT_ROUNDS = 12         # per phase, over all its passes


class Reducer:
    """Delta debugging over items 0..n-1 (see the module's docstring).
    normalize(keep) -> the tuple actually tried (sorted), or None to skip it."""

    def __init__(self, n, normalize=None):
        self.cur = tuple(range(n))
        self.normalize = normalize or (lambda keep: keep)
        self.done = False
        self.rounds = 0
        self.gran = 2               # the first granularity of the next round
        self.union = None           # the next round's first candidate
        self.pending = []
        self.last_gran = 0

    def candidates(self, budget):
        """Candidates for one round: tuples of kept items, coarse first."""
        if self.done:
            return []
        seen, out = {self.cur}, []

        def add(keep):
            keep = self.normalize(tuple(keep))
            if keep is not None and keep not in seen:
                seen.add(keep)
                out.append(keep)

        if self.union is not None:
            add(self.union)
        cur, size = self.cur, len(self.cur)
        gran = self.gran
        self.last_gran = 0
        while size and len(out) < budget:
            gran = min(gran, size)
            for i in range(gran):
                add(cur[:i * size // gran] + cur[(i + 1) * size // gran:])
            self.last_gran = gran
            if gran == size:
                break
            gran *= 2
        self.pending = out
        if not out and (self.last_gran == size):
            self.done = True
        return out

    def feed(self, fails):
        """The verdicts on the last candidates (True: still fails)."""
        self.rounds += 1
        failing = [k for k, f in zip(self.pending, fails) if f]
        self.pending = []
        if not failing:
            self.union = None
            if self.last_gran >= len(self.cur):
                self.done = True            # every single removal was tried
            else:
                self.gran = self.last_gran * 2
            return
        best = min(failing, key=len)
        removed = set()
        for k in failing:
            removed |= set(self.cur) - set(k)
        union = tuple(i for i in self.cur if i not in removed)
        self.union = union if len(union) < len(best) else None
        self.cur = best
        self.gran = 2


def reduce_all(jobs, test, max_rounds=DEFAULT_ROUNDS * 2, budget=DEFAULT_BUDGET):
    """Rounds over all the jobs together: each active job proposes candidates
    (job.candidates(budget) -> list), one test(list) -> list of bools judges
    the round's candidates of all jobs, each job gets its verdicts back
    (job.feed).  Stops when all are done, after max_rounds, or when test
    returns None (the harness failed).  Returns the number of rounds."""
    rounds = 0
    while rounds < max_rounds:
        active = [j for j in jobs if not j.done]
        if not active:
            break
        share = max(MIN_BUDGET, budget // len(active))
        batch = [(j, j.candidates(share)) for j in active]
        flat = [c for _, cs in batch for c in cs]
        if not flat:
            continue                        # all finished while proposing
        verdicts = test(flat)
        if verdicts is None:
            break
        rounds += 1
        at = 0
        for j, cs in batch:
            j.feed(verdicts[at:at + len(cs)])
            at += len(cs)
    return rounds


# ---- Cases ---------------------------------------------------------------------------

def copy_case(c):
    d = copy.copy(c)
    d.gpr = list(c.gpr)
    d.mem = bytearray(c.mem)
    d.fx = bytearray(c.fx)
    return d


def base_case():
    """curated.py's base state: what an item removed in phase 2 goes back to."""
    return curated.build({"name": "base", "code": ""})


def fx_items():
    """(name, first byte, end) of the FXSAVE fields phase 2 may reset."""
    items = [("fcw", 0, 2), ("fsw", 2, 4), ("ftw", 4, 5), ("mxcsr", 24, 28)]
    items += [("st%d" % i, 32 + 16 * i, 42 + 16 * i) for i in range(8)]
    items += [("xmm%d" % i, 160 + 16 * i, 176 + 16 * i) for i in range(16)]
    return items


def state_items(c, base):
    """The parts of c's initial state that differ from base: (kind, key)."""
    out = [("gpr", i) for i in range(16) if c.gpr[i] != base.gpr[i]]
    if c.rflags != base.rflags:
        out.append(("rflags", None))
    out += [("mem", off) for off in range(0, DATA_SIZE, 8)
            if c.mem[off:off + 8] != base.mem[off:off + 8]]
    out += [("fx", (name, lo, hi)) for name, lo, hi in fx_items() if c.fx[lo:hi] != base.fx[lo:hi]]
    return out


def with_state(c, base, items, keep):
    """c with the items not in keep reset to base."""
    d = copy_case(c)
    kept = set(keep)
    for n, (kind, key) in enumerate(items):
        if n in kept:
            continue
        if kind == "gpr":
            d.gpr[key] = base.gpr[key]
        elif kind == "rflags":
            d.rflags = base.rflags
        elif kind == "mem":
            d.mem[key:key + 8] = base.mem[key:key + 8]
        else:
            _, lo, hi = key
            d.fx[lo:hi] = base.fx[lo:hi]
    return d


def with_insns(c, keep):
    """c with only the instructions keep (Case.insns), or None if
    forms_seq.layout refuses them."""
    r = forms_seq.layout(c.insns, keep)
    if r is None:
        return None
    d = copy_case(c)
    d.code, undef = r
    # The compared mask anew, keeping what the run masks besides (--mask-rf).
    d.fmask = (c.fmask | ARITH) & ~undef
    d.insns = forms_seq.subset(c.insns, keep)
    d.seq_len = len(d.insns)
    d.addr = None
    return d


class CaseShrink:
    """Shrinks one case: its instructions and its initial state, in passes
    that alternate to a fixpoint (see the module's docstring).  A job for
    reduce_all whose candidates are Cases; `best` is the smallest case found
    that still fails (the original until one is).  alternate=False stops
    after one pass of each phase (the order before they alternated; the
    tests compare the two)."""

    PHASES = ("insns", "state")

    def __init__(self, case, max_rounds=DEFAULT_ROUNDS, state=True, alternate=True):
        self.orig = self.best = case
        self.max_rounds = max_rounds
        self.base = base_case()
        self.want_state = state
        self.alternate = alternate
        self.n_insns = len(case.insns) if getattr(case, "insns", None) else None
        self.n_items = len(state_items(case, self.base))
        self.used = {p: 0 for p in self.PHASES}     # rounds per phase, over all its passes
        self.passes = []            # the phase of each pass run
        self.tried = 0              # passes run or skipped (nothing to do)
        self.progress = False       # whether the last of them removed something
        self.bounded = []           # phases stopped by max_rounds
        self.done = False
        self.phase = self.red = None
        self.round = {}             # this round's candidates: kept items -> Case
        self.settle()

    @property
    def kept_items(self):
        return len(state_items(self.best, self.base))

    def norm_insns(self, keep):
        """Drop what needs a removed instruction; None if layout refuses the
        rest or nothing is left (a case keeps one instruction at least)."""
        insns = self.from_case.insns
        keep = set(keep)
        while True:
            drop = {i for i in keep if any(j not in keep for j in insns[i].needs)}
            if not drop:
                break
            keep -= drop
        keep = tuple(sorted(keep))
        return keep if keep and forms_seq.layout(insns, keep) is not None else None

    def next_pass(self):
        """Start the next pass, or finish.  A pass that removed nothing ran
        on the case the other phase's last pass ended with: both are done."""
        while True:
            if self.tried >= 2 and (not self.progress or not self.alternate):
                self.done = True
                return
            phase = self.PHASES[self.tried % 2]
            self.tried += 1
            self.progress = False
            if self.start(phase):
                return

    def start(self, phase):
        """Begin a pass of phase on best; False when it has nothing to do."""
        if phase == "insns":
            n = len(self.best.insns) if self.n_insns else 0
            if n < 2:
                return False
        else:
            self.items = state_items(self.best, self.base)
            n = len(self.items) if self.want_state else 0
            if not n:
                return False
        if self.used[phase] >= self.max_rounds:
            if phase not in self.bounded:
                self.bounded.append(phase)
            return False
        self.phase, self.from_case = phase, self.best
        self.red = Reducer(n, self.norm_insns if phase == "insns" else None)
        self.passes.append(phase)
        return True

    def build(self, keep):
        if self.phase == "insns":
            return with_insns(self.from_case, keep)
        return with_state(self.from_case, self.base, self.items, keep)

    def settle(self):
        """End a pass that is over (done, or out of rounds) and start the
        next, until one has candidates to propose or the case is done."""
        while not self.done:
            if self.red is None:
                self.next_pass()
            elif self.red.done or self.used[self.phase] >= self.max_rounds:
                if not self.red.done and self.phase not in self.bounded:
                    self.bounded.append(self.phase)
                self.progress = self.best is not self.from_case
                self.red = None
            else:
                return

    def candidates(self, budget):
        while not self.done:
            self.round = {k: self.build(k) for k in self.red.candidates(budget)}
            if self.round:
                return list(self.round.values())
            self.settle()                   # the Reducer found itself done
        return []

    def feed(self, fails):
        self.red.feed(fails)
        self.used[self.phase] += 1
        if self.red.cur in self.round:
            self.best = self.round[self.red.cur]
        self.round = {}
        self.settle()

    def summary(self):
        """'shrunk from 9 instructions to 2, 5 of 40 state items kept...'"""
        parts = []
        if self.n_insns is not None:
            parts.append("shrunk from %d instructions to %d" % (self.n_insns, len(self.best.insns)))
        if self.want_state:
            parts.append("%d of %d state items kept (the rest as curated.py's base state)"
                         % (self.kept_items, self.n_items))
        else:
            parts.append("initial state not shrunk")
        if len(self.passes) > 1:
            names = {"insns": "instructions", "state": "state"}
            parts.append("%d passes (%s)" % (len(self.passes),
                                             ", ".join(names[p] for p in self.passes)))
        bounded = self.bounded + ([self.phase] if not self.done and self.phase not in self.bounded
                                  else [])
        if bounded:
            parts.append("stopped early (--shrink-rounds %d) in: %s"
                         % (self.max_rounds, ", ".join(bounded)))
        return ", ".join(parts)


def first_failing(n, run, same):
    """The first of candidates 0..n-1 that fails the same way, when one
    process runs a range of them in order and stops at the first that fails
    (a crash ends it): run(lo, hi) -> None when lo..hi-1 all pass, else the
    failure of the first that fails; same(failure) -> whether it is the one
    being shrunk.  Taking the candidates to be independent (as run-diff.py's
    find_failing does), it gallops (ranges of 1, 2, 4... candidates) to the
    first range that fails, then bisects it: 2 log2(f + 1) + 1 runs for one
    at position f, of which only about half fail (a failing run is the
    expensive one: a sanitizer symbolizes its report), and log2(n + 1)
    passing runs when none fails.  Past one that fails another way the
    search goes on after it.  Returns (position, failure) or (None, None)."""
    lo = 0
    while lo < n:
        a, size, err = lo, 1, None
        while a < n:
            b = min(a + size, n)
            err = run(a, b)
            if err is not None:
                break
            a, size = b, size * 2
        if err is None:
            break
        while b - a > 1:            # the first failure is in a..b-1
            mid = (a + b) // 2
            e = run(a, mid)
            if e is None:
                a = mid
            else:
                b, err = mid, e
        if same(err):
            return a, err
        lo = a + 1
    return None, None


class CrashTest:
    """reduce_all's test for a case that makes kemu fail: a candidate still
    fails when kemu fails on it the same way.  run(cands) -> None when kemu
    ran them all, else the failure (text); same(failure) -> bool.  A failure
    ends the kemu run, so a round finds one candidate that still fails (the
    first: Reducer proposes the coarsest first, which is where one fails
    most rounds, see first_failing) and the others count as not failing; a
    round in which none fails ran them all, so a result that no single
    removal fails from is still 1-minimal."""

    def __init__(self, run, same):
        self.run, self.same = run, same
        self.runs = self.cases = 0
        self.failure = None         # the failure of the last candidate kept

    def __call__(self, cands):
        def run(lo, hi):
            self.runs += 1
            self.cases += hi - lo
            return self.run(cands[lo:hi])
        pos, err = first_failing(len(cands), run, self.same)
        out = [False] * len(cands)
        if pos is not None:
            out[pos] = True
            self.failure = err
        return out


def curated_entry(c, name):
    """c as an entry of curated.py's CURATED (what differs from its base)."""
    base = base_case()
    e = {"name": name, "code": c.code.hex()}
    for i, r in enumerate(REGS64):
        if c.gpr[i] != base.gpr[i]:
            e[r] = c.gpr[i]
    if c.rflags != base.rflags:
        e["rflags"] = c.rflags
    mem = {off: c.mem[off:off + 8].hex() for off in range(0, DATA_SIZE, 8)
           if c.mem[off:off + 8] != base.mem[off:off + 8]}
    if mem:
        e["mem"] = mem
    fcw, fsw, ftw = struct.unpack_from("<HHB", c.fx, 0)
    mxcsr = struct.unpack_from("<I", c.fx, 24)[0]
    for k, v, d in (("fcw", fcw, 0x037f), ("fsw", fsw, 0), ("ftw", ftw, 0),
                    ("mxcsr", mxcsr, 0x1f80)):
        if v != d:
            e[k] = v
    st = {}
    for i in range(8):
        mant, se = struct.unpack_from("<QH", c.fx, 32 + 16 * i)
        if (mant, se) != struct.unpack_from("<QH", base.fx, 32 + 16 * i):
            st[i] = (se, mant)
    if st:
        e["st"] = st
    xmm = {i: int.from_bytes(c.fx[160 + 16 * i:176 + 16 * i], "little") for i in range(16)
           if c.fx[160 + 16 * i:176 + 16 * i] != base.fx[160 + 16 * i:176 + 16 * i]}
    if xmm:
        e["xmm"] = xmm
    if c.fmask & 0xffffffff != 0xffffffff:
        e["undef_flags"] = ~c.fmask & 0xffffffff
    if c.rmask:
        e["undef_regs"] = c.rmask
    if c.fswmask != 0xffff:
        e["undef_fsw"] = ~c.fswmask & 0xffff
    for k in ("quirks", "desc", "segs"):
        if getattr(c, k):
            e[k] = getattr(c, k)
    return e


def format_entry(e):
    """A curated entry as Python source, numbers in hex."""
    def val(v):
        if isinstance(v, int):
            return "0x%x" % v if v > 9 else str(v)
        if isinstance(v, tuple):
            return "(%s)" % ", ".join(val(x) for x in v)
        if isinstance(v, dict):
            return "{%s}" % ", ".join("%s: %s" % (k, val(x)) for k, x in v.items())
        return repr(v)
    return "{%s}" % ", ".join("%r: %s" % (k, val(v)) for k, v in e.items())
