#!/bin/sh
# DifferentialIT's probe, run by the rootfs's static busybox as the container's process under runc and
# under crema: prints what the container sees, a "== section" line before each part. It reads its own
# /proc entries ($$), not /proc/self, because a child would show what exec changed. $1 is a token
# that lets the test find this process on the host; then it waits on /.probe-fifo until the test
# has read the container's cgroup from the host side.
PATH=/bin
p=/proc/$$
echo "== status"
grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' $p/status
echo "== limits"
tail -n +2 $p/limits
echo "== cwd"
readlink $p/cwd
echo "== env"
tr '\0' '\n' < $p/environ | sort
echo "== uts"
echo "hostname $(hostname)"
echo "domainname $(cat /proc/sys/kernel/domainname)"
echo "== umask"
umask
echo "== oom_score_adj"
cat $p/oom_score_adj
echo "== ns"
for n in cgroup ipc mnt net pid pid_for_children time time_for_children user uts; do
  echo "$n $(readlink $p/ns/$n)"
done
echo "== cgroup"
cat $p/cgroup
echo "== mountinfo"
cat $p/mountinfo
echo "== dev"
find /dev -exec stat -c '%N|%F|%t:%T|%a|%u:%g' {} + 2>&1
echo "== wait"
read -r _ < /.probe-fifo
echo "== end"
