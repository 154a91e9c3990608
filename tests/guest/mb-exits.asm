; Port I/O and MMIO that leave the CPU: fw_cfg's signature (PIO), the HPET's
; capabilities (MMIO to a device model), the IOAPIC's version register (MMIO,
; in-kernel under KVM), and unassigned ports and MMIO, which read all ones.
; Bad guests for the monitor tests: "spin=1" loops with interrupts off,
; "hammer=1" loops over unassigned ports and MMIO, both forever.
%include "multiboot.inc"

FW_CFG_CTL  equ 0x510
FW_CFG_DATA equ 0x511
IOAPIC      equ 0xfec00000
HPET        equ 0xfed00000
HOLE        equ 0xfe000000              ; PCI hole, no BAR there
FREE_PORT   equ 0x0e0

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

%include "lib.inc"

global _start
_start:
    mov esp, stack_top
    mov esi, msg_bad_magic
    cmp eax, MB_BOOT_MAGIC
    jne fail
    mov edi, ebx
    mov esi, key_spin
    call cmdline_uint
    jc .no_spin
    mov esi, msg_spin
    call puts
    cli
.spin:
    jmp .spin
.no_spin:
    mov esi, key_hammer
    call cmdline_uint
    jc .no_hammer
    mov esi, msg_hammer
    call puts
    cli
    mov dx, FREE_PORT
.hammer:
    in al, dx
    out dx, al
    mov eax, [HOLE]
    mov [HOLE], eax
    inc dx                              ; ports 0xe0-0xef, none decoded
    and dx, 0x0f
    or dx, FREE_PORT
    jmp .hammer
.no_hammer:

    ; fw_cfg key 0 is the signature "QEMU" (docs/specs/fw_cfg.rst).
    mov dx, FW_CFG_CTL
    xor ax, ax
    out dx, ax
    mov dx, FW_CFG_DATA
    mov ecx, 4
    mov edi, sig
.sig:
    in al, dx
    stosb
    loop .sig
    mov esi, msg_sig
    cmp dword [sig], 'QEMU'
    jne fail
    mov esi, msg_sig_ok
    call puts

    ; HPET GCAP_ID: vendor 0x8086 in bits 31:16, revision in 7:0 (HPET 1.0a, 2.3.4).
    mov eax, [HPET]
    mov esi, msg_hpet
    mov ebx, eax
    shr ebx, 16
    cmp ebx, 0x8086
    jne fail
    test al, al
    jz fail
    mov esi, msg_hpet_ok
    call puts
    call puthex
    mov al, 10
    call putc

    ; IOAPIC version register (index 1): version 0x11 or 0x20, 24 entries.
    mov dword [IOAPIC], 1
    mov eax, [IOAPIC + 0x10]
    mov esi, msg_ioapic
    mov ebx, eax
    shr ebx, 16
    and ebx, 0xff
    cmp ebx, 23
    jne fail
    cmp al, 0x11
    je .ioapic_ok
    cmp al, 0x20
    jne fail
.ioapic_ok:
    mov esi, msg_ioapic_ok
    call puts
    call puthex
    mov al, 10
    call putc

    ; Nothing decodes these: all ones, writes ignored.
    mov esi, msg_unassigned
    mov dword [HOLE], 0x12345678
    cmp dword [HOLE], 0xffffffff
    jne fail
    mov dx, FREE_PORT
    mov al, 0x5a
    out dx, al
    in al, dx
    cmp al, 0xff
    jne fail
    in eax, dx
    cmp eax, 0xffffffff
    jne fail

    mov esi, msg_done
    jmp pass

section .rodata
msg_bad_magic:  db "not booted by multiboot", 0
msg_sig:        db "fw_cfg signature", 0
msg_sig_ok:     db "fw_cfg signature QEMU", 10, 0
msg_hpet:       db "HPET capabilities", 0
msg_hpet_ok:    db "HPET GCAP_ID ", 0
msg_ioapic:     db "IOAPIC version", 0
msg_ioapic_ok:  db "IOAPIC version ", 0
msg_unassigned: db "unassigned port or MMIO did not read all ones", 0
msg_done:       db "pio-mmio", 0
key_spin:       db "spin", 0
key_hammer:     db "hammer", 0
msg_spin:       db "spinning with interrupts off", 10, 0
msg_hammer:     db "hammering unassigned ports and MMIO", 10, 0

section .bss
alignb 16
sig:    resb 4
    resb 4096
stack_top:
