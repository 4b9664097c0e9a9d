"""Every action code the code base records has a Chinese name in ``audit.labels``.

The codes are collected from the source with ``ast``: the second argument of each
``record_action`` call, and, for a function that passes one of its own parameters on as that
argument (``orgs.services._save(actor, obj, action)``), the same argument of its calls. Every
string constant in such an argument counts (``"enable_user" if active else "disable_user"``).
"""

import ast
from pathlib import Path

import volunteer
from volunteer.audit.labels import ACTIONS, DETAILS, OBJECTS

ROOT = Path(volunteer.__file__).resolve().parent


def _callee(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _argument(node: ast.Call, position: int, name: str):
    if len(node.args) > position:
        return node.args[position]
    return next((k.value for k in node.keywords if k.arg == name), None)


def recorded_actions() -> set[str]:
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in ROOT.rglob("*.py")]
    # callee name → (position, parameter name) of the action argument
    carriers = {"record_action": (1, "action")}
    changed = True
    while changed:  # functions passing their parameter on to a carrier carry it too
        changed = False
        for tree in trees:
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef) or func.name in carriers:
                    continue
                params = [a.arg for a in func.args.args]
                for call in ast.walk(func):
                    if isinstance(call, ast.Call) and _callee(call) in carriers:
                        arg = _argument(call, *carriers[_callee(call)])
                        if isinstance(arg, ast.Name) and arg.id in params:
                            carriers[func.name] = (params.index(arg.id), arg.id)
                            changed = True
    codes = set()
    for tree in trees:
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _callee(call) in carriers:
                arg = _argument(call, *carriers[_callee(call)])
                for node in ast.walk(arg) if arg is not None else ():
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        codes.add(node.value)
    return codes


def test_the_collector_finds_direct_wrapped_and_conditional_codes():
    codes = recorded_actions()
    assert {"create_task", "create_street", "disable_user", "confirm_claim"} <= codes
    assert len(codes) > 40


def test_every_recorded_action_has_a_chinese_name():
    missing = sorted(recorded_actions() - set(ACTIONS))
    assert not missing, f"audit.labels.ACTIONS lacks a name for: {missing}"


def test_labels_are_chinese():
    for table in (ACTIONS, OBJECTS, DETAILS):
        for code, label in table.items():
            assert label and any("\u4e00" <= ch <= "\u9fff" for ch in label), code
