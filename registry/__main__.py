"""``python -m registry`` runs the same CLI as the ``modelreg`` console script."""

from registry.cli.entry import main

if __name__ == "__main__":
    main()
