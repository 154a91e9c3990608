/* Unit tests for the object model (qom/) and devices/buses (hw/core/qdev.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/core/qdev.h"

static GString *event_log;

static void log_event(const char *fmt, const char *name)
{
    if (event_log->len) {
        g_string_append_c(event_log, ' ');
    }
    g_string_append_printf(event_log, fmt, name);
}

static void log_clear(void)
{
    g_string_truncate(event_log, 0);
}

/* ---- A small hierarchy: animal (abstract) > dog > puppy, animal > cat ---- */

typedef struct AnimalClass {
    ObjectClass parent_class;
    const char *sound;
    int legs;
} AnimalClass;

typedef struct Animal {
    Object parent_obj;
    int age;
} Animal;

typedef struct Dog {
    Animal parent_obj;
    int tricks;
} Dog;

static void animal_class_init(ObjectClass *klass, const void *data)
{
    AnimalClass *ac = (AnimalClass *)klass;
    ac->sound = "...";
    ac->legs = 4;
    log_event("ci:%s", "animal");
}

static void dog_class_init(ObjectClass *klass, const void *data)
{
    ((AnimalClass *)klass)->sound = data;
    log_event("ci:%s", "dog");
}

static void puppy_class_init(ObjectClass *klass, const void *data)
{
    ((AnimalClass *)klass)->legs = 3;
    log_event("ci:%s", "puppy");
}

static void cat_class_init(ObjectClass *klass, const void *data)
{
    ((AnimalClass *)klass)->sound = "meow";
}

static void animal_init(Object *obj)
{
    ((Animal *)obj)->age = 1;
    log_event("ii:%s", "animal");
}

static void dog_init(Object *obj)
{
    ((Dog *)obj)->tricks = ((Animal *)obj)->age + 1;  /* parent ran first */
    log_event("ii:%s", "dog");
}

static void puppy_init(Object *obj)
{
    log_event("ii:%s", "puppy");
}

static void animal_finalize(Object *obj)
{
    log_event("fin:%s", "animal");
}

static void dog_finalize(Object *obj)
{
    log_event("fin:%s", "dog");
}

static void puppy_finalize(Object *obj)
{
    log_event("fin:%s", "puppy");
}

static const TypeInfo animal_info = {
    .name = "test-animal", .parent = TYPE_OBJECT, .abstract = true,
    .instance_size = sizeof(Animal), .class_size = sizeof(AnimalClass),
    .class_init = animal_class_init, .instance_init = animal_init,
    .instance_finalize = animal_finalize, .desc = "any animal",
};
static const TypeInfo dog_info = {
    .name = "test-dog", .parent = "test-animal", .instance_size = sizeof(Dog),
    .class_init = dog_class_init, .class_data = "woof",
    .instance_init = dog_init, .instance_finalize = dog_finalize,
};
static const TypeInfo puppy_info = {
    .name = "test-puppy", .parent = "test-dog",
    .class_init = puppy_class_init, .instance_init = puppy_init,
    .instance_finalize = puppy_finalize,
};
static const TypeInfo cat_info = {
    .name = "test-cat", .parent = "test-animal", .class_init = cat_class_init,
};

/* ---- A type with one property of each kind ---- */

typedef struct PropsObj {
    Object parent_obj;
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    int64_t i64;
    uint64_t mem;
    char *label;
    Object *pet;
} PropsObj;

static const Property props_obj_props[] = {
    PROP_BOOL("flag", PropsObj, flag, true),
    PROP_UINT8("u8", PropsObj, u8, 200),
    PROP_UINT16("u16", PropsObj, u16, 1000),
    PROP_UINT32("u32", PropsObj, u32, 4),
    PROP_UINT64("u64", PropsObj, u64, 1ull << 40),
    PROP_INT32("i32", PropsObj, i32, -5),
    PROP_INT64("i64", PropsObj, i64, -1),
    PROP_SIZE("mem", PropsObj, mem, 16 << 20),
    { .name = "label", .info = &prop_info_string, .offset = offsetof(PropsObj, label),
      .defval.s = "none" },
    PROP_LINK("pet", PropsObj, pet, "test-dog"),
    PROP_END,
};

static void props_obj_class_init(ObjectClass *klass, const void *data)
{
    object_class_set_props(klass, props_obj_props);
}

static const TypeInfo props_obj_info = {
    .name = "test-props", .parent = TYPE_OBJECT, .instance_size = sizeof(PropsObj),
    .class_init = props_obj_class_init,
};

/* -global targets: gbase > gsub, and gbad for a value that fails. */
typedef struct GlobalObj {
    Object parent_obj;
    uint32_t val;
} GlobalObj;

static const Property global_obj_props[] = {
    PROP_UINT32("val", GlobalObj, val, 1),
    PROP_END,
};

static void global_obj_class_init(ObjectClass *klass, const void *data)
{
    object_class_set_props(klass, global_obj_props);
}

