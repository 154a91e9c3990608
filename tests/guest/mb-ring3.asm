; Ring 3: go to CPL 3, run a compute loop there (xorshift32 summed over n
; steps; "n=" on the command line, 10000000 by default), come back and print
; the checksum and the TSC cycles the loop took.  "pio=N" then also does N
; OUTs to an unassigned port from ring 0 (ring 3 port access faults on that
; host whatever IOPL says) and prints their cycles: the round trip through
; the accelerator and the memory API.
;
; Shaped by the KVM this was written on (a software one that emulates CPL 0
; and runs CPL 3 natively only for 64-bit code under long-mode paging):
;  - the kernel turns on IA-32e paging but stays in 32-bit compatibility mode;
;  - it enters ring 3 (64-bit mode) with SYSEXIT: that emulator has no
;    protected-mode IRET (SYSEXIT in long mode is Intel's: under the
;    interpreter, run it with an Intel model such as -cpu kvm64);
;  - ring 3 comes back through a #UD at a known address: INT and SYSCALL
;    from ring 3 do not reach the guest kernel there;
;  - the 64-bit interrupt gates far-return at once to compatibility mode.
%include "multiboot.inc"

UCODE   equ 0x58 | 3
UDATA   equ 0x20 | 3
TSS_SEL equ 0x28                        ; 16 bytes in IA-32e mode
KCODE64 equ 0x38
MSR_EFER equ 0xc0000080
MSR_SYSENTER_CS equ 0x174
PIO_PORT equ 0xe0                       ; nothing decodes it

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
    call idt_init                       ; flat GDT; exceptions report until long mode
    mov edi, ebx
    mov esi, key_n
    call cmdline_uint
    jc .default_n
    mov [n], eax
.default_n:
    mov esi, key_pio
    call cmdline_uint
    jc .no_pio
    mov [pio_n], eax
.no_pio:

    ; Identity map of the low 4 GiB with 2 MiB user pages (SDM vol. 3, 4.5).
    IDENTITY_MAP_4G

    ; IA-32e mode: PAE, CR3, EFER.LME, then paging (SDM vol. 3, 9.8.5).
    mov eax, cr4
    or eax, 1 << 5
    mov cr4, eax
    mov eax, pml4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, 1 << 8
    wrmsr
    mov eax, cr0
    or eax, 1 << 31
    mov cr0, eax

    ; The full GDT (ring 3, the TSS, 64-bit code), the 64-bit TSS, 64-bit gates.
    mov eax, tss
    mov word [gdt + TSS_SEL], 103
    mov [gdt + TSS_SEL + 2], ax
    shr eax, 16
    mov [gdt + TSS_SEL + 4], al
    mov byte [gdt + TSS_SEL + 5], 0x89  ; available 64-bit TSS
    mov [gdt + TSS_SEL + 7], ah
    mov dword [tss + 4], kstack_top     ; RSP0
    mov word [tss + 102], 104           ; no I/O bitmap
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


    ; To ring 3 (32-bit compatibility mode): CS = SYSENTER_CS + 16, SS = + 24.
    mov ecx, MSR_SYSENTER_CS
    mov eax, KCODE64
    xor edx, edx
    wrmsr
    mov edx, user_main
    mov ecx, ustack_top
    jmp KCODE64:.to64
bits 64
.to64:
    o64 sysexit
bits 32

; 64-bit interrupt gate ecx -> handler eax (below 4 GiB).
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
    rdtsc
    mov [t0], eax
    mov [t0 + 4], edx
    mov ecx, [n]
    mov eax, 2463534242                 ; Marsaglia's xorshift32 seed
    xor ebx, ebx
.loop:
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    add ebx, eax
    dec ecx
    jnz .loop
    rdtsc
    sub eax, [t0]
    sbb edx, [t0 + 4]
    mov [cycles], eax
    mov [cycles + 4], edx
    mov eax, ebx
user_trap:
    ud2                                 ; the way back: #UD at this address
bits 32

; ---- Ring 0, 64-bit entry points: straight back to compatibility mode -------
bits 64
; Interrupts in IA-32e mode load a null SS, fine in 64-bit mode but not in
; compatibility mode: load a real one, then far-return to 32-bit code.
%assign v 0
%rep 32
fault64_ %+ v:
%if v == 8 || (v >= 10 && v <= 14) || v == 17
    add rsp, 8                          ; drop the error code
%endif
    push v
    jmp fault64
%assign v v + 1
%endrep
fault64:
    mov ax, KDATA
    mov ss, ax
    push KCODE
    push fault_entry
    o64 retf
bits 32

; The 64-bit frame: [esp] the vector, then RIP, CS, RFLAGS, RSP, SS (8 bytes each).
fault_entry:
    cmp dword [esp], 6
    jne .fault
    cmp dword [esp + 8], user_trap
    jne .fault
    mov esi, msg_cpl
    cmp dword [esp + 16], UCODE
    jne fail
    mov ecx, [pio_n]
    test ecx, ecx
    jz .pio_done
    rdtsc
    mov [t0], eax
    mov [t0 + 4], edx
    mov dx, PIO_PORT
.pio:
    out dx, al
    dec ecx
    jnz .pio
    rdtsc
    sub eax, [t0]
    sbb edx, [t0 + 4]
    mov [pio_cycles], eax
    mov [pio_cycles + 4], edx
.pio_done:
    mov esi, msg_result                 ; the checksum is in ebx (fault64 uses eax)
    call puts
    mov eax, ebx
    call puthex
    mov esi, msg_n
    call puts
    mov eax, [n]
    call putdec
    mov esi, msg_cycles
    call puts
    mov eax, [cycles + 4]
    call puthex
    mov eax, [cycles]
    call puthex
    cmp dword [pio_n], 0
    je .no_pio_report
    mov esi, msg_pio
    call puts
    mov eax, [pio_n]
    call putdec
    mov esi, msg_pio_cycles
    call puts
    mov eax, [pio_cycles + 4]
    call puthex
    mov eax, [pio_cycles]
    call puthex
.no_pio_report:
    mov al, 10
    call putc
    mov esi, msg_done
    jmp pass

.fault:
    mov esi, idt_msg_fault
    call puts
    mov eax, [esp]
    call puthex
    mov esi, idt_msg_at
    call puts
    mov eax, [esp + 8]
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
key_n:          db "n", 0
key_pio:        db "pio", 0
msg_pio:        db " pio=", 0
msg_pio_cycles: db " pio_cycles=", 0
msg_bad_magic:  db "not booted by multiboot", 0
msg_cpl:        db "the trap did not come from ring 3", 0
msg_result:     db "ring3 checksum=", 0
msg_n:          db " n=", 0
msg_cycles:     db " cycles=", 0
msg_done:       db "ring3", 0

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
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt64_desc:
    dw 256 * 16 - 1
    dd idt64
n:  dd 10000000
pio_n: dd 0

section .bss
alignb 4096
pml4:       resq 512
pdpt:       resq 512
page_dirs:  resq 2048
idt64:      resb 256 * 16
tss:        resb 104
t0:         resq 1
cycles:     resq 1
pio_cycles: resq 1
    resb 4096
kstack_top:
    resb 4096
ustack_top:
