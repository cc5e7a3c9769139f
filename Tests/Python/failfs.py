#!/usr/bin/python3
"""A pass-through FUSE filesystem that fails on command, for the hub's I/O-error test (python3-fuse).

Usage: failfs.py BACKING MOUNTPOINT CONTROL -f
Every file operation goes to BACKING. While the file CONTROL exists, write and fsync (and fdatasync) fail with EIO,
as a dying disk would; remove it and they work again. Once mounted it writes "mounted" to CONTROL + ".ready", so the
test waits for that line instead of for time.
"""

import errno
import os
import sys

import fuse

fuse.fuse_python_api = (0, 2)

backing, mountpoint, control = sys.argv[1], sys.argv[2], sys.argv[3]
sys.argv = [sys.argv[0], mountpoint] + sys.argv[4:]


def failing():
    return os.path.exists(control)


class File:
    """An open file of the backing folder."""

    def __init__(self, path, flags, *mode):
        self.fd = os.open(backing + path, flags, *mode)

    def read(self, length, offset):
        return os.pread(self.fd, length, offset)

    def write(self, data, offset):
        if failing():
            return -errno.EIO
        return os.pwrite(self.fd, data, offset)

    def fsync(self, datasync):
        if failing():
            return -errno.EIO
        if datasync:
            os.fdatasync(self.fd)
        else:
            os.fsync(self.fd)

    def flush(self):
        return 0

    def release(self, flags):
        os.close(self.fd)

    def fgetattr(self):
        return os.fstat(self.fd)

    # No lock method: the kernel then keeps POSIX locks itself, and SQLite's locks work as on any local disk.

    def ftruncate(self, length):
        if failing():
            return -errno.EIO
        os.ftruncate(self.fd, length)


class FailFS(fuse.Fuse):
    def fsinit(self):
        with open(control + ".ready", "a") as ready:
            ready.write("mounted\n")

    def getattr(self, path):
        return os.lstat(backing + path)

    def readdir(self, path, offset):
        for name in [".", ".."] + os.listdir(backing + path):
            yield fuse.Direntry(name)

    def mkdir(self, path, mode):
        os.mkdir(backing + path, mode)

    def rmdir(self, path):
        os.rmdir(backing + path)

    def unlink(self, path):
        os.unlink(backing + path)

    def rename(self, old, new):
        os.rename(backing + old, backing + new)

    def truncate(self, path, length):
        if failing():
            return -errno.EIO
        with open(backing + path, "r+b") as f:
            f.truncate(length)

    def chmod(self, path, mode):
        os.chmod(backing + path, mode)

    def chown(self, path, user, group):
        os.chown(backing + path, user, group)

    def utimens(self, path, accessed, modified):
        os.utime(backing + path, ns=(accessed.tv_sec * 10**9 + accessed.tv_nsec,
                                      modified.tv_sec * 10**9 + modified.tv_nsec))

    def access(self, path, mode):
        if not os.access(backing + path, mode):
            return -errno.EACCES

    def statfs(self):
        return os.statvfs(backing)


def main():
    server = FailFS(version="failfs", usage=__doc__, dash_s_do="setsingle")
    server.file_class = File
    server.parse(errex=1)
    server.main()


main()
