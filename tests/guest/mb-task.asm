; Hardware task switches (SDM vol. 3, chapter 7): LTR, JMP to a TSS and
; back, CALL through a task gate and IRET to the back link, the busy and NT
; rules, #GP/#TS for bad targets, CR0.TS, the state saved in the old TSS,
; a 16-bit TSS, the T (debug trap) flag, and exceptions handled by a task
; through a task gate in the IDT (#GP with its error code, #DF).  One line
; per case with the values it saw, then "PASS task".
;
; With "kvmemu=1" (-accel kvm on a host where KVM runs CPL 0 in its
; instruction emulator) only LTR runs: that emulator fails on far JMP/CALL
; to a TSS or task gate (an emulation failure) and has no protected-mode
; IRET, and its event delivery takes a task gate in the IDT for a bad gate
; (#NP, then a triple fault), so the other cases print "skipped".
%include "multiboot.inc"

KCODE     equ 0x08
KDATA     equ 0x10
TSS_MAIN  equ 0x18
TSS_A     equ 0x20
TSS_B     equ 0x28
TSS_EXC   equ 0x30
TSS_DF    equ 0x38
TSS_SMALL equ 0x40                      ; limit 0x50: #TS
TSS_16    equ 0x48
TSS_T     equ 0x50                      ; T flag set
GATE_B    equ 0x58                      ; task gate to TSS_B
CODE16    equ 0x60                      ; 16-bit code at task16
BAD_SEL   equ 0x1f8                     ; beyond the GDT's limit

; TSS fields (32-bit).
T_LINK  equ 0x00
T_EIP   equ 0x20
T_EFL   equ 0x24
T_EAX   equ 0x28
T_ESP   equ 0x38
T_ES    equ 0x48
T_CS    equ 0x4c
T_SS    equ 0x50
T_DS    equ 0x54
T_FS    equ 0x58
T_GS    equ 0x5c
T_TRAP  equ 0x64
T_IOMAP equ 0x66

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

%include "lib.inc"
%include "idt.inc"

; NAME "text": start a line.  KV "key", value: " key=XXXXXXXX".  KV4: 4 digits.
%macro NAME 1
section .rodata
%%s: db %1, 0
section .text
    mov esi, %%s
    call puts
%endmacro
%macro KV 2
section .rodata
%%s: db " ", %1, "=", 0
section .text
    mov esi, %%s
    call puts
    mov eax, %2
    call puthex
%endmacro
%macro KV4 2
section .rodata
%%s: db " ", %1, "=", 0
section .text
    mov esi, %%s
    call puts
    mov eax, %2
    call puthex4
%endmacro
%macro EOL 0
    mov al, 10
    call putc
%endmacro
; SKIP_EMU "name", label: under kvmemu=1 print "name skipped ..." and go to label.
%macro SKIP_EMU 2
    cmp dword [kvmemu], 0
    je %%run
    NAME %1
    mov esi, msg_skipped
    call puts
    jmp %2
%%run:
%endmacro
; EXPECT resume: a fault caught by catch_* continues at resume with this ESP.
%macro EXPECT 1
    mov dword [resume], %1
    mov [saved_esp], esp
    mov dword [got_vec], -1
%endmacro
; GDT type nibble of selector %1 into eax.
%macro GDT_TYPE 1
    movzx eax, byte [gdt + %1 + 5]
    and eax, 15
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
    call idt_init                       ; unexpected exceptions print FAIL
    lgdt [gdt_desc]
    jmp KCODE:.flat
.flat:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov ecx, 1
    mov eax, catch_db
    call idt_set_gate
    mov ecx, 10
    mov eax, catch_ts
    call idt_set_gate
    mov ecx, 13
    mov eax, catch_gp
    call idt_set_gate

    ; The TSSes: bases in the GDT, initial state.
    mov ecx, TSS_MAIN
    mov eax, tss_main
    call set_base
    mov ecx, TSS_A
    mov eax, tss_a
    call set_base
    mov edi, tss_a
    mov eax, task_a
    mov ebx, stack_a
    call tss_setup
    mov dword [tss_a + T_EAX], 0xaa000000
    mov dword [tss_a + T_EAX + 4], 0xaa000001      ; ECX
    mov dword [tss_a + T_EAX + 8], 0xaa000002      ; EDX
    mov dword [tss_a + T_EAX + 12], 0xaa000003     ; EBX
    mov dword [tss_a + T_EAX + 20], 0xaa000005     ; EBP
    mov dword [tss_a + T_EAX + 24], 0xaa000006     ; ESI
    mov dword [tss_a + T_EAX + 28], 0xaa000007     ; EDI
    mov ecx, TSS_B
    mov eax, tss_b
    call set_base
    mov edi, tss_b
    mov eax, task_b
    mov ebx, stack_b
    call tss_setup
    mov ecx, TSS_EXC
    mov eax, tss_exc
    call set_base
    mov edi, tss_exc
    mov eax, task_exc
    mov ebx, stack_exc
    call tss_setup
    mov ecx, TSS_DF
    mov eax, tss_df
    call set_base
    mov edi, tss_df
    mov eax, task_df
    mov ebx, stack_df
    call tss_setup
    mov ecx, TSS_SMALL
    mov eax, tss_small
    call set_base
    mov ecx, TSS_T
    mov eax, tss_t
    call set_base
    mov edi, tss_t
    mov eax, task_t
    mov ebx, stack_t
    call tss_setup
    mov word [tss_t + T_TRAP], 1
    ; The 16-bit task: IP 0 in CODE16, AX and SI to see them arrive.
    mov ecx, TSS_16
    mov eax, tss16
    call set_base
    mov ecx, CODE16
    mov eax, task16
    call set_base
    mov word [tss16 + 0x10], 2          ; FLAGS
    mov word [tss16 + 0x12], 0x1616     ; AX
    mov word [tss16 + 0x1a], 0x0ff0     ; SP (unused)
    mov word [tss16 + 0x1e], 0x5151     ; SI
    mov word [tss16 + 0x22], KDATA      ; ES
    mov word [tss16 + 0x24], CODE16     ; CS
    mov word [tss16 + 0x26], KDATA      ; SS
    mov word [tss16 + 0x28], KDATA      ; DS

    ; ---- LTR: the busy flag ----
    mov ax, TSS_MAIN
    ltr ax
    NAME "ltr"
    str eax
    KV4 "tr", eax
    GDT_TYPE TSS_MAIN
    KV4 "type", eax
    EOL

    ; ---- JMP to a TSS and back ----
    SKIP_EMU "jmp/call/iret/16-bit/T-flag cases", case_exc
    clts
    mov eax, 0x10203040
    mov ecx, 0x11213141
    mov edx, 0x12223242
    mov ebx, 0x13233343
    mov ebp, 0x15253545
    mov esi, 0x16263646
    mov edi, 0x17273747
    cmp eax, ecx                        ; some flags for the saved EFLAGS
    jmp TSS_A:0
main_after_a:
    mov [main_back_eax], eax
    NAME "jmp-tss"
    mov esi, a_in
    mov ecx, 8
    call sum
    KV "a-regs-sum", eax
    KV "a-esp", [a_in + 16]
    KV4 "tr", [a_tr]
    KV4 "main-type", [a_main_type]
    KV4 "a-type", [a_a_type]
    KV "a-eflags", [a_eflags]
    KV "cr0.ts", [a_cr0]
    KV4 "a-link", [tss_a + T_LINK]
    EOL
    NAME "jmp-back"
    KV "eax", [main_back_eax]
    mov eax, [tss_main + T_EIP]
    mov esi, msg_next
    cmp eax, main_after_a
    je .main_eip_ok
    mov esi, msg_other
.main_eip_ok:
    call puts
    KV "main-eflags", [tss_main + T_EFL]
    mov esi, tss_main + T_EIP
    mov ecx, 16
    call sum
    KV "main-sum", eax
    KV "a-eflags", [tss_a + T_EFL]
    mov esi, tss_a + T_EIP
    mov ecx, 16
    call sum
    KV "a-sum", eax
    GDT_TYPE TSS_MAIN
    KV4 "main-type", eax
    GDT_TYPE TSS_A
    KV4 "a-type", eax
    EOL
    NAME "saved-a"
    mov ecx, 0
.dump_a:
    mov al, ' '
    call putc
    mov eax, [tss_a + T_EAX + 4 * ecx]
    call puthex
    inc ecx
    cmp ecx, 8
    jb .dump_a
    KV4 "es", [tss_a + T_ES]
    KV4 "cs", [tss_a + T_CS]
    KV4 "ss", [tss_a + T_SS]
    KV4 "ds", [tss_a + T_DS]
    KV4 "fs", [tss_a + T_FS]
    KV4 "gs", [tss_a + T_GS]
    EOL

    ; ---- CALL through a task gate, IRET to the back link ----
    mov dword [b_runs], 0
    call GATE_B:0
    NAME "call-gate"
    KV "b-eflags", [b_eflags]
    KV4 "b-link", [b_link]
    KV4 "tr", [b_tr]
    KV4 "main-type", [b_main_type]
    KV4 "b-type", [b_b_type]
    EOL
    NAME "iret-back"
    pushfd
    pop eax
    and eax, 1 << 14
    KV "nt", eax
    str eax
    KV4 "tr", eax
    GDT_TYPE TSS_B
    KV4 "b-type", eax
    KV "b-saved-eflags", [tss_b + T_EFL]
    mov eax, [tss_b + T_EIP]
    mov esi, msg_next
    cmp eax, task_b_after_iret
    je .b_eip_ok
    mov esi, msg_other
.b_eip_ok:
    call puts
    EOL
    ; A second call resumes the task after its IRET.
    call GATE_B:0
    NAME "call-again"
    KV "b-runs", [b_runs]
    EOL

    ; ---- #GP: a busy TSS, RPL above the DPL, the LDT bit; #TS: a short TSS ----
    EXPECT .busy_done
    jmp TSS_MAIN:0
.busy_done:
    NAME "jmp-busy"
    call print_caught
    EOL
    EXPECT .busy_gate_done
    mov word [gdt + GATE_B + 2], TSS_MAIN
    call GATE_B:0
.busy_gate_done:
    mov word [gdt + GATE_B + 2], TSS_B
    NAME "call-gate-busy"
    call print_caught
    GDT_TYPE TSS_MAIN
    KV4 "main-type", eax
    EOL
    EXPECT .rpl_done
    jmp (TSS_A | 3):0
.rpl_done:
    NAME "jmp-rpl3"
    call print_caught
    EOL
    EXPECT .small_done
    jmp TSS_SMALL:0
.small_done:
    NAME "jmp-small-limit"
    call print_caught
    GDT_TYPE TSS_SMALL
    KV4 "type", eax
    GDT_TYPE TSS_MAIN
    KV4 "main-type", eax
    EOL

    ; ---- A 16-bit TSS ----
    clts
    mov eax, 0xdead0000
    jmp TSS_16:0
    mov [main_back_eax], eax
    NAME "tss16"
    KV4 "ax-in", [t16_ax]
    KV4 "si-in", [t16_si]
    KV4 "ds", [t16_ds]
    KV4 "tr", [t16_tr]
    mov eax, cr0
    and eax, 8
    KV "cr0.ts", eax
    KV "eax", [main_back_eax]
    KV4 "ip", [tss16 + 0x0e]
    KV4 "flags", [tss16 + 0x10]
    mov esi, tss16 + 0x12
    mov ecx, 12                         ; AX..DI, ES, CS, SS, DS (words)
    call sum16
    KV "sum", eax
    KV4 "bx", [tss16 + 0x18]
    KV4 "bp", [tss16 + 0x1c]
    KV4 "cs", [tss16 + 0x24]
    GDT_TYPE TSS_16
    KV4 "type", eax
    EOL

    ; ---- The T flag: #DB before the new task's first instruction ----
    xor eax, eax
    mov dr6, eax
    mov dword [resume], t_caught        ; runs in task T
    mov dword [saved_esp], stack_t
    mov dword [got_vec], -1
    jmp TSS_T:0
    NAME "debug-trap"
    call print_caught
    mov eax, dr6
    and eax, 0x8000
    KV "dr6.bt", eax
    EOL

case_exc:
    SKIP_EMU "exception task gate cases (#GP, #DF)", case_end
    ; ---- #GP handled by a task through a task gate in the IDT ----
    mov dword [idt + 8 * 13], TSS_EXC << 16
    mov dword [idt + 8 * 13 + 4], 0x8500
    mov dword [idt + 8 * 8], TSS_DF << 16
    mov dword [idt + 8 * 8 + 4], 0x8500
    mov dword [exc_resume], gp_done
    mov ax, BAD_SEL
gp_insn:
    mov es, ax
gp_done:
    ; ---- #DF through a task gate: #DE whose gate is not present ----
    ; ---- #DF through a task gate: #DE whose gate is not present ----
    and byte [idt + 8 * 0 + 5], 0x7f
    xor edx, edx
    xor ecx, ecx
df_insn:
    div ecx
case_end:
    mov esi, msg_done
    jmp pass

; ---- Tasks ----------------------------------------------------------------------

task_a:
    mov [a_in], eax
    mov [a_in + 4], ecx
    mov [a_in + 8], edx
    mov [a_in + 12], ebx
    mov [a_in + 16], esp
    mov [a_in + 20], ebp
    mov [a_in + 24], esi
    mov [a_in + 28], edi
    pushfd
    pop dword [a_eflags]
    str eax
    mov [a_tr], eax
    GDT_TYPE TSS_MAIN
    mov [a_main_type], eax
    GDT_TYPE TSS_A
    mov [a_a_type], eax
    mov eax, cr0
    and eax, 8
    mov [a_cr0], eax
    mov eax, 0xa1a1a1a1
    mov ecx, 0xa2a2a2a2
    mov edx, 0xa3a3a3a3
    mov ebx, 0xa4a4a4a4
    mov ebp, 0xa6a6a6a6
    mov esi, 0xa7a7a7a7
    mov edi, 0xa8a8a8a8
    jmp TSS_MAIN:0
    jmp task_a

task_b:
    inc dword [b_runs]
    pushfd
    pop dword [b_eflags]
    movzx eax, word [tss_b + T_LINK]
    mov [b_link], eax
    str eax
    mov [b_tr], eax
    GDT_TYPE TSS_MAIN
    mov [b_main_type], eax
    GDT_TYPE TSS_B
    mov [b_b_type], eax
    iretd
task_b_after_iret:
    jmp task_b

task_t:
    nop
    jmp TSS_MAIN:0
t_caught:
    jmp TSS_MAIN:0                      ; from the #DB handler, on task T's stack

; The #GP task: the error code is on its stack.
task_exc:
    pop dword [exc_err]
    NAME "gp-task-gate"
    KV "err", [exc_err]
    mov eax, esp
    cmp eax, stack_exc
    mov esi, msg_esp_top
    je .esp
    mov esi, msg_other
.esp:
    call puts
    call print_task_facts
    EOL
    mov eax, [exc_resume]
    mov [tss_main + T_EIP], eax
    iretd
    jmp task_exc

task_df:
    pop dword [exc_err]
    NAME "df-task-gate"
    KV "err", [exc_err]
    mov eax, esp
    cmp eax, stack_df
    mov esi, msg_esp_top
    je .esp
    mov esi, msg_other
.esp:
    call puts
    call print_task_facts
    EOL
    mov esi, msg_done
    jmp pass

; Task facts for an exception task: NT, TR, the back link (the main task),
; and where the main task's TSS says it stopped.
print_task_facts:
    pushfd
    pop eax
    and eax, 1 << 14
    KV "nt", eax
    str eax
    KV4 "tr", eax
    movzx ebx, word [gdt + eax + 2]     ; our TSS's base, from its descriptor
    movzx eax, byte [gdt + eax + 4]
    shl eax, 16
    or ebx, eax
    movzx eax, word [ebx + T_LINK]
    mov esi, msg_link_ok
    cmp eax, TSS_MAIN
    je .link
    mov esi, msg_other
.link:
    call puts
    ; The old task's saved EIP: the faulting instruction.
    movzx ebx, word [gdt + eax + 2]
    movzx ecx, byte [gdt + eax + 4]
    shl ecx, 16
    or ebx, ecx
    mov eax, [ebx + T_EIP]
    mov esi, msg_insn
    cmp eax, gp_insn
    je .eip
    cmp eax, df_insn
    je .eip
    mov esi, msg_other
.eip:
    call puts
    mov eax, [ebx + T_EFL]
    KV "old-eflags", eax                ; RF set: a fault's image (SDM vol. 3, 17.3.1.1)
    GDT_TYPE TSS_MAIN
    KV4 "main-type", eax
    ret

; ---- Helpers ------------------------------------------------------------------------

; The 16-bit task (CS = CODE16, based here): record, set registers, go back.
bits 16
task16:
    mov [dword t16_ax], ax
    mov [dword t16_si], si
    mov ax, ds
    mov [dword t16_ds], ax
    str ax
    mov [dword t16_tr], ax
    mov ax, 0x1234
    mov cx, 0x2345
    mov dx, 0x3456
    mov bx, 0x4567
    mov bp, 0x5678
    mov si, 0x6789
    mov di, 0x789a
    jmp TSS_MAIN:0
    jmp task16
bits 32

; GDT entry ecx gets base eax.
set_base:
    push eax
    mov [gdt + ecx + 2], ax
    shr eax, 16
    mov [gdt + ecx + 4], al
    mov [gdt + ecx + 7], ah
    pop eax
    ret

; A 32-bit TSS at edi for ring 0 flat code at eax with the stack ebx.
tss_setup:
    mov [edi + T_EIP], eax
    mov [edi + T_ESP], ebx
    mov dword [edi + T_EFL], 2
    mov word [edi + T_ES], KDATA
    mov word [edi + T_CS], KCODE
    mov word [edi + T_SS], KDATA
    mov word [edi + T_DS], KDATA
    mov word [edi + T_FS], KDATA
    mov word [edi + T_GS], KDATA
    mov word [edi + T_IOMAP], 0x68
    ret

; eax = sum of ecx dwords at esi.
sum:
    push ecx
    push esi
    xor eax, eax
.next:
    add eax, [esi]
    add esi, 4
    loop .next
    pop esi
    pop ecx
    ret

; eax = sum of ecx words at esi.
sum16:
    push ecx
    push edx
    push esi
    xor eax, eax
.next:
    movzx edx, word [esi]
    add eax, edx
    add esi, 2
    loop .next
    pop esi
    pop edx
    pop ecx
    ret

; " vector=... err=... eip=..." of the last caught exception.
print_caught:
    KV "vector", [got_vec]
    KV "err", [got_err]
    KV "eip", [got_eip]
    ret

; ax as four hex digits.
puthex4:
    push eax
    shl eax, 16
    push ecx
    push edx
    mov edx, eax
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

; Expected faults (interrupt gates): record and continue at [resume].
catch_db:
    mov dword [got_vec], 1
    mov dword [got_err], -1
    jmp catch
catch_ts:
    mov dword [got_vec], 10
    pop dword [got_err]
    jmp catch
catch_gp:
    mov dword [got_vec], 13
    pop dword [got_err]
catch:
    mov eax, [esp]
    mov [got_eip], eax
    mov esp, [saved_esp]
    jmp [resume]

section .rodata
msg_bad_magic:  db "not booted by multiboot", 0
msg_skipped:    db " skipped (KVM's instruction emulator runs CPL 0 here)", 10, 0
msg_next:       db " eip=next", 0
msg_insn:       db " eip=insn", 0
msg_other:      db " MISMATCH", 0
msg_esp_top:    db " esp=top", 0
msg_link_ok:    db " link=caller", 0
msg_done:       db "task", 0
key_kvmemu:     db "kvmemu", 0

section .data
align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff               ; 0x08 ring 0 code
    dq 0x00cf92000000ffff               ; 0x10 ring 0 data
    dq 0x0000890000000067               ; 0x18 TSS main
    dq 0x0000890000000067               ; 0x20 TSS A
    dq 0x0000890000000067               ; 0x28 TSS B
    dq 0x0000890000000067               ; 0x30 TSS #GP task
    dq 0x0000890000000067               ; 0x38 TSS #DF task
    dq 0x0000890000000050               ; 0x40 TSS, limit too small
    dq 0x000081000000002b               ; 0x48 16-bit TSS
    dq 0x0000890000000067               ; 0x50 TSS with T set
    dq 0x0000850000280000               ; 0x58 task gate to 0x28
    dq 0x00009a000000ffff               ; 0x60 16-bit code, base filled in
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

section .bss
alignb 16
tss_main:   resb 0x68
tss_a:      resb 0x68
tss_b:      resb 0x68
tss_exc:    resb 0x68
tss_df:     resb 0x68
tss_small:  resb 0x68
tss_t:      resb 0x68
tss16:      resb 0x2c
alignb 4
kvmemu:     resd 1
resume:     resd 1
saved_esp:  resd 1
got_vec:    resd 1
got_err:    resd 1
got_eip:    resd 1
a_in:       resd 8
a_eflags:   resd 1
a_tr:       resd 1
a_main_type: resd 1
a_a_type:   resd 1
a_cr0:      resd 1
main_back_eax: resd 1
b_runs:     resd 1
b_eflags:   resd 1
b_link:     resd 1
b_tr:       resd 1
b_main_type: resd 1
b_b_type:   resd 1
t16_ax:     resd 1
t16_si:     resd 1
t16_ds:     resd 1
t16_tr:     resd 1
exc_err:    resd 1
exc_resume: resd 1
    resb 4096
kstack_top:
    resb 1024
stack_a:
    resb 1024
stack_b:
    resb 1024
stack_exc:
    resb 1024
stack_df:
    resb 1024
stack_t:
