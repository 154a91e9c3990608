#include "hw/core/irq.h"

#include <glib.h>

IRQLine *irq_new_array(IRQHandler *handler, void *opaque, int count)
{
    IRQLine *lines = g_new0(IRQLine, count);
    for (int i = 0; i < count; i++) {
        lines[i] = (IRQLine){ .handler = handler, .opaque = opaque, .n = i };
    }
    return lines;
}

void irq_free_array(IRQLine *lines)
{
    g_free(lines);
}
