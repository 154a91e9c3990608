; A multiboot ELF kernel: prints "hello from multiboot" and its command line
; on COM1, then exits through isa-debug-exit (port 0xf4) with 0x10 (kemu exits 33).
; Shared by the pc machine's loader test and the accelerators' tests.
%include "multiboot.inc"

COM1        equ 0x3f8
DEBUG_EXIT  equ 0xf4

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .text
bits 32
global _start
_start:
    mov esp, stack_top
    cmp eax, 0x2BADB002
    jne fail
    mov esi, hello
    call puts
    mov esi, [ebx + 16]             ; mbi->cmdline
    call puts
    mov al, 10
    call putc
    mov al, 0x10
    out DEBUG_EXIT, al
fail:
    hlt
    jmp fail

; Write the NUL-terminated string at esi to COM1.
puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

putc:
    mov dx, COM1 + 5
    mov ah, al
.wait:
    in al, dx                       ; LSR: wait for THR empty
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, COM1
    out dx, al
    ret

section .rodata
hello: db "hello from multiboot: ", 0

section .bss
alignb 16
    resb 4096
stack_top:
