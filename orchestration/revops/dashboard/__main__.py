"""`python -m revops.dashboard`: serve the KPI dashboard on 127.0.0.1 from the published copy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from revops import publish


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revops.dashboard",
                                     description="Serve the KPI dashboard from the published copy of the marts "
                                                 "(run `python -m revops.publish` after a build first).")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    parser.add_argument("--published-dir", type=Path, help="published folder (default $REVOPS_PUBLISHED_DIR or "
                                                           "<warehouse folder>/published)")
    args = parser.parse_args(argv)
    published_dir = args.published_dir or publish.published_dir()
    try:
        current = publish.current_path(published_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from revops.dashboard.app import create_app

    print(f"dashboard on http://{args.host}:{args.port}/ reading {current.parent / publish.POINTER_NAME} "
          f"(now {current.name}); Ctrl-C stops it", flush=True)
    create_app(published_dir).run(host=args.host, port=args.port, debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
