; Timer interrupts: the PIT through the 8259 (IRQ 0 at 1 kHz), then the local
; APIC timer in periodic mode; each counted to 10 with sti/hlt.
%include "multiboot.inc"

PIC1        equ 0x20
PIC2        equ 0xa0
PIT_CH0     equ 0x40
PIT_CMD     equ 0x43
PIT_DIVISOR equ 1193                    ; 1.193182 MHz / 1193 = 1 kHz
LAPIC       equ 0xfee00000
LAPIC_ID    equ 0x20
LAPIC_EOI   equ 0xb0
LAPIC_SVR   equ 0xf0
LAPIC_LVTT  equ 0x320
LAPIC_TICR  equ 0x380
LAPIC_TDCR  equ 0x3e0
PIT_VEC     equ 0x20
LAPIC_VEC   equ 0x40
SPURIOUS_VEC equ 0xff
TICKS       equ 10

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
    mov ecx, PIT_VEC
    mov eax, pit_irq
    call idt_set_gate
    mov ecx, LAPIC_VEC
    mov eax, lapic_irq
    call idt_set_gate
    mov ecx, SPURIOUS_VEC
    mov eax, spurious_irq
    call idt_set_gate

    ; 8259A: ICW1-ICW4, vectors 0x20/0x28, cascade on IR2; only IRQ 0 unmasked.
    mov al, 0x11
    out PIC1, al
    out PIC2, al
    mov al, 0x20
    out PIC1 + 1, al
    mov al, 0x28
    out PIC2 + 1, al
    mov al, 4
    out PIC1 + 1, al
    mov al, 2
    out PIC2 + 1, al
    mov al, 1
    out PIC1 + 1, al
    out PIC2 + 1, al
    mov al, 0xfe
    out PIC1 + 1, al
    mov al, 0xff
    out PIC2 + 1, al
    ; 8254: counter 0, LSB then MSB, mode 2 (rate generator).
    mov al, 0x34
    out PIT_CMD, al
    mov al, PIT_DIVISOR & 0xff
    out PIT_CH0, al
    mov al, PIT_DIVISOR >> 8
    out PIT_CH0, al

.pit_wait:
    sti                                 ; the handlers return with IF=0 (see below)
    hlt
    cmp dword [pit_ticks], TICKS
    jb .pit_wait
    cli
    mov al, 0xff                        ; the PIT goes quiet for the APIC part
    out PIC1 + 1, al
    mov esi, msg_pit
    call puts
    mov eax, [pit_ticks]
    call putdec
    mov al, 10
    call putc

    ; Local APIC: software enable, timer divide by 1, periodic, 1 ms at KVM's 1 GHz.
    mov esi, msg_apic_id
    call puts
    mov eax, [LAPIC + LAPIC_ID]
    shr eax, 24
    call putdec
    mov al, 10
    call putc
    mov dword [LAPIC + LAPIC_SVR], 0x100 | SPURIOUS_VEC
    mov dword [LAPIC + LAPIC_TDCR], 0xb
    mov dword [LAPIC + LAPIC_LVTT], (1 << 17) | LAPIC_VEC
    mov dword [LAPIC + LAPIC_TICR], 1000000
.apic_wait:
    sti
    hlt
    cmp dword [lapic_ticks], TICKS
    jb .apic_wait
    cli
    mov dword [LAPIC + LAPIC_LVTT], 1 << 16
    mov esi, msg_lapic
    call puts
    mov eax, [lapic_ticks]
    call putdec
    mov al, 10
    call putc
    mov esi, msg_done
    jmp pass

; The handlers return by RETF 4, dropping EFLAGS, not by IRET: KVM's
; instruction emulator, which runs CPL 0 on hosts like this one, has no
; protected-mode IRET.  The interrupted code is the sti/hlt loop.
pit_irq:
    push eax
    inc dword [pit_ticks]
    mov al, 0x20                        ; non-specific EOI
    out PIC1, al
    pop eax
    retf 4

lapic_irq:
    inc dword [lapic_ticks]
    mov dword [LAPIC + LAPIC_EOI], 0
    retf 4

spurious_irq:
    retf 4

section .rodata
msg_bad_magic:  db "not booted by multiboot", 0
msg_pit:        db "PIT ticks=", 0
msg_apic_id:    db "LAPIC id=", 0
msg_lapic:      db "LAPIC timer ticks=", 0
msg_done:       db "timer", 0

section .bss
alignb 16
pit_ticks:      resd 1
lapic_ticks:    resd 1
    resb 4096
stack_top:
