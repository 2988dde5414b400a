#!/usr/bin/env python3
"""Normalises a `strace -f -o FILE` trace (native or hvtrace's) for comparison.

usage: normalize.py [--drop REGEX]... FILE
Prints one block per traced task, named P1, P2... (P1 the first task; the others in
the order their parent's clone/fork returned them), with:
  - "<unfinished ...>" / "<... NAME resumed>" pairs joined into one line, and the
    column padding before " = " collapsed (it depends on the pid width);
  - pids where a pid stands (results of clone/fork/getpid..., wait4/kill arguments,
    si_pid=, parent_tid=[N]) replaced by the task's name;
  - addresses (hex of 6+ digits) replaced by ADDR: the guest's heap, stack and mmap
    bases differ from native ones (both are randomised natively anyway);
  - what legitimately differs run to run: getrandom bytes, clock and CPU-time values, getppid's
    result (the tracer's parent natively, 0 in a guest whose first process is 1);
  - SIGCHLD lines counted rather than placed: natively too, SIGCHLD reaches a waiting
    parent before or after its wait4 returns depending on timing.
Lines matching a --drop REGEX are left out (documented by the caller); with
--no-results, results are cut (" = ..."): for calls compared for their arguments only.
"""
import re
import sys

PID_RESULT = re.compile(r'^(clone3?|fork|vfork|wait4|waitid|getpid|gettid|set_tid_address)\(')
LINE = re.compile(r'^(\d+)\s+(.*)$')


def main():
    drops = []
    no_results = False
    args = sys.argv[1:]
    while args and args[0] in ('--drop', '--no-results'):
        if args[0] == '--no-results':
            no_results = True
            args = args[1:]
            continue
        drops.append(re.compile(args[1]))
        args = args[2:]
    lines = open(args[0], errors='replace').read().splitlines()

    streams = {}   # pid -> joined lines
    held = {}      # pid -> an unfinished line waiting for its resumption
    order = []
    for raw in lines:
        m = LINE.match(raw)
        if not m:
            pid, text = 0, raw
        else:
            pid, text = int(m.group(1)), m.group(2)
        if pid not in streams:
            streams[pid] = []
            order.append(pid)
        if text.endswith(' <unfinished ...>'):
            held[pid] = text[:-len(' <unfinished ...>')]
            continue
        r = re.match(r'^<\.\.\. [a-z0-9_]+ resumed>( <unfinished \.\.\.>)?(.*)$', text)
        if r and pid in held:
            text = held.pop(pid) + r.group(2)
        streams[pid].append(text)
    for pid, text in held.items():
        streams[pid].append(text + ' <unfinished ...>')

    # Names: the first task, then children in the order their creators saw them made.
    names = {}
    queue = [order[0]] if order else []
    while queue:
        pid = queue.pop(0)
        if pid in names:
            continue
        names[pid] = 'P%d' % (len(names) + 1)
        for text in streams.get(pid, []):
            c = re.match(r'^(clone3?|fork|vfork)\(.*\) += (\d+)$', text)
            if c and int(c.group(2)) in streams:
                queue.append(int(c.group(2)))
    for pid in order:
        if pid not in names:
            names[pid] = 'P%d' % (len(names) + 1)

    def pidname(m):
        n = int(m.group(2))
        return m.group(1) + names.get(n, str(n))

    for pid in sorted(order, key=lambda p: int(names[p][1:])):
        print('== ' + names[pid])
        sigchld = 0
        for text in streams[pid]:
            if any(d.search(text) for d in drops):
                continue
            if text.startswith('--- SIGCHLD '):
                sigchld += 1
                continue
            text = re.sub(r'\)\s+= ', ') = ', text)
            if PID_RESULT.match(text):
                text = re.sub(r'( = )(\d+)$', pidname, text)
            text = re.sub(r'((?:si_pid=|wait4\(|kill\(|tgkill\(|tkill\(|parent_tid=\[|execve in pid ))(\d+)', pidname, text)
            text = re.sub(r'(tgkill\(P\d+, )(\d+)', pidname, text)
            text = re.sub(r'^(ptrace\(PTRACE_[A-Z_]+, )(\d+)', pidname, text)
            text = re.sub(r'0x[0-9a-f]{6,}', 'ADDR', text)
            text = re.sub(r'^getppid\(\) = \d+', 'getppid() = PPID', text)
            text = re.sub(r'^getrandom\("[^"]*"', 'getrandom("..."', text)
            if text.startswith(('clock_gettime(', 'gettimeofday(', 'time(', 'times(', 'getrusage(')):
                # strace adds "/* 0.01 s */" to a nonzero tick count only.
                text = re.sub(r' /\* [\d.]+ s \*/', '', text)
                text = re.sub(r'\d+', 'N', text)
            if no_results:
                text = re.sub(r'\) = .*$', ')', text)
            print(text)
        print('SIGCHLD x%d' % sigchld)


main()
