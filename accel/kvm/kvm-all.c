/*
 * -accel kvm: open /dev/kvm and create the VM.  KVM API document
 * (Documentation/virt/kvm/api.rst), section 4: the API version must be 12.
 */
#include "accel/accel.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int kvm_fd = -1;
static int vm_fd = -1;

static bool kvm_init(MachineState *ms, Error **errp)
{
    const char *dev = g_getenv("KEMU_KVM_DEVICE");     /* tests point it elsewhere */
    if (!dev) {
        dev = "/dev/kvm";
    }
    kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) {
        int err = errno;
        error_report("Could not access KVM kernel module: %s", g_strerror(err));
        error_setg(errp, "failed to initialize kvm: %s", g_strerror(err));
        return false;
    }
    int version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        error_setg(errp, "kvm version %d not supported (need %d)", version, KVM_API_VERSION);
        goto fail;
    }
    do {
        vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    } while (vm_fd < 0 && errno == EINTR);
    if (vm_fd < 0) {
        error_setg_errno(errp, errno, "failed to initialize kvm: ioctl(KVM_CREATE_VM) failed");
        goto fail;
    }
    return true;

fail:
    close(kvm_fd);
    kvm_fd = -1;
    return false;
}

static void kvm_cleanup(void)
{
    if (vm_fd >= 0) {
        close(vm_fd);
        vm_fd = -1;
    }
    if (kvm_fd >= 0) {
        close(kvm_fd);
        kvm_fd = -1;
    }
}

const AccelOps accel_kvm_ops = {
    .name = "kvm",
    .desc = "Linux KVM",
    .init = kvm_init,
    .cleanup = kvm_cleanup,
};
