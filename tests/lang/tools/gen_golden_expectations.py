#!/usr/bin/env python3
"""Writes the `# expect` comments of tests/lang/golden/*.py from what CPython 3.11
prints running each file (run it with python3.11; stdout must be deterministic).

At the end of each file, replacing any previous block:
  # expect: <stdout line>            one per line of stdout, in order
  # expect stderr last line: <text>  when stderr is not empty
  # expect exit: <code>              when the exit code is not 0
The block sits after the program, so line numbers in tracebacks are unaffected.
"""
import os
import subprocess
import sys

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'golden')


def strip_block(text):
    lines = text.split('\n')
    while lines and (lines[-1] == '' or lines[-1].startswith('# expect')):
        lines.pop()
    return '\n'.join(lines) + '\n'


def run(path):
    r = subprocess.run([sys.executable, os.path.basename(path)], cwd=os.path.dirname(path),
                       capture_output=True, text=True, timeout=60)
    return r.stdout, r.stderr, r.returncode


def main():
    assert sys.version_info[:2] == (3, 11), 'expectations must come from CPython 3.11'
    names = sorted(n for n in os.listdir(GOLDEN) if n.endswith('.py'))
    only = set(sys.argv[1:])
    for name in names:
        if only and name not in only:
            continue
        path = os.path.join(GOLDEN, name)
        program = strip_block(open(path, encoding='utf-8').read())
        with open(path, 'w', encoding='utf-8') as f:
            f.write(program)
        first = run(path)
        second = run(path)
        if first[0] != second[0] or first[2] != second[2]:
            raise SystemExit('%s: output is not deterministic' % name)
        out, err, code = first
        block = []
        lines = out.split('\n')
        if lines and lines[-1] == '':
            lines.pop()
        for line in lines:
            block.append('# expect:' + (' ' + line if line else ''))
        err_lines = [l for l in err.split('\n') if l.strip()]
        if err_lines:
            block.append('# expect stderr last line: ' + err_lines[-1])
        if code:
            block.append('# expect exit: %d' % code)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(program + '\n' + '\n'.join(block) + '\n')
        print('%-50s %3d lines%s' % (name, len(lines), '' if not code else ' exit %d' % code))


if __name__ == '__main__':
    main()
