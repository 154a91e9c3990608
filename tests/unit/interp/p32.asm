; 32-bit protected-mode snippets for test-interp.c.  Loaded at 1 MiB; entry
; n is at 0x100000 + n * 0x200.  Results go to R (0x202000); the test
; fills the data at 0x200000 (byte i = i * 13 + 1) and checks the results.
BITS 32
ORG 0x100000

R       equ 0x202000
SRC     equ 0x200000

%macro ENTRY 1
    times (%1 * 0x200) - ($ - $$) db 0xcc
%endmacro

; ---- 0: string instructions ---------------------------------------------------
ENTRY 0
    cld
    mov esi, SRC
    mov edi, 0x201000
    mov ecx, 100
    rep movsb
    mov [R + 0], esi
    mov [R + 4], edi
    mov [R + 8], ecx
    std                             ; backward dwords
    mov esi, SRC + 0x11c
    mov edi, 0x20111c
    mov ecx, 8
    rep movsd
    cld
    mov [R + 12], esi
    mov [R + 16], edi
    mov esi, SRC + 0x200            ; overlapping: replicates the first byte
    mov edi, SRC + 0x201
    mov ecx, 31
    rep movsb
    mov edi, 0x203800               ; crosses into the next page
    mov eax, 0x11223344
    mov ecx, 1000
    rep stosd
    mov [R + 20], edi
    mov byte [0x201032], 0          ; make the copies differ at index 0x32
    mov esi, SRC
    mov edi, 0x201000
    mov ecx, 100
    repe cmpsb
    mov [R + 24], ecx
    mov [R + 28], esi
    setz byte [R + 32]
    mov edi, SRC
    mov al, 0xcc                    ; the byte at index 0x37
    mov ecx, 200
    repne scasb
    mov [R + 36], edi
    mov [R + 40], ecx
    setz byte [R + 44]
    mov eax, 0xffffffff
    mov esi, SRC + 0x10
    lodsw
    mov [R + 48], eax
    mov [R + 52], esi
    mov ecx, 0                      ; rep with a zero count does nothing
    mov edi, 0x205000
    rep stosb
    mov [R + 56], edi
    hlt

; ---- 1: stack, call/ret, enter/leave, pusha/popa --------------------------------
ENTRY 1
    mov esp, 0x90000
    push dword 0x12345678
    push word 0xabcd
    mov eax, 0
    pop ax
    pop ebx
    mov [R + 0], eax
    mov [R + 4], ebx
    mov [R + 8], esp
    call .func
.after:
    mov [R + 12], ecx
    mov dword [R + 72], .after
    mov ebp, 0x11111111
    enter 16, 0
    mov [R + 16], esp
    mov [R + 20], ebp
    leave
    mov [R + 24], esp
    mov [R + 28], ebp
    mov ebp, 0x8ff00
    mov dword [0x8fefc], 0xaaaa0001     ; the enclosing frame pointers ENTER copies
    mov dword [0x8fef8], 0xaaaa0002
    enter 8, 3
    mov [R + 32], esp
    mov [R + 36], ebp
    mov eax, [esp + 8]
    mov [R + 40], eax
    mov eax, [esp + 12]
    mov [R + 44], eax
    leave
    mov eax, 1
    mov ecx, 2
    mov edx, 3
    mov ebx, 4
    mov esi, 6
    mov edi, 7
    pushad
    mov eax, 0
    mov ecx, 0
    mov edi, 0
    popad
    mov [R + 48], eax
    mov [R + 52], ecx
    mov [R + 56], edi
    mov [R + 60], esp
    push dword [R + 0]              ; push and pop memory operands
    pop dword [R + 64]
    mov esi, esp
    call [.fptr]
    mov [R + 68], esi
    hlt
.func:
    mov ecx, [esp]
    ret
.func2:
    sub esi, esp                    ; 4: the return address is on the stack
    ret 0
.fptr: dd .func2

; ---- 2: conditional branches, LOOP, JCXZ ---------------------------------------
ENTRY 2
    xor edx, edx                    ; bit i of edx (set by LEA: flags stay)
    mov eax, 5
    cmp eax, 7                      ; 5 - 7: CF=1 SF=1 OF=0 ZF=0
    jb .b1
    jmp .b2
.b1: lea edx, [edx + 1]
.b2: jl .b3
    jmp .b4
.b3: lea edx, [edx + 2]
.b4: jg .b5
    lea edx, [edx + 4]
.b5: jz .b6
    lea edx, [edx + 8]
