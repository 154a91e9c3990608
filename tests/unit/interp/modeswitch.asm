; Real mode -> 32-bit protected -> long mode (64-bit) -> compatibility mode
; -> paging off -> 16-bit protected -> real mode, with a marker at each step.
; Loaded at 0:8000; the test provides 4-level page tables at 0x10000.
BITS 16
ORG 0x8000

MS equ 0x6000

start:
    cli
    xor ax, ax
    mov ds, ax
    lgdt [gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp 0x08:pm32

BITS 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x90000
    mov dword [MS + 0], 32
    mov eax, cr4
    or eax, 1 << 5                  ; PAE
    mov cr4, eax
    mov eax, 0x10000
    mov cr3, eax
    mov ecx, 0xc0000080             ; EFER.LME
    rdmsr
    or eax, 1 << 8
    wrmsr
    mov eax, cr0
    or eax, 1 << 31                 ; paging on: long mode active (compatibility)
    mov cr0, eax
    mov ecx, 0xc0000080
    rdmsr
    mov [MS + 28], eax
    jmp 0x28:lm64

BITS 64
lm64:
    mov dword [MS + 4], 64
    mov rax, 0x123456789abcdef0
    mov [MS + 8], rax
    push 0x08                       ; far return to 32-bit compatibility mode
    push compat
    retfq

BITS 32
compat:
    mov dword [MS + 16], 0x32
    mov eax, cr0
    and eax, 0x7fffffff             ; paging off leaves long mode
    mov cr0, eax
    mov ecx, 0xc0000080
    rdmsr
    mov [MS + 20], eax
    and eax, ~(1 << 8)
    wrmsr
    jmp 0x18:pm16

BITS 16
pm16:
    mov ax, 0x20
    mov ds, ax
    mov ss, ax
    mov eax, cr0
    and al, 0xfe
    mov cr0, eax
    jmp 0:real16
real16:
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov word [MS + 24], 0x16
    hlt

align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08 code, 32-bit, flat
    dq 0x00cf92000000ffff           ; 0x10 data, flat
    dq 0x00009a000000ffff           ; 0x18 code, 16-bit, 64 KiB
    dq 0x000092000000ffff           ; 0x20 data, 64 KiB
    dq 0x00af9a000000ffff           ; 0x28 code, 64-bit
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd gdt