static const TypeInfo gbase_info = {
    .name = "test-gbase", .parent = TYPE_OBJECT, .instance_size = sizeof(GlobalObj),
    .class_init = global_obj_class_init,
};
static const TypeInfo gsub_info = { .name = "test-gsub", .parent = "test-gbase" };
static const TypeInfo gbad_info = { .name = "test-gbad", .parent = "test-gbase" };

/* ---- Devices and a bus ---- */

#define TYPE_TEST_BUS "TestBus"

typedef struct TestBridge {
    DeviceState parent_obj;
    char *label;
    bool enabled;
    BusState *bus;
} TestBridge;

typedef struct TestLeaf {
    DeviceState parent_obj;
    uint32_t size;
    int32_t offset;
    uint64_t mem;
    Object *pet;
} TestLeaf;

static void test_bus_print_dev(GString *out, DeviceState *dev, int indent)
{
    g_string_append_printf(out, "%*saddr %u\n", indent, "", dev->parent_bus->children->len);
}

static void test_bus_class_init(ObjectClass *klass, const void *data)
{
    ((BusClass *)klass)->print_dev = test_bus_print_dev;
}

static bool bridge_realize(DeviceState *dev, Error **errp)
{
    TestBridge *br = (TestBridge *)dev;
    br->bus = qbus_new(TYPE_TEST_BUS, dev, NULL);
    log_event("realize:%s", dev->id ? dev->id : "bridge");
    return true;
}

static void bridge_unrealize(DeviceState *dev)
{
    log_event("unrealize:%s", dev->id ? dev->id : "bridge");
}

static void test_dev_reset(DeviceState *dev)
{
    log_event("reset:%s", dev->id ? dev->id : object_get_typename(&dev->parent_obj));
}

static const Property bridge_props[] = {
    PROP_STRING("label", TestBridge, label),
    PROP_BOOL("enabled", TestBridge, enabled, true),
    PROP_END,
};

static void bridge_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->user_creatable = true;
    dc->category = "Controller/Bridge/Hub";
    dc->realize = bridge_realize;
    dc->unrealize = bridge_unrealize;
    dc->reset = test_dev_reset;
    object_class_set_props(klass, bridge_props);
}

static bool leaf_realize(DeviceState *dev, Error **errp)
{
    TestLeaf *leaf = (TestLeaf *)dev;
    if (leaf->size == 13) {
        error_setg(errp, "size 13 is unlucky");
        return false;
    }
    log_event("realize:%s", dev->id ? dev->id : "leaf");
    return true;
}

static void leaf_unrealize(DeviceState *dev)
{
    log_event("unrealize:%s", dev->id ? dev->id : "leaf");
}

static const Property leaf_props[] = {
    { .name = "size", .info = &prop_info_uint32, .offset = offsetof(TestLeaf, size),
      .defval.u = 4, .desc = "number of sectors" },
    PROP_INT32("offset", TestLeaf, offset, -1),
    PROP_SIZE("mem", TestLeaf, mem, 64 << 20),
    PROP_LINK("pet", TestLeaf, pet, "test-dog"),
    PROP_END,
};

static void leaf_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->user_creatable = true;
    dc->bus_type = TYPE_TEST_BUS;
    dc->category = "Storage";
    dc->realize = leaf_realize;
    dc->unrealize = leaf_unrealize;
    dc->reset = test_dev_reset;
    object_class_set_props(klass, leaf_props);
}

static void nouser_class_init(ObjectClass *klass, const void *data)
{
    DEVICE_CLASS(klass)->reset = test_dev_reset;
}

static void pcidev_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->user_creatable = true;
    dc->bus_type = "TestPCI";
}

static const TypeInfo test_bus_info = {
    .name = TYPE_TEST_BUS, .parent = TYPE_BUS, .class_init = test_bus_class_init,
};
static const TypeInfo test_pci_bus_info = { .name = "TestPCI", .parent = TYPE_BUS };
static const TypeInfo bridge_info = {
    .name = "test-bridge", .parent = TYPE_DEVICE, .instance_size = sizeof(TestBridge),
    .class_init = bridge_class_init, .desc = "a bridge for tests",
};
static const TypeInfo leaf_info = {
    .name = "test-leaf", .parent = TYPE_DEVICE, .instance_size = sizeof(TestLeaf),
    .class_init = leaf_class_init, .desc = "a disk for tests",
};
static const TypeInfo nouser_info = {
    .name = "test-nouser", .parent = TYPE_DEVICE, .class_init = nouser_class_init,
};
static const TypeInfo pcidev_info = {
    .name = "test-pcidev", .parent = TYPE_DEVICE, .class_init = pcidev_class_init,
};

static void test_register_types(void)
{
    static const TypeInfo *const infos[] = {
        &animal_info, &dog_info, &puppy_info, &cat_info, &props_obj_info,
        &gbase_info, &gsub_info, &gbad_info, &test_bus_info, &test_pci_bus_info,
        &bridge_info, &leaf_info, &nouser_info, &pcidev_info,
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(infos); i++) {
        type_register(infos[i]);
    }
}

/* ---- helpers ---- */

static DeviceState *device_add(const char *str, Error **errp)
{
    Opts *opts = opts_parse(str, "driver", errp);
    assert_non_null(opts);
    DeviceState *dev = qdev_device_add(opts, errp);
    opts_free(opts);
    return dev;
}

static void assert_device_add_fails(const char *str, const char *msg)
{
    Error *err = NULL;
    assert_null(device_add(str, &err));
    assert_non_null(err);
    assert_string_equal(error_get_pretty(err), msg);
    error_free(err);
}

static void assert_set_fails(Object *obj, const char *name, const char *value, const char *msg)
{
    Error *err = NULL;
    assert_false(object_prop_set_str(obj, name, value, &err));
    assert_non_null(err);
    assert_string_equal(error_get_pretty(err), msg);
    error_free(err);
}

static void assert_prop(Object *obj, const char *name, const char *expect)
{
    char *v = object_prop_get_str(obj, name);
    assert_non_null(v);
    assert_string_equal(v, expect);
    g_free(v);
}

static Object *peripheral(void)
{
    return object_get_container(object_get_container(object_get_root(), "machine"),
                                "peripheral");
}

/* ---- Types and classes ---- */

static void test_type_registration(void **state)
{
    ObjectClass *dog = object_class_by_name("test-dog");
    assert_non_null(dog);
    assert_string_equal(object_class_get_name(dog), "test-dog");
    assert_string_equal(object_class_get_name(object_class_get_parent(dog)), "test-animal");
    assert_true(object_class_is_abstract(object_class_by_name("test-animal")));
    assert_false(object_class_is_abstract(dog));
    assert_string_equal(object_class_get_desc(object_class_by_name("test-animal")), "any animal");
    assert_null(object_class_by_name("test-unicorn"));
    assert_null(object_class_get_parent(object_class_by_name(TYPE_OBJECT)));

    /* A second registration round is harmless. */
    object_register_types();
    qdev_register_types();
    qdev_register_types();
    test_register_types();
    assert_ptr_equal(object_class_by_name("test-dog"), dog);
}

static void test_class_init_order(void **state)
{
    log_clear();
    /* Asking for the leaf class builds the ancestors first. */
    AnimalClass *puppy = (AnimalClass *)object_class_by_name("test-puppy");
    assert_string_equal(event_log->str, "ci:animal ci:dog ci:puppy");
    AnimalClass *dog = (AnimalClass *)object_class_by_name("test-dog");
    AnimalClass *cat = (AnimalClass *)object_class_by_name("test-cat");
    /* Copied from the parent, then changed by the type's own class_init. */
    assert_string_equal(puppy->sound, "woof");
    assert_int_equal(puppy->legs, 3);
    assert_int_equal(dog->legs, 4);
    assert_string_equal(cat->sound, "meow");
    assert_string_equal(((AnimalClass *)object_class_by_name("test-animal"))->sound, "...");
    /* Each class is built once. */
    log_clear();
    object_class_by_name("test-puppy");
    assert_string_equal(event_log->str, "");
}

static void test_instance_init_finalize_order(void **state)
{
    log_clear();
    Object *obj = object_new("test-puppy");
    assert_string_equal(event_log->str, "ii:animal ii:dog ii:puppy");
    assert_int_equal(((Dog *)obj)->tricks, 2);
    assert_int_equal(obj->ref, 1);
    assert_ptr_equal(object_ref(obj), obj);
    log_clear();
    object_unref(obj);
    assert_string_equal(event_log->str, "");
    object_unref(obj);
    assert_string_equal(event_log->str, "fin:puppy fin:dog fin:animal");
}

static void test_casts(void **state)
{
    Object *obj = object_new("test-puppy");
    assert_ptr_equal(object_dynamic_cast(obj, "test-puppy"), obj);
    assert_ptr_equal(object_dynamic_cast(obj, "test-dog"), obj);
    assert_ptr_equal(object_dynamic_cast(obj, "test-animal"), obj);
    assert_ptr_equal(object_dynamic_cast(obj, TYPE_OBJECT), obj);
    assert_ptr_equal(object_check(obj, "test-dog"), obj);
    assert_string_equal(object_get_typename(obj), "test-puppy");
    ObjectClass *oc = object_get_class(obj);
    assert_ptr_equal(object_class_dynamic_cast(oc, "test-animal"), oc);
    assert_ptr_equal(object_class_check(oc, "test-dog"), oc);

    GSList *list = object_class_get_list("test-animal", false);
    assert_int_equal(g_slist_length(list), 3);
    assert_string_equal(object_class_get_name(list->data), "test-cat");
    assert_string_equal(object_class_get_name(list->next->data), "test-dog");
    assert_string_equal(object_class_get_name(list->next->next->data), "test-puppy");
    g_slist_free(list);
    list = object_class_get_list("test-animal", true);
    assert_int_equal(g_slist_length(list), 4);
    assert_string_equal(object_class_get_name(list->data), "test-animal");
    g_slist_free(list);
    object_unref(obj);
}

static void test_dynamic_cast_failure(void **state)
{
    Object *dog = object_new("test-dog");
    Object *cat = object_new("test-cat");
    assert_null(object_dynamic_cast(dog, "test-puppy"));    /* parent is not a child */
    assert_null(object_dynamic_cast(cat, "test-dog"));      /* sibling */
    assert_null(object_dynamic_cast(dog, "test-unicorn"));  /* unknown type */
    assert_null(object_dynamic_cast(NULL, "test-dog"));
    assert_null(object_class_dynamic_cast(object_get_class(cat), "test-dog"));
    assert_null(object_class_dynamic_cast(NULL, "test-dog"));
    assert_null(object_check(NULL, "test-dog"));
    assert_null(object_class_get_list("test-unicorn", true));
    object_unref(dog);
    object_unref(cat);
}

/* ---- Properties ---- */

static void test_prop_defaults(void **state)
{
    Object *obj = object_new("test-props");
    PropsObj *p = (PropsObj *)obj;
    assert_true(p->flag);
    assert_int_equal(p->u8, 200);
    assert_int_equal(p->u16, 1000);
    assert_int_equal(p->u32, 4);
    assert_int_equal(p->u64, 1ull << 40);
    assert_int_equal(p->i32, -5);
    assert_int_equal(p->i64, -1);
    assert_int_equal(p->mem, 16 << 20);
    assert_string_equal(p->label, "none");
    assert_null(p->pet);
    assert_prop(obj, "flag", "true");
    assert_prop(obj, "i32", "-5");
    assert_prop(obj, "mem", "16777216");
    assert_prop(obj, "pet", "");
    assert_null(object_prop_get_str(obj, "nope"));
    object_unref(obj);
}

static void test_prop_set_each_kind(void **state)
{
    Object *obj = object_new("test-props");
    PropsObj *p = (PropsObj *)obj;
    static const struct { const char *name, *in, *out; } cases[] = {
        { "flag", "off", "false" }, { "flag", "yes", "true" }, { "flag", "n", "false" },
        { "u8", "255", "255" }, { "u8", "0x10", "16" }, { "u16", "65535", "65535" },
        { "u32", "4294967295", "4294967295" }, { "u64", "18446744073709551615", "18446744073709551615" },
        { "i32", "-2147483648", "-2147483648" }, { "i32", "2147483647", "2147483647" },
        { "i64", "-9223372036854775808", "-9223372036854775808" },
        { "mem", "64M", "67108864" }, { "mem", "1k", "1024" }, { "mem", "2G", "2147483648" },
        { "mem", "1.5k", "1536" }, { "mem", "4096", "4096" },
        { "label", "hello, world", "hello, world" }, { "label", "", "" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        assert_true(object_prop_set_str(obj, cases[i].name, cases[i].in, NULL));
        assert_prop(obj, cases[i].name, cases[i].out);
    }
    assert_int_equal(p->mem, 4096);
    assert_int_equal(p->u8, 16);
    assert_false(p->flag);
    object_unref(obj);
}

static void test_prop_range_errors(void **state)
{
    Object *obj = object_new("test-props");
    PropsObj *p = (PropsObj *)obj;
    assert_set_fails(obj, "u8", "300",
                     "Property 'test-props.u8' doesn't take value '300' (range 0..255)");
    assert_set_fails(obj, "u8", "-1",
                     "Property 'test-props.u8' doesn't take value '-1' (range 0..255)");
    assert_set_fails(obj, "u16", "65536",
                     "Property 'test-props.u16' doesn't take value '65536' (range 0..65535)");
    assert_set_fails(obj, "u32", "0x100000000",
                     "Property 'test-props.u32' doesn't take value '0x100000000' (range 0..4294967295)");
    assert_set_fails(obj, "i32", "2147483648",
                     "Property 'test-props.i32' doesn't take value '2147483648' "
                     "(range -2147483648..2147483647)");
    assert_set_fails(obj, "i64", "18446744073709551615",
                     "Property 'test-props.i64' doesn't take value '18446744073709551615' "
                     "(range -9223372036854775808..9223372036854775807)");
    assert_set_fails(obj, "u32", "abc", "Parameter 'u32' expects uint32");
    assert_set_fails(obj, "u8", "", "Parameter 'u8' expects uint8");
    assert_set_fails(obj, "i32", "12x", "Parameter 'i32' expects int32");
    assert_set_fails(obj, "flag", "maybe", "Parameter 'flag' expects 'on' or 'off'");
    assert_set_fails(obj, "mem", "12Q",
                     "Parameter 'mem' expects a size (optional suffix k, M, G, T, P or E)");
    assert_set_fails(obj, "mem", "-1",
                     "Parameter 'mem' expects a size (optional suffix k, M, G, T, P or E)");
    assert_set_fails(obj, "nope", "1", "Property 'test-props.nope' not found");
    /* A failed set leaves the field alone. */
    assert_int_equal(p->u8, 200);
    assert_int_equal(p->u32, 4);
    assert_int_equal(p->i32, -5);
    assert_true(p->flag);
    assert_int_equal(p->mem, 16 << 20);
    object_unref(obj);
}

static void test_global_props(void **state)
{
    object_register_global_prop("test-gbase", "val", "7");
    object_register_global_prop("test-gsub", "val", "9");
    object_register_global_prop("test-gbad", "val", "300000000000");   /* out of range */
    assert_true(object_check_global_props(NULL));

    Object *base = object_new("test-gbase");
    Object *sub = object_new("test-gsub");
    Object *bad = object_new("test-gbad");
    assert_int_equal(((GlobalObj *)base)->val, 7);
    assert_int_equal(((GlobalObj *)sub)->val, 9);           /* later, more specific */
    assert_int_equal(((GlobalObj *)bad)->val, 7);           /* bad value: previous kept */
    object_unref(base);
    object_unref(sub);
    object_unref(bad);

    /* Globals on types other than the object's do not apply. */
    Object *props = object_new("test-props");
    assert_int_equal(((PropsObj *)props)->u32, 4);
    object_unref(props);

    Error *err = NULL;
    object_register_global_prop("test-gsub", "nope", "1");
    assert_false(object_check_global_props(&err));
    assert_string_equal(error_get_pretty(err), "Property 'test-gsub.nope' not found");
    error_free(err);
}

static void test_global_props_bad_driver(void **state)
{
    Error *err = NULL;
    object_register_global_prop("test-unicorn", "horn", "1");
    assert_false(object_check_global_props(&err));
    assert_non_null(err);
    error_free(err);
}

static void test_link_props(void **state)
{
    Object *obj = object_new("test-props");
    PropsObj *p = (PropsObj *)obj;
    Object *dog = object_new("test-dog");
    Object *cat = object_new("test-cat");
    Object *pets = object_get_container(object_get_root(), "test-pets");
    object_add_child(pets, "rex", dog);
    object_add_child(pets, "tom", cat);
    object_add_child(peripheral(), "fido", object_new("test-puppy"));
    object_unref(object_get_child(peripheral(), "fido"));   /* the tree keeps it */

    assert_true(object_prop_set_str(obj, "pet", "/test-pets/rex", NULL));
    assert_ptr_equal(p->pet, dog);
    assert_int_equal(dog->ref, 3);          /* ours, the tree's, the link's */
    assert_prop(obj, "pet", "/test-pets/rex");

    /* A bare name is a device id; a subtype of link_type is accepted. */
    assert_true(object_prop_set_str(obj, "pet", "fido", NULL));
    assert_string_equal(object_get_typename(p->pet), "test-puppy");
    assert_int_equal(dog->ref, 2);
    assert_prop(obj, "pet", "/machine/peripheral/fido");

    assert_set_fails(obj, "pet", "/test-pets/tom",
                     "Invalid parameter type for 'pet', expected: test-dog");
    assert_set_fails(obj, "pet", "/test-pets/nobody", "Device '/test-pets/nobody' not found");
    assert_string_equal(object_get_typename(p->pet), "test-puppy");

    /* The link keeps its target alive after it leaves the tree. */
    assert_true(object_prop_set_str(obj, "pet", "rex", NULL));  /* partial path */
    object_unparent(dog);
    object_unref(dog);
    assert_int_equal(dog->ref, 1);
    assert_prop(obj, "pet", "");            /* no longer in the tree */
    log_clear();
    assert_true(object_prop_set_str(obj, "pet", "", NULL));
    assert_null(p->pet);
    assert_string_equal(event_log->str, "fin:dog fin:animal");

    object_unparent(object_get_child(peripheral(), "fido"));
    object_unparent(pets);
    object_unref(cat);
    object_unref(obj);
}

/* ---- Composition tree ---- */

static void test_composition_tree(void **state)
{
    Object *root = object_get_root();
    assert_ptr_equal(object_get_root(), root);
    Object *zoo = object_get_container(root, "test-zoo");
    assert_ptr_equal(object_get_container(root, "test-zoo"), zoo);
    Object *dog = object_new("test-dog");
    object_add_child(zoo, "dog[0]", dog);
    Object *pup = object_new("test-puppy");
    object_add_child(dog, "pup", pup);
    object_unref(pup);

    char *path = object_get_path(pup);
    assert_string_equal(path, "/test-zoo/dog[0]/pup");
    g_free(path);
    path = object_get_path(root);
    assert_string_equal(path, "/");
    g_free(path);
    assert_ptr_equal(pup->parent, dog);
    assert_string_equal(pup->name, "pup");
    assert_ptr_equal(object_get_child(zoo, "dog[0]"), dog);
    assert_null(object_get_child(zoo, "pup"));

    /* Unparenting drops the tree's reference; children go with their parent. */
    object_unparent(dog);
    assert_null(object_get_child(zoo, "dog[0]"));
    assert_null(dog->parent);
    path = object_get_path(pup);
    assert_string_equal(path, "");          /* detached */
    g_free(path);
    log_clear();
    object_unref(dog);
    assert_string_equal(event_log->str, "fin:puppy fin:dog fin:animal fin:dog fin:animal");
    object_unparent(zoo);
}

static void test_resolve_path(void **state)
{
    Object *root = object_get_root();
    Object *a = object_get_container(root, "test-ra");
    Object *b = object_get_container(root, "test-rb");
    Object *ax = object_get_container(a, "x");
    Object *bx = object_get_container(b, "x");
    Object *ay = object_get_container(ax, "only");

    assert_ptr_equal(object_resolve_path("/"), root);
    assert_ptr_equal(object_resolve_path("/test-ra"), a);
    assert_ptr_equal(object_resolve_path("/test-ra/x/only"), ay);
    assert_ptr_equal(object_resolve_path("/test-ra/x/"), ax);
    assert_null(object_resolve_path("/test-ra/y"));
    assert_null(object_resolve_path(""));
    assert_null(object_resolve_path(NULL));
    /* Partial paths must name exactly one object. */
    assert_ptr_equal(object_resolve_path("only"), ay);
    assert_ptr_equal(object_resolve_path("x/only"), ay);
    assert_ptr_equal(object_resolve_path("test-rb/x"), bx);
    assert_null(object_resolve_path("x"));          /* ambiguous */
    assert_null(object_resolve_path("nothing"));
    assert_null(object_resolve_path("x//only"));
    object_unparent(a);
    object_unparent(b);
}

/* ---- Devices ---- */

static void test_qdev_realize_reset_order(void **state)
{
    log_clear();
    DeviceState *br = qdev_new("test-bridge");
    br->id = g_strdup("brA");
    assert_true(qdev_realize_and_unref(br, NULL, NULL));
    assert_true(br->realized);
    assert_ptr_equal(br->parent_bus, sysbus_get_default());
    BusState *bus = ((TestBridge *)br)->bus;
    assert_string_equal(bus->name, "brA.0");
    assert_ptr_equal(bus->parent, br);

    DeviceState *l1 = qdev_new("test-leaf");
    l1->id = g_strdup("l1");
    DeviceState *l2 = qdev_new("test-leaf");
    l2->id = g_strdup("l2");
    assert_true(qdev_realize_and_unref(l1, bus, NULL));
    assert_true(qdev_realize_and_unref(l2, bus, NULL));
    /* Realize resets each device once. */
    assert_string_equal(event_log->str,
                        "realize:brA reset:brA realize:l1 reset:l1 realize:l2 reset:l2");

    log_clear();
    qdev_reset_all(br);
    assert_string_equal(event_log->str, "reset:l1 reset:l2 reset:brA");
    log_clear();
    qdev_reset_machine();
    assert_string_equal(event_log->str, "reset:l1 reset:l2 reset:brA");

    assert_ptr_equal(qdev_find_by_id("l2"), l2);
    assert_ptr_equal(qbus_find("brA.0"), bus);
    assert_ptr_equal(qbus_find(TYPE_TEST_BUS), bus);
    assert_ptr_equal(qbus_find(TYPE_SYSTEM_BUS), sysbus_get_default());
    assert_null(qbus_find("nobus.7"));

    log_clear();
    qdev_unrealize(br);
    assert_string_equal(event_log->str, "unrealize:l2 unrealize:l1 unrealize:brA");
    assert_null(qdev_find_by_id("l1"));
    assert_int_equal(sysbus_get_default()->children->len, 0);
}

static void test_qdev_tree_placement(void **state)
{
    DeviceState *anon = qdev_new("test-nouser");
    object_ref(&anon->parent_obj);
    assert_true(qdev_realize_and_unref(anon, NULL, NULL));
    char *path = object_get_path(&anon->parent_obj);
    assert_true(g_str_has_prefix(path, "/machine/unattached/device["));
    assert_ptr_equal(object_resolve_path(path), &anon->parent_obj);
    g_free(path);

    DeviceState *named = qdev_new("test-nouser");
    named->id = g_strdup("nu0");
    assert_true(qdev_realize_and_unref(named, NULL, NULL));
    assert_ptr_equal(object_resolve_path("/machine/peripheral/nu0"), &named->parent_obj);
    assert_ptr_equal(qdev_find_by_id("nu0"), named);

    /* A board-made device with an id already used fails cleanly. */
    Error *err = NULL;
    DeviceState *dup = qdev_new("test-nouser");
    dup->id = g_strdup("nu0");
    assert_false(qdev_realize_and_unref(dup, NULL, &err));
    assert_string_equal(error_get_pretty(err), "Duplicate ID 'nu0' for device");
    error_free(err);
    err = NULL;

    /* A device that needs another bus is refused by the system bus. */
    DeviceState *leaf = qdev_new("test-leaf");
    assert_false(qdev_realize_and_unref(leaf, NULL, &err));
    assert_string_equal(error_get_pretty(err), "Device 'test-leaf' can't go on System bus");
    error_free(err);

    qdev_unrealize(named);
    assert_null(qdev_find_by_id("nu0"));
    qdev_unrealize(anon);
    assert_null(anon->parent_obj.parent);
    object_unref(&anon->parent_obj);
    assert_int_equal(sysbus_get_default()->children->len, 0);
}

static void test_qdev_bus_names(void **state)
{
    DeviceState *a = qdev_new("test-bridge");
    DeviceState *b = qdev_new("test-bridge");
    assert_true(qdev_realize_and_unref(a, NULL, NULL));
    assert_true(qdev_realize_and_unref(b, NULL, NULL));
    const char *na = ((TestBridge *)a)->bus->name;
    const char *nb = ((TestBridge *)b)->bus->name;
    assert_true(g_str_has_prefix(na, "testbus."));
    assert_true(g_str_has_prefix(nb, "testbus."));
    assert_string_not_equal(na, nb);
    /* The bus is a child of its device in the composition tree. */
    assert_ptr_equal(object_get_child(&a->parent_obj, na), &((TestBridge *)a)->bus->parent_obj);
    qdev_unrealize(a);
    qdev_unrealize(b);
}

static void test_device_add(void **state)
{
    DeviceState *br = device_add("test-bridge,id=br1,label=top", NULL);
    assert_non_null(br);
    assert_string_equal(((TestBridge *)br)->label, "top");
    assert_ptr_equal(object_resolve_path("/machine/peripheral/br1"), &br->parent_obj);

    /* No bus=: the first bus of the device's bus type. */
    DeviceState *d = device_add("test-leaf,id=disk1,size=0x20,mem=1M", NULL);
    assert_non_null(d);
    assert_ptr_equal(d->parent_bus, ((TestBridge *)br)->bus);
    assert_int_equal(((TestLeaf *)d)->size, 32);
    assert_int_equal(((TestLeaf *)d)->mem, 1 << 20);

    /* bus= by name; without id= under peripheral-anon. */
    DeviceState *anon = device_add("test-leaf,bus=br1.0", NULL);
    assert_non_null(anon);
    char *path = object_get_path(&anon->parent_obj);
    assert_true(g_str_has_prefix(path, "/machine/peripheral-anon/device["));
    g_free(path);

    /* Properties are fixed once realized. */
    Error *err = NULL;
    assert_false(qdev_prop_set(d, "size", "1", &err));
    assert_string_equal(error_get_pretty(err),
                        "Attempt to set property 'size' on device 'disk1' (type 'test-leaf') "
                        "after it was realized");
    error_free(err);

    qdev_unrealize(br);
    assert_null(object_resolve_path("/machine/peripheral/disk1"));
}

static void test_device_add_errors(void **state)
{
    assert_device_add_fails("test-unicorn", "'test-unicorn' is not a valid device model name");
    assert_device_add_fails("test-dog", "'test-dog' is not a valid device model name");
    assert_device_add_fails("device", "'device' is not a valid device model name");
    assert_device_add_fails("test-nouser", "Parameter 'driver' expects a pluggable device type");
    assert_device_add_fails("id=x", "Parameter 'driver' is missing");
    assert_device_add_fails("test-pcidev", "No 'TestPCI' bus found for device 'test-pcidev'");
    assert_device_add_fails("test-leaf", "No 'TestBus' bus found for device 'test-leaf'");

    DeviceState *br = device_add("test-bridge,id=br2", NULL);
    assert_non_null(br);
    assert_device_add_fails("test-bridge,id=br2", "Duplicate ID 'br2' for device");
    assert_device_add_fails("test-leaf,id=9lives", "Parameter 'id' expects an identifier");
    assert_device_add_fails("test-leaf,bus=nobus.0", "Bus 'nobus.0' not found");
    assert_device_add_fails("test-leaf,bus=main-system-bus",
                            "Device 'test-leaf' can't go on System bus");
    assert_device_add_fails("test-leaf,colour=red", "Property 'test-leaf.colour' not found");
    assert_device_add_fails("test-leaf,size=-3",
                            "Property 'test-leaf.size' doesn't take value '-3' "
                            "(range 0..4294967295)");
    assert_device_add_fails("test-leaf,pet=nobody", "Device 'nobody' not found");

    /* A failed realize leaves nothing behind: the id is free again. */
    log_clear();
    assert_device_add_fails("test-leaf,id=d13,size=13", "size 13 is unlucky");
    assert_null(object_resolve_path("/machine/peripheral/d13"));
    assert_int_equal(((TestBridge *)br)->bus->children->len, 0);
    DeviceState *d = device_add("test-leaf,id=d13,size=12", NULL);
    assert_non_null(d);
    assert_string_equal(event_log->str, "realize:d13 reset:d13");

    qdev_unrealize(br);
}

static void test_device_help(void **state)
{
    GString *out = g_string_new(NULL);
    qdev_print_device_list(out);
    assert_string_equal(out->str,
        "Controller/Bridge/Hub devices:\n"
        "name \"test-bridge\", bus System, desc \"a bridge for tests\"\n"
        "\n"
        "Storage devices:\n"
        "name \"test-leaf\", bus TestBus, desc \"a disk for tests\"\n"
        "\n"
        "Uncategorized devices:\n"
        "name \"test-pcidev\", bus TestPCI\n");

    g_string_truncate(out, 0);
    assert_true(qdev_print_device_props(out, "test-leaf", NULL));
    assert_string_equal(out->str,
        "test-leaf options:\n"
        "  mem=<size>             -  (default: 67108864)\n"
        "  offset=<int32>         -  (default: -1)\n"
        "  pet=<link<test-dog>>\n"
        "  size=<uint32>          - number of sectors (default: 4)\n");

    g_string_truncate(out, 0);
    assert_true(qdev_print_device_props(out, "test-pcidev", NULL));
    assert_string_equal(out->str, "There are no options for test-pcidev.\n");

    Error *err = NULL;
    assert_false(qdev_print_device_props(out, "test-unicorn", &err));
    assert_string_equal(error_get_pretty(err), "'test-unicorn' is not a valid device model name");
    error_free(err);
    err = NULL;
    g_string_free(out, true);

    /* Through -device: NULL without an error after help... */
    assert_null(device_add("help", &err));
    assert_null(err);
    assert_null(device_add("test-leaf,help", &err));
    assert_null(err);
    /* ...and an error for help on an unknown driver. */
    assert_device_add_fails("test-unicorn,help", "'test-unicorn' is not a valid device model name");
}

static void test_qtree(void **state)
{
    Object *dog = object_new("test-dog");
    object_add_child(peripheral(), "rex", dog);
    object_unref(dog);
    DeviceState *br = device_add("test-bridge,id=br3,label=top,enabled=off", NULL);
    assert_non_null(br);
    assert_non_null(device_add("test-leaf,id=disk3,size=8,offset=-2,pet=rex", NULL));
    assert_non_null(device_add("test-leaf,mem=1536", NULL));

    GString *out = g_string_new(NULL);
    qdev_print_tree(out);
    assert_string_equal(out->str,
        "bus: main-system-bus\n"
        "  type System\n"
        "  dev: test-bridge, id \"br3\"\n"
        "    label = \"top\"\n"
        "    enabled = false\n"
        "    bus: br3.0\n"
        "      type TestBus\n"
        "      dev: test-leaf, id \"disk3\"\n"
        "        size = 8 (0x8)\n"
        "        offset = -2 (0xfffffffffffffffe)\n"
        "        mem = 67108864 (64 MiB)\n"
        "        pet = \"/machine/peripheral/rex\"\n"
        "        addr 2\n"
        "      dev: test-leaf, id \"\"\n"
        "        size = 4 (0x4)\n"
        "        offset = -1 (0xffffffffffffffff)\n"
        "        mem = 1536 (1.5 KiB)\n"
        "        pet = \"\"\n"
        "        addr 2\n");
    g_string_free(out, true);
    qdev_unrealize(br);
    object_unparent(dog);
}

static int setup(void **state)
{
    event_log = g_string_new(NULL);
    object_register_types();
    qdev_register_types();
    test_register_types();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: it watches the classes being built on first use. */
        cmocka_unit_test(test_class_init_order),
        cmocka_unit_test(test_type_registration),
        cmocka_unit_test(test_instance_init_finalize_order),
        cmocka_unit_test(test_casts),
        cmocka_unit_test(test_dynamic_cast_failure),
        cmocka_unit_test(test_prop_defaults),
        cmocka_unit_test(test_prop_set_each_kind),
        cmocka_unit_test(test_prop_range_errors),
        cmocka_unit_test(test_global_props),
        cmocka_unit_test(test_global_props_bad_driver),
        cmocka_unit_test(test_link_props),
        cmocka_unit_test(test_composition_tree),
        cmocka_unit_test(test_resolve_path),
        cmocka_unit_test(test_qdev_realize_reset_order),
        cmocka_unit_test(test_qdev_tree_placement),
        cmocka_unit_test(test_qdev_bus_names),
        cmocka_unit_test(test_device_add),
        cmocka_unit_test(test_device_add_errors),
        cmocka_unit_test(test_device_help),
        cmocka_unit_test(test_qtree),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
