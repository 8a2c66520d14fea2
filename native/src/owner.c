/*
 * Objects are created by the daemon, which runs as root, and then given to the caller, the way
 * a local filesystem would have created them: the caller's uid, and the caller's gid unless the
 * parent directory is setgid (the kernel already gave a root-created object the parent's gid and,
 * for a directory, the setgid bit). Creating as the caller (setfsuid) would instead need the
 * caller's supplementary groups on every creating thread; the kernel has already checked
 * permissions (default_permissions), so only ownership remains to be done here.
 *
 * The object is addressed by its own descriptor, never by name again. Through the mount the
 * kernel holds the parent directory locked for the whole request, so nothing can swap the name.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

int ls_take_ownership(fuse_req_t req, int parent_fd, int obj_fd, mode_t mode, bool restore_special) {
  const struct fuse_ctx *ctx = fuse_req_ctx(req);
  struct stat parent;
  if (fstatat(parent_fd, "", &parent, AT_EMPTY_PATH) < 0) return -errno;
  bool inherit_gid = (parent.st_mode & S_ISGID) != 0;
  gid_t gid = inherit_gid ? (gid_t)-1 : ctx->gid;
  if (ctx->uid == geteuid() && (inherit_gid || ctx->gid == getegid())) return 0;
  if (fchownat(obj_fd, "", ctx->uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return -errno;
  /* chown cleared the set-id bits a caller may create a file with: put back what a local
   * filesystem keeps (setgid only if the file's group is the caller's own) */
  if (restore_special && (mode & (S_ISUID | S_ISGID))) {
    gid_t final_gid = inherit_gid ? parent.st_gid : ctx->gid;
    mode_t keep = mode & 07777;
    if (final_gid != ctx->gid) keep &= (mode_t)~S_ISGID;
    if (fchmod(obj_fd, keep) < 0) return -errno;
  }
  return 0;
}