.b6: mov eax, 0x7fffffff
    add eax, 1                      ; OF=1 SF=1
    jo .b7
    jmp .b8
.b7: lea edx, [edx + 0x10]
.b8: js .b9
    jmp .b10
.b9: lea edx, [edx + 0x20]
.b10: jle .b11                      ; ZF=0, SF=OF: not less or equal
    lea edx, [edx + 0x40]
.b11:
    mov [R + 0], edx
    mov ecx, 10                     ; LOOP: sum 10..1
    xor eax, eax
.l1: add eax, ecx
    loop .l1
    mov [R + 4], eax
    mov [R + 8], ecx
    mov ecx, 10                     ; LOOPNE stops when ZF becomes 1
    mov ebx, 0
.l2: inc ebx
    cmp ebx, 4
    loopne .l2
    mov [R + 12], ebx
    mov [R + 16], ecx
    xor ecx, ecx
    mov eax, 1
    jecxz .z1
    mov eax, 2
.z1: mov [R + 20], eax
    mov ecx, 0x10000                ; JCXZ (16-bit CX) sees zero
    mov eax, 1
    a16 jcxz .z2                    ; 67 E3: CX
    mov eax, 2
.z2: mov [R + 24], eax
    mov eax, 0                      ; SETcc and CMOVcc
    mov ebx, 3
    cmp ebx, 3
    sete al
    mov ecx, 9
    cmovne ecx, ebx
    cmove edx, ebx
    mov [R + 28], eax
    mov [R + 32], ecx
    mov [R + 36], edx
    hlt

; ---- 3: addressing forms -----------------------------------------------------------
ENTRY 3
    mov ebx, 0x1000
    mov esi, 0x30
    mov edi, 0x7
    mov ebp, 0x20000
    lea eax, [ebx + esi * 4 + 0x10]
    mov [R + 0], eax
    lea eax, [esi * 8 + 0x12345]
    mov [R + 4], eax
    lea eax, [ebp + edi * 2 - 8]
    mov [R + 8], eax
    lea eax, [ebx + esi]
    mov [R + 12], eax
    lea ax, [ebx + esi + 0xffff]    ; 16-bit destination keeps the upper half
    mov [R + 16], eax
    a16 lea eax, [bx + si + 0x10]   ; 16-bit addressing wraps at 64 KiB
    mov [R + 20], eax
    mov ebx, 0xfff0
    a16 lea eax, [bx + si + 0x10]
    mov [R + 24], eax
    a16 lea eax, [bp + di]
    mov [R + 28], eax
    mov dword [SRC + 0x1234], 0xdeadbeef
    mov ebx, SRC
    mov esi, 0x1230
    mov eax, [ebx + esi + 4]
    mov [R + 32], eax
    mov eax, [SRC + 0x1234]         ; disp32 only
    mov [R + 36], eax
    mov ecx, 0x123
    mov eax, [ecx * 4 + SRC + 0x1234 - 0x48c]
    mov [R + 40], eax
    mov al, 0x37                    ; XLAT
    mov ebx, SRC
    xlatb
    mov [R + 44], eax
    hlt

; ---- 4: port I/O ---------------------------------------------------------------------
ENTRY 4
    mov al, 0x5a
    out 0xe0, al
    mov dx, 0xe4
    mov eax, 0x11223344
    out dx, eax
    in al, 0xe0
    mov [R + 0], eax
    in ax, dx
    mov [R + 4], eax
    mov esi, SRC                    ; rep outsb: 4 bytes to port 0xe8
    mov dx, 0xe8
    mov ecx, 4
    rep outsb
    mov edi, 0x201000               ; rep insw from port 0xe2
    mov dx, 0xe2
    mov ecx, 2
    rep insw
    hlt

; ---- 5: MUL/DIV, then #DE -----------------------------------------------------------------
ENTRY 5
    mov eax, 1000
    mov ecx, 7
    xor edx, edx
    div ecx
    mov [R + 0], eax
    mov [R + 4], edx
    mov eax, -1000
    cdq
    idiv ecx
    mov [R + 8], eax
    mov [R + 12], edx
    mov ax, 0x0234
    mov cl, 0x10
    div cl
    mov [R + 16], eax
    mov eax, 0x80000000
    mov ecx, 0x10
    mul ecx
    mov [R + 20], eax
    mov [R + 24], edx
    mov eax, -3
    imul eax, eax, 5
    mov [R + 28], eax
    mov eax, 0x80000000             ; IDIV overflow: INT_MIN / -1
    cdq
    mov ecx, -1
    mov dword [R + 32], .de
