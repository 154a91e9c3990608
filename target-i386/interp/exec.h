/*
 * Instruction handlers, by group.  The decoder's tables (decode-table.c)
 * point at these; each takes the interpreter and one decoded instruction.
 */
#ifndef TARGET_I386_INTERP_EXEC_H
#define TARGET_I386_INTERP_EXEC_H

#include "target-i386/interp/internal.h"

/* exec-alu.c: the eight ALU operations in their three forms, TEST, INC/DEC, NOT/NEG. */
X86Handler x86_op_add_eg, x86_op_or_eg, x86_op_adc_eg, x86_op_sbb_eg;
X86Handler x86_op_and_eg, x86_op_sub_eg, x86_op_xor_eg, x86_op_cmp_eg;
X86Handler x86_op_add_ge, x86_op_or_ge, x86_op_adc_ge, x86_op_sbb_ge;
X86Handler x86_op_and_ge, x86_op_sub_ge, x86_op_xor_ge, x86_op_cmp_ge;
X86Handler x86_op_add_ei, x86_op_or_ei, x86_op_adc_ei, x86_op_sbb_ei;
X86Handler x86_op_and_ei, x86_op_sub_ei, x86_op_xor_ei, x86_op_cmp_ei;
X86Handler x86_op_test_eg, x86_op_test_ei;
X86Handler x86_op_inc, x86_op_dec, x86_op_not, x86_op_neg;
/* Register forms by operand size (OpInfo.reg_sized), indexed by ot. */
extern X86Handler *const x86_add_eg_r[4], *const x86_or_eg_r[4];
extern X86Handler *const x86_adc_eg_r[4], *const x86_sbb_eg_r[4];
extern X86Handler *const x86_and_eg_r[4], *const x86_sub_eg_r[4];
extern X86Handler *const x86_xor_eg_r[4], *const x86_cmp_eg_r[4];
extern X86Handler *const x86_add_ge_r[4], *const x86_or_ge_r[4];
extern X86Handler *const x86_adc_ge_r[4], *const x86_sbb_ge_r[4];
extern X86Handler *const x86_and_ge_r[4], *const x86_sub_ge_r[4];
extern X86Handler *const x86_xor_ge_r[4], *const x86_cmp_ge_r[4];
extern X86Handler *const x86_add_ei_r[4], *const x86_or_ei_r[4];
extern X86Handler *const x86_adc_ei_r[4], *const x86_sbb_ei_r[4];
extern X86Handler *const x86_and_ei_r[4], *const x86_sub_ei_r[4];
extern X86Handler *const x86_xor_ei_r[4], *const x86_cmp_ei_r[4];
extern X86Handler *const x86_test_eg_r[4], *const x86_test_ei_r[4];
extern X86Handler *const x86_inc_r[4], *const x86_dec_r[4];
extern X86Handler *const x86_mov_eg_r[4], *const x86_mov_ge_r[4], *const x86_mov_ei_r[4];
extern X86Handler *const x86_mov_ld[4], *const x86_mov_st[4], *const x86_lea_sized[4];

/* exec-mov.c: data movement, conversions, flag instructions. */
X86Handler x86_op_mov_eg, x86_op_mov_ge, x86_op_mov_ei, x86_op_lea;
X86Handler x86_op_xchg, x86_op_cmpxchg, x86_op_grp9, x86_op_xadd, x86_op_bswap;
X86Handler x86_op_movzx_b, x86_op_movzx_w, x86_op_movsx_b, x86_op_movsx_w, x86_op_movsxd;
X86Handler x86_op_cbw, x86_op_cwd, x86_op_cmov, x86_op_setcc;
X86Handler x86_op_lahf, x86_op_sahf, x86_op_cmc, x86_op_clc, x86_op_stc;
X86Handler x86_op_cld, x86_op_std, x86_op_salc, x86_op_xlat, x86_op_nop;

/* exec-shift.c */
X86Handler x86_op_shift_imm, x86_op_shift_cl;
X86Handler x86_op_shld_imm, x86_op_shld_cl, x86_op_shrd_imm, x86_op_shrd_cl;
extern X86Handler *const x86_shl_i_r[4], *const x86_shr_i_r[4], *const x86_sar_i_r[4];
extern X86Handler *const x86_shl_cl_r[4], *const x86_shr_cl_r[4], *const x86_sar_cl_r[4];

/* exec-muldiv.c */
X86Handler x86_op_mul, x86_op_imul1, x86_op_div, x86_op_idiv;
X86Handler x86_op_imul_ge, x86_op_imul_gei;

/* exec-string.c */
X86Handler x86_op_movs, x86_op_cmps, x86_op_stos, x86_op_lods, x86_op_scas;
X86Handler x86_op_ins, x86_op_outs;

/* exec-stack.c: stack and near control flow. */
X86Handler x86_op_push_e, x86_op_pop_e, x86_op_push_i, x86_op_push_seg, x86_op_pop_seg;
X86Handler x86_op_pusha, x86_op_popa, x86_op_pushf, x86_op_popf;
X86Handler x86_op_enter, x86_op_leave;
X86Handler x86_op_call_rel, x86_op_call_e, x86_op_ret, x86_op_jmp_rel, x86_op_jmp_e;
X86Handler x86_op_jcc, x86_op_loop, x86_op_jcxz;
/* Jcc in 64-bit mode by condition (exec-jcc64.c). */
extern X86Handler *const x86_jcc64[16];
X86Handler x86_op_int3, x86_op_int, x86_op_into, x86_op_int1, x86_op_bound;

/* seg.c / far.c: segment registers and far control transfers. */
X86Handler x86_op_mov_seg_load, x86_op_mov_seg_store, x86_op_lseg, x86_op_arpl;
X86Handler x86_op_call_far, x86_op_call_far_m, x86_op_jmp_far, x86_op_jmp_far_m;
X86Handler x86_op_retf, x86_op_iret;

/* exec-bit.c */
X86Handler x86_op_bt, x86_op_bt_imm, x86_op_bsf, x86_op_bsr, x86_op_popcnt;

/* exec-bcd.c */
X86Handler x86_op_daa, x86_op_das, x86_op_aaa, x86_op_aas, x86_op_aam, x86_op_aad;

/* sys.c: system instructions, I/O, and the x87/SSE hooks. */
X86Handler x86_op_mov_from_cr, x86_op_mov_to_cr, x86_op_mov_from_dr, x86_op_mov_to_dr;
X86Handler x86_op_grp6, x86_op_grp7, x86_op_lar, x86_op_lsl, x86_op_clts;
X86Handler x86_op_cpuid, x86_op_rdmsr, x86_op_wrmsr, x86_op_rdtsc, x86_op_rdpmc;
X86Handler x86_op_in, x86_op_out, x86_op_hlt, x86_op_cli, x86_op_sti;
X86Handler x86_op_syscall, x86_op_sysret, x86_op_sysenter, x86_op_sysexit;
X86Handler x86_op_wbinvd, x86_op_ud, x86_op_gp0;
X86Handler x86_op_sse_stub, x86_op_grp15;

/* exec-x87.c: the x87 FPU (D8-DF) and FWAIT. */
X86Handler x86_op_x87, x86_op_fwait;

#endif
