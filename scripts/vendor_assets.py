"""Copy front-end assets installed by npm into louyu/static/vendor (git-ignored).

htmx is not copied: django-htmx ships it as a static file (django_htmx/htmx-2.min.js).
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "louyu" / "static" / "vendor"
FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
    "@alpinejs/csp/dist/cdn.min.js": "alpine-csp.min.js",
    "echarts/dist/echarts.min.js": "echarts.min.js",
}


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for source, name in FILES.items():
        shutil.copyfile(ROOT / "node_modules" / source, TARGET / name)
    print(f"vendored {len(FILES)} assets into {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
