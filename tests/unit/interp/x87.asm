; The x87 differential test: every case runs on the host CPU and under the
; interpreter; tests-x87.c compares the records (FNSAVE images without the
; instruction and data pointers, stored integers and floats, status words,
; RFLAGS after FCOMI).  Position independent, callable as a SysV function
; returning the size of the records in RAX.
BITS 64
DEFAULT REL

; An FNSAVE record: 108 bytes, padded to 112.
%macro SAVE 0
    fnsave [rdi]
    call clear_pointers
    add rdi, 112
%endmacro

; A memory record: 16 bytes at rdi, then a status word.
%macro MEMREC 0
    fnstsw [rdi + 12]
    add rdi, 16
%endmacro

start:
    push rbx
    lea rdi, [results]
    xor ebx, ebx
.rounding:
    ; Every case under the four rounding modes and three precisions.
    lea rsi, [cws]
    mov ax, [rsi + rbx * 2]
    mov [cw], ax
    call cases
    inc ebx
    cmp ebx, 6
    jb .rounding
    mov rax, rdi
    lea rdx, [results]
    sub rax, rdx
    pop rbx
    ret

cases:
    ; Constants.
    fninit
    fldcw [cw]
    fld1
    fldz
    fldpi
    fldl2e
    fldl2t
    fldlg2
    fldln2
    SAVE

    ; Loads of every format.
    fninit
    fldcw [cw]
    fld dword [f32a]
    fld qword [f64a]
    fld tword [f80a]
    fild word [i16a]
    fild dword [i32a]
    fild qword [i64a]
    fbld tword [bcda]
    fld dword [f32den]
    SAVE

    ; Arithmetic, register forms.
    fninit
    fldcw [cw]
    fld qword [f64a]
    fld tword [f80a]
    fadd st0, st1
    fadd st1, st0
    fld qword [f64b]
    fsub st0, st2
    fsubr st0, st1
    fmul st2, st0
    fdiv st0, st1
    fdivr st0, st2
    fsub st1, st0
    fsubr st2, st0
    fdiv st1, st0
    fdivr st2, st0
    fld st2
    faddp st1, st0
    fld st0
    fsubp st1, st0
    fld st1
    fsubrp st1, st0
    fld st2
    fmulp st1, st0
    fld st1
    fdivp st1, st0
    fld st1
    fdivrp st1, st0
    SAVE

    ; Arithmetic, memory forms.
    fninit
    fldcw [cw]
    fld tword [f80a]
    fadd dword [f32a]
    fmul qword [f64b]
    fsub dword [f32a]
    fsubr qword [f64a]
    fdiv dword [f32a]
    fdivr qword [f64b]
    fiadd word [i16a]
    fimul dword [i32a]
    fisub word [i16a]
    fisubr dword [i32a]
    fidiv word [i16a]
    fidivr dword [i32a]
    fld st0
    SAVE

    ; Compares: FNSTSW AX after each, FCOMI flags.
    fninit
    fldcw [cw]
    fld qword [f64b]
    fld tword [f80a]
    fcom st1
    fnstsw ax
    mov [rdi], ax
    fcom dword [f32a]
    fnstsw ax
    mov [rdi + 2], ax
    fucom st1
    fnstsw ax
    mov [rdi + 4], ax
    ficom word [i16a]
    fnstsw ax
    mov [rdi + 6], ax
    ftst
    fnstsw ax
    mov [rdi + 8], ax
    fxam
    fnstsw ax
    mov [rdi + 10], ax
    fcomi st0, st1
    pushfq
    pop rax
    mov [rdi + 12], al
    fucomi st0, st0
    pushfq
    pop rax
    mov [rdi + 13], al
    fld st0
    fcomip st0, st2
    pushfq
    pop rax
    mov [rdi + 14], al
    fld st0
    fucomip st0, st1
    pushfq
    pop rax
    mov [rdi + 15], al
    add rdi, 16
    fld1
    fcomp qword [f64a]
    fld1
    fcompp
    fld1
    fld1
    fucompp
    SAVE

    ; FXAM of the classes; FCMOVcc.
    fninit
    fld tword [f80nan]
    fxam
    fnstsw [rdi]
    fld tword [f80den]
    fxam
    fnstsw [rdi + 2]
    fld tword [f80un]
    fxam
    fnstsw [rdi + 4]
    fldz
    fchs
    fxam
    fnstsw [rdi + 6]
    ffree st0
    fxam
    fnstsw [rdi + 8]
    fincstp
    fld1
    fdiv dword [zero32]
    fxam
    fnstsw [rdi + 10]
    fnstsw [rdi + 12]
    add rdi, 16
    fninit
    fld1
    fldpi
    mov eax, 1
    cmp eax, 2
    fcmovb st0, st1
    fldl2e
    fcmovnb st0, st2
    fcmove st0, st2
    fcmovne st0, st2
    fcmovbe st0, st3
    fcmovnbe st0, st2
    fcmovu st0, st2
    fcmovnu st0, st3
    fxch st2
    fxch
    fchs
    fabs
    SAVE

    ; Stack faults (masked): overflow, then underflow.
    fninit
    fldcw [cw]
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    fld1
    SAVE
    fninit
    fadd st0, st3
    fld1
    fstp st2
    fxch st5
    SAVE

    ; Stores.
    fninit
    fldcw [cw]
    fld tword [f80a]
    fst dword [rdi]
    MEMREC
    fst qword [rdi]
    MEMREC
    fld st0
    fstp tword [rdi]
    MEMREC
    fist word [rdi]
    MEMREC
    fist dword [rdi]
    MEMREC
    fld st0
    fistp qword [rdi]
    MEMREC
    fld st0
    fisttp word [rdi]
    MEMREC
    fld st0
    fisttp dword [rdi]
    MEMREC
    fld st0
    fisttp qword [rdi]
    MEMREC
    fld st0
    fbstp tword [rdi]
    MEMREC
    fld tword [f80big]
    fist word [rdi]
    MEMREC
    fbstp tword [rdi]
    MEMREC
    fld tword [f80big]
    fst dword [rdi]
    MEMREC
    fld tword [f80tiny]
    fst qword [rdi]
    MEMREC
    fstp st0
    fnstcw [rdi]
    MEMREC
    SAVE

    ; The rest of D9.
    fninit
    fldcw [cw]
    fld tword [f80a]
    fld qword [f64b]
    fprem
    fprem1
    fscale
    fxtract
    fsqrt
    frndint
    fld qword [f64a]
    fld tword [f80a]
    fmulp st1, st0
    fdecstp
    fdecstp
    fincstp
    fnop
    ffree st3
    SAVE

    ; Environment: FNSTENV masks exceptions; FLDENV and FRSTOR.
    fninit
    fldcw [cw]
    fld1
    fldz
    fdivp st1, st0
    fnstenv [rdi]
    mov dword [rdi + 12], 0         ; FIP, FCS/FOP, FDP, FDS: compared apart
    mov dword [rdi + 16], 0
    mov dword [rdi + 20], 0
    mov dword [rdi + 24], 0
    fnstcw [rdi + 28]
    add rdi, 32
    fldenv [rdi - 32]
    fnstsw [rdi]
    fnclex
    fnstsw [rdi + 2]
    add rdi, 16
    fld qword [f64a]
    fsave [rdi]
    call clear_pointers
    fld1
    frstor [rdi]
    add rdi, 112
    SAVE
    ret

; FIP, FCS and FOP, FDP, FDS differ between the host and the guest: zero them.
clear_pointers:
    mov dword [rdi + 12], 0
    mov dword [rdi + 16], 0
    mov dword [rdi + 20], 0
    mov dword [rdi + 24], 0
    ret

    align 16
cws:    dw 0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f
cw:     dw 0
f32a:   dd 0x40490fdb              ; pi
f32den: dd 0x00012345
zero32: dd 0
f64a:   dq 0x3fd5555555555555      ; 1/3
f64b:   dq 0xc1234567abcdef01
i16a:   dw -1234
i32a:   dd 98765
i64a:   dq -12345678901234
bcda:   db 0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80
f80a:   dq 0xb8aa3b295c17f0bc
        dw 0x4004
f80nan: dq 0xc000000000000001
        dw 0x7fff
f80den: dq 0x0000000012345678
        dw 0x0000
f80un:  dq 0x1234567812345678
        dw 0x3fff
f80big: dq 0xffffffffffffffff
        dw 0x4100
f80tiny: dq 0x8000000000000001
        dw 0x0010
    align 16
results:
