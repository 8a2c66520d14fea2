#include "ops.h"

/* No getlk/setlk/flock: without them the kernel keeps locks itself, which is right for a single
 * host. No copy_file_range: the kernel then copies through read and write, so every byte that
 * lands still produces a write record.
 *
 * Two tables, chosen once at mount time. With xattr operations present the kernel asks for
 * security.capability before every write(2) (file_remove_privs), a second round trip per write
 * that doubles the cost of small appends; libfuse 3.14 cannot negotiate HANDLE_KILLPRIV_V2,
 * which would let the kernel skip it. Without them the first GETXATTR gets ENOSYS and the
 * kernel stops asking, so xattrs are opt-in. A tiered mount has its own read and write (the
 * tail in RAM, the head on disk); every other operation serves both kinds. */
#define LS_COMMON_OPS \
    .init = ls_op_init, \
    .lookup = ls_op_lookup, \
    .forget = ls_op_forget, \
    .forget_multi = ls_op_forget_multi, \
    .getattr = ls_op_getattr, \
    .setattr = ls_op_setattr, \
    .readlink = ls_op_readlink, \
    .mknod = ls_op_mknod, \
    .mkdir = ls_op_mkdir, \
    .unlink = ls_op_unlink, \
    .rmdir = ls_op_rmdir, \
    .symlink = ls_op_symlink, \
    .rename = ls_op_rename, \
    .link = ls_op_link, \
    .open = ls_op_open, \
    .flush = ls_op_flush, \
    .release = ls_op_release, \
    .fsync = ls_op_fsync, \
    .opendir = ls_op_opendir, \
    .readdir = ls_op_readdir, \
    .releasedir = ls_op_releasedir, \
    .fsyncdir = ls_op_fsyncdir, \
    .statfs = ls_op_statfs, \
    .access = ls_op_access, \
    .create = ls_op_create, \
    .fallocate = ls_op_fallocate, \
    .lseek = ls_op_lseek,

#define LS_XATTR_OPS \
    .setxattr = ls_op_setxattr, \
    .getxattr = ls_op_getxattr, \
    .listxattr = ls_op_listxattr, \
    .removexattr = ls_op_removexattr,

#define LS_RAM_DATA_OPS .read = ls_op_read, .write = ls_op_write,
#define LS_TIERED_DATA_OPS .read = ls_op_read_tiered, .write = ls_op_write_tiered,

const struct fuse_lowlevel_ops ls_ops = {LS_COMMON_OPS LS_RAM_DATA_OPS};
const struct fuse_lowlevel_ops ls_ops_xattr = {LS_COMMON_OPS LS_RAM_DATA_OPS LS_XATTR_OPS};
const struct fuse_lowlevel_ops ls_ops_tiered = {LS_COMMON_OPS LS_TIERED_DATA_OPS};
const struct fuse_lowlevel_ops ls_ops_tiered_xattr = {LS_COMMON_OPS LS_TIERED_DATA_OPS LS_XATTR_OPS};
