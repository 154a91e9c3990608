#!/usr/bin/env python3
"""Tests of the shrinker (shrink.py) and of forms_seq.layout(), with
synthetic predicates instead of KVM."""
import itertools
import os
import random
import sys
import tempfile
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


def synthetic(n, regs, seed=0):
    """A sequence of n distinct flag-free instructions (mov r11b, imm8) on
    curated.py's base state with the registers regs ({index: value}) and
    two random data qwords changed."""
    c = curated.build({"name": "syn", "code": ""})
    c.family = c.name = "seq"
    c.insns = [forms_seq.Insn(bytes([0x41, 0xb3, k])) for k in range(n)]
    c.code = b"".join(x.code for x in c.insns)
    c.seq_len = n
    for i, v in regs.items():
        c.gpr[i] = v
    rng = random.Random(seed)
    for off in rng.sample(range(0, gen.DATA_SIZE, 8), 2):
        c.mem[off:off + 8] = rng.randbytes(8)
    return c


def kept(d):
    """The original positions of d's instructions (their imm8)."""
    return [x.code[2] for x in d.insns]


def chain_pred(k, regs, base):
    """Instruction 2k+1 of synthetic(2k+2) (A) must stay; B_j (instruction
    2j+1) loads what register j+1 has in the base state, so it can go only
    once that register is reset; register j+1 can be reset only once B_(j-1)
    is gone.  Removing all of them takes 2k + 1 passes."""
    A = 2 * k + 1

    def pred(d):
        ks = set(kept(d))
        if A not in ks:
            return False
        for j in range(k):
            r = j + 1
            if 2 * j + 1 not in ks and d.gpr[r] != base.gpr[r]:
                return False            # B_j gone and nothing loads the value
            if j and d.gpr[r] != regs[r] and 2 * j - 1 in ks:
                return False            # register j+1 reset while B_(j-1) still there
        return True
    return pred


class AlternationTest(unittest.TestCase):
    def run_job(self, c, pred, **kw):
        job = shrink.CaseShrink(c, **kw)
        test = Counter(pred)
        rounds = shrink.reduce_all([job], test, max_rounds=2 * job.max_rounds)
        self.assertTrue(job.done)
        self.assertTrue(pred(job.best))
        self.assertEqual(rounds, test.calls)            # a round is one batch
        return job, test

    def test_state_reset_frees_an_instruction(self):
        # B = instruction 1 (a MOV that loads RBX's base value, say), A =
        # instruction 4 needs RBX to hold it.  With the random RBX only B
        # gives it: one pass of each phase keeps B; the next instruction
        # pass, after the state pass reset RBX, removes it.
        base = shrink.base_case()
        c = synthetic(6, {3: 0x8000123456789abc, 1: 5})

        def pred(d):
            ks = kept(d)
            rbx = base.gpr[3] if 1 in ks else d.gpr[3]
            return 4 in ks and rbx == base.gpr[3]
        job, _ = self.run_job(c, pred)
        self.assertEqual(kept(job.best), [4])
        self.assertEqual(job.kept_items, 0)
        self.assertEqual(job.passes, ["insns", "state", "insns"])
        self.assertIn("3 passes (instructions, state, instructions)", job.summary())
        old, _ = self.run_job(c, pred, alternate=False)
        self.assertEqual(kept(old.best), [1, 4])
        self.assertEqual(old.passes, ["insns", "state"])

    def test_fixpoint_over_many_passes(self):
        base = shrink.base_case()
        for k in (1, 2, 3, 4):
            regs = {r: 0x7000 + r for r in range(1, k + 1)}
            c = synthetic(2 * k + 2, regs, seed=k)
            job, test = self.run_job(c, chain_pred(k, regs, base))
            self.assertEqual(kept(job.best), [2 * k + 1])
            self.assertEqual(job.kept_items, 0)
            self.assertEqual(len(job.passes), 2 * k + 1)
            self.assertTrue(all(n <= job.max_rounds for n in job.used.values()))
            self.assertNotIn("stopped early", job.summary())

    def test_bounds_over_all_passes(self):
        # The chain of 3 needs 7 passes, 8 instruction rounds and 6 state
        # rounds; 5 per phase stop it after B_0 went, before B_2 does.
        base = shrink.base_case()
        regs = {1: 0x7001, 2: 0x7002, 3: 0x7003}
        c = synthetic(8, regs, seed=3)
        pred = chain_pred(3, regs, base)
        for n in (1, 2, 5, 6):
            job, test = self.run_job(c, pred, max_rounds=n)
            self.assertTrue(all(u <= n for u in job.used.values()))
            self.assertLessEqual(test.calls, 2 * n)
            self.assertIn("stopped early (--shrink-rounds %d)" % n, job.summary())
            self.assertIn(7, kept(job.best))
            self.assertIn(5, kept(job.best))
        job, test = self.run_job(c, pred, max_rounds=5)
        self.assertNotIn(1, kept(job.best))
        self.assertIn("in: insns", job.summary())

    def test_random_predicates_reach_a_fixpoint(self):
        # Any predicate over 3 instructions and 3 registers: the result fails,
        # and unless a bound stopped it, no single instruction (of two or
        # more) can go and no single state item can be reset.
        rng = random.Random(7)
        regs = {1: 0x51, 2: 0x52, 3: 0x53}
        base = shrink.base_case()
        combos = [(i, r) for i in range(1, 8) for r in range(8)]
        for _ in range(300):
            fail = {x for x in combos if rng.random() < 0.35} | {(7, 7)}

            def pred(d):
                ks = sum(1 << i for i in kept(d))
                rs = sum(1 << (r - 1) for r in regs if d.gpr[r] != base.gpr[r])
                return (ks, rs) in fail
            c = synthetic(3, regs, seed=rng.randrange(1000))
            c.mem = bytearray(base.mem)
            job, test = self.run_job(c, pred, max_rounds=rng.choice((2, 12)))
            self.assertTrue(all(u <= job.max_rounds for u in job.used.values()))
            self.assertLessEqual(test.calls, 2 * job.max_rounds)
            if job.bounded:
                continue
            d = job.best
            if len(d.insns) > 1:
                for i in range(len(d.insns)):
                    keep = [j for j in range(len(d.insns)) if j != i]
                    self.assertFalse(pred(shrink.with_insns(d, keep)))
            items = shrink.state_items(d, base)
            for i in range(len(items)):
                keep = [j for j in range(len(items)) if j != i]
                self.assertFalse(pred(shrink.with_state(d, base, items, keep)))


class Kemu:
    """A kemu that runs cases in order and stops at the first that fails:
    fail(case) -> None or the failure text.  Counts its runs."""

    def __init__(self, fail):
        self.fail = fail
        self.runs = 0

    def __call__(self, cases):
        self.runs += 1
        for d in cases:
            err = self.fail(d)
            if err is not None:
                return err
        return None


def asan(line):
    return ("tcg: exit 1\nstdout: \nstderr: ==1==ERROR: AddressSanitizer: heap-buffer-overflow\n"
            "    #0 0x55 in x86_op_bswap ../target-i386/interp/exec-mov.c:%d\n"
            "    #1 0x56 in x86_run ../target-i386/interp/run.c:88\n"
            "SUMMARY: AddressSanitizer: heap-buffer-overflow "
            "../target-i386/interp/exec-mov.c:%d in x86_op_bswap\n" % (line, line))


