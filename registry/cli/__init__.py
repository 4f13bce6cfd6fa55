"""The typer command-line interface: parses, calls one library function, renders.

This is the only package that imports typer or rich. Command modules import the library
lazily, inside the command functions, so that ``modelreg --help`` stays fast.
"""
