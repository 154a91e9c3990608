/*
 * The 8259A pair through its ports: initialization, masking, priorities and
 * rotation, EOI kinds, AEOI, edge and level triggering, the cascade, poll
 * mode, spurious IRQ7/IRQ15, the INTA vector and the INT output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/intc/i8259.h"
#include "migration/vmstate.h"
#include "monitor/monitor.h"
#include "tests/devices/harness.h"

#define MASTER_CMD  0x20
#define MASTER_DATA 0x21
#define SLAVE_CMD   0xa0
#define SLAVE_DATA  0xa1
#define NONSPECIFIC_EOI 0x20
#define READ_IRR    0x0a
#define READ_ISR    0x0b
#define POLL        0x0c

static PICState *master;
static PICState *slave;
static IRQLine *lines;      /* the 16 ISA inputs */
static IRQProbe *cpu;       /* the master's INT */

static int group_setup(void **state)
{
    harness_init();
    ISABus *bus = harness_isa_bus();
    cpu = harness_irq_probe_new();
    lines = i8259_init(bus, cpu->line, &master);
    slave = i8259_get_slave(master);
    return master && slave ? 0 : -1;
}

/* Every test starts from power-on: lines low, ELCR 0, both chips reset. */
static int test_setup(void **state)
{
    for (int i = 0; i < 16; i++) {
        irq_lower(&lines[i]);
    }
    i8259_set_elcr(master, 0);
    i8259_set_elcr(slave, 0);
    qdev_reset_all(i8259_device(slave));
    qdev_reset_all(i8259_device(master));
    harness_irq_probe_reset(cpu);
    return 0;
}

/* What a PC BIOS programs: vectors 0x08 and 0x70, slave on IR2, 8086 mode. */
static void pic_init_pc(uint8_t icw4_master, uint8_t icw4_slave)
{
    harness_outb(MASTER_CMD, 0x11);
    harness_outb(MASTER_DATA, 0x08);
    harness_outb(MASTER_DATA, 0x04);
    harness_outb(MASTER_DATA, icw4_master);
    harness_outb(SLAVE_CMD, 0x11);
    harness_outb(SLAVE_DATA, 0x70);
    harness_outb(SLAVE_DATA, 0x02);
    harness_outb(SLAVE_DATA, icw4_slave);
    harness_outb(MASTER_DATA, 0x00);
    harness_outb(SLAVE_DATA, 0x00);
}

static uint8_t read_reg(uint16_t cmd, uint8_t ocw3)
{
    harness_outb(cmd, ocw3);
    return harness_inb(cmd);
}

static char *monitor_output(const char *line)
{
    Monitor *mon = monitor_new_buffer();
    monitor_run_line(mon, line);
    char *out = g_strdup(monitor_buffer(mon));
    monitor_free(mon);
    return out;
}

static void test_init_sequence(void **state)
{
    /* ICW1 clears the mask. */
    harness_outb(MASTER_DATA, 0xff);
    harness_outb(MASTER_CMD, 0x11);
    assert_int_equal(harness_inb(MASTER_DATA), 0x00);
    /* During initialization the data port takes ICW2-4, not the mask. */
    harness_outb(MASTER_DATA, 0x08);
    harness_outb(MASTER_DATA, 0x04);
    harness_outb(MASTER_DATA, 0x01);
    assert_int_equal(harness_inb(MASTER_DATA), 0x00);
    harness_outb(MASTER_DATA, 0xfb);    /* now OCW1 */
    assert_int_equal(harness_inb(MASTER_DATA), 0xfb);

    /* Single mode without ICW4: ICW1, ICW2, then OCW1. */
    harness_outb(SLAVE_CMD, 0x12);
    harness_outb(SLAVE_DATA, 0x77);     /* T7-T3 = 0x70 */
    harness_outb(SLAVE_DATA, 0xab);
    assert_int_equal(harness_inb(SLAVE_DATA), 0xab);

    /* Full cascade init: IRQ1 gives vector 0x09, IRQ14 gives 0x76. */
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[1]);
    assert_true(pic_get_output(master));
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x09);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    irq_raise(&lines[14]);
    assert_int_equal(pic_read_irq(master), 0x76);

    /* Re-initialization clears ISR and the mask. */
    assert_int_equal(read_reg(SLAVE_CMD, READ_ISR), 0x40);
    pic_init_pc(0x01, 0x01);
    assert_int_equal(read_reg(SLAVE_CMD, READ_ISR), 0x00);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);
    /* ...and the edge detector: a line still high is not a new request. */
    assert_int_equal(read_reg(SLAVE_CMD, READ_IRR), 0x00);
    assert_int_equal(cpu->level, 0);
}

