; Differential-testing guest: runs test cases in 64-bit ring 3 and records
; the end state of each, so that tests/diff/run-diff.py can compare the
; interpreter (-accel tcg) against the host CPU (-accel kvm).
;
; Input: the first multiboot module, an array of CASE_SIZE-byte cases
; (layout below, written by tests/diff/gen.py).  Command line: "full=1"
; writes whole result records, otherwise one 64-bit hash per case.
; Output: the results as raw bytes on the isa-debugcon port (0xe9),
; then "PASS diff" on COM1 and isa-debug-exit.
;
; Per case, ring 3 loads the data page, x87/SSE state (FXRSTOR), RFLAGS and
; all sixteen GPRs (RSP last), and jumps to the case's bytes, which end with
; a jump to TRAMP.  The save path stores the GPRs without touching any
; register.  A fault goes through a 64-bit interrupt gate to ring 0, which
; stores the GPRs, the vector, error code, RIP and CR2, and SYSEXITs back to
; ring 3.  Shaped by the software KVM it was written on (see mb-ring3.asm):
; no IRET or INT at CPL 0, SYSEXIT to ring 3, #UD from ring 3 to come back.
;
; A ring-0 case (QUIRK_RING0) goes the same way with one detour: ring 3
; executes a UD2 at user_main.enter_ring0, whose handler loads the case's
; state and jumps to its code at CPL 0 (under KVM, run by KVM's instruction
; emulator; its RSP is on the supervisor page, so fault frames miss DATA).
; It ends at TRAMP as usual: save_end, seeing CPL 0, SYSEXITs to ring 3; a
; fault comes in on KCODE64 and is stored like a ring-3 one.  Both paths
; reset RFLAGS (IOPL, AC, DF) before going back to ring 3.
%include "multiboot.inc"

UCODE   equ 0x58 | 3
UCODE32 equ 0x48 | 3                    ; compatibility mode: L=0, D=1
UDATA   equ 0x60 | 3
SEGT    equ 0x68                        ; the case's own data segment (C_DESC)
QUIRK_COMPAT equ 2                      ; C_QUIRK bit 1: run in compatibility mode
QUIRK_RING0 equ 4                       ; C_QUIRK bit 2: run at CPL 0 (forms_sys.py)
TSS_SEL equ 0x28
KCODE64 equ 0x38
MSR_EFER equ 0xc0000080
MSR_SYSENTER_CS equ 0x174
DEBUGCON equ 0xe9

; Fixed addresses shared with gen.py: a 2 MiB region mapped with 4 KiB pages.
REGION   equ 0x1000000
CODE     equ REGION                     ; the case's bytes are copied here
TRAMP    equ REGION + 0x800             ; jmp [rel 0] to save_end
TRAMP32  equ TRAMP + 0x40               ; compatibility mode: jmp far to TRAMP
DATA     equ REGION + 0x1e00            ; 512-byte data buffer, ends at a page end
NOTPRES  equ REGION + 0x2000            ; not present
RDONLY   equ REGION + 0x3000            ; user, read-only
SUPER    equ REGION + 0x4000            ; supervisor only
RESULTS  equ 0x2000000

; Case layout (CASE_SIZE bytes).
C_CODE   equ 0x000                      ; 64 bytes of code
C_GPR    equ 0x040                      ; 16 x 8: rax rcx rdx rbx rsp rbp rsi rdi r8..r15
C_FLAGS  equ 0x0c0                      ; RFLAGS to load
C_FMASK  equ 0x0c8                      ; RFLAGS bits to compare
C_RMASK  equ 0x0d0                      ; GPRs whose value is undefined (bit n: reg n)
C_FSWMASK equ 0x0d8                     ; x87 status word bits to compare
C_QUIRK  equ 0x0e0                      ; bit 0: record a #UD as #GP (gen.py)
C_DESC   equ 0x0e8                      ; compatibility mode: descriptor for SEGT
C_SEGS   equ 0x0f0                      ; bits 0-2: load DS, ES, SS with SEGT|3
C_MEM    equ 0x100                      ; 512 bytes for DATA
C_FX     equ 0x300                      ; 512-byte FXSAVE image
CASE_SIZE equ 0x500

; Result record layout (REC_SIZE bytes).
R_GPR    equ 0x000
R_FLAGS  equ 0x080
R_VEC    equ 0x088                      ; -1 when the case ended at TRAMP
R_ERR    equ 0x090
R_RIP    equ 0x098
R_CR2    equ 0x0a0
R_FX     equ 0x100
R_MEM    equ 0x300
REC_SIZE equ 0x500

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

%include "lib.inc"
%include "idt.inc"
%include "paging.inc"

global _start
_start:
    mov esp, kstack_top
    mov esi, msg_bad_magic
    cmp eax, MB_BOOT_MAGIC
    jne fail
    call idt_init
    mov edi, ebx
    mov esi, key_full
    call cmdline_uint
    jc .no_full
    mov [full], eax
.no_full:
    mov esi, msg_no_module
    test dword [ebx], 8                 ; flags: modules
    jz fail
    cmp dword [ebx + 20], 0
    je fail
    mov eax, [ebx + 24]
    mov ecx, [eax]                      ; first module: start, end
    mov [cases], ecx
    mov eax, [eax + 4]
    sub eax, ecx
    xor edx, edx
    mov ecx, CASE_SIZE
    div ecx
    mov [ncases], eax

    ; Identity map of the low 4 GiB with 2 MiB user pages, and REGION with
    ; 4 KiB pages (SDM vol. 3, 4.5).
    IDENTITY_MAP_4G
    xor ecx, ecx
.pte:
    mov eax, ecx
    shl eax, 12
    add eax, REGION + 7                 ; present, writable, user
    mov [region_pt + 8 * ecx], eax
    inc ecx
    cmp ecx, 512
    jb .pte
    mov dword [region_pt + 8 * ((NOTPRES - REGION) >> 12)], 0
    and dword [region_pt + 8 * ((RDONLY - REGION) >> 12)], ~2
    and dword [region_pt + 8 * ((SUPER - REGION) >> 12)], ~4
    mov dword [page_dirs + 8 * (REGION >> 21)], region_pt + 7

    ; CR4: PAE, OSFXSR, OSXMMEXCPT.  CR0: MP, NE, AM; EM and TS clear.
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)
    mov cr4, eax
    mov eax, pml4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, 1 << 8
    wrmsr
    mov eax, cr0
    and eax, ~((1 << 2) | (1 << 3))
    or eax, (1 << 31) | (1 << 18) | (1 << 5) | (1 << 1)
    mov cr0, eax

    ; GDT with ring 3 and 64-bit code, the 64-bit TSS, 64-bit gates.
    mov eax, tss
    mov word [gdt + TSS_SEL], 103
    mov [gdt + TSS_SEL + 2], ax
    shr eax, 16
    mov [gdt + TSS_SEL + 4], al
    mov byte [gdt + TSS_SEL + 5], 0x89
    mov [gdt + TSS_SEL + 7], ah
    mov dword [tss + 4], kstack_top     ; RSP0
    mov word [tss + 102], 104
    lgdt [gdt_desc]
    mov ax, TSS_SEL
    ltr ax
    xor ecx, ecx
.gates:
    mov eax, [fault_stubs64 + 4 * ecx]
    call set_gate64
    inc ecx
    cmp ecx, 32
    jb .gates
    lidt [idt64_desc]

    ; The trampoline at TRAMP: o16 nop; jmp qword [rip + 0] to save_end
    ; (the pointer 8-aligned: RFLAGS.AC may be set).
    mov dword [TRAMP], 0x25ff9066
    mov dword [TRAMP + 4], 0
    mov dword [TRAMP + 8], save_end
    mov dword [TRAMP + 12], 0
    ; TRAMP32: cs jmp far [TRAMP32 + 8] (32-bit code) to UCODE:TRAMP.
    mov byte [TRAMP32], 0x2e
    mov word [TRAMP32 + 1], 0x2dff
    mov dword [TRAMP32 + 3], TRAMP32 + 8
    mov dword [TRAMP32 + 8], TRAMP
    mov dword [TRAMP32 + 12], UCODE

    mov ecx, MSR_SYSENTER_CS
    mov eax, KCODE64
    xor edx, edx
    wrmsr
    ; Ring 3 runs with IF set: this host's KVM shows IF set in ring 3
    ; whatever the guest does.  Nothing interrupts: the 8259s are masked,
    ; nothing programs the local APIC.
    mov al, 0xff
    out 0x21, al
    out 0xa1, al
    mov edx, user_main
    mov ecx, ustack_top
    jmp KCODE64:.to64
bits 64
.to64:
    sti
    o64 sysexit
bits 32

; 64-bit interrupt gate ecx -> handler eax.
set_gate64:
    push edi
    mov edi, ecx
    shl edi, 4
    add edi, idt64
    mov [edi], ax
    mov word [edi + 2], KCODE64
    mov word [edi + 4], 0x8e00
    shr eax, 16
    mov [edi + 6], ax
    mov dword [edi + 8], 0
    mov dword [edi + 12], 0
    pop edi
    ret

