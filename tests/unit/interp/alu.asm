; The ALU differential test: the same cases run on the host CPU and under
; the interpreter, from the same operands and flags; tests-alu.c compares
; the 32-byte records, masking the flags the SDM leaves undefined.
; Position independent (RIP-relative); callable as void fn(void) (SysV).
; A record: result, RFLAGS (or 16 SETcc bytes), kind = op * 16 + size, aux.
BITS 64
DEFAULT REL

NVALS equ 20

%macro REC 1
    mov [rdi], rax
    mov [rdi + 8], rdx
    mov qword [rdi + 16], %1
    mov [rdi + 24], rbx
    add rdi, 32
%endmacro

%macro PRE 0
    mov rax, r8
    mov rbx, r9
    mov rcx, r9
    push r10
    popfq
%endmacro

%macro POST 1
    pushfq
    pop rdx
    REC %1
%endmacro

%macro BIN 4
    PRE
    %1 %2, %3
    POST %4
%endmacro

%macro UN 3
    PRE
    %1 %2
    POST %3
%endmacro

%macro SHD 4
    PRE
    %1 %2, %3, cl
    POST %4
%endmacro

%macro MULX 3
    PRE
    mov rdx, r9
    %1 %2
    pushfq
    mov rbx, rdx
    pop rdx
    REC %3
%endmacro

%macro CONDS 1
    seto [rdi]
    setno [rdi + 1]
    setb [rdi + 2]
    setae [rdi + 3]
    sete [rdi + 4]
    setne [rdi + 5]
    setbe [rdi + 6]
    seta [rdi + 7]
    sets [rdi + 8]
    setns [rdi + 9]
    setp [rdi + 10]
    setnp [rdi + 11]
    setl [rdi + 12]
    setge [rdi + 13]
    setle [rdi + 14]
    setg [rdi + 15]
    mov qword [rdi + 16], %1
    mov [rdi + 24], rbx
    add rdi, 32
%endmacro

%macro COND2 4
    PRE
    %1 %2, %3
    CONDS %4
%endmacro

%macro COND1 3
    PRE
    %1 %2
    CONDS %3
%endmacro

start:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    lea r14, [values]
    lea rdi, [results]
    xor r12, r12
.la:
    xor r13, r13
.lb:
    mov r8, [r14 + r12 * 8]
    mov r9, [r14 + r13 * 8]
    mov r10, 0x002
    call cases
    mov r10, 0x8d7
    call cases
    inc r13
    cmp r13, NVALS
    jb .lb
    inc r12
    cmp r12, NVALS
    jb .la
    mov rax, rdi
    lea rdx, [results]
    sub rax, rdx                    ; the size of the records
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

