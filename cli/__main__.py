"""`python -m cli ...` runs the `rr` command."""

from cli.app import main

if __name__ == "__main__":
    main()
