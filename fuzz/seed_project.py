#!/usr/bin/env python3
"""Seeds for the `project` fuzz target, made from the fixture projects.

Each fixture folder becomes one input: up to eight of its files, each as
one byte naming its place in the scratch project (the index into
PROJECT_FILES in src/fuzzing.rs) and its contents, joined by the target's
separator.

    python3 fuzz/seed_project.py fuzz/corpus/project
"""
import os
import sys

SEPARATOR = b"\n%%%%\n"

# Indexes into PROJECT_FILES (src/fuzzing.rs).
def selector(rel):
    name = os.path.basename(rel)
    parts = rel.split("/")
    if name == "prodready.toml":
        return 20
    if name == ".gitignore":
        return 18
    if name.endswith(".md"):
        return 19
    if name.startswith(".env"):
        return 17
    if ".github" in parts and name.endswith((".yml", ".yaml")):
        return 16
    if "compose" in name and name.endswith((".yml", ".yaml")):
        return 14
    if name.endswith((".yml", ".yaml")):
        return 15
    if name.startswith("Dockerfile"):
        return 13
    if name == "pyproject.toml":
        return 12
    if name.startswith("requirements") and name.endswith(".txt"):
        return 11
    if name == "package.json":
        return 10
    if name == "Cargo.toml":
        return 9
    if name.endswith(".rs"):
        return 7 if name == "main.rs" else 8
    if name.endswith((".ts", ".tsx")):
        return 6 if "controller" in name else 4
    if name.endswith((".js", ".mjs", ".cjs")):
        return 5
    if name.endswith(".py"):
        if name.startswith("test") or "tests" in parts:
            return 3
        if name == "settings.py" or "settings" in parts:
            return 1
        return 2 if name == "views.py" else 0
    return None


def seed(folder):
    chosen = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            sel = selector(os.path.relpath(path, folder).replace(os.sep, "/"))
            if sel is not None and sel not in chosen and len(chosen) < 8:
                with open(path, "rb") as f:
                    chosen[sel] = f.read()
    return SEPARATOR.join(bytes([sel]) + body for sel, body in sorted(chosen.items()))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/project"
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    os.makedirs(out, exist_ok=True)
    folders = []
    for group in ("projects", "families"):
        base = os.path.join(root, group)
        for name in sorted(os.listdir(base)):
            top = os.path.join(base, name)
            folders.append((f"{group}-{name}", top))
            for sub in sorted(os.listdir(top)):
                if os.path.isdir(os.path.join(top, sub)):
                    folders.append((f"{group}-{name}-{sub}", os.path.join(top, sub)))
    for label, folder in folders:
        data = seed(folder)
        if data:
            with open(os.path.join(out, label), "wb") as f:
                f.write(data)
    print(f"{len(folders)} seeds in {out}")


if __name__ == "__main__":
    main()
