#!/usr/bin/env python3
"""Tests of the shrinker (shrink.py) and of forms_seq.layout(), with
synthetic predicates instead of KVM."""
import itertools
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import curated  # noqa: E402
import forms_seq  # noqa: E402
import gen  # noqa: E402
import shrink  # noqa: E402
from gen import CODE, Gen  # noqa: E402


class Counter:
    """A batch predicate over tuples of kept items that counts its calls."""

    def __init__(self, pred):
        self.pred = pred
        self.calls = 0
        self.sizes = []

    def __call__(self, batch):
        self.calls += 1
        self.sizes.append(len(batch))
        return [self.pred(k) for k in batch]


def reduce(n, pred, normalize=None, **kw):
    r = shrink.Reducer(n, normalize)
    test = Counter(pred)
    shrink.reduce_all([r], test, **kw)
    return r, test


def one_minimal(r, pred):
    """No single removal from r.cur (normalized) still fails."""
    for i in r.cur:
        k = r.normalize(tuple(x for x in r.cur if x != i))
        if k is not None and k != r.cur and pred(k):
            return False
    return True


class ReducerTest(unittest.TestCase):
    def test_two_in_order(self):
        # Mismatch iff instruction A and, later, instruction C are both there.
        items = list("xyAzwvuCts")
        names = lambda k: "".join(items[i] for i in k)   # noqa: E731
        pred = lambda k: "A" in names(k) and "C" in names(k) \
            and names(k).index("A") < names(k).index("C")  # noqa: E731
        r, test = reduce(len(items), pred)
        self.assertTrue(r.done)
        self.assertEqual(names(r.cur), "AC")
        self.assertLessEqual(test.calls, 6)             # rounds, each one batch

    def test_required_sets(self):
        rng = random.Random(1)
        for n, tries in ((1, 5), (2, 5), (5, 20), (12, 20), (40, 10), (100, 5)):
            for _ in range(tries):
                need = frozenset(rng.sample(range(n), rng.randint(0, min(n, 6))))
                r, test = reduce(n, lambda k: need <= set(k))
                self.assertEqual(set(r.cur), need)
                self.assertTrue(r.done)
                self.assertLessEqual(test.calls, 12)

    def test_one_minimal_non_monotone(self):
        # Fails iff an odd number of the marked items is kept: no unique answer,
        # but the result must fail and lose nothing more.
        rng = random.Random(2)
        for _ in range(50):
            n = rng.randint(2, 30)
            marked = set(rng.sample(range(n), rng.randint(1, n)))
            pred = lambda k: len(marked & set(k)) % 2 == 1     # noqa: E731
            if not pred(tuple(range(n))):
                continue
            r, _ = reduce(n, pred)
            self.assertTrue(pred(r.cur))
            self.assertTrue(one_minimal(r, pred))
            self.assertEqual(len(r.cur), 1)

    def test_exhaustive_small(self):
        # Every monotone-or-not predicate given by a random family of failing
        # sets over 4 items: the result fails and is 1-minimal.
        rng = random.Random(3)
        subsets = [tuple(c) for m in range(5) for c in itertools.combinations(range(4), m)]
        for _ in range(300):
            fail = {s for s in subsets if rng.random() < 0.3} | {tuple(range(4))}
            r, _ = reduce(4, lambda k: k in fail)
            self.assertIn(r.cur, fail)
            self.assertTrue(one_minimal(r, lambda k: k in fail))

    def test_normalize_needs_and_refusal(self):
        # Item 5 needs item 4; candidates keeping item 1 without item 0 are refused.
        def norm(k):
            if 5 in k and 4 not in k:
                k = tuple(x for x in k if x != 5)
            if 1 in k and 0 not in k:
                return None
            return k
        r, _ = reduce(8, lambda k: 5 in k and 1 in k, norm)
        self.assertEqual(r.cur, (0, 1, 4, 5))

    def test_bounds(self):
        r, test = reduce(100, lambda k: 3 in k and 97 in k, max_rounds=1)
        self.assertEqual(test.calls, 1)
        self.assertFalse(r.done)
        r, test = reduce(200, lambda k: 3 in k, budget=24)
        self.assertTrue(all(s <= 2 * 24 for s in test.sizes))
        self.assertEqual(r.cur, (3,))

    def test_jobs_share_batches(self):
        a, b = shrink.Reducer(12), shrink.Reducer(30)
        preds = {id(a): lambda k: 7 in k, id(b): lambda k: {2, 20} <= set(k)}
        calls = []

        def test(batch):
            calls.append(len(batch))
            return [preds[id(owner)](k) for owner, k in batch]

        class Tag:                  # tags each candidate with its reducer
            def __init__(self, r):
                self.r, self.done = r, False

            def candidates(self, budget):
                out = [(self.r, k) for k in self.r.candidates(budget)]
                self.done = self.r.done
                return out

            def feed(self, v):
                self.r.feed(v)
                self.done = self.r.done
        rounds = shrink.reduce_all([Tag(a), Tag(b)], test)
        self.assertEqual((a.cur, b.cur), ((7,), (2, 20)))
        self.assertEqual(rounds, len(calls))


def seq_cases(n, seed=0):
    out = []
    for i in range(n):
        g = Gen(random.Random(seed * 100003 + i))
        code = forms_seq.gen_seq(g)
        c = g.st
        c.code, c.insns, c.seq_len = code, g.insns, g.seq_len
        c.fmask = gen.ALL_FLAGS & ~g.undef_flags
        c.name = c.family = "seq"
        out.append((c, g))
    return out