static void test_mask(void **state)
{
    pic_init_pc(0x01, 0x01);
    harness_outb(MASTER_DATA, 0x02);
    irq_raise(&lines[1]);
    assert_int_equal(cpu->level, 0);
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x02);
    harness_outb(MASTER_DATA, 0x00);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x09);

    /* Masking the cascade input hides the whole slave. */
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    harness_outb(MASTER_DATA, 0x04);
    irq_raise(&lines[8]);
    assert_int_equal(cpu->level, 0);
    harness_outb(MASTER_DATA, 0x00);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x70);
}

static void test_priority_nesting(void **state)
{
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[3]);
    irq_raise(&lines[1]);
    assert_int_equal(pic_read_irq(master), 0x09);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x02);
    /* IRQ3 waits behind IRQ1 in service. */
    assert_int_equal(cpu->level, 0);
    /* IRQ0 is higher: it nests. */
    irq_raise(&lines[0]);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x08);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x03);
    /* Non-specific EOI ends the highest level in service first. */
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x02);
    assert_int_equal(cpu->level, 0);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x0b);
}

static void test_rotation(void **state)
{
    pic_init_pc(0x01, 0x01);
    /* Set priority: IRQ4 lowest, so IRQ5 is highest. */
    harness_outb(MASTER_CMD, 0xc4);
    irq_raise(&lines[1]);
    irq_raise(&lines[6]);
    assert_int_equal(pic_read_irq(master), 0x0e);
    /* Rotate on non-specific EOI: IRQ6 becomes lowest, IRQ7 highest. */
    harness_outb(MASTER_CMD, 0xa0);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);
    irq_lower(&lines[6]);
    irq_raise(&lines[6]);
    assert_int_equal(pic_read_irq(master), 0x09);   /* 1 is before 6 now */
    /* Rotate on specific EOI of IRQ1: IRQ2 highest, so 6 comes before 0. */
    harness_outb(MASTER_CMD, 0xe1);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);
    irq_raise(&lines[0]);
    assert_int_equal(pic_read_irq(master), 0x0e);
    harness_outb(MASTER_CMD, 0x66);     /* specific EOI 6, no rotation */
    assert_int_equal(pic_read_irq(master), 0x08);

    char *out = monitor_output("info pic");
    assert_non_null(strstr(out, "pic0: irr=00 imr=00 isr=01 hprio=2 irq_base=08"));
    g_free(out);
}

static void test_eoi_kinds(void **state)
{
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[5]);
    assert_int_equal(pic_read_irq(master), 0x0d);
    irq_raise(&lines[3]);
    assert_int_equal(pic_read_irq(master), 0x0b);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x28);
    /* Specific EOI of the lower level leaves the higher one. */
    harness_outb(MASTER_CMD, 0x65);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x08);
    /* No-operation. */
    harness_outb(MASTER_CMD, 0x40);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x08);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);
    /* An EOI with nothing in service changes nothing, rotation included. */
    harness_outb(MASTER_CMD, 0xa0);
    irq_raise(&lines[7]);
    irq_raise(&lines[0]);
    assert_int_equal(pic_read_irq(master), 0x08);
}

static void test_auto_eoi(void **state)
{
    pic_init_pc(0x03, 0x01);
    irq_raise(&lines[3]);
    assert_int_equal(pic_read_irq(master), 0x0b);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);
    assert_int_equal(cpu->level, 0);
    /* Rotate in AEOI mode: the acknowledged level becomes the lowest. */
    harness_outb(MASTER_CMD, 0x80);
    irq_lower(&lines[3]);
    irq_raise(&lines[3]);
    assert_int_equal(pic_read_irq(master), 0x0b);
    irq_raise(&lines[1]);
    irq_raise(&lines[5]);
    assert_int_equal(pic_read_irq(master), 0x0d);  /* 4,5,...,1 order */
    /* Rotation off again: fixed priority from the current base. */
    harness_outb(MASTER_CMD, 0x00);
    assert_int_equal(pic_read_irq(master), 0x09);
}