class CrashTest(unittest.TestCase):
    def test_first_failing(self):
        rng = random.Random(11)
        for _ in range(2000):
            n = rng.randint(1, 300)
            out = [rng.choices("p", k=1)[0] if rng.random() < 0.97 else rng.choice("so")
                   for _ in range(n)]
            runs = []

            def run(lo, hi):
                runs.append((lo, hi))
                return next((out[i] + str(i) for i in range(lo, hi) if out[i] != "p"), None)
            pos, err = shrink.first_failing(n, run, lambda e: e[0] == "s")
            want = out.index("s") if "s" in out else None
            self.assertEqual(pos, want)
            if want is not None:
                self.assertEqual(err, "s%d" % want)
            found = sum(1 for x in out[:(want + 1 if want is not None else n)] if x != "p")
            bits = n.bit_length()
            self.assertLessEqual(len(runs), found * (2 * bits + 1) + (bits if want is None else 0))
            if out[0] == "s":
                self.assertEqual(runs, [(0, 1)])
            if out[:3] == ["p", "p", "s"]:
                self.assertEqual(len(runs), 3)      # [0, 1), [1, 3), [1, 2)

    def test_crash_shrinks_to_the_same_failure(self):
        # kemu crashes at exec-mov.c:145 when instruction 3 runs with RBX bit
        # 63 set and instruction 6 is there; without instruction 1 it fails
        # otherwise first (exec-mov.c:150), which is not the same failure.
        c = synthetic(9, {3: 0x8000000000000001, 2: 0x1234, 5: 0x99}, seed=4)

        def fail(d):
            ks = kept(d)
            if 1 not in ks:
                return asan(150)
            if 3 in ks and 6 in ks and d.gpr[3] >> 63:
                return asan(145)
            return None
        kemu = Kemu(fail)
        test = shrink.CrashTest(kemu, lambda e: "exec-mov.c:145" in e)
        job = shrink.CaseShrink(c)
        calls = Counter(lambda d: None)
        rounds = shrink.reduce_all([job], lambda cs: (calls(cs), test(cs))[1])
        self.assertTrue(job.done)
        self.assertEqual(kept(job.best), [1, 3, 6])
        self.assertEqual(job.kept_items, 1)
        self.assertEqual(test.failure, asan(145))
        self.assertEqual(test.runs, kemu.runs)
        # log2(candidates) runs for a round in which nothing fails, at most
        # 2 log2(candidates) + 1 per failure found (two here: the other first).
        self.assertLessEqual(kemu.runs, sum(2 * (2 * s.bit_length() + 1) for s in calls.sizes))
        self.assertEqual(rounds, calls.calls)

    def test_run_diff_shrinks_a_crash(self):
        # run-diff.py's path: its signature of the bisection's failure, its
        # runs of kemu (here a fake run_guest), its report.
        import contextlib
        import importlib.util
        import io
        import types
        spec = importlib.util.spec_from_file_location(
            "run_diff", os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-diff.py"))
        rd = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(rd)
        c = synthetic(7, {3: 0x8000000000000001, 2: 0x1234}, seed=5)

        def run_guest(kemu, guest, accel, cases, full, tmp, timeout):
            self.assertEqual(accel, "tcg")
            for d in cases:
                if 2 in kept(d) and d.gpr[3] >> 63:
                    raise rd.GuestFailure(asan(145))
            return b"\0" * 8 * len(cases)
        rd.run_guest = run_guest
        opts = types.SimpleNamespace(kemu="kemu", guest="guest", timeout=1,
                                     shrink_rounds=shrink.DEFAULT_ROUNDS)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), tempfile.TemporaryDirectory() as tmp:
            res = rd.shrink_crashes(opts, [(c, "tcg", asan(145))], tmp)
            job, err = res[id(c)]
            rd.report_crash("--case 9", c, "tcg", asan(145), tmp, res[id(c)])
        self.assertEqual(kept(job.best), [2])
        self.assertEqual(job.kept_items, 1)
        text = out.getvalue()
        self.assertRegex(text, r"shrinking 1 crash: \d+ rounds, \d+ candidates, \d+ kemu runs")
        self.assertIn("kemu fails the same way: ../target-i386/interp/exec-mov.c:145", text)
        self.assertIn("minimal reproducer: 41 b3 02", text)
        self.assertIn("'rbx': 0x8000000000000001", text)
        # A hang is not shrunk; a signature leaves out the batch's counts.
        hang = "tcg: no result in 600 s (4096 cases)"
        with contextlib.redirect_stdout(out):
            self.assertEqual(rd.shrink_crashes(opts, [(c, "tcg", hang)], "/tmp"), {})
        self.assertEqual(rd.failure_signature(hang),
                         rd.failure_signature("tcg: no result in 600 s (12 cases)"))
        self.assertNotEqual(rd.failure_signature("tcg: exit -6"),
                            rd.failure_signature("tcg: exit -11"))


if __name__ == "__main__":
    unittest.main()