class LayoutTest(unittest.TestCase):
    def test_whole_sequence(self):
        for c, g in seq_cases(1000):
            code, undef = forms_seq.layout(c.insns, range(len(c.insns)))
            self.assertEqual(code, c.code)
            self.assertEqual(undef, g.undef_flags)

    def check_positions(self, insns, keep, code):
        at = 0
        for i in sorted(keep):
            x = insns[i]
            end = at + len(x.code)
            if x.rip is not None:
                off, target = x.rip
                disp = int.from_bytes(code[at + off:at + off + 4], "little", signed=True)
                self.assertEqual(CODE + end + disp, target)
            if x.skip is not None:
                later = [j for j in sorted(keep) if j > i + x.skip]
                dest = sum(len(insns[j].code) for j in sorted(keep) if j < later[0]) \
                    if later else len(code)
                self.assertEqual(end + code[end - 1], dest)
            at = end

    def test_subsets(self):
        rng = random.Random(5)
        tried = refused = 0
        for c, _ in seq_cases(400, seed=1):
            n = len(c.insns)
            for _ in range(10):
                keep = tuple(i for i in range(n) if rng.random() < 0.5)
                r = forms_seq.layout(c.insns, keep)
                tried += 1
                if r is None:
                    refused += 1
                    continue
                self.check_positions(c.insns, keep, r[0])
                # The renumbered subset lays out the same.
                sub = forms_seq.subset(c.insns, keep)
                self.assertEqual(forms_seq.layout(sub, range(len(sub))), r)
        self.assertLess(refused, tried // 2)

    def test_refuses_reader_of_undefined(self):
        # shl eax, 2 (AF undefined); cmp eax, eax; setc al reads CF only;
        # pushf with an AND that clears AF: only the CMP's removal makes
        # an undefined flag reach a reader.
        x = forms_seq.Insn
        insns = [x(b"\xc1\xe0\x02", written=gen.ARITH & ~gen.AF, undefined=gen.AF),
                 x(b"\x39\xc0", written=gen.ARITH),
                 x(b"\x0f\x9c\xc0", reads=gen.SF | gen.OF)]
        self.assertIsNotNone(forms_seq.layout(insns, (0, 1, 2)))
        self.assertIsNotNone(forms_seq.layout(insns, (0, 2)))
        insns[2].reads = gen.AF
        self.assertIsNone(forms_seq.layout(insns, (0, 2)))
        self.assertEqual(forms_seq.layout(insns, (0,))[1], gen.AF)


class CaseShrinkTest(unittest.TestCase):
    def run_shrink(self, c, pred):
        job = shrink.CaseShrink(c)
        shrink.reduce_all([job], lambda cases: [pred(d) for d in cases])
        self.assertTrue(job.done)
        return job

    def test_two_instructions_and_one_register(self):
        done = 0
        for c, _ in seq_cases(300, seed=2):
            plain = [i for i, x in enumerate(c.insns)
                     if not x.reads and not x.needs and x.rip is None and x.skip is None
                     and not x.faults and not any(i in y.needs for y in c.insns)]
            if len(plain) < 2 or len(c.insns) < 4:
                continue
            a, b = plain[0], plain[-1]
            ca, cb = c.insns[a].code, c.insns[b].code
            if ca == cb or c.gpr[3] == curated.build({"name": "", "code": ""}).gpr[3]:
                continue
            rbx = c.gpr[3]
            codes = lambda d: [x.code for x in d.insns]       # noqa: E731

            def pred(d):
                k = codes(d)
                return ca in k and cb in k and k.index(ca) < k.index(cb) and d.gpr[3] == rbx
            job = self.run_shrink(c, pred)
            self.assertEqual(codes(job.best), [ca, cb])
            self.assertEqual(job.best.code, ca + cb)
            self.assertEqual(job.kept_items, 1)
            base = shrink.base_case()
            self.assertEqual([i for i in range(16) if job.best.gpr[i] != base.gpr[i]], [3])
            self.assertEqual(job.best.mem, base.mem)
            self.assertIn("shrunk from %d instructions to 2" % len(c.insns), job.summary())
            done += 1
            if done == 12:
                break
        self.assertEqual(done, 12)

    def test_state_only(self):
        # A single instruction: only the state shrinks; here to XMM1 and MXCSR.
        c = seq_cases(1, seed=3)[0][0]
        c.insns = None
        xmm1 = c.fx[176:192]
        mx = c.fx[24:28]
        c.fx[24:28] = b"\x80\x9f\x00\x00"
        job = self.run_shrink(c, lambda d: d.fx[176:192] == xmm1 and d.fx[24:28] != mx)
        self.assertEqual(job.kept_items, 2)
        self.assertIsNone(job.n_insns)

    def test_curated_entry_round_trip(self):
        for c, _ in seq_cases(50, seed=4):
            c.fswmask, c.rmask = 0xbeff, 0x10
            d = curated.build(shrink.curated_entry(c, "x"))
            self.assertEqual(d.pack(), c.pack())
            src = shrink.format_entry(shrink.curated_entry(c, "x"))
            self.assertEqual(curated.build(eval(src)).pack(), c.pack())


if __name__ == "__main__":
    unittest.main()
