; A multiboot kernel in the a.out-kludge layout (a flat binary with load
; addresses in the header).  Writes 0x2a to port 0xf4 (isa-debug-exit).
%include "multiboot.inc"
AOUT_FLAGS  equ MB_FLAGS | 0x00010000
LOAD        equ 0x200000

bits 32
org LOAD
header:
    dd MB_MAGIC
    dd AOUT_FLAGS
    dd -(MB_MAGIC + AOUT_FLAGS)
    dd header                       ; header_addr
    dd LOAD                         ; load_addr
    dd end_of_image                 ; load_end_addr
    dd bss_end                      ; bss_end_addr
    dd entry                        ; entry_addr
entry:
    mov al, 0x2a
    out 0xf4, al
.halt:
    hlt
    jmp .halt
end_of_image:
    times 64 db 0
bss_end equ end_of_image + 0x1000