cases:
    BIN add, al, bl, 0
    BIN add, ax, bx, 1
    BIN add, eax, ebx, 2
    BIN add, rax, rbx, 3
    BIN adc, al, bl, 16
    BIN adc, ax, bx, 17
    BIN adc, eax, ebx, 18
    BIN adc, rax, rbx, 19
    BIN sub, al, bl, 32
    BIN sub, ax, bx, 33
    BIN sub, eax, ebx, 34
    BIN sub, rax, rbx, 35
    BIN sbb, al, bl, 48
    BIN sbb, ax, bx, 49
    BIN sbb, eax, ebx, 50
    BIN sbb, rax, rbx, 51
    BIN and, al, bl, 64
    BIN and, ax, bx, 65
    BIN and, eax, ebx, 66
    BIN and, rax, rbx, 67
    BIN or, al, bl, 80
    BIN or, ax, bx, 81
    BIN or, eax, ebx, 82
    BIN or, rax, rbx, 83
    BIN xor, al, bl, 96
    BIN xor, ax, bx, 97
    BIN xor, eax, ebx, 98
    BIN xor, rax, rbx, 99
    BIN cmp, al, bl, 112
    BIN cmp, ax, bx, 113
    BIN cmp, eax, ebx, 114
    BIN cmp, rax, rbx, 115
    BIN test, al, bl, 128
    BIN test, ax, bx, 129
    BIN test, eax, ebx, 130
    BIN test, rax, rbx, 131
    UN inc, al, 144
    UN inc, ax, 145
    UN inc, eax, 146
    UN inc, rax, 147
    UN dec, al, 160
    UN dec, ax, 161
    UN dec, eax, 162
    UN dec, rax, 163
    UN neg, al, 176
    UN neg, ax, 177
    UN neg, eax, 178
    UN neg, rax, 179
    UN not, al, 192
    UN not, ax, 193
    UN not, eax, 194
    UN not, rax, 195
    BIN rol, al, cl, 208
    BIN rol, ax, cl, 209
    BIN rol, eax, cl, 210
    BIN rol, rax, cl, 211
    BIN ror, al, cl, 224
    BIN ror, ax, cl, 225
    BIN ror, eax, cl, 226
    BIN ror, rax, cl, 227
    BIN rcl, al, cl, 240
    BIN rcl, ax, cl, 241
    BIN rcl, eax, cl, 242
    BIN rcl, rax, cl, 243
    BIN rcr, al, cl, 256
    BIN rcr, ax, cl, 257
    BIN rcr, eax, cl, 258
    BIN rcr, rax, cl, 259
    BIN shl, al, cl, 272
    BIN shl, ax, cl, 273
    BIN shl, eax, cl, 274
    BIN shl, rax, cl, 275
    BIN shr, al, cl, 288
    BIN shr, ax, cl, 289
    BIN shr, eax, cl, 290
    BIN shr, rax, cl, 291
    BIN sar, al, cl, 304
    BIN sar, ax, cl, 305
    BIN sar, eax, cl, 306
    BIN sar, rax, cl, 307
    SHD shld, ax, bx, 321
    SHD shld, eax, ebx, 322
    SHD shld, rax, rbx, 323
    SHD shrd, ax, bx, 337
    SHD shrd, eax, ebx, 338
    SHD shrd, rax, rbx, 339
    MULX mul, bl, 352
    MULX mul, bx, 353
    MULX mul, ebx, 354
    MULX mul, rbx, 355
    MULX imul, bl, 368
    MULX imul, bx, 369
    MULX imul, ebx, 370
    MULX imul, rbx, 371
    BIN imul, ax, bx, 385
    BIN imul, eax, ebx, 386
    BIN imul, rax, rbx, 387
    BIN bt, ax, bx, 401
    BIN bt, eax, ebx, 402
    BIN bt, rax, rbx, 403
    BIN bts, ax, bx, 417
    BIN bts, eax, ebx, 418
    BIN bts, rax, rbx, 419
    BIN btr, ax, bx, 433
    BIN btr, eax, ebx, 434
    BIN btr, rax, rbx, 435
    BIN btc, ax, bx, 449
    BIN btc, eax, ebx, 450
    BIN btc, rax, rbx, 451
    BIN bsf, ax, bx, 465
    BIN bsf, eax, ebx, 466
    BIN bsf, rax, rbx, 467
    BIN bsr, ax, bx, 481
    BIN bsr, eax, ebx, 482
    BIN bsr, rax, rbx, 483
    PRE
    imul ax, bx, -3
    POST 513
    PRE
    imul eax, ebx, -3
    POST 514
    PRE
    imul rax, rbx, -3
    POST 515
    BIN xadd, al, bl, 528
    BIN xadd, ax, bx, 529
    BIN xadd, eax, ebx, 530
    BIN xadd, rax, rbx, 531
    COND2 cmp, al, bl, 496
    COND2 cmp, ax, bx, 497
    COND2 cmp, eax, ebx, 498
    COND2 cmp, rax, rbx, 499
    COND2 add, eax, ebx, 498
    COND2 sub, rax, rbx, 499
    COND2 and, eax, ebx, 498
    COND2 or, ax, bx, 497
    COND2 xor, al, bl, 496
    COND2 adc, eax, ebx, 498
    COND2 sbb, eax, ebx, 498
    COND2 test, rax, rbx, 499
    COND1 inc, eax, 498
    COND1 dec, rax, 499
    COND1 neg, eax, 498
    ret

align 8
values:
    dq 0, 1, 2, 7, 8, 0x1f, 0x20, 0x21, 0x3f, 0x41
    dq 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffffffff, 0x80000000
    dq 0x7fffffffffffffff, 0x8000000000000000, 0xfedcba9876543211
align 64
results:
