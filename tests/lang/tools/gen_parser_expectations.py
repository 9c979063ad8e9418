#!/usr/bin/env python3
"""Regenerates tests/lang/data/parse_*.txt from the case lists next to them, with the
expectations taken from CPython 3.11 itself (run it with python3.11):

  parse_ok.cases      -> parse_ok.txt      ast.dump(tree, include_attributes=True)
  parse_errors.cases  -> parse_errors.txt  type|msg|line|offset|end_line|end_offset and
                                           the text CPython prints running the file

Cases are separated by lines holding only '===='.
"""
import ast
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')


def cases(name):
    text = open(os.path.join(DATA, name), encoding='utf-8').read()
    return [c for c in text.split('\n====\n') if c.strip('\n') or c]


def write(name, records):
    with open(os.path.join(DATA, name), 'w', encoding='utf-8') as f:
        for src, expect in records:
            f.write('### case\n' + src + ('' if src.endswith('\n') else '\n') + '### expect\n' + expect + '\n### end\n')


HOOK = """
import sys
def _hook(t, e, tb):
    if isinstance(e, SyntaxError):
        sys.stderr.write('HEAD|%s|%s|%s|%s|%s|%s\\n' % (t.__name__, e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset))
    sys.__excepthook__(t, e, tb)
sys.excepthook = _hook
"""


def main():
    assert sys.version_info[:2] == (3, 11), 'expectations must come from CPython 3.11'
    ok = []
    for src in cases('parse_ok.cases'):
        tree = compile(src, 'f.py', 'exec', ast.PyCF_ONLY_AST)
        compile(tree, 'f.py', 'exec')
        ok.append((src, ast.dump(tree, include_attributes=True)))
    write('parse_ok.txt', ok)

    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        # The error as raised running a file (positions differ slightly from compile()
        # at the end of the input): an excepthook prints its attributes first.
        with open(os.path.join(tmp, 'sitecustomize.py'), 'w') as f:
            f.write(HOOK)
        for src in cases('parse_errors.cases'):
            with open(os.path.join(tmp, 'f.py'), 'w', encoding='utf-8') as f:
                f.write(src)
            env = dict(os.environ, PYTHONPATH=tmp)
            shown = subprocess.run([sys.executable, 'f.py'], cwd=tmp, capture_output=True, text=True, env=env).stderr
            shown = shown.replace(os.path.join(tmp, ''), '')
            if not shown.startswith('HEAD|'):
                raise SystemExit('no syntax error for case: %r' % src)
            head, shown = shown.split('\n', 1)
            errors.append((src, head[5:] + '\n' + shown.rstrip('\n')))
    write('parse_errors.txt', errors)


if __name__ == '__main__':
    main()
