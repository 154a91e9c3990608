/*
 * The 16550A UART core.  Register map and behaviour from the National
 * PC16550D and TI TL16C550C datasheets:
 *
 *   0 RBR (read) / THR (write)      DLL when LCR.DLAB = 1
 *   1 IER                           DLM when LCR.DLAB = 1
 *   2 IIR (read) / FCR (write)
 *   3 LCR   4 MCR   5 LSR   6 MSR   7 SCR
 *
 * Output: a byte written to THR goes to the chardev at once and THRE/TEMT
 * come back immediately (no pacing at the baud rate, as in other
 * emulators).  Bytes the chardev does not take yet stay in the TX FIFO and
 * are retried from the transmit timer, which stalls the guest (THR full)
 * instead of dropping output.
 *
 * Input: the chardev delivers only what can_read allows (the RX FIFO's free
 * space), so nothing from a backend overruns; loopback and breaks can.
 */
#include "hw/char/serial.h"

#include <string.h>

#include "util/log.h"

/* Register offsets. */
enum {
    UART_RBR = 0, UART_THR = 0, UART_DLL = 0,
    UART_IER = 1, UART_DLM = 1,
    UART_IIR = 2, UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

/* IER */
#define UART_IER_ERBI   0x01    /* received data available (and timeout) */
#define UART_IER_ETBEI  0x02    /* THR empty */
#define UART_IER_ELSI   0x04    /* receiver line status */
#define UART_IER_EDSSI  0x08    /* modem status */
#define UART_IER_MASK   0x0f

/* IIR: bit 0 clear while an interrupt is pending; bits 3:1 its identity. */
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FIFO   0xc0    /* both set in FIFO mode */

/* FCR */
#define UART_FCR_FE         0x01
#define UART_FCR_RX_RESET   0x02
#define UART_FCR_TX_RESET   0x04
#define UART_FCR_DMA        0x08
#define UART_FCR_TRIGGER    0xc0
#define UART_FCR_KEPT       (UART_FCR_FE | UART_FCR_DMA | UART_FCR_TRIGGER)

/* LCR */
#define UART_LCR_WLS    0x03    /* word length 5..8 */
#define UART_LCR_STB    0x04    /* 2 stop bits (1.5 with 5-bit words) */
#define UART_LCR_PEN    0x08
#define UART_LCR_DLAB   0x80

/* MCR */
#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10
#define UART_MCR_MASK   0x1f

/* LSR */
#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_PE     0x04
#define UART_LSR_FE     0x08
#define UART_LSR_BI     0x10
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_LSR_RXFE   0x80    /* an error byte is somewhere in the RX FIFO */
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

/* MSR: deltas in bits 3:0, lines in bits 7:4. */
#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_DELTAS 0x0f
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80

/* The PC's UART clock: 1.8432 MHz, divided by 16 per bit. */
#define SERIAL_CLOCK_HZ 1843200
/* A chardev that takes nothing is retried at most this often. */
#define SERIAL_RETRY_NS (1000 * 1000)

/* RX FIFO trigger levels by FCR bits 7:6. */
static const uint8_t serial_rx_trigger[4] = { 1, 4, 8, 14 };

/* ---- FIFOs ------------------------------------------------------------------- */

static bool serial_fifo_mode(const SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

/* With the FIFOs off the 16450's single holding registers remain. */
static uint32_t serial_fifo_capacity(const SerialState *s)
{
    return serial_fifo_mode(s) ? SERIAL_FIFO_SIZE : 1;
}

static void serial_fifo_push(SerialFifo *f, uint8_t byte, uint8_t flags)
{
    uint32_t tail = (f->head + f->count) % SERIAL_FIFO_SIZE;
    f->data[tail] = byte;
    f->flags[tail] = flags;
    f->count++;
}

static uint8_t serial_fifo_pop(SerialFifo *f)
{
    uint8_t byte = f->data[f->head];
    f->head = (f->head + 1) % SERIAL_FIFO_SIZE;
    f->count--;
    return byte;
}

static void serial_fifo_clear(SerialFifo *f)
{
    memset(f, 0, sizeof(*f));
}

static bool serial_fifo_has_errors(const SerialFifo *f)
{
    for (uint32_t i = 0; i < f->count; i++) {
        if (f->flags[(f->head + i) % SERIAL_FIFO_SIZE]) {
            return true;
        }
    }
    return false;
}

/* ---- Timing ------------------------------------------------------------------ */

/* One character on the wire: start, data, parity and stop bits at the divisor's rate. */
static int64_t serial_char_ns(const SerialState *s)
{
    unsigned data_bits = 5 + (s->lcr & UART_LCR_WLS);
    unsigned half_bits = 2 * (1 + data_bits + !!(s->lcr & UART_LCR_PEN));
    if (s->lcr & UART_LCR_STB) {
        half_bits += data_bits == 5 ? 3 : 4;
    } else {
        half_bits += 2;
    }
    /*
     * Divisor 0 is undefined in the datasheet (1..65535).  Reset leaves it 0
     * and many guests print without programming it, so treat it as the
     * fastest rate rather than the slowest.
     */
    uint64_t divisor = s->divisor ? s->divisor : 1;
    /* bits * divisor * 16 / clock, in ns; at most 24 * 65535 * 8e9 < 2^64. */
    return half_bits * divisor * 8 * (uint64_t)NANOSECONDS_PER_SECOND / SERIAL_CLOCK_HZ;
}

/* ---- Interrupts -------------------------------------------------------------- */

/* The pending interrupt of highest priority (PC16550D table "Interrupt Control Functions"). */
static uint8_t serial_iir_id(const SerialState *s)
{
    if ((s->ier & UART_IER_ELSI) && (s->lsr & UART_LSR_ERRORS)) {
        return UART_IIR_RLSI;
    }
    if ((s->ier & UART_IER_ERBI) && (s->lsr & UART_LSR_DR) &&
        (!serial_fifo_mode(s) || s->rx.count >= serial_rx_trigger[s->fcr >> 6])) {
        return UART_IIR_RDI;
    }
    if ((s->ier & UART_IER_ERBI) && s->timeout_pending) {
        return UART_IIR_CTI;
    }
    if ((s->ier & UART_IER_ETBEI) && s->thr_pending) {
        return UART_IIR_THRI;
    }
    if ((s->ier & UART_IER_EDSSI) && (s->msr & UART_MSR_DELTAS)) {
        return UART_IIR_MSI;
    }
    return UART_IIR_NO_INT;
}

/*
 * On a PC the INTR pin reaches the PIC through a gate on MCR.OUT2.  QEMU
 * does not model the gate (its line is high whenever IIR shows an
 * interrupt) and guests are written against that, so kemu does the same.
 */
static void serial_update_irq(SerialState *s)
{
    irq_set(s->irq, serial_iir_id(s) != UART_IIR_NO_INT);
}

/* ---- Receiver ------------------------------------------------------------------ */

/* Errors of the byte at the top of the FIFO become visible in LSR. */
static void serial_rx_reveal_top(SerialState *s)
{
    if (s->rx.count) {
        s->lsr |= s->rx.flags[s->rx.head];
    }
}

/* Restart the 4-character timeout (FIFO mode, data present), else stop it. */
static void serial_rx_timeout_rearm(SerialState *s)
{
    if (serial_fifo_mode(s) && s->rx.count) {
        timer_mod(s->rx_timeout_timer, clock_get_ns(CLOCK_VIRTUAL) + 4 * serial_char_ns(s));
    } else {
        timer_del(s->rx_timeout_timer);
    }
}

static void serial_rx_timeout(void *opaque)
{
    SerialState *s = opaque;
    if (serial_fifo_mode(s) && s->rx.count) {
        s->timeout_pending = true;
        serial_update_irq(s);
    }
}

/* A character completed in the receive shift register. */
static void serial_rx_push(SerialState *s, uint8_t byte, uint8_t flags)
{
    if (s->rx.count >= serial_fifo_capacity(s)) {
        /*
         * Overrun.  16450 mode: the new character overwrites RBR.  FIFO mode:
         * the FIFO keeps its contents and the new character is lost.
         */
        s->lsr |= UART_LSR_OE;
        if (!serial_fifo_mode(s)) {
            s->rx.data[s->rx.head] = byte;
            s->rx.flags[s->rx.head] = flags;
            s->lsr |= flags;
        }
    } else {
        serial_fifo_push(&s->rx, byte, flags);
        if (s->rx.count == 1) {
            serial_rx_reveal_top(s);
        }
    }
    s->lsr |= UART_LSR_DR;
    s->timeout_pending = false;
    serial_rx_timeout_rearm(s);
    serial_update_irq(s);
}

static uint8_t serial_rbr_read(SerialState *s)
{
    if (!s->rx.count) {
        return 0;
    }
    uint8_t byte = serial_fifo_pop(&s->rx);
    if (s->rx.count) {
        serial_rx_reveal_top(s);
    } else {
        s->lsr &= ~UART_LSR_DR;
    }
    s->timeout_pending = false;
    serial_rx_timeout_rearm(s);
    serial_update_irq(s);
    chr_fe_accept_input(&s->chr);
    return byte;
}

static void serial_rx_clear(SerialState *s)
{
    serial_fifo_clear(&s->rx);
    s->lsr &= ~UART_LSR_DR;
    s->timeout_pending = false;
    timer_del(s->rx_timeout_timer);
}

/* ---- Transmitter --------------------------------------------------------------- */

/*
 * Hand the chardev the queued bytes.  A failed backend (-1) loses its bytes,
 * as in QEMU; one that takes nothing now is retried from the TX timer, and
 * the guest sees THR full meanwhile instead of losing output.
 */
static void serial_tx_flush(SerialState *s)
{
    while (s->tx.count) {
        uint8_t byte = s->tx.data[s->tx.head];
        int n = chr_fe_write(&s->chr, &byte, 1);
        if (n == 0) {
            timer_mod(s->tx_timer, clock_get_ns(CLOCK_VIRTUAL) + SERIAL_RETRY_NS);
            return;
        }
        serial_fifo_pop(&s->tx);
    }
}

/* LSR.THRE/TEMT from the transmitter; THRE rising arms the THR empty interrupt. */
static void serial_tx_update_status(SerialState *s)
{
    bool empty = s->tx.count == 0;
    if (empty && !(s->lsr & UART_LSR_THRE)) {
        s->thr_pending = true;
    }
    s->lsr = (s->lsr & ~(UART_LSR_THRE | UART_LSR_TEMT)) |
             (empty ? UART_LSR_THRE | UART_LSR_TEMT : 0);
}

/* Retry a chardev that was busy. */
static void serial_tx_timer(void *opaque)
{
    SerialState *s = opaque;
    serial_tx_flush(s);
    serial_tx_update_status(s);
    serial_update_irq(s);
}

/*
 * Like other emulators, kemu does not pace output at the baud rate: the
 * byte goes to the chardev at once and THRE/TEMT (and the THR empty
 * interrupt) come back immediately.  Guests that poll LSR with a short
 * timeout (Linux's early console) then never overrun the transmitter.
 */
static void serial_thr_write(SerialState *s, uint8_t byte)
{
    if (s->tx.count >= serial_fifo_capacity(s)) {
        /* The hardware loses a byte here too; keep the ones already queued. */
        log_mask(LOG_GUEST_ERROR, "serial: THR write with the transmitter full\n");
        return;
    }
    /* THR is full for a moment; THRE rising again is what interrupts the guest. */
    s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    s->thr_pending = false;
    if (s->mcr & UART_MCR_LOOP) {
        serial_rx_push(s, byte, 0);     /* the line is wired back to the receiver */
    } else {
        serial_fifo_push(&s->tx, byte, 0);
        serial_tx_flush(s);
    }
    serial_tx_update_status(s);
    serial_update_irq(s);
}

/* Clear the TX FIFO: output the chardev has not taken yet goes with it. */
static void serial_tx_clear(SerialState *s)
{
    serial_fifo_clear(&s->tx);
}

/* ---- Modem lines ----------------------------------------------------------------- */

/* The input lines: in loopback the outputs (datasheet: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD). */
static uint8_t serial_modem_lines(const SerialState *s)
{
    if (!(s->mcr & UART_MCR_LOOP)) {
        /* No modem: a chardev is always ready, as QEMU shows it. */
        return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    }
    return (s->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
           (s->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
           (s->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
           (s->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

static void serial_update_msr(SerialState *s)
{
    uint8_t old = s->msr & ~UART_MSR_DELTAS;
    uint8_t now = serial_modem_lines(s);
    uint8_t changed = old ^ now;
    uint8_t deltas = s->msr & UART_MSR_DELTAS;
    if (changed & UART_MSR_CTS) {
        deltas |= UART_MSR_DCTS;
    }
    if (changed & UART_MSR_DSR) {
        deltas |= UART_MSR_DDSR;
    }
    if (changed & UART_MSR_DCD) {
        deltas |= UART_MSR_DDCD;
    }
    if ((old & UART_MSR_RI) && !(now & UART_MSR_RI)) {
        deltas |= UART_MSR_TERI;        /* trailing edge only */
    }
    s->msr = now | deltas;
}

/* ---- Chardev frontend --------------------------------------------------------------- */

static int serial_can_read(void *opaque)
{
    SerialState *s = opaque;
    if (s->mcr & UART_MCR_LOOP) {
        return 0;       /* the serial input is disconnected in loopback */
    }
    return serial_fifo_capacity(s) - s->rx.count;
}

static void serial_chr_read(void *opaque, const uint8_t *buf, int len)
{
    SerialState *s = opaque;
    for (int i = 0; i < len; i++) {
        serial_rx_push(s, buf[i], 0);
    }
}

static void serial_chr_event(void *opaque, CharEvent event)
{
    SerialState *s = opaque;
    if (event == CHR_EVENT_BREAK && !(s->mcr & UART_MCR_LOOP)) {
        /* A break arrives as a zero character with BI set. */
        serial_rx_push(s, 0, UART_LSR_BI);
    }
}

/* ---- Registers ------------------------------------------------------------------------- */

static uint64_t serial_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t val;

    switch (addr) {
    case UART_RBR:
        return (s->lcr & UART_LCR_DLAB) ? (s->divisor & 0xff) : serial_rbr_read(s);
    case UART_IER:
        return (s->lcr & UART_LCR_DLAB) ? (s->divisor >> 8) : s->ier;
    case UART_IIR: {
        uint8_t id = serial_iir_id(s);
        if (id == UART_IIR_THRI) {
            s->thr_pending = false;     /* reading IIR clears a THR empty interrupt */
            serial_update_irq(s);
        }
        return id | (serial_fifo_mode(s) ? UART_IIR_FIFO : 0);
    }
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        val = s->lsr;
        if (serial_fifo_mode(s) && serial_fifo_has_errors(&s->rx)) {
            val |= UART_LSR_RXFE;
        }
        /* Guests poll LSR for every byte they print: touch the IRQ only if it changes. */
        if (s->lsr & UART_LSR_ERRORS) {
            s->lsr &= ~UART_LSR_ERRORS;
            serial_update_irq(s);
        }
        return val;
    case UART_MSR:
        val = s->msr;
        if (s->msr & UART_MSR_DELTAS) {
            s->msr &= ~UART_MSR_DELTAS;
            serial_update_irq(s);
        }
        return val;
    case UART_SCR:
        return s->scr;
    }
    return 0xff;
}

static void serial_fcr_write(SerialState *s, uint8_t val)
{
    bool was_fifo = serial_fifo_mode(s);
    bool fifo = val & UART_FCR_FE;
    if (fifo != was_fifo) {
        /* Changing FCR0 empties both FIFOs. */
        serial_rx_clear(s);
        serial_tx_clear(s);
    }
    /* Other FCR bits need FCR0 set in the same write. */
    s->fcr = fifo ? (val & UART_FCR_KEPT) : 0;
    if (fifo && (val & UART_FCR_RX_RESET)) {
        serial_rx_clear(s);
    }
    if (fifo && (val & UART_FCR_TX_RESET)) {
        serial_tx_clear(s);
    }
    serial_tx_update_status(s);
    if (fifo != was_fifo && (s->lsr & UART_LSR_THRE)) {
        s->thr_pending = true;  /* "the transmitter interrupt after changing FCR0 is immediate" */
    }
    serial_update_irq(s);
    chr_fe_accept_input(&s->chr);
}

static void serial_write(void *opaque, hwaddr addr, uint64_t val64, unsigned size)
{
    SerialState *s = opaque;
    uint8_t val = val64;

    switch (addr) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            serial_thr_write(s, val);
        }
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | (val << 8);
            break;
        }
        /* Enabling ETBEI with THR empty interrupts at once (Linux tests this). */
        if ((val & ~s->ier & UART_IER_ETBEI) && (s->lsr & UART_LSR_THRE)) {
            s->thr_pending = true;
        }
        s->ier = val & UART_IER_MASK;
        serial_update_irq(s);
        break;
    case UART_FCR:
        serial_fcr_write(s, val);
        break;
    case UART_LCR:
        s->lcr = val;
        break;
    case UART_MCR: {
        bool was_loop = s->mcr & UART_MCR_LOOP;
        s->mcr = val & UART_MCR_MASK;
        serial_update_msr(s);
        serial_update_irq(s);
        if (was_loop && !(s->mcr & UART_MCR_LOOP)) {
            chr_fe_accept_input(&s->chr);
        }
        break;
    }
    case UART_LSR:
    case UART_MSR:
        /* Factory test registers on the real part: writes are ignored. */
        log_mask(LOG_GUEST_ERROR, "serial: write 0x%02x to read-only register %u\n",
                 val, (unsigned)addr);
        break;
    case UART_SCR:
        s->scr = val;
        break;
    }
}

static const MemoryRegionOps serial_io_ops = {
    .read = serial_read,
    .write = serial_write,
    /* An 8-bit part: wider accesses are split into byte cycles as on the ISA bus. */
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- Life cycle ------------------------------------------------------------------------ */

bool serial_init(SerialState *s, Object *owner, const char *name, IRQLine *irq,
                 Chardev *chr, Error **errp)
{
    if (chr && !chr_fe_init(&s->chr, chr, errp)) {
        return false;
    }
    s->irq = irq;
    memory_region_init_io(&s->io, owner, &serial_io_ops, s, name, SERIAL_NUM_REGS);
    s->rx_timeout_timer = timer_new(CLOCK_VIRTUAL, serial_rx_timeout, s);
    s->tx_timer = timer_new(CLOCK_VIRTUAL, serial_tx_timer, s);
    chr_fe_set_handlers(&s->chr, serial_can_read, serial_chr_read, serial_chr_event, s);
    return true;
}

void serial_exit(SerialState *s)
{
    chr_fe_set_handlers(&s->chr, NULL, NULL, NULL, NULL);
    chr_fe_deinit(&s->chr);
    timer_free(s->rx_timeout_timer);
    timer_free(s->tx_timer);
    s->rx_timeout_timer = s->tx_timer = NULL;
    memory_region_finalize(&s->io);
}

void serial_reset(SerialState *s)
{
    /* Output already queued still reaches the chardev if it can. */
    serial_tx_flush(s);
    s->divisor = 0;
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->scr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = serial_modem_lines(s);
    serial_fifo_clear(&s->rx);
    serial_fifo_clear(&s->tx);
    s->thr_pending = false;
    s->timeout_pending = false;
    timer_del(s->rx_timeout_timer);
    timer_del(s->tx_timer);
    serial_update_irq(s);
    chr_fe_accept_input(&s->chr);
}

/* ---- VMState --------------------------------------------------------------------------- */

static const VMStateField vmstate_serial_fifo_fields[] = {
    VMS_BUF(SerialFifo, data),
    VMS_BUF(SerialFifo, flags),
    VMS_FIELD(SerialFifo, head, VMS_U32),
    VMS_FIELD(SerialFifo, count, VMS_U32),
    VMS_END,
};

static const VMStateDescription vmstate_serial_fifo = {
    .name = "serial/fifo",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmstate_serial_fifo_fields,
};

/* Nothing from the stream indexes an array unchecked. */
static int serial_post_load(void *opaque, int version_id)
{
    SerialState *s = opaque;
    bool ok = s->rx.head < SERIAL_FIFO_SIZE && s->tx.head < SERIAL_FIFO_SIZE &&
              s->rx.count <= serial_fifo_capacity(s) && s->tx.count <= serial_fifo_capacity(s);
    if (!ok) {
        serial_fifo_clear(&s->rx);
        serial_fifo_clear(&s->tx);
        return -1;
    }
    s->ier &= UART_IER_MASK;
    s->mcr &= UART_MCR_MASK;
    /* Queued output must have its retry timer, or it never leaves. */
    if (s->tx.count && !timer_pending(s->tx_timer)) {
        timer_mod(s->tx_timer, clock_get_ns(CLOCK_VIRTUAL));
    }
    if (!timer_pending(s->rx_timeout_timer)) {
        serial_rx_timeout_rearm(s);
    }
    serial_update_irq(s);
    return 0;
}

static const VMStateField vmstate_serial_fields[] = {
    VMS_FIELD(SerialState, divisor, VMS_U16),
    VMS_FIELD(SerialState, ier, VMS_U8),
    VMS_FIELD(SerialState, fcr, VMS_U8),
    VMS_FIELD(SerialState, lcr, VMS_U8),
    VMS_FIELD(SerialState, mcr, VMS_U8),
    VMS_FIELD(SerialState, lsr, VMS_U8),
    VMS_FIELD(SerialState, msr, VMS_U8),
    VMS_FIELD(SerialState, scr, VMS_U8),
    VMS_STRUCT_ARRAY(SerialState, rx, 1, SerialFifo, &vmstate_serial_fifo),
    VMS_FIELD(SerialState, timeout_pending, VMS_BOOL),
    VMS_FIELD(SerialState, rx_timeout_timer, VMS_TIMER),
    VMS_STRUCT_ARRAY(SerialState, tx, 1, SerialFifo, &vmstate_serial_fifo),
    VMS_FIELD(SerialState, thr_pending, VMS_BOOL),
    VMS_FIELD(SerialState, tx_timer, VMS_TIMER),
    VMS_END,
};

const VMStateDescription vmstate_serial = {
    .name = "serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmstate_serial_fields,
    .post_load = serial_post_load,
};
