; SMP bring-up (SDM vol. 3, 8.4.4.1, and the MP spec's INIT-SIPI-SIPI): the
; BSP copies a real-mode trampoline to 0x8000, sends INIT then two STARTUP
; IPIs to all other CPUs, and waits until each AP has counted itself.
; The CPU count comes from fw_cfg (FW_CFG_NB_CPUS).
%include "multiboot.inc"

FW_CFG_CTL  equ 0x510
FW_CFG_DATA equ 0x511
FW_CFG_NB_CPUS equ 0x05
LAPIC       equ 0xfee00000
LAPIC_SVR   equ 0xf0
LAPIC_ICR_LO equ 0x300
LAPIC_ICR_HI equ 0x310
ICR_INIT    equ 0x000c4500              ; all but self, INIT, level assert
ICR_SIPI    equ 0x000c4600              ; all but self, STARTUP (| vector)
ICR_BUSY    equ 1 << 12
TRAMPOLINE  equ 0x8000
WAIT_LOOPS  equ 3000000

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

%include "lib.inc"
%include "idt.inc"

global _start
_start:
    mov esp, stack_top
    mov esi, msg_bad_magic
    cmp eax, MB_BOOT_MAGIC
    jne fail
    call idt_init

    mov dx, FW_CFG_CTL
    mov ax, FW_CFG_NB_CPUS
    out dx, ax
    mov dx, FW_CFG_DATA
    in al, dx
    mov bl, al
    in al, dx
    mov bh, al
    movzx ebx, bx
    mov [ncpus], ebx
    mov esi, msg_cpus
    call puts
    mov eax, ebx
    call putdec
    mov al, 10
    call putc

    mov esi, tramp_start
    mov edi, TRAMPOLINE
    mov ecx, tramp_end - tramp_start
    rep movsb

    mov dword [LAPIC + LAPIC_SVR], 0x1ff
    mov dword [LAPIC + LAPIC_ICR_HI], 0
    mov eax, ICR_INIT
    call send_ipi
    mov ecx, 10000                      ; the 10 ms the spec asks for, roughly
    call delay
    mov eax, ICR_SIPI | (TRAMPOLINE >> 12)
    call send_ipi
    mov ecx, 1000
    call delay
    mov eax, ICR_SIPI | (TRAMPOLINE >> 12)
    call send_ipi

    mov ecx, WAIT_LOOPS
    mov ebx, [ncpus]
    dec ebx
.wait:
    cmp [ap_count], ebx
    je .up
    pause
    loop .wait
.up:
    mov esi, msg_aps
    call puts
    mov eax, [ap_count]
    call putdec
    mov al, 10
    call putc
    mov esi, msg_missing
    cmp [ap_count], ebx
    jne fail
    mov esi, msg_done
    jmp pass

; Write ICR low = eax, wait until delivered.
send_ipi:
    mov [LAPIC + LAPIC_ICR_LO], eax
.busy:
    test dword [LAPIC + LAPIC_ICR_LO], ICR_BUSY
    jnz .busy
    ret

delay:
    pause
    loop delay
    ret

; ---- The AP trampoline: copied to TRAMPOLINE, entered in real mode at 0800:0000.
bits 16
tramp_start:
    cli
    mov ax, cs
    mov ds, ax
    lgdt [tramp_gdt_desc - tramp_start]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword KCODE:ap_main
align 8
tramp_gdt:
    dq 0
    dq 0x00cf9a000000ffff
    dq 0x00cf92000000ffff
tramp_gdt_desc:
    dw 3 * 8 - 1
    dd TRAMPOLINE + tramp_gdt - tramp_start
tramp_end:

bits 32
ap_main:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    lock inc dword [ap_count]
.halt:
    cli
    hlt
    jmp .halt

section .rodata
msg_bad_magic:  db "not booted by multiboot", 0
msg_cpus:       db "CPUs: ", 0
msg_aps:        db "APs started: ", 0
msg_missing:    db "some APs did not start", 0
msg_done:       db "smp", 0

section .bss
alignb 16
ncpus:      resd 1
ap_count:   resd 1
    resb 4096
stack_top:
