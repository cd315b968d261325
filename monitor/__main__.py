"""Allow ``python -m monitor`` as an alias of the ``newsmon`` command."""

from monitor.cli import main

if __name__ == "__main__":
    main()
