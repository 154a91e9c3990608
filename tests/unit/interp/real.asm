; Real-mode snippets for test-interp.c: loaded at 0:7c00.  Results at 0:6000.
BITS 16
ORG 0x7c00

RES equ 0x6000

start:
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x21 * 4], int21      ; an IVT entry of our own
    mov word [0x21 * 4 + 2], 0
    mov ax, 0x1234
    int 0x21                        ; the handler adds 1 and IRETs
    mov [RES + 0], ax
    pushf
    pop word [RES + 2]
    mov ax, 0x1000                  ; segment arithmetic: 1000:0010 is linear 0x10010
    mov es, ax
    mov word [es:0x10], 0xbeef
    mov bx, 0x10
    mov si, 0x4
    mov ax, [es:bx + si - 4]
    mov [RES + 4], ax
    mov bp, 0x100                   ; [bp + di] defaults to SS
    mov di, 0x20
    mov word [0x120], 0x5678
    mov ax, [bp + di]
    mov [RES + 6], ax
    mov si, 0x6100                  ; rep movsw within segment 0
    push ds
    pop es
    mov di, 0x6200
    mov cx, 8
    cld
    rep movsw
    mov [RES + 8], si
    mov [RES + 10], di
    mov eax, 0x12345678             ; 32-bit operands in real mode
    add eax, eax
    mov [RES + 12], eax
    call near_fn
    call 0:far_fn
    mov [RES + 16], dx
    mov [RES + 18], cx
    mov cx, 5
    xor ax, ax
.l: add ax, cx
    loop .l
    mov [RES + 20], ax
    mov [RES + 22], sp
    mov word [RES + 24], .de
    xor cx, cx
.de:
    div cx                          ; #DE through IVT entry 0 to the test's stub

int21:
    add ax, 1
    iret
near_fn:
    mov dx, 0x55
    ret
far_fn:
    mov cx, 0x66
    retf

; 0:7e00: the A20 gate decides where FFFF:0020 goes
    times 0x200 - ($ - $$) db 0
a20:
    mov ax, 0xffff
    mov es, ax
    mov byte [es:0x20], 0x99
    hlt