; ---- Ring 3 -----------------------------------------------------------------
bits 64
user_main:
    mov qword [index], 0
.next:
    mov rax, [index]
    cmp rax, [ncases]
    jae user_done
    imul rsi, rax, CASE_SIZE
    add rsi, [cases]
    mov [cur], rsi
    cld
    mov edi, CODE                       ; the case's code
    mov ecx, 64 / 8
    rep movsq
    mov edi, DATA                       ; its data (rsi is at C_MEM now)
    add rsi, C_MEM - 64
    mov ecx, 512 / 8
    rep movsq
    mov edi, record                     ; a clean record
    xor eax, eax
    mov ecx, REC_SIZE / 8
    rep stosq
    mov qword [record + R_VEC], -1
    mov rsp, [cur]
    ; Flat ring-3 data segments, unless a compatibility-mode case asks for
    ; its own (64-bit mode ignores their base and limit: SDM vol. 3, 5.3.1).
    mov qword [entry], CODE
    mov ax, UDATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    test byte [rsp + C_QUIRK], QUIRK_RING0
    jz .not_ring0
.enter_ring0:
    ud2                                 ; to ring0_case
.not_ring0:
    test byte [rsp + C_QUIRK], QUIRK_COMPAT
    jz .flat
    mov qword [entry], to_compat
    mov rax, [rsp + C_DESC]
    mov [gdt + SEGT], rax               ; the GDT is in user pages
    mov ax, SEGT | 3
    test byte [rsp + C_SEGS], 1
    jz .no_ds
    mov ds, ax
.no_ds:
    test byte [rsp + C_SEGS], 2
    jz .no_es
    mov es, ax
.no_es:
    test byte [rsp + C_SEGS], 4
    jz .flat
    mov ss, ax
.flat:
    fxrstor64 [rsp + C_FX]
    lea rsp, [rsp + C_FLAGS]
    popfq
    mov rsp, [cur]
    mov rax, [rsp + C_GPR + 0 * 8]
    mov rcx, [rsp + C_GPR + 1 * 8]
    mov rdx, [rsp + C_GPR + 2 * 8]
    mov rbx, [rsp + C_GPR + 3 * 8]
    mov rbp, [rsp + C_GPR + 5 * 8]
    mov rsi, [rsp + C_GPR + 6 * 8]
    mov rdi, [rsp + C_GPR + 7 * 8]
    mov r8, [rsp + C_GPR + 8 * 8]
    mov r9, [rsp + C_GPR + 9 * 8]
    mov r10, [rsp + C_GPR + 10 * 8]
    mov r11, [rsp + C_GPR + 11 * 8]
    mov r12, [rsp + C_GPR + 12 * 8]
    mov r13, [rsp + C_GPR + 13 * 8]
    mov r14, [rsp + C_GPR + 14 * 8]
    mov r15, [rsp + C_GPR + 15 * 8]
    mov rsp, [rsp + C_GPR + 4 * 8]
    jmp [rel entry]                     ; CODE, or to_compat

; Into compatibility mode at CPL 3; the case's code ends at TRAMP32.
to_compat:
    jmp far dword [rel compat_ptr]

; The case ran to its end: store every register without changing one.
save_end:
    mov [record + R_GPR + 0 * 8], rax
    mov [record + R_GPR + 1 * 8], rcx
    mov [record + R_GPR + 2 * 8], rdx
    mov [record + R_GPR + 3 * 8], rbx
    mov [record + R_GPR + 4 * 8], rsp
    mov [record + R_GPR + 5 * 8], rbp
    mov [record + R_GPR + 6 * 8], rsi
    mov [record + R_GPR + 7 * 8], rdi
    mov [record + R_GPR + 8 * 8], r8
    mov [record + R_GPR + 9 * 8], r9
    mov [record + R_GPR + 10 * 8], r10
    mov [record + R_GPR + 11 * 8], r11
    mov [record + R_GPR + 12 * 8], r12
    mov [record + R_GPR + 13 * 8], r13
    mov [record + R_GPR + 14 * 8], r14
    mov [record + R_GPR + 15 * 8], r15
    mov esp, ustack_top
    pushfq
    pop qword [record + R_FLAGS]
    mov ax, cs
    test al, 3
    jz ring0_case_end
