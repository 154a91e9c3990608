; 64-bit snippets for test-interp.c.  Loaded at 1 MiB; entry n is at
; 0x100000 + n * 0x400.  Results go to R (0x202000).
BITS 64
ORG 0x100000

R       equ 0x202000

%macro ENTRY 1
    times (%1 * 0x400) - ($ - $$) db 0xcc
%endmacro

; ---- 0: 64-bit addressing, REX, sizes, assorted instructions ---------------------
ENTRY 0
    lea rax, [rel data0]
    mov [R + 0], rax
    mov rax, [rel data0]
    mov [R + 8], rax
    mov r8, 0x1000
    mov r9, 3
    lea rax, [r8 + r9 * 8 + 0x10]
    mov [R + 16], rax
    mov r12, 0x200
    lea rax, [r12 + 1]
    mov [R + 24], rax
    mov r13, 0x300
    lea rax, [r13]
    mov [R + 32], rax
    mov rax, -1
    mov eax, 5                      ; 32-bit writes zero the upper half
    mov [R + 40], rax
    mov rax, -1
    mov ax, 5                       ; 16-bit writes keep it
    mov [R + 48], rax
    mov ecx, 0x80000000
    movsxd rax, ecx
    mov [R + 56], rax
    mov rsi, 0x1234
    mov sil, 0x99                   ; REX: SIL, not DH
    mov [R + 64], rsi
    xor eax, eax
    mov ah, 0x42                    ; no REX: AH
    mov [R + 72], rax
    mov rax, 0x0102030405060708
    bswap rax
    mov [R + 80], rax
    mov rax, 10
    mov rbx, 5
    xadd rax, rbx
    mov [R + 88], rax
    mov [R + 96], rbx
    mov rax, 0x8000000000000000
    bsr rcx, rax
    mov [R + 104], rcx
    bsf rcx, rax
    mov [R + 112], rcx
    mov rax, 0xf0f0
    popcnt rcx, rax
    mov [R + 120], rcx
    mov rax, 0x8000000000000001
    mov rdx, 0x8000000000000000
    shld rax, rdx, 1
    mov [R + 128], rax
    mov rax, -7
    cqo
    mov rcx, 2
    idiv rcx
    mov [R + 136], rax
    mov [R + 144], rdx
    mov rax, 0x100000000
    imul rax, rax
    setc cl
    mov [R + 152], rax
    mov [R + 160], cl
    mov rax, 1
    mov rdx, 2
    mov rbx, 3
    mov rcx, 4
    lock cmpxchg16b [rel dq16]
    setz r8b
    mov [R + 168], r8b
    mov rax, [rel dq16 + 8]
    mov [R + 176], rax
    mov rsp, 0x90000
    push qword -2
    pop rax
    mov [R + 184], rax
    push word 0x1234
    pop ax
    mov [R + 192], rsp
    mov [R + 196], ax
    call .fn
    mov [R + 200], rdi
    mov qword [R + 208], 0
    mov qword [R + 216], 0
    mov rax, 65
    bts [R + 208], rax              ; bit 65: the next qword's bit 1
    mov rax, 0x1122334455667788
    mov [R + 224], eax              ; a 32-bit store
    mov r15d, 0xffffffff
    add r15d, 1                     ; 32-bit op on r15: zero-extends, CF=1
    setc [R + 232]
    mov [R + 240], r15
    mov rax, 0x7fffffffffffffff
    mov rbx, 0x7fffffffffffffff
    cmp rax, rbx
    cmove rcx, rbx
    mov [R + 248], rcx
    hlt
.fn:
    lea rdi, [rel .fn]
    ret
align 16
data0: dq 0x1122334455667788
align 16
dq16: dq 1, 2

; ---- 1: load through rbx, 2: store rcx through rbx, 3: jump to rbx ---------------
ENTRY 1
    mov rax, [rbx]
    hlt
ENTRY 2
    mov [rbx], rcx
    hlt
ENTRY 3
    jmp rbx

; ---- 4: user code (CPL 3): SYSCALL, then INT 0x80 back to ring 0 --------------------
ENTRY 4
    mov rax, 0x77
    mov rbx, rsp
    syscall
.ret:
    mov [R + 0], rax
    mov [R + 8], rsp
    lea rax, [rel .ret]
    mov [R + 56], rax
    int 0x80

; ---- 5: the SYSCALL entry (LSTAR) ------------------------------------------------------
ENTRY 5
    mov [R + 16], rcx
    mov [R + 24], r11
    mov [R + 32], rax
    swapgs
    mov rax, [gs:0]
    mov [R + 40], rax
    swapgs
    mov rax, 0x99
    o64 sysret

; ---- 6: IRETQ to CPL 3 (entry 7), which comes back with INT 0x80 ---------------------------
ENTRY 6
    push 0x4b
    push 0x80000
    pushfq
    push 0x53
    push entry7
    iretq
ENTRY 7
entry7:
    mov [R + 48], rsp
    mov ax, cs
    mov [R + 56], ax
    int 0x80

; ---- 8: the speed loop --------------------------------------------------------------------
ENTRY 8
    mov rcx, [R + 0x100]
    xor eax, eax
    mov ebx, 3
.l: add rax, rbx
    xor rdx, rax
    lea rsi, [rax + rdx * 2]
    dec rcx
    jnz .l
    mov [R], rax
    hlt

; ---- 9: push with a non-canonical RSP: #SS(0), delivered on IST1 --------------------------
ENTRY 9
    mov rsp, 0x8000000000000000
    push rax
    hlt
