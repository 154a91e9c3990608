; Reset and come back: the first boot marks CMOS byte 0x70, then resets the
; machine, through the PIIX3's reset control register 0xCF9 by default or
; by a triple fault with "triple=1" on the command line.  The second boot
; finds the mark, clears it and passes.  With -no-reboot kemu exits at the
; reset instead (status 0), after "first boot".
%include "multiboot.inc"

CMOS_INDEX  equ 0x70
CMOS_DATA   equ 0x71
MARK_BYTE   equ 0x70
MARK        equ 0xa5
RESET_CTL   equ 0xcf9

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

    mov al, MARK_BYTE
    out CMOS_INDEX, al
    in al, CMOS_DATA
    cmp al, MARK
    je second_boot

    mov al, MARK
    out CMOS_DATA, al
    mov esi, key_triple
    call cmdline_uint
    jc .cf9
    test eax, eax
    jz .cf9
    mov esi, msg_triple
    call puts
    lidt [null_idt]                     ; no IDT: #UD -> #GP -> #DF -> shutdown
    ud2
    jmp halt_forever
.cf9:
    mov esi, msg_cf9
    call puts
    mov dx, RESET_CTL
    mov al, 0x02                        ; SRST: a hard reset ...
    out dx, al
    mov al, 0x06                        ; ... now
    out dx, al
    jmp halt_forever

second_boot:
    xor al, al
    out CMOS_DATA, al                   ; the index is still MARK_BYTE
    mov esi, msg_second
    call puts
    mov esi, msg_done
    jmp pass

section .rodata
key_triple:     db "triple", 0
msg_bad_magic:  db "not booted by multiboot", 0
msg_cf9:        db "first boot, reset through 0xcf9", 10, 0
msg_triple:     db "first boot, triple fault", 10, 0
msg_second:     db "second boot", 10, 0
msg_done:       db "reset", 0

section .data
null_idt:
    dw 0
    dd 0

section .bss
alignb 16
    resb 4096
stack_top:
