; Exceptions: raise every vector the CPU can produce and check, in the
; handler, the vector, whether an error code was pushed and its value, the
; saved CS:EIP (a fault saves the faulting instruction, a trap the next
; one) and CR2 for #PF.  One line per case:
;
;   vector 14 pf-write-ro err=00000003 eip=insn cs=0008 cr2=00600000
;
; then "PASS vectors".  Each value is printed, so the line is the same on
; the host CPU (-accel kvm) and the interpreter only when they agree; the
; expected values are also checked here, and a mismatch is "FAIL".
;
; Shaped by the software KVM it was written on (see mb-ring3.asm): CPL 0
; runs in KVM's instruction emulator, which has no protected-mode IRET, so a
; handler does not return: it records the frame and jumps back to the case's
; continuation with the stack the case saved (a longjmp).  Ring 3 is entered
; with SYSEXIT.  That emulator also lacks INT3/INTO/INT n and BOUND in
; protected mode, x87/SSE arithmetic, and paging outside long mode, and runs
; 32-bit ring 3 itself (no #AC): "kvmemu=1" on the command line skips those
; cases (a "skipped" line); tests/functional/test_kvm.py compares the rest
; with the interpreter's lines.  The diff harness (tests/diff) checks #AC
; against the host CPU in 64-bit ring 3.
;
; Elsewhere: #TS (10) comes from task switches, in mb-task.asm (a bad SS0
; on a ring 3 -> 0 event would be #TS during the #TS's own delivery: #DF,
; then a triple fault); #DB from DR0-DR3/DR7 breakpoints is in test-interp
; (test_hw_breakpoints).  #MC (18) is raised by the machine-check
; architecture on hardware errors, never by an instruction, so INT 18
; stands in for it.
%include "multiboot.inc"

KCODE   equ 0x08
KDATA   equ 0x10
UCODE   equ 0x18 | 3                    ; SYSENTER_CS + 16
UDATA   equ 0x20 | 3                    ; SYSENTER_CS + 24
TSS_SEL equ 0x28
NP_SEL  equ 0x30                        ; data segment, not present
SMALL_SS equ 0x38                       ; data segment, limit 0xfff
XO_SEL  equ 0x40                        ; execute-only code segment
MSR_SYSENTER_CS  equ 0x174
MSR_SYSENTER_ESP equ 0x175
MSR_SYSENTER_EIP equ 0x176
MSR_EFER equ 0xc0000080
APIC_BASE equ 0xfee00000
NO_ERR  equ 0xffffffff                  ; "no error code pushed"
ANY     equ 0xfffffffe                  ; CR2 not compared

; Test pages (4 KiB, in the first 4 MiB page table).
PG_NP   equ 0x600000                    ; not present
PG_RO   equ 0x601000                    ; present, read-only, user
PG_SUP  equ 0x602000                    ; present, writable, supervisor
PG_NX   equ 0x603000                    ; present, execute-disable (PAE)

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

%include "lib.inc"

; ---- The case machinery ----------------------------------------------------

; CASE name, vector, error (NO_ERR: none pushed), eip kind (0 insn, 1 next),
; cr2 (ANY when not a #PF): sets the expectation and the continuation, which
; is END.  AT marks the instruction under test, NEXT the one after it.
%macro CASE 5
%push case
    mov dword [exp_vec], %2
    mov dword [exp_err], %3
    mov dword [exp_next], %4
    mov dword [exp_cr2], %5
    mov dword [case_name], %$name
    mov dword [resume], %$done
    mov dword [got_vec], -1
    mov [saved_esp], esp
    mov [frame_top], esp
section .rodata
%$name: db %1, 0
section .text
%endmacro
%macro AT 0
    mov dword [insn_eip], %$insn
    mov dword [next_eip], %$next
%$insn:
%endmacro
%macro NEXT 0
%$next:
%endmacro
; USER: the rest of the case runs in ring 3 (SYSEXIT to UCODE, flat).
%macro USER 0
    mov dword [in_user], 1
    mov ecx, ustack_top
    mov edx, %%user
    sysexit
%%user:
%endmacro
%macro END 0
    cmp dword [in_user], 0
    je %$done
    ud2                                 ; no exception in ring 3: back to ring 0 by #UD
%$done:
    call report
%$skip:
%pop
%endmacro
; EMU_SKIP: with "kvmemu=1" (-accel kvm on a host whose KVM emulates CPL 0
; with its instruction emulator) the case is skipped: that emulator does
; not have what it needs (INT n and friends in protected mode, ...).
%macro EMU_SKIP 0
    cmp dword [kvmemu], 0
    je %%run
    call report_skip
    jmp %$skip
%%run:
%endmacro

section .text
bits 32

global _start
_start:
    mov esp, kstack_top
    mov esi, msg_bad_magic
    cmp eax, MB_BOOT_MAGIC
    jne fail
    mov edi, ebx
    mov esi, key_kvmemu
    call cmdline_uint
    jc .no_kvmemu
    mov [kvmemu], eax
.no_kvmemu:

    lgdt [gdt_desc]
    jmp KCODE:.flat
.flat:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    ; The TSS: ESP0/SS0 for events from ring 3.
    mov eax, tss
    mov [gdt + TSS_SEL + 2], ax
    shr eax, 16
    mov [gdt + TSS_SEL + 4], al
    mov [gdt + TSS_SEL + 7], ah
    mov dword [tss + 4], estack_top
    mov dword [tss + 8], KDATA
    mov word [tss + 102], 104
    mov ax, TSS_SEL
    ltr ax
    xor ecx, ecx
.gates:
    mov eax, [stubs + 4 * ecx]
    call set_gate
    inc ecx
    cmp ecx, 32
    jb .gates
    lidt [idt_desc]
    mov ecx, MSR_SYSENTER_CS
    mov eax, KCODE
    xor edx, edx
    wrmsr

    ; A fault during set-up is reported as one.
    mov dword [resume], setup_fault
    mov [saved_esp], esp
    mov [frame_top], esp

    ; KVM here (CPL 0 in its emulator) refuses CR0.PG outside long mode.
    mov eax, cr0
    or eax, (1 << 16) | (1 << 5) | (1 << 1)     ; WP, NE, MP
    and eax, ~(1 << 2)                  ; EM
    mov cr0, eax
    mov eax, cr4
    or eax, (1 << 9) | (1 << 10)        ; OSFXSR, OSXMMEXCPT
    mov cr4, eax
    cmp dword [kvmemu], 0
    jne .no_paging

    ; PAE paging (for NX) in legacy mode: 2 MiB identity pages for the low
    ; 4 GiB, 4 KiB pages for the 2 MiB at PG_NP (SDM vol. 3, 4.4).
    xor ecx, ecx
.pde:
    mov eax, ecx
    shl eax, 21
    or eax, 0x87                        ; present, writable, user, 2 MiB
    mov [pdirs + 8 * ecx], eax
    mov eax, ecx
    shr eax, 11
    mov [pdirs + 8 * ecx + 4], eax
    inc ecx
    cmp ecx, 2048
    jb .pde
    xor ecx, ecx
.pte:
    mov eax, ecx
    shl eax, 12
    add eax, (PG_NP & ~0x1fffff) | 7
    mov [ptab + 8 * ecx], eax
    inc ecx
    cmp ecx, 512
    jb .pte
    mov dword [ptab + 8 * ((PG_NP >> 12) & 511)], 0
    and dword [ptab + 8 * ((PG_RO >> 12) & 511)], ~2
    and dword [ptab + 8 * ((PG_SUP >> 12) & 511)], ~4
    or dword [ptab + 8 * ((PG_NX >> 12) & 511) + 4], 0x80000000
    mov dword [pdirs + 8 * (PG_NP >> 21)], ptab + 7
    mov byte [PG_NX], 0xc3              ; RET, never run: the fetch faults
%assign i 0
%rep 4
    mov dword [pdpt + 8 * i], pdirs + 4096 * i + 1
%assign i i + 1
%endrep
    mov ecx, MSR_EFER
    rdmsr
    or eax, 1 << 11                     ; NXE
    wrmsr
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)     ; PAE, OSFXSR, OSXMMEXCPT
    mov cr4, eax
    mov eax, pdpt
    mov cr3, eax
    mov eax, cr0
    or eax, 1 << 31                     ; PG
    mov cr0, eax
.no_paging:

    ; ---- #DE: DIV by zero, a fault ----
    CASE "de-div0", 0, NO_ERR, 0, ANY
    xor edx, edx
    mov eax, 1
    xor ecx, ecx
    AT
    div ecx
    NEXT
    END
    CASE "de-idiv-overflow", 0, NO_ERR, 0, ANY
    mov edx, 0xffffffff
    mov eax, 0x80000000
    mov ecx, -1
    AT
    idiv ecx
    NEXT

    ; ---- #BP: INT3, a trap ----
    END
    CASE "bp-int3", 3, NO_ERR, 1, ANY
    EMU_SKIP
    AT
    int3
    NEXT

    ; ---- #OF: INTO with OF set (32-bit mode), a trap ----
    END
    CASE "of-into", 4, NO_ERR, 1, ANY
    EMU_SKIP
    mov al, 0x7f
    add al, 1
    AT
    into
    NEXT

    ; ---- #BR: BOUND out of range, a fault ----
    END
    CASE "br-bound", 5, NO_ERR, 0, ANY
    EMU_SKIP
    mov eax, 20
    AT
    bound eax, [bounds]
    NEXT

    ; ---- #UD ----
    END
    CASE "ud-ud2", 6, NO_ERR, 0, ANY
    AT
    ud2
    NEXT
    END
    CASE "ud-lock-nop", 6, NO_ERR, 0, ANY
    AT
    db 0xf0, 0x90                       ; LOCK NOP
    NEXT

    ; ---- #NM: CR0.TS and an x87 instruction ----
    END
    CASE "nm-ts-fninit", 7, NO_ERR, 0, ANY
    mov eax, cr0
    or eax, 1 << 3
    mov cr0, eax
    AT
    fninit
    NEXT
    END
    clts

    ; ---- #NP: a not-present data segment ----
    CASE "np-mov-ds", 11, NP_SEL, 0, ANY
    mov ax, NP_SEL
    AT
    mov ds, ax
    NEXT

    ; ---- #SS: not-present SS, and a push below the stack's limit ----
    END
    CASE "ss-mov-ss-np", 12, NP_SEL, 0, ANY
    mov ax, NP_SEL
    AT
    mov ss, ax
    NEXT
    END
    CASE "ss-limit", 12, 0, 0, ANY
    mov ax, SMALL_SS
    mov ss, ax
    mov esp, 0xf00                      ; the frame fits below the limit 0xfff
    mov [frame_top], esp
    AT
    mov eax, [esp + 0x100]
    NEXT

    ; ---- #GP ----
    END
    CASE "gp-exec-only-ds", 13, XO_SEL, 0, ANY
    mov ax, XO_SEL
    AT
    mov ds, ax
    NEXT
    END
    CASE "gp-null-selector-gdt-limit", 13, 0x1f8, 0, ANY
    mov ax, 0x1f8                       ; beyond the GDT's limit
    AT
    mov es, ax
    NEXT
    END
    CASE "gp-wrmsr-bad", 13, 0, 0, ANY
    mov ecx, 0x12345678
    AT
    rdmsr
    NEXT
    END
    CASE "gp-cs-write", 13, 0, 0, ANY
    AT
    mov [cs:scratch], eax
    NEXT

    END

    ; ---- #PF: error code bits P, W, U, I and CR2 ----
    CASE "pf-read-not-present", 14, 0x0, 0, PG_NP + 0x10
    EMU_SKIP
    AT
    mov eax, [PG_NP + 0x10]
    NEXT
    END
    CASE "pf-write-not-present", 14, 0x2, 0, PG_NP + 0x20
    EMU_SKIP
    AT
    mov [PG_NP + 0x20], eax
    NEXT
    END
    CASE "pf-write-read-only-wp", 14, 0x3, 0, PG_RO + 0x30
    EMU_SKIP
    AT
    mov [PG_RO + 0x30], eax
    NEXT
    END
    CASE "pf-fetch-nx", 14, 0x11, 0, PG_NX
    EMU_SKIP
    mov dword [insn_eip], PG_NX         ; the fault is at the target
    mov dword [next_eip], 0
    jmp PG_NX
    END
    CASE "pf-user-read-supervisor", 14, 0x5, 0, PG_SUP + 0x40
    EMU_SKIP
    USER
    AT
    mov eax, [PG_SUP + 0x40]
    NEXT
    END
    CASE "pf-user-write-read-only", 14, 0x7, 0, PG_RO + 0x44
    EMU_SKIP
    USER
    AT
    mov [PG_RO + 0x44], eax
    NEXT
    END

    ; ---- #GP from ring 3 ----
    CASE "gp-user-cli", 13, 0, 0, ANY
    USER
    AT
    cli
    NEXT
    END

    ; ---- #AC: CR0.AM, EFLAGS.AC, CPL 3, a misaligned access ----
    mov eax, cr0
    or eax, 1 << 18
    mov cr0, eax
    CASE "ac-user-load", 17, 0, 0, ANY
    EMU_SKIP
    USER
    pushfd
    or dword [esp], 1 << 18
    popfd
    AT
    mov eax, [scratch + 1]
    NEXT
    END
    CASE "ac-user-store-word", 17, 0, 0, ANY
    EMU_SKIP
    USER
    pushfd
    or dword [esp], 1 << 18
    popfd
    AT
    mov [scratch + 3], ax
    NEXT
    END
    CASE "ac-user-push", 17, 0, 0, ANY
    EMU_SKIP
    USER
    pushfd
    or dword [esp], 1 << 18
    popfd
    sub esp, 2
    AT
    push eax
    NEXT
    END
    CASE "ac-off-at-cpl0", 13, 0, 0, ANY
    pushfd
    or dword [esp], 1 << 18
    popfd
    mov eax, [scratch + 1]              ; CPL 0: no check
    AT
    mov [cs:scratch], eax               ; something to end the case
    NEXT
    END
    pushfd
    and dword [esp], ~(1 << 18)
    popfd
    mov eax, cr0
    and eax, ~(1 << 18)
    mov cr0, eax

    ; ---- #MF: an unmasked x87 exception with CR0.NE, at the next FWAIT ----
    CASE "mf-fdiv-zero", 16, NO_ERR, 0, ANY
    EMU_SKIP
    fninit
    fnstcw [fpcw]
    and word [fpcw], ~(1 << 2)          ; unmask ZE
    fldcw [fpcw]
    fld1
    fldz
    fdivp st1, st0
    AT
    fwait
    NEXT
    END

    ; ---- #XM: an unmasked SSE exception with CR4.OSXMMEXCPT ----
    CASE "xm-divss-zero", 19, NO_ERR, 0, ANY
    EMU_SKIP
    mov dword [mxcsr], 0x1f80 & ~(1 << 9)   ; unmask ZE
    ldmxcsr [mxcsr]
    mov eax, 1
    cvtsi2ss xmm0, eax
    xorps xmm1, xmm1
    AT
    divss xmm0, xmm1
    NEXT
    END

    ; ---- #DB: TF single step, a trap with DR6.BS ----
    CASE "db-single-step", 1, NO_ERR, 1, ANY
    xor eax, eax
    mov dr6, eax
    mov dword [insn_eip], %$insn
    mov dword [next_eip], %$next
    pushfd
    or dword [esp], 1 << 8
    popfd                               ; the trap comes after the next instruction
%$insn:
    nop
%$next:
    nop
    END
    mov eax, dr6
    and eax, 0x4000
    mov [dr6_bs], eax
    mov esi, msg_dr6
    call puts
    call puthex
    mov al, 10
    call putc

    ; ---- NMI: the local APIC sends one to itself (ICR, physical, APIC ID 0) ----
    CASE "nmi-self-ipi", 2, NO_ERR, 2, ANY
    mov dword [APIC_BASE + 0xf0], 0x1ff ; SVR: APIC on
    mov dword [APIC_BASE + 0x310], 0    ; destination APIC ID 0 (the BSP)
    AT
    mov dword [APIC_BASE + 0x300], 0x4400   ; NMI, assert
    NEXT
    mov ecx, 100000
.nmi_wait:
    pause
    loop .nmi_wait
    END

    ; ---- #DF: #DE whose gate is not present (#NP): contributory twice ----
    CASE "df-de-then-np", 8, 0, 2, ANY
    and byte [idt + 8 * 0 + 5], 0x7f    ; vector 0 gate not present
    xor edx, edx
    xor ecx, ecx
    AT
    div ecx
    NEXT
    END
    or byte [idt + 8 * 0 + 5], 0x80

    ; ---- INT n with the vectors nobody else raises: 18 (#MC) is only the
    ;      machine's, so software raises it with INT 18 (no error code) ----
    CASE "int18-mc", 18, NO_ERR, 1, ANY
    EMU_SKIP
    AT
    int 18
    NEXT
    END

    mov esi, msg_done
    jmp pass

setup_fault:
    mov esi, idt_msg_fault
    call puts
    mov eax, [got_vec]
    call puthex
    mov esi, idt_msg_at
    call puts
    mov eax, [got_eip]
    call puthex
    mov al, ' '
    call putc
    mov eax, [got_err]
    call puthex
    mov al, 10
    call putc
    mov esi, msg_setup
    jmp fail

; ---- Handlers -----------------------------------------------------------------

; Vector ecx -> handler eax: a ring 0 interrupt gate.
set_gate:
    push edi
    lea edi, [idt + 8 * ecx]
    mov [edi], ax
    mov word [edi + 2], KCODE
    mov word [edi + 4], 0x8e00
    push eax
    shr eax, 16
    mov [edi + 6], ax
    pop eax
    pop edi
    ret

; Entered with the vector on the stack, above it the CPU's frame.  Records
; the frame and longjmps to the case's continuation.
handler:
    pop dword [got_vec]
    mov [got_esp], esp
    mov eax, cr2
    mov [got_cr2], eax
    ; Same privilege: the frame sits below the case's stack; from ring 3 it
    ; is at the top of the TSS's stack.
    mov eax, [frame_top]
    cmp dword [in_user], 0
    je .same
    mov eax, estack_top
.same:
    sub eax, esp
    mov [got_size], eax
    mov ebx, esp
    mov dword [got_err], NO_ERR
    cmp eax, 16
    je .err
    cmp eax, 24
    jne .noerr
.err:
    mov eax, [ebx]
    mov [got_err], eax
    add ebx, 4
.noerr:
    mov eax, [ebx]
    mov [got_eip], eax
    mov eax, [ebx + 4]
    mov [got_cs], eax
    mov eax, [ebx + 8]
    mov [got_eflags], eax
    ; Back to the case: flat ring 0 segments, its stack, its continuation.
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, [saved_esp]
    mov dword [in_user], 0
    jmp [resume]

%assign v 0
%rep 32
stub_ %+ v:
    push v
    jmp handler
%assign v v + 1
%endrep

; ---- Reporting ------------------------------------------------------------------

; "vector NN name err=... eip=insn|next|XXXXXXXX cs=XXXX [cr2=...]" and the checks.
report:
    mov esi, msg_vector
    call puts
    mov eax, [got_vec]
    cmp eax, -1
    je .none
    call put2
    mov al, ' '
    call putc
    mov esi, [case_name]
    call puts
    mov esi, msg_err
    call puts
    mov eax, [got_err]
    cmp eax, NO_ERR
    jne .has_err
    mov esi, msg_none
    call puts
    jmp .eip
.has_err:
    call puthex
.eip:
    cmp dword [exp_next], 2
    je .cs
    mov esi, msg_eip
    call puts
    mov eax, [got_eip]
    mov esi, msg_insn
    cmp eax, [insn_eip]
    je .eip_named
    mov esi, msg_next
    cmp eax, [next_eip]
    je .eip_named
    call puthex
    jmp .cs
.eip_named:
    call puts
.cs:
    mov esi, msg_cs
    call puts
    mov eax, [got_cs]
    and eax, 0xffff
    call puthex4
    cmp dword [exp_cr2], ANY
    je .checks
    mov esi, msg_cr2
    call puts
    mov eax, [got_cr2]
    call puthex
.checks:
    mov al, 10
    call putc
    ; The expectations.
    mov esi, msg_bad_vec
    mov eax, [got_vec]
    cmp eax, [exp_vec]
    jne fail
    mov esi, msg_bad_err
    mov eax, [got_err]
    cmp eax, [exp_err]
    jne fail
    mov esi, msg_bad_eip
    mov eax, [insn_eip]
    cmp dword [exp_next], 2
    je .eip_ok
    cmp dword [exp_next], 0
    je .cmp_eip
    mov eax, [next_eip]
.cmp_eip:
    cmp eax, [got_eip]
    jne fail
.eip_ok:
    cmp dword [exp_cr2], ANY
    je .ok
    mov esi, msg_bad_cr2
    mov eax, [got_cr2]
    cmp eax, [exp_cr2]
    jne fail
.ok:
    ret
.none:
    mov esi, [case_name]
    call puts
    mov al, 10
    call putc
    mov esi, msg_no_exc
    jmp fail

; "vector NN name skipped (...)".
report_skip:
    mov esi, msg_vector
    call puts
    mov eax, [exp_vec]
    call put2
    mov al, ' '
    call putc
    mov esi, [case_name]
    call puts
    mov esi, msg_skipped
    jmp puts

; al as two hex digits... eax as a decimal of at least two digits.
put2:
    cmp eax, 10
    jae .wide
    push eax
    mov al, '0'
    call putc
    pop eax
.wide:
    jmp putdec

; ax as four hex digits.
puthex4:
    push eax
    push ecx
    push edx
    mov edx, eax
    shl edx, 16
    mov ecx, 4
.digit:
    rol edx, 4
    mov al, dl
    and al, 0xf
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '0' - 10
.out:
    call putc
    loop .digit
    pop edx
    pop ecx
    pop eax
    ret

section .rodata
stubs:
%assign v 0
%rep 32
    dd stub_ %+ v
%assign v v + 1
%endrep
msg_bad_magic:  db "not booted by multiboot", 0
msg_vector:     db "vector ", 0
msg_err:        db " err=", 0
msg_none:       db "none", 0
msg_eip:        db " eip=", 0
msg_insn:       db "insn", 0
msg_next:       db "next", 0
msg_cs:         db " cs=", 0
msg_cr2:        db " cr2=", 0
msg_bad_vec:    db "wrong vector", 0
msg_bad_err:    db "wrong error code", 0
msg_bad_eip:    db "wrong saved EIP", 0
msg_bad_cr2:    db "wrong CR2", 0
msg_no_exc:     db "no exception", 0
msg_done:       db "vectors", 0
msg_setup:      db "exception during set-up", 0
idt_msg_fault:  db "exception ", 0
idt_msg_at:     db " at ", 0
msg_dr6:        db "dr6.bs=", 0
msg_skipped:    db " skipped (KVM's instruction emulator runs CPL 0 here)", 10, 0
key_kvmemu:     db "kvmemu", 0

section .data
align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff               ; 0x08 ring 0 code
    dq 0x00cf92000000ffff               ; 0x10 ring 0 data
    dq 0x00cffa000000ffff               ; 0x18 ring 3 code
    dq 0x00cff2000000ffff               ; 0x20 ring 3 data
    dq 0x0000890000000067               ; 0x28 32-bit TSS, base filled in
    dq 0x00cf12000000ffff               ; 0x30 data, not present
    dq 0x0040920000000fff               ; 0x38 data, limit 0xfff, 32-bit
    dq 0x00cf98000000ffff               ; 0x40 code, execute-only
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt_desc:
    dw 256 * 8 - 1
    dd idt
bounds: dd 0, 10

section .bss
alignb 8
idt:        resb 256 * 8
tss:        resb 104
exp_vec:    resd 1
exp_err:    resd 1
exp_next:   resd 1
exp_cr2:    resd 1
case_name:  resd 1
resume:     resd 1
saved_esp:  resd 1
frame_top:  resd 1
kvmemu:     resd 1
insn_eip:   resd 1
next_eip:   resd 1
in_user:    resd 1
got_vec:    resd 1
got_err:    resd 1
got_eip:    resd 1
got_cs:     resd 1
got_eflags: resd 1
got_esp:    resd 1
got_size:   resd 1
got_cr2:    resd 1
scratch:    resd 2
fpcw:       resw 2
mxcsr:      resd 1
dr6_bs:     resd 1
alignb 4096
pdpt:       resq 512
pdirs:      resq 2048
ptab:       resq 512
    resb 8192
kstack_top:
    resb 4096
estack_top:
    resb 4096
ustack_top:
