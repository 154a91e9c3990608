/*
 * Interrupt lines: a callback and an opaque pointer.  A device owns its input
 * lines (allocated with irq_new_array); a board wires a device's output by
 * storing an input line's pointer in it.  An unwired output (NULL) is a no-op.
 */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

typedef void IRQHandler(void *opaque, int n, int level);

typedef struct IRQLine {
    IRQHandler *handler;
    void *opaque;
    int n;
} IRQLine;

/* count lines numbered 0..count-1 that call handler(opaque, n, level). */
IRQLine *irq_new_array(IRQHandler *handler, void *opaque, int count);
void irq_free_array(IRQLine *lines);

static inline void irq_set(IRQLine *irq, int level)
{
    if (irq) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

static inline void irq_raise(IRQLine *irq)
{
    irq_set(irq, 1);
}

static inline void irq_lower(IRQLine *irq)
{
    irq_set(irq, 0);
}

static inline void irq_pulse(IRQLine *irq)
{
    irq_set(irq, 1);
    irq_set(irq, 0);
}

#endif