static void test_edge_level(void **state)
{
    pic_init_pc(0x01, 0x01);
    /* Edge: latched on the rising edge even if the line drops again. */
    irq_pulse(&lines[4]);
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x10);
    assert_int_equal(pic_read_irq(master), 0x0c);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    /* A line held high does not request again after EOI. */
    irq_raise(&lines[4]);
    assert_int_equal(pic_read_irq(master), 0x0c);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->level, 0);
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x00);

    /* Level (ELCR): IRR follows the line and re-requests after EOI. */
    i8259_set_elcr(slave, 0x04);
    assert_int_equal(i8259_get_elcr(slave), 0x04);
    irq_raise(&lines[10]);
    assert_int_equal(read_reg(SLAVE_CMD, READ_IRR), 0x04);
    assert_int_equal(pic_read_irq(master), 0x72);
    harness_outb(SLAVE_CMD, NONSPECIFIC_EOI);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x72);
    irq_lower(&lines[10]);
    assert_int_equal(read_reg(SLAVE_CMD, READ_IRR), 0x00);
    harness_outb(SLAVE_CMD, NONSPECIFIC_EOI);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->level, 0);

    /* The PIIX3 cannot make IRQ0-2 level: elcr_mask 0xf8 on the master. */
    i8259_set_elcr(master, 0xff);
    assert_int_equal(i8259_get_elcr(master), 0xf8);
    i8259_set_elcr(master, 0x00);

    /* ICW1 LTIM makes every input level triggered. */
    harness_outb(MASTER_CMD, 0x19);
    harness_outb(MASTER_DATA, 0x08);
    harness_outb(MASTER_DATA, 0x04);
    harness_outb(MASTER_DATA, 0x01);
    /* IRQ4 is still high from above: as a level input it requests at once. */
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x10);
    irq_raise(&lines[1]);
    irq_lower(&lines[1]);
    irq_lower(&lines[4]);
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x00);
}

static void test_cascade(void **state)
{
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[10]);
    irq_raise(&lines[12]);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x04);
    assert_int_equal(pic_read_irq(master), 0x72);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x04);
    assert_int_equal(read_reg(SLAVE_CMD, READ_ISR), 0x04);
    /* The slave's EOI lets IRQ12 through to IR2, held until the master's EOI. */
    harness_outb(SLAVE_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->level, 0);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x74);
    harness_outb(SLAVE_CMD, NONSPECIFIC_EOI);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);

    /* ISA IRQ2 is wired to IRQ9, as on the AT bus. */
    irq_raise(&lines[2]);
    assert_int_equal(pic_read_irq(master), 0x71);
    harness_outb(SLAVE_CMD, NONSPECIFIC_EOI);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    irq_lower(&lines[2]);
    for (int i = 8; i < 16; i++) {
        irq_lower(&lines[i]);
    }

    /* An AEOI slave with two requests: the second reaches the master as a new edge. */
    pic_init_pc(0x01, 0x03);
    irq_raise(&lines[11]);
    irq_raise(&lines[13]);
    assert_int_equal(pic_read_irq(master), 0x73);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x75);
}

static void test_special_fully_nested(void **state)
{
    /* Without SFNM a higher slave request waits for the master's EOI. */
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[12]);
    assert_int_equal(pic_read_irq(master), 0x74);
    irq_raise(&lines[9]);
    assert_int_equal(cpu->level, 0);
    for (int i = 8; i < 16; i++) {
        irq_lower(&lines[i]);
    }

    /* With SFNM in the master it nests at once. */
    pic_init_pc(0x11, 0x01);
    char *out = monitor_output("info pic");
    assert_non_null(strstr(out, "fnm=1\npic1:"));
    g_free(out);
    irq_raise(&lines[12]);
    assert_int_equal(pic_read_irq(master), 0x74);
    irq_raise(&lines[9]);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x71);
    assert_int_equal(read_reg(SLAVE_CMD, READ_ISR), 0x12);
    /* A lower slave request still waits. */
    irq_raise(&lines[15]);
    assert_int_equal(cpu->level, 0);
}

static void test_special_mask(void **state)
{
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[1]);
    assert_int_equal(pic_read_irq(master), 0x09);
    irq_raise(&lines[3]);
    assert_int_equal(cpu->level, 0);
    /* Special mask mode and IRQ1 masked: lower levels get through. */
    harness_outb(MASTER_CMD, 0x68);
    harness_outb(MASTER_DATA, 0x02);
    assert_int_equal(cpu->level, 1);
    assert_int_equal(pic_read_irq(master), 0x0b);
    harness_outb(MASTER_CMD, 0x63);
    /* Leaving special mask mode: IRQ1 in service blocks again. */
    harness_outb(MASTER_CMD, 0x48);
    harness_outb(MASTER_DATA, 0x00);
    irq_lower(&lines[3]);
    irq_raise(&lines[3]);
    assert_int_equal(cpu->level, 0);
}

static void test_poll(void **state)
{
    pic_init_pc(0x01, 0x01);
    harness_outb(MASTER_CMD, POLL);
    assert_int_equal(harness_inb(MASTER_CMD), 0x00);    /* nothing pending */
    irq_raise(&lines[6]);
    irq_raise(&lines[5]);
    harness_outb(MASTER_CMD, POLL);
    assert_int_equal(harness_inb(MASTER_CMD), 0x85);
    /* The poll read was the acknowledge; the next read is IRR again. */
    assert_int_equal(harness_inb(MASTER_CMD), 0x40);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x20);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    /* Poll with RR set: the poll wins, then ISR is read. */
    harness_outb(MASTER_CMD, POLL | READ_ISR);
    assert_int_equal(harness_inb(MASTER_CMD), 0x86);
    assert_int_equal(harness_inb(MASTER_CMD), 0x40);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    /* Polling the master on a slave request gives IR2; then poll the slave. */
    irq_raise(&lines[11]);
    harness_outb(MASTER_CMD, POLL);
    assert_int_equal(harness_inb(MASTER_CMD), 0x82);
    harness_outb(SLAVE_CMD, POLL);
    assert_int_equal(harness_inb(SLAVE_CMD), 0x83);
    assert_int_equal(read_reg(SLAVE_CMD, READ_ISR), 0x08);
}

static void test_irr_isr_reads(void **state)
{
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[3]);
    irq_raise(&lines[7]);
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x88);
    assert_int_equal(pic_read_irq(master), 0x0b);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x08);
    /* The selection sticks until the next OCW3 with RR set. */
    assert_int_equal(harness_inb(MASTER_CMD), 0x08);
    harness_outb(MASTER_CMD, 0x08);     /* OCW3 without RR */
    assert_int_equal(harness_inb(MASTER_CMD), 0x08);
    assert_int_equal(read_reg(MASTER_CMD, READ_IRR), 0x80);
    /* The data port reads the mask. */
    harness_outb(MASTER_DATA, 0x5a);
    assert_int_equal(harness_inb(MASTER_DATA), 0x5a);
}

static void test_spurious(void **state)
{
    pic_init_pc(0x01, 0x01);
    /* A level request withdrawn before INTA: IRQ7, nothing in service. */
    i8259_set_elcr(master, 0x10);
    irq_raise(&lines[4]);
    assert_int_equal(cpu->level, 1);
    irq_lower(&lines[4]);
    assert_int_equal(cpu->level, 0);
    assert_int_equal(pic_read_irq(master), 0x0f);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);

    /* An edge request masked after INT went up. */
    irq_raise(&lines[5]);
    assert_int_equal(cpu->level, 1);
    harness_outb(MASTER_DATA, 0x20);
    assert_int_equal(cpu->level, 0);
    assert_int_equal(pic_read_irq(master), 0x0f);
    harness_outb(MASTER_DATA, 0x00);
    assert_int_equal(pic_read_irq(master), 0x0d);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);

    /* Slave: IRQ15 from the slave, but the master takes IR2 into service. */
    i8259_set_elcr(slave, 0x08);
    irq_raise(&lines[11]);
    irq_lower(&lines[11]);
    assert_int_equal(cpu->level, 1);    /* IR2 is edge: still latched */
    assert_int_equal(pic_read_irq(master), 0x77);
    assert_int_equal(read_reg(SLAVE_CMD, READ_ISR), 0x00);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x04);
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);
}

static void test_output_line(void **state)
{
    pic_init_pc(0x01, 0x01);
    harness_irq_probe_reset(cpu);
    irq_raise(&lines[1]);
    irq_raise(&lines[3]);
    assert_int_equal(cpu->raises, 1);
    assert_int_equal(pic_read_irq(master), 0x09);
    assert_int_equal(cpu->lowers, 1);
    assert_false(pic_get_output(master));
    harness_outb(MASTER_CMD, NONSPECIFIC_EOI);
    assert_int_equal(cpu->raises, 2);
    assert_true(pic_get_output(master));
    /* Masking everything drops INT. */
    harness_outb(MASTER_DATA, 0xff);
    assert_int_equal(cpu->level, 0);
}

static void test_reset_and_vmstate(void **state)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(i8259_device(master))->vmsd;
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    pic_init_pc(0x01, 0x01);
    harness_outb(MASTER_DATA, 0x30);
    irq_raise(&lines[1]);
    assert_int_equal(pic_read_irq(master), 0x09);
    assert_true(vmstate_save(buf, vmsd, master, &err));

    qdev_reset_all(i8259_device(master));
    assert_int_equal(harness_inb(MASTER_DATA), 0x00);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x00);
    assert_int_equal(cpu->level, 0);

    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, master, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    assert_int_equal(harness_inb(MASTER_DATA), 0x30);
    assert_int_equal(read_reg(MASTER_CMD, READ_ISR), 0x02);
    irq_raise(&lines[0]);
    assert_int_equal(pic_read_irq(master), 0x08);

    /* A truncated stream is refused. */
    pos = 0;
    assert_false(vmstate_load(buf->data, 3, &pos, vmsd, master, vmsd->version_id, &err));
    error_free(err);
    g_byte_array_free(buf, true);
}

static void test_info_irq(void **state)
{
    pic_init_pc(0x01, 0x01);
    char *out = monitor_output("info pic");
    assert_string_equal(out,
        "pic0: irr=00 imr=00 isr=00 hprio=0 irq_base=08 rr_sel=0 elcr=00 fnm=0\n"
        "pic1: irr=00 imr=00 isr=00 hprio=0 irq_base=70 rr_sel=0 elcr=00 fnm=0\n");
    g_free(out);

    for (int i = 0; i < 3; i++) {
        irq_pulse(&lines[14]);
    }
    out = monitor_output("info irq");
    assert_non_null(strstr(out, "IRQ statistics for isa-i8259:\n"));
    assert_non_null(strstr(out, " 6: "));
    g_free(out);
}

/* Random port traffic mixed with line changes, INTAs and ELCR writes. */
static void test_fuzz(void **state)
{
    GRand *rand = g_rand_new_with_seed(0x8259);
    for (unsigned round = 0; round < 200; round++) {
        harness_fuzz(true, MASTER_CMD, 2, 50, round);
        harness_fuzz(true, SLAVE_CMD, 2, 50, round + 1000);
        for (int k = 0; k < 10; k++) {
            irq_set(&lines[g_rand_int_range(rand, 0, 16)], g_rand_int_range(rand, 0, 2));
            if (pic_get_output(master) || g_rand_boolean(rand)) {
                int vec = pic_read_irq(master);
                assert_true(vec >= 0 && vec <= 0xff);
            }
        }
        if (round % 16 == 0) {
            i8259_set_elcr(master, g_rand_int(rand));
            i8259_set_elcr(slave, g_rand_int(rand));
        }
    }
    g_rand_free(rand);
    /* Still a working controller afterwards. */
    test_setup(NULL);
    pic_init_pc(0x01, 0x01);
    irq_raise(&lines[15]);
    assert_int_equal(pic_read_irq(master), 0x77);
    assert_int_equal(read_reg(SLAVE_CMD, READ_ISR), 0x80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_sequence, test_setup),
        cmocka_unit_test_setup(test_mask, test_setup),
        cmocka_unit_test_setup(test_priority_nesting, test_setup),
        cmocka_unit_test_setup(test_rotation, test_setup),
        cmocka_unit_test_setup(test_eoi_kinds, test_setup),
        cmocka_unit_test_setup(test_auto_eoi, test_setup),
        cmocka_unit_test_setup(test_edge_level, test_setup),
        cmocka_unit_test_setup(test_cascade, test_setup),
        cmocka_unit_test_setup(test_special_fully_nested, test_setup),
        cmocka_unit_test_setup(test_special_mask, test_setup),
        cmocka_unit_test_setup(test_poll, test_setup),
        cmocka_unit_test_setup(test_irr_isr_reads, test_setup),
        cmocka_unit_test_setup(test_spurious, test_setup),
        cmocka_unit_test_setup(test_output_line, test_setup),
        cmocka_unit_test_setup(test_reset_and_vmstate, test_setup),
        cmocka_unit_test_setup(test_info_irq, test_setup),
        cmocka_unit_test_setup(test_fuzz, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