.de: idiv ecx
    hlt

; ---- 6: a load through ebx, 7: a store through ebx, 8: a jump to ebx -------------
ENTRY 6
    mov eax, [ebx]
    hlt
ENTRY 7
    mov [ebx], ecx
    hlt
ENTRY 8
    jmp ebx

; ---- 9: data segment limits: DS limit 0xfff (selector 0x30) ------------------------
ENTRY 9
    mov ax, 0x30
    mov ds, ax
    mov eax, [0xffc]                ; the last dword inside the limit
    mov [es:R + 0], eax
    mov eax, [0xffe]                ; crosses the limit: #GP(0)
    hlt

; ---- 10: SS limit (at CPL 3): push below an expand-down stack's limit is #SS(0) ----
ENTRY 10
    mov ax, 0x73                    ; expand-down, limit 0xfff: offsets 0x1000-0xffffffff
    mov ss, ax
    mov esp, 0x1008
    push eax
    push eax
    mov [es:R + 0], esp
    push eax                        ; to 0xffc: below the limit
    hlt

; ---- 11: INT n with a handler that returns with IRET ----------------------------------
ENTRY 11
    mov esp, 0x90000
    mov eax, 0
    int 0x40                        ; the handler adds 0x100 to eax
    int 0x40
.after_int:
    pushfd
    pop ebx
    mov [R + 0], eax
    mov [R + 4], esp
    mov [R + 8], ebx
    mov dword [R + 16], .after_int
    mov dword [R + 20], .after_int3
    int3                            ; to the hlt stub: a trap, EIP after it
.after_int3:
    hlt
    times (11 * 0x200 + 0x100) - ($ - $$) db 0xcc
int40_handler:                      ; at 0x101700 (the test's IDT points here)
    add eax, 0x100
    mov ecx, [esp]                  ; the return EIP
    mov [R + 12], ecx
    iretd

; ---- 12: CPUID ---------------------------------------------------------------------------
ENTRY 12
    xor eax, eax
    cpuid
    mov [R + 0], eax
    mov [R + 4], ebx
    mov [R + 8], edx
    mov [R + 12], ecx
    mov eax, 0x80000001
    cpuid
    mov [R + 16], edx
    hlt

; ---- 13: self-modifying code ------------------------------------------------------------
ENTRY 13
    mov ecx, 3
    xor ebx, ebx
.loop:
    mov eax, 1                      ; the immediate is rewritten below
.patch equ $ - 4
    add ebx, eax
    mov dword [.patch], 100         ; the next pass must see 100
    dec ecx
    jnz .loop
    mov [R + 0], ebx
    mov byte [.same + 1], 0x42      ; rewrite the next instruction in this block
.same:
    mov al, 0x11
    mov [R + 4], eax
    hlt

; ---- 14: CPL 3 entry: I/O and INT 0x80 back to ring 0 ----------------------------------
ENTRY 14
    in al, 0xe0                     ; allowed by the TSS bitmap
    mov [R + 0], eax
    mov eax, 0x55
    int 0x80
    hlt
ENTRY 15
    in al, 0xe4                     ; denied by the TSS bitmap: #GP(0)
    hlt

; ---- 16: the speed loop --------------------------------------------------------------------
ENTRY 16
    mov ecx, [R + 0x100]
    xor eax, eax
    mov ebx, 3
.l: add eax, ebx
    xor edx, eax
    lea esi, [eax + edx * 2]
    dec ecx
    jnz .l
    mov [R + 0], eax
    hlt

; ---- 17: MMIO at 0xfe000000 and a store straddling two pages -------------------------------
ENTRY 17
    mov dword [0xfe000010], 0xcafe1234
    mov eax, [0xfe000010]
    mov [R + 0], eax
    mov ax, [0xfe000012]
    mov [R + 4], eax
    add dword [0xfe000010], 1
    mov eax, [0xfe000010]
    mov [R + 8], eax
    mov dword [ebx], 0x11223344     ; ebx = 0x...ffe: the second page faults
    hlt

; ---- 18: far jump and far call through the GDT; mov/pop to DS ------------------------------
ENTRY 18
    mov esp, 0x90000
    jmp 0x18:.code16 - 0x100000      ; code16 has base 0x100000
BITS 16
.code16:
    mov ax, 0x20
    mov ds, ax
    jmp dword 0x08:.back32
BITS 32
.back32:
    mov ax, 0x10
    mov ds, ax
    call 0x08:.farfn
    mov [R + 0], eax
    push dword 0x10
    pop es
    mov [R + 4], es
    mov ax, 0x78                     ; beyond the GDT limit: #GP(0x78)
    mov fs, ax
    hlt
.farfn:
    mov eax, [esp + 4]               ; the pushed CS
    retf

; ---- 19: LTR/STR, LLDT/SLDT and an LDT segment, LAR/LSL/VERR/VERW, MSRs, RDTSC,
;          SYSENTER/SYSEXIT, then RDMSR at CPL 3 (#GP) --------------------------------
ENTRY 19
    mov esp, 0x90000
    mov ax, 0x58
    ltr ax
    str ebx
    mov [R + 0], ebx
    mov ax, 0x78
    lldt ax
    sldt ecx
    mov [R + 4], ecx
    mov ax, 0x0c                    ; LDT entry 1
    mov fs, ax
    mov eax, [fs:0x10]
    mov [R + 8], eax
    mov ax, 0x10
    lar ebx, ax
    mov [R + 12], ebx
    lsl ebx, ax
    mov [R + 16], ebx
    mov ax, 0x30
    lsl ebx, ax
    mov [R + 20], ebx
    mov ax, 0x68                    ; read-only data
    verw ax
    setz [R + 24]
    verr ax
    setz [R + 25]
    mov ax, 0x08                    ; readable code
    verw ax
    setz [R + 26]
    verr ax
    setz [R + 27]
    mov ax, 0x200                   ; outside the GDT
    lar ebx, ax
    setz [R + 28]
    mov ecx, 0xc0000081             ; STAR
    mov eax, 0x11111111
    mov edx, 0x22222222
    wrmsr
    xor eax, eax
    xor edx, edx
    rdmsr
    mov [R + 32], eax
    mov [R + 36], edx
    rdtsc
    mov [R + 40], eax
    mov [R + 44], edx
    rdtsc
    mov [R + 48], eax
    mov [R + 52], edx
    mov ecx, 0x174                  ; SYSENTER_CS, _ESP, _EIP
    xor edx, edx
    mov eax, 0x08
    wrmsr
    mov ecx, 0x175
    mov eax, 0x8f000
    wrmsr
    mov ecx, 0x176
    mov eax, .sysenter_entry
    wrmsr
    mov ecx, 0x7f000                ; the user stack SYSEXIT loads
    mov edx, .after_sysexit
    sysenter
.sysenter_entry:
    mov [R + 56], esp
    mov ax, cs
    mov [R + 60], eax
    sysexit
.after_sysexit:
    mov [R + 64], esp
    mov ax, cs
    mov [R + 68], eax
    mov ecx, 0x10
    rdmsr                           ; CPL 3: #GP(0)
    hlt

; ---- 20: BCD arithmetic, LDS/LES, SALC, INTO, then BOUND out of range (#BR) --------
ENTRY 20
    mov esp, 0x90000
    mov al, 0x79
    add al, 0x35
    daa                             ; 79 + 35 = 114: AL = 0x14, CF = 1
    setc ah
    mov [R + 0], ax
    mov al, 0x35
    sub al, 0x47
    das                             ; 35 - 47: AL = 0x88, CF = 1
    setc ah
    mov [R + 2], ax
    mov ax, 0x0009
    add al, 0x08
    aaa                             ; AX = 0x0107
    mov [R + 4], ax
    mov ax, 0x0103
    sub al, 0x05
    aas                             ; AX = 0x0008
    mov [R + 6], ax
    mov ax, 0x003f
    aam                             ; AX = 0x0603
    mov [R + 8], ax
    aad                             ; AX = 0x003f
    mov [R + 10], ax
    mov dword [R + 0x80], 0x12345678    ; a far pointer: offset, then selector
    mov word [R + 0x84], 0x10
    mov ax, 0
    mov es, ax
    les ebx, [R + 0x80]
    mov [R + 12], ebx
    mov [R + 16], es
    stc
    salc                            ; AL = 0xff
    mov [R + 18], al
    mov eax, 1
    into                            ; OF = 0: nothing
    mov [R + 20], eax
    mov dword [R + 0x88], 10        ; bounds [10, 20]
    mov dword [R + 0x8c], 20
    mov eax, 15
    bound eax, [R + 0x88]
    mov [R + 24], eax
    mov eax, 21
    bound eax, [R + 0x88]           ; #BR
    hlt