; Ring 0 comes back here after a fault, the GPRs and RFLAGS stored.
user_after_case:
    mov esp, ustack_top
    mov ax, UDATA                       ; a compatibility-mode case's DS/ES off
    mov ds, ax
    mov es, ax
    push 0x202                          ; AC clear: the rest is the harness's
    popfq
    fxsave64 [record + R_FX]
    ; The x87 last instruction and operand pointers say where the case's
    ; code was, nothing about its results; dropped (FOP, FIP, FDP).
    mov word [record + R_FX + 6], 0
    mov qword [record + R_FX + 8], 0
    mov qword [record + R_FX + 16], 0
    cld
    mov esi, DATA
    mov edi, record + R_MEM
    mov ecx, 512 / 8
    rep movsq
    ; Bits of RFLAGS and GPRs the SDM leaves undefined for this case.
    mov rsi, [cur]
    mov rax, [rsi + C_FMASK]
    and [record + R_FLAGS], rax
    mov ax, [rsi + C_FSWMASK]
    and [record + R_FX + 2], ax
    mov rdx, [rsi + C_RMASK]
    xor ecx, ecx
.rmask:
    bt rdx, rcx
    jnc .rkeep
    mov qword [record + R_GPR + 8 * rcx], 0
.rkeep:
    inc ecx
    cmp ecx, 16
    jb .rmask
    mov rax, [index]
    cmp qword [full], 0
    jne .full
    ; One 64-bit hash of the record (a multiply-xorshift over its qwords).
    mov rdx, 0x9e3779b97f4a7c15
    mov r8, 0xff51afd7ed558ccd
    mov esi, record
    mov ecx, REC_SIZE / 8
.hash:
    xor rdx, [rsi]
    imul rdx, r8
    mov rdi, rdx
    shr rdi, 29
    xor rdx, rdi
    add rsi, 8
    dec ecx
    jnz .hash
    mov [RESULTS + 8 * rax], rdx
    jmp .advance
.full:
    imul rdi, rax, REC_SIZE
    add rdi, RESULTS
    mov esi, record
    mov ecx, REC_SIZE / 8
    rep movsq
.advance:
    inc qword [index]
    jmp user_main.next

user_done:
    ud2                                 ; back to ring 0: all cases ran

; ---- Ring 0, 64-bit -----------------------------------------------------------
%assign v 0
%rep 32
fault64_ %+ v:
%if !(v == 8 || (v >= 10 && v <= 14) || v == 17)
    push 0                              ; no error code: make the frame uniform
%endif
    push v
    jmp fault64
%assign v v + 1
%endrep

; Frame: vector, error code, RIP, CS, RFLAGS, RSP, SS.
fault64:
    cmp qword [rsp + 24], UCODE
    je .user
    cmp qword [rsp + 24], UCODE32
    je .user
    cmp qword [rsp + 24], KCODE64       ; a ring-0 case's fault, if in CODE
    jne .harness
    mov [record + R_GPR + 0 * 8], rax
    mov rax, [rsp + 16]
    jmp .case_rip
.user:
    mov [record + R_GPR + 0 * 8], rax
    mov rax, [rsp + 16]
    cmp rax, user_done
    je output
    cmp rax, user_main.enter_ring0
    je ring0_case
.case_rip:
    sub rax, CODE
    cmp rax, 0x800
    jae .harness
    mov [record + R_GPR + 1 * 8], rcx
    mov [record + R_GPR + 2 * 8], rdx
    mov [record + R_GPR + 3 * 8], rbx
    mov [record + R_GPR + 5 * 8], rbp
    mov [record + R_GPR + 6 * 8], rsi
    mov [record + R_GPR + 7 * 8], rdi
    mov [record + R_GPR + 8 * 8], r8
    mov [record + R_GPR + 9 * 8], r9
    mov [record + R_GPR + 10 * 8], r10
    mov [record + R_GPR + 11 * 8], r11
    mov [record + R_GPR + 12 * 8], r12
    mov [record + R_GPR + 13 * 8], r13
    mov [record + R_GPR + 14 * 8], r14
    mov [record + R_GPR + 15 * 8], r15
    mov rax, [cur]
    test byte [rax + C_QUIRK], 1
    jz .vector
    cmp qword [rsp], 6
    jne .vector
    mov qword [rsp], 13
.vector:
    pop qword [record + R_VEC]
    pop qword [record + R_ERR]
    pop qword [record + R_RIP]
    add rsp, 8
    pop qword [record + R_FLAGS]
    pop qword [record + R_GPR + 4 * 8]
    mov rax, cr2
    mov [record + R_CR2], rax
    mov esp, kstack_top
    push 0x2                            ; a ring-0 case's IOPL, AC, DF off
    popfq
    mov ecx, ustack_top
    mov edx, user_after_case
    sti
    o64 sysexit

.harness:
    ; A fault outside the cases' code: report it from 32-bit code.
    mov rax, [rsp]
    mov [bad_vec], eax
    mov rax, [rsp + 16]
    mov [bad_rip], eax
    mov ax, KDATA                       ; DS/ES may hold a case's segment
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, kstack_top
    push KCODE
    push harness_fault
    o64 retf

; A ring-0 case: its state, then its code at CPL 0 (the UD2 frame is dropped).
ring0_case:
    mov rsp, [cur]
    fxrstor64 [rsp + C_FX]
    lea rsp, [rsp + C_FLAGS]
    popfq
    mov rsp, [cur]
    mov rax, [rsp + C_GPR + 0 * 8]
    mov rcx, [rsp + C_GPR + 1 * 8]
    mov rdx, [rsp + C_GPR + 2 * 8]
    mov rbx, [rsp + C_GPR + 3 * 8]
    mov rbp, [rsp + C_GPR + 5 * 8]
    mov rsi, [rsp + C_GPR + 6 * 8]
    mov rdi, [rsp + C_GPR + 7 * 8]
    mov r8, [rsp + C_GPR + 8 * 8]
    mov r9, [rsp + C_GPR + 9 * 8]
    mov r10, [rsp + C_GPR + 10 * 8]
    mov r11, [rsp + C_GPR + 11 * 8]
    mov r12, [rsp + C_GPR + 12 * 8]
    mov r13, [rsp + C_GPR + 13 * 8]
    mov r14, [rsp + C_GPR + 14 * 8]
    mov r15, [rsp + C_GPR + 15 * 8]
    mov rsp, [rsp + C_GPR + 4 * 8]
    jmp [rel entry]

; A ring-0 case ran to its end (save_end stored it): back to ring 3.
ring0_case_end:
    push 0x202
    popfq
    mov ecx, ustack_top
    mov edx, user_after_case
    o64 sysexit

; All cases ran: the results to the debugcon, then exit.
output:
    mov esp, kstack_top
    mov rcx, [ncases]
    cmp qword [full], 0
    je .words
    imul rcx, rcx, REC_SIZE / 8
.words:
    shl rcx, 3                          ; bytes: the debugcon takes one at a time
    mov esi, RESULTS
    mov dx, DEBUGCON
    cld
    rep outsb
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    push KCODE
    push finish
    o64 retf
bits 32

finish:
    mov esi, msg_done
    jmp pass

harness_fault:
    mov esi, msg_harness
    call puts
    mov eax, [bad_vec]
    call puthex
    mov esi, idt_msg_at
    call puts
    mov eax, [bad_rip]
    call puthex
    mov al, 10
    call putc
    mov esi, idt_msg_exception
    jmp fail

section .rodata
fault_stubs64:
%assign v 0
%rep 32
    dd fault64_ %+ v
%assign v v + 1
%endrep
key_full:       db "full", 0
msg_bad_magic:  db "not booted by multiboot", 0
msg_no_module:  db "no cases module", 0
msg_harness:    db "harness fault ", 0
msg_done:       db "diff", 0

section .data
align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff               ; 0x08 ring 0 code, 32-bit
    dq 0x00cf92000000ffff               ; 0x10 ring 0 data
    dq 0x00cffa000000ffff               ; 0x18 ring 3 code, 32-bit
    dq 0x00cff2000000ffff               ; 0x20 ring 3 data
    dq 0, 0                             ; 0x28 TSS, filled in
    dq 0x00af9a000000ffff               ; 0x38 ring 0 code, 64-bit
    dq 0x00cf92000000ffff               ; 0x40 ring 0 data
    dq 0x00cffa000000ffff               ; 0x48 ring 3 code, 32-bit
    dq 0x00cff2000000ffff               ; 0x50 ring 3 data
    dq 0x00affa000000ffff               ; 0x58 ring 3 code, 64-bit
    dq 0x00cff2000000ffff               ; 0x60 ring 3 data
    dq 0                                ; 0x68 SEGT: the case's C_DESC
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt64_desc:
    dw 256 * 16 - 1
    dd idt64
align 8                                 ; RFLAGS.AC may be set when these are read
full:   dq 0
cases:  dq 0
ncases: dq 0
index:  dq 0
cur:    dq 0
entry:  dq 0                            ; where ring 3 jumps to run the case
compat_ptr:
    dd CODE, UCODE32
bad_vec: dd 0
bad_rip: dd 0

section .bss
alignb 4096
pml4:       resq 512
pdpt:       resq 512
page_dirs:  resq 2048
region_pt:  resq 512
idt64:      resb 256 * 16
tss:        resb 104
alignb 16
record:     resb REC_SIZE
    resb 4096
kstack_top:
    resb 4096
ustack_top:
